package iam

import (
	"context"
	"errors"

	"github.com/vigilhq/vigil/internal/api"
	iamsvc "github.com/vigilhq/vigil/internal/iam"
	evaluation "github.com/vigilhq/vigil/internal/policy"
)

// SimulatePrincipalPolicy simulates the policies of a user, group or role
// (and more given), on actions and resources.
func (p *Provider) SimulatePrincipalPolicy(ctx context.Context, in *SimulatePrincipalPolicyRequest) (*SimulatePolicyResponse, error) {
	entries := listOf(in.ContextEntries, func(e ContextEntry) iamsvc.ContextEntry {
		return iamsvc.ContextEntry{Key: api.Value(e.ContextKeyName), Values: e.ContextKeyValues, Type: string(e.ContextKeyType)}
	})
	res, err := p.svc.Simulate(ctx, account(ctx), iamsvc.Simulation{
		Source: api.Value(in.PolicySourceArn), Policies: in.PolicyInputList, Boundaries: in.PermissionsBoundaryPolicyInputList,
		Actions: in.ActionNames, Resources: in.ResourceArns, ResourcePolicy: api.Value(in.ResourcePolicy),
		ResourceOwner: api.Value(in.ResourceOwner), Caller: api.Value(in.CallerArn), Context: entries,
		ResourceHandling: api.Value(in.ResourceHandlingOption), Page: page(in.Marker, in.MaxItems),
	})
	if err != nil {
		return nil, simulationError(err)
	}
	truncated, marker := paged(res)
	return &SimulatePolicyResponse{EvaluationResults: listOf(res.Items, evaluationResult), IsTruncated: truncated, Marker: marker}, nil
}

// SimulateCustomPolicy simulates the policies given, on actions and
// resources: SimulatePrincipalPolicy without a source.
func (p *Provider) SimulateCustomPolicy(ctx context.Context, in *SimulateCustomPolicyRequest) (*SimulatePolicyResponse, error) {
	return p.SimulatePrincipalPolicy(ctx, &SimulatePrincipalPolicyRequest{
		PolicyInputList: in.PolicyInputList, PermissionsBoundaryPolicyInputList: in.PermissionsBoundaryPolicyInputList,
		ActionNames: in.ActionNames, ResourceArns: in.ResourceArns, ResourcePolicy: in.ResourcePolicy,
		ResourceOwner: in.ResourceOwner, CallerArn: in.CallerArn, ContextEntries: in.ContextEntries,
		ResourceHandlingOption: in.ResourceHandlingOption, MaxItems: in.MaxItems, Marker: in.Marker,
	})
}

// simulationError maps the simulator's errors to the modeled exceptions.
func simulationError(err error) error {
	var e *iamsvc.Error
	if errors.As(err, &e) && e.Code == iamsvc.PolicyEvaluation {
		return &PolicyEvaluationException{Message: &e.Message}
	}
	return apiError(err)
}

// decisions are the wire names of the decisions.
var decisions = map[evaluation.Decision]PolicyEvaluationDecisionType{
	evaluation.Allow:        PolicyEvaluationDecisionTypeAllowed,
	evaluation.ExplicitDeny: PolicyEvaluationDecisionTypeExplicitDeny,
	evaluation.ImplicitDeny: PolicyEvaluationDecisionTypeImplicitDeny,
}

func evaluationResult(e iamsvc.Evaluation) EvaluationResult {
	return EvaluationResult{EvalActionName: api.Ptr(e.Action), EvalResourceName: api.OptionalString(e.Resource),
		EvalDecision: decisions[e.Decision], MatchedStatements: listOf(e.Matched, statement), MissingContextValues: e.Missing,
		PermissionsBoundaryDecisionDetail: boundaryDetail(e.Boundary), EvalDecisionDetails: decisionDetails(e.Details),
		ResourceSpecificResults: listOf(e.Resources, resourceResult)}
}

func resourceResult(r iamsvc.ResourceOutcome) ResourceSpecificResult {
	return ResourceSpecificResult{EvalResourceName: api.Ptr(r.Resource), EvalResourceDecision: decisions[r.Decision],
		MatchedStatements: listOf(r.Matched, statement), MissingContextValues: r.Missing,
		EvalDecisionDetails: decisionDetails(r.Details), PermissionsBoundaryDecisionDetail: boundaryDetail(r.Boundary)}
}

func statement(s iamsvc.MatchedStatement) Statement {
	return Statement{SourcePolicyId: api.Ptr(s.PolicyID), SourcePolicyType: PolicySourceType(s.PolicyType),
		StartPosition: position(s.Start), EndPosition: position(s.End)}
}

func position(p evaluation.Position) *Position {
	return &Position{Line: api.Ptr(int32(p.Line)), Column: api.Ptr(int32(p.Column))}
}

// boundaryDetail writes whether the permissions boundary allows (nil
// without one).
func boundaryDetail(allowed *bool) *PermissionsBoundaryDecisionDetail {
	if allowed == nil {
		return nil
	}
	return &PermissionsBoundaryDecisionDetail{AllowedByPermissionsBoundary: allowed}
}

// decisionDetails writes EvalDecisionDetails; nil stays nil, so that the
// member is left out.
func decisionDetails(details map[string]evaluation.Decision) map[string]PolicyEvaluationDecisionType {
	if details == nil {
		return nil
	}
	out := make(map[string]PolicyEvaluationDecisionType, len(details))
	for typ, d := range details {
		out[typ] = decisions[d]
	}
	return out
}
