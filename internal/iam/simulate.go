package iam

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/vigilhq/vigil/internal/policy"
	"github.com/vigilhq/vigil/internal/store"
)

// The policy simulator answers SimulatePrincipalPolicy and
// SimulateCustomPolicy
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_testing-policies.html):
// it decides each action on each resource with the front door's own
// evaluation (policy.Explain, which is policy.Authorize telling what it
// looked at), and reports the statements that decided, where they are in
// their documents, and the condition keys the policies wanted and the
// simulation did not give.

// PolicyEvaluation is the code of a stored policy the simulator cannot
// evaluate (IAM's PolicyEvaluationException, a fault of the service's):
// one IAM took under checks laxer than today's. It stands apart from the
// codes iam.go numbers from 1.
const PolicyEvaluation Code = 1000

// The types of policies, as the simulator names them (SourcePolicyType).
// AWS answers these, not the values its API model lists (user, group,
// role, aws-managed …).
const (
	SourceIdentity = "IAM Policy"
	SourceBoundary = "Permissions Boundary Policy"
	SourceResource = "Resource Policy"
)

// Simulation is what SimulatePrincipalPolicy and SimulateCustomPolicy
// ask to simulate.
type Simulation struct {
	// Source is the ARN of the user, group or role whose policies are
	// simulated (PolicySourceArn): a user's include its groups'. "" for
	// SimulateCustomPolicy, which simulates the policies given only.
	Source string
	// Policies are identity-based policies to simulate besides the
	// source's (PolicyInputList).
	Policies []string
	// Boundaries is the permissions boundary to simulate in place of the
	// source's (PermissionsBoundaryPolicyInputList): one at most.
	Boundaries []string
	// Actions are the actions to decide (ActionNames), one result each.
	Actions []string
	// Resources are the ARNs of the resources to decide them on
	// (ResourceArns); none (or "*" only) stands for every resource.
	Resources []string
	// ResourcePolicy is the resource-based policy of every resource ("":
	// none). It needs a caller to name.
	ResourcePolicy string
	// ResourceOwner is the account that owns the resources whose ARN
	// names none, and the resource policy (an account id, or its root's
	// ARN); "" for the caller's account.
	ResourceOwner string
	// Caller is the ARN of the IAM user who makes the simulated requests
	// (CallerArn); "" for the source when it is a user.
	Caller string
	// Context are the condition keys of the simulated requests
	// (ContextEntries): the only ones they have, but for those the
	// caller determines (aws:username, aws:PrincipalTag/KEY …).
	Context []ContextEntry
	// ResourceHandling is the EC2 scenario simulated
	// (ResourceHandlingOption), which names the resources it needs; "":
	// none.
	ResourceHandling string
	// Page pages the results.
	Page Page
}

// ContextEntry is a condition key of the simulated requests.
type ContextEntry struct {
	Key    string
	Values []string
	// Type is the values' type (ContextKeyType): "string", "numeric",
	// "binary" … and their lists. Binary values are base64.
	Type string
}

// Evaluation is the simulation of one action (an EvaluationResult).
type Evaluation struct {
	Action string
	// Resource is what the action was decided on: "*", or the resource
	// the simulation names; "" when it names several.
	Resource string
	// Outcome is the decision on every resource: the most restrictive
	// of theirs (an explicit deny, then an implicit one), with the
	// statements of the resources so decided and the missing keys of
	// all.
	Outcome
	// Resources are the outcomes on each resource the simulation names
	// (ResourceSpecificResults); none when it names none.
	Resources []ResourceOutcome
}

// ResourceOutcome is the simulation of an action on one resource.
type ResourceOutcome struct {
	Resource string
	Outcome
}

// Outcome is how the policies decide an action.
type Outcome struct {
	Decision policy.Decision
	// Matched are the statements that decided: those that allow, for an
	// allowed action, those that deny for an explicit deny; none for an
	// implicit deny.
	Matched []MatchedStatement
	// Missing are the condition keys that statements covering the action
	// look up and the simulation does not give (MissingContextValues),
	// sorted.
	Missing []string
	// Boundary says whether the permissions boundary allows the action
	// (PermissionsBoundaryDecisionDetail); nil without a boundary.
	Boundary *bool
	// Details are, for a resource of another account than the caller's,
	// the decisions of the caller's identity-based policies and of the
	// resource's policy, by SourcePolicyType (EvalDecisionDetails); for
	// a resource of the caller's account an empty map on an Evaluation,
	// nil on a ResourceOutcome; nil for "*".
	Details map[string]policy.Decision
}

// MatchedStatement is a statement that decided, as the simulator names
// it.
type MatchedStatement struct {
	// PolicyID names its policy (SourcePolicyId): a managed policy's
	// name, KIND_OWNER_NAME for an inline policy ("user_alice_logs"),
	// "PolicyInputList.N", "PermissionsBoundaryPolicyInputList.1",
	// "ResourcePolicy".
	PolicyID string
	// PolicyType is its type: SourceIdentity, SourceBoundary or
	// SourceResource.
	PolicyType string
	// Start and End are where it is in its document.
	Start, End policy.Position
}

