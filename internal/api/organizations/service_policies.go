package organizations

import (
	"context"

	"github.com/vigilhq/vigil/internal/api"
	orgs "github.com/vigilhq/vigil/internal/organizations"
	"github.com/vigilhq/vigil/internal/store"
)

func summary(p orgs.Policy) PolicySummary {
	return PolicySummary{Id: api.Ptr(p.ID), Arn: api.Ptr(p.ARN), Name: api.Ptr(p.Name), Description: api.Ptr(p.Description),
		Type: PolicyType(p.Type), AwsManaged: api.Ptr(p.AWSManaged)}
}

func policy(p *orgs.Policy) *Policy {
	return &Policy{PolicySummary: api.Ptr(summary(*p)), Content: api.Ptr(p.Content)}
}

// CreatePolicy creates an SCP.
func (p *Provider) CreatePolicy(ctx context.Context, in *CreatePolicyRequest) (*CreatePolicyResponse, error) {
	pol, err := p.svc.CreatePolicy(ctx, caller(ctx), orgs.NewPolicy{Name: api.Value(in.Name), Description: api.Value(in.Description),
		Type: string(in.Type), Content: api.Value(in.Content), Tags: tags(in.Tags)})
	if err != nil {
		return nil, apiError(err)
	}
	return &CreatePolicyResponse{Policy: policy(pol)}, nil
}

// DescribePolicy returns a policy.
func (p *Provider) DescribePolicy(ctx context.Context, in *DescribePolicyRequest) (*DescribePolicyResponse, error) {
	pol, err := p.svc.DescribePolicy(ctx, caller(ctx), api.Value(in.PolicyId))
	if err != nil {
		return nil, apiError(err)
	}
	return &DescribePolicyResponse{Policy: policy(pol)}, nil
}

// UpdatePolicy changes a policy.
func (p *Provider) UpdatePolicy(ctx context.Context, in *UpdatePolicyRequest) (*UpdatePolicyResponse, error) {
	pol, err := p.svc.UpdatePolicy(ctx, caller(ctx), api.Value(in.PolicyId), orgs.PolicyChange{Name: in.Name, Description: in.Description,
		Content: in.Content})
	if err != nil {
		return nil, apiError(err)
	}
	return &UpdatePolicyResponse{Policy: policy(pol)}, nil
}

// DeletePolicy deletes a policy attached nowhere.
func (p *Provider) DeletePolicy(ctx context.Context, in *DeletePolicyRequest) (*DeletePolicyOutput, error) {
	return result(&DeletePolicyOutput{}, p.svc.DeletePolicy(ctx, caller(ctx), api.Value(in.PolicyId)))
}

// ListPolicies lists the policies of a type.
func (p *Provider) ListPolicies(ctx context.Context, in *ListPoliciesRequest) (*ListPoliciesResponse, error) {
	list, err := p.svc.ListPolicies(ctx, caller(ctx), string(in.Filter), page(in.NextToken, in.MaxResults))
	policies, next, err := listOf(list, err, summary)
	return result(&ListPoliciesResponse{Policies: policies, NextToken: next}, err)
}

// AttachPolicy attaches a policy to a root, OU or account.
func (p *Provider) AttachPolicy(ctx context.Context, in *AttachPolicyRequest) (*AttachPolicyOutput, error) {
	return result(&AttachPolicyOutput{}, p.svc.AttachPolicy(ctx, caller(ctx), api.Value(in.PolicyId), api.Value(in.TargetId)))
}

// DetachPolicy detaches a policy from a root, OU or account.
func (p *Provider) DetachPolicy(ctx context.Context, in *DetachPolicyRequest) (*DetachPolicyOutput, error) {
	return result(&DetachPolicyOutput{}, p.svc.DetachPolicy(ctx, caller(ctx), api.Value(in.PolicyId), api.Value(in.TargetId)))
}

// ListPoliciesForTarget lists the policies attached to a root, OU or
// account.
func (p *Provider) ListPoliciesForTarget(ctx context.Context, in *ListPoliciesForTargetRequest) (*ListPoliciesForTargetResponse, error) {
	list, err := p.svc.ListPoliciesForTarget(ctx, caller(ctx), api.Value(in.TargetId), string(in.Filter), page(in.NextToken, in.MaxResults))
	policies, next, err := listOf(list, err, summary)
	return result(&ListPoliciesForTargetResponse{Policies: policies, NextToken: next}, err)
}

// ListTargetsForPolicy lists where a policy is attached.
func (p *Provider) ListTargetsForPolicy(ctx context.Context, in *ListTargetsForPolicyRequest) (*ListTargetsForPolicyResponse, error) {
	list, err := p.svc.ListTargetsForPolicy(ctx, caller(ctx), api.Value(in.PolicyId), page(in.NextToken, in.MaxResults))
	targets, next, err := listOf(list, err, func(n store.OrgNode) PolicyTargetSummary {
		return PolicyTargetSummary{TargetId: api.Ptr(n.ID), Arn: api.Ptr(n.ARN), Name: api.Ptr(n.Name), Type: TargetType(n.Kind)}
	})
	return result(&ListTargetsForPolicyResponse{Targets: targets, NextToken: next}, err)
}

// TagResource tags a root, OU, account or policy.
func (p *Provider) TagResource(ctx context.Context, in *TagResourceRequest) (*TagResourceOutput, error) {
	return result(&TagResourceOutput{}, p.svc.TagResource(ctx, caller(ctx), api.Value(in.ResourceId), tags(in.Tags)))
}

// UntagResource removes tags from a root, OU, account or policy.
func (p *Provider) UntagResource(ctx context.Context, in *UntagResourceRequest) (*UntagResourceOutput, error) {
	return result(&UntagResourceOutput{}, p.svc.UntagResource(ctx, caller(ctx), api.Value(in.ResourceId), in.TagKeys))
}

// ListTagsForResource lists the tags of a root, OU, account or policy.
func (p *Provider) ListTagsForResource(ctx context.Context, in *ListTagsForResourceRequest) (*ListTagsForResourceResponse, error) {
	list, err := p.svc.ListTagsForResource(ctx, caller(ctx), api.Value(in.ResourceId), page(in.NextToken, nil))
	tagList, next, err := listOf(list, err, func(t orgs.Tag) Tag { return Tag{Key: api.Ptr(t.Key), Value: api.Ptr(t.Value)} })
	return result(&ListTagsForResourceResponse{Tags: tagList, NextToken: next}, err)
}