// Simulate runs a simulation, for the caller's account, a page of
// actions at a time.
func (s *Service) Simulate(ctx context.Context, account string, in Simulation) (Paged[Evaluation], error) {
	sim, err := s.simulator(ctx, account, in)
	if err != nil {
		return Paged[Evaluation]{}, err
	}
	order := make([]int, len(in.Actions))
	for i := range order {
		order[i] = i
	}
	page, err := paginate(order, in.Page, "simulation", func(i int) string { return fmt.Sprintf("%06d", i) })
	if err != nil {
		return Paged[Evaluation]{}, err
	}
	out := Paged[Evaluation]{Items: make([]Evaluation, len(page.Items)), Marker: page.Marker}
	for i, n := range page.Items {
		out.Items[i] = sim.evaluate(in.Actions[n])
	}
	return out, nil
}

// simulator is a simulation ready to run: its inputs checked, its
// policies compiled.
type simulator struct {
	principal          policy.Principal
	context            map[string][]string
	identity, boundary *policy.Set
	resource           *policy.Policy
	// owner owns the resources whose ARN names no account.
	owner string
	// resources are the resources named; nil for "*".
	resources []string
	// sources name each statement of the policies.
	sources map[*policy.Statement]MatchedStatement
}

// simulator checks a simulation and compiles its policies.
func (s *Service) simulator(ctx context.Context, account string, in Simulation) (*simulator, error) {
	if err := checkActionNames(in.Actions); err != nil {
		return nil, err
	}
	resources, err := simulatedResources(in.Resources, in.ResourceHandling)
	if err != nil {
		return nil, err
	}
	keys, err := simulatedContext(in.Context)
	if err != nil {
		return nil, err
	}
	sim := &simulator{context: keys, resources: resources, sources: map[*policy.Statement]MatchedStatement{}}
	var identity []*policy.Policy
	var source *simulationSource
	if in.Source != "" {
		if source, err = s.simulationSource(ctx, account, in.Source); err != nil {
			return nil, err
		}
		if identity, err = source.policies(sim); err != nil {
			return nil, err
		}
	}
	for i, doc := range in.Policies {
		p, err := sim.given(doc, fmt.Sprintf("PolicyInputList.%d", i+1), SourceIdentity)
		if err != nil {
			return nil, err
		}
		identity = append(identity, p)
	}
	sim.identity = policy.NewSet(identity...)
	if err := sim.boundaryOf(source, in.Boundaries); err != nil {
		return nil, err
	}
	if sim.principal, err = simulatedCaller(account, source, in.Caller, in.ResourcePolicy != ""); err != nil {
		return nil, err
	}
	if sim.owner, err = resourceOwner(in.ResourceOwner, sim.principal.Account); err != nil {
		return nil, err
	}
	if in.ResourcePolicy != "" {
		if err := sim.resourcePolicy(in.ResourcePolicy); err != nil {
			return nil, err
		}
	}
	return sim, nil
}

// simulationSource is the user, group or role whose policies a
// simulation simulates.
type simulationSource struct {
	entity store.IAMEntity
	perms  *Permissions
}

// simulationSource reads the user, group or role of a PolicySourceArn,
// in the caller's account, and its policies.
func (s *Service) simulationSource(ctx context.Context, account, arn string) (*simulationSource, error) {
	kind, name, ok := simulatedEntity(arn)
	if !ok {
		return nil, errorf(InvalidInput, "Invalid Entity Arn: %s does not clearly define entity type and name.", arn)
	}
	out := &simulationSource{}
	err := s.view(ctx, account, func(r store.IAMReader) error {
		e, err := entity(r, kind, name)
		if err != nil {
			return err
		}
		if !strings.EqualFold(e.ARN, arn) {
			return errorf(NoSuchEntity, notFound[kind], name)
		}
		out.entity = e
		out.perms, err = permissions(r, account, e)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// simulatedEntity returns the kind and name of the user, group or role
// an ARN names: arn:aws:iam::ACCOUNT:KIND/PATH/NAME.
func simulatedEntity(arn string) (store.IAMKind, string, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || parts[3] != "" || parts[4] == "" {
		return "", "", false
	}
	kind, rest, _ := strings.Cut(parts[5], "/")
	name := rest[strings.LastIndexByte(rest, '/')+1:]
	switch k := store.IAMKind(kind); {
	case name == "":
		return "", "", false
	case k == store.IAMUser, k == store.IAMGroup, k == store.IAMRole:
		return k, name, true
	}
	return "", "", false
}

// policies compiles the source's identity-based policies, as sim names
// them.
func (src *simulationSource) policies(sim *simulator) ([]*policy.Policy, error) {
	p := src.perms
	out := make([]*policy.Policy, 0, len(p.Inline)+len(p.Managed))
	for i, doc := range p.Inline {
		compiled, err := sim.stored(doc, policy.KindInline, p.InlineIDs[i], SourceIdentity)
		if err != nil {
			return nil, err
		}
		out = append(out, compiled)
	}
	for i, doc := range p.Managed {
		compiled, err := sim.stored(doc, policy.KindManaged, p.ManagedIDs[i], SourceIdentity)
		if err != nil {
			return nil, err
		}
		out = append(out, compiled)
	}
	return out, nil
}

// boundaryOf compiles the permissions boundary: the one given, else the
// source's own.
func (sim *simulator) boundaryOf(src *simulationSource, given []string) error {
	var p *policy.Policy
	var err error
	switch {
	case len(given) > 1:
		return errorf(InvalidInput, "The list of Permissions Boundary policies cannot exceed 1 items.")
	case len(given) == 1:
		p, err = sim.given(given[0], "PermissionsBoundaryPolicyInputList.1", SourceBoundary)
	case src != nil && src.perms.Boundary != "":
		p, err = sim.stored(src.perms.Boundary, policy.KindManaged, src.perms.BoundaryName, SourceBoundary)
	default:
		return nil
	}
	if err != nil {
		return err
	}
	sim.boundary = policy.NewSet(p)
	return nil
}

// given compiles an identity-based policy or a boundary the simulation
// gives: InvalidInput, with IAM's message, for one IAM refuses.
func (sim *simulator) given(doc, id, typ string) (*policy.Policy, error) {
	p, err := policy.ParseIdentity([]byte(doc), policy.KindInline)
	var pe *policy.Error
	if errors.As(err, &pe) {
		return nil, errorf(InvalidInput, "%s: %s", id, pe.Reason)
	}
	sim.name(p, id, typ)
	return p, nil
}

// stored compiles a stored policy: PolicyEvaluation for one that IAM's
// checks refuse today.
func (sim *simulator) stored(doc string, kind policy.Kind, id, typ string) (*policy.Policy, error) {
	p, err := policy.ParseIdentity([]byte(doc), kind)
	var pe *policy.Error
	if errors.As(err, &pe) {
		return nil, errorf(PolicyEvaluation, "The policy %s cannot be evaluated: %s", id, pe.Reason)
	}
	sim.name(p, id, typ)
	return p, nil
}

// resourcePolicy compiles the resource-based policy of the simulation.
// IAM's simulator refuses service principals, which its callers, IAM
// users, are not.
func (sim *simulator) resourcePolicy(doc string) error {
	p, err := policy.Parse([]byte(doc))
	var pe *policy.Error
	if errors.As(err, &pe) {
		return errorf(InvalidInput, "ResourcePolicy: %s", pe.Error())
	}
	if namesService(doc) {
		return errorf(InvalidInput, "Principal of type Service is not supported")
	}
	sim.name(p, "ResourcePolicy", SourceResource)
	sim.resource = p
	return nil
}

// name records the source of each statement of a policy.
func (sim *simulator) name(p *policy.Policy, id, typ string) {
	for i := range p.Statements {
		st := &p.Statements[i]
		sim.sources[st] = MatchedStatement{PolicyID: id, PolicyType: typ, Start: st.Start, End: st.End}
	}
}

// notUserCaller refuses a caller that is not an IAM user where the
// simulation needs one.
func notUserCaller() error {
	return errorf(InvalidInput, "Invalid caller - Caller must be an IAM user in this context.")
}

// simulatedCaller returns who makes the simulated requests: the IAM
// user of CallerArn, else the source user; a role source makes them as
// the role. Without either, they come from the account, from no one in
// particular — which a resource-based policy cannot name.
func simulatedCaller(account string, src *simulationSource, caller string, named bool) (policy.Principal, error) {
	if caller != "" {
		kind, _, ok := simulatedEntity(caller)
		if !ok || kind != store.IAMUser {
			return policy.Principal{}, notUserCaller()
		}
		if src == nil || !strings.EqualFold(caller, src.entity.ARN) {
			return policy.Principal{Account: strings.SplitN(caller, ":", 6)[4], ARN: caller}, nil
		}
	}
	switch {
	case src != nil && src.entity.Kind == store.IAMUser:
		return policy.Principal{Account: account, ARN: src.entity.ARN, UserID: src.entity.ID, Tags: src.perms.Tags}, nil
	case named:
		return policy.Principal{}, notUserCaller()
	case src != nil && src.entity.Kind == store.IAMRole:
		return policy.Principal{Account: account, ARN: src.entity.ARN, Tags: src.perms.Tags}, nil
	}
	return policy.Principal{Account: account}, nil
}
