package organizations

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/vigilhq/vigil/internal/policy"
	"github.com/vigilhq/vigil/internal/store"
)

// FullAWSAccessID is the id of the AWS managed SCP that allows
// everything, which every organization has: AWS attaches it to every
// node when SCPs are enabled.
const FullAWSAccessID = "p-FullAWSAccess"

// fullAWSAccess is that policy, as AWS publishes it.
var fullAWSAccess = Policy{AWSManaged: true, OrgPolicy: store.OrgPolicy{
	ID: FullAWSAccessID, ARN: "arn:aws:organizations::aws:policy/service_control_policy/" + FullAWSAccessID,
	Name: "FullAWSAccess", Description: "Allows access to every operation", Type: SCPType,
	Content: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}",
}}

// Policies' quotas
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html).
const (
	// maxSCPSize caps an SCP's document, in characters (white space
	// counted).
	maxSCPSize = 5120
	// maxPolicies is how many policies an organization may have.
	maxPolicies = 1000
	// maxAttachedSCPs is how many SCPs may be attached to a node.
	maxAttachedSCPs = 5
)

// Policy is a policy of an organization, or one of AWS.
type Policy struct {
	store.OrgPolicy
	AWSManaged bool
}

// NewPolicy describes a policy to create.
type NewPolicy struct {
	Name, Description, Type, Content string
	Tags                             []Tag
}

// PolicyChange describes a change of a policy: the fields that are set.
type PolicyChange struct {
	Name, Description, Content *string
}

// findPolicy reads the policy with an id: PolicyNotFound when there is
// none.
func findPolicy(r store.OrgReader, id string) (Policy, error) {
	if id == FullAWSAccessID {
		return fullAWSAccess, nil
	}
	p, err := r.Policy(id)
	if errors.Is(err, store.ErrNotFound) {
		return Policy{}, errorf(PolicyNotFound, "You specified a policy that doesn't exist.")
	}
	return Policy{OrgPolicy: p}, err
}

// policiesOf lists the policies of a type (AWS's with the
// organization's), ordered by id.
func policiesOf(r store.OrgReader, typ string) ([]Policy, error) {
	if typ != SCPType {
		return nil, nil
	}
	stored, err := r.Policies(typ)
	out := []Policy{fullAWSAccess}
	for _, p := range stored {
		out = append(out, Policy{OrgPolicy: p})
	}
	slices.SortFunc(out, func(a, b Policy) int { return strings.Compare(a.ID, b.ID) })
	return out, err
}

// immutable refuses to change a policy of AWS.
func immutable(p Policy) error {
	if !p.AWSManaged {
		return nil
	}
	return invalid("IMMUTABLE_POLICY", "You specified a policy that is managed by AWS and can't be modified.")
}

// checkContent checks an SCP's document: its size, then its syntax and
// grammar as Organizations checks them (internal/policy, whose message is
// Organizations').
func checkContent(content string) error {
	if utf8.RuneCountInString(content) > maxSCPSize {
		return violation("POLICY_CONTENT_LIMIT_EXCEEDED", "You attempted to create a policy that is larger than the maximum size.")
	}
	if _, err := policy.ParseIdentity([]byte(content), policy.KindSCP); err != nil {
		return errorf(MalformedPolicyDocument, "%s", err.Error())
	}
	return nil
}

// uniquePolicyName refuses a name another policy of the type has.
func uniquePolicyName(r store.OrgReader, typ, name, self string) error {
	all, err := policiesOf(r, typ)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(all, func(p Policy) bool { return p.Name == name && p.ID != self }) {
		return errorf(DuplicatePolicy, "A policy with the same name already exists.")
	}
	return nil
}

// CreatePolicy creates a policy (an SCP), with tags.
func (s *Service) CreatePolicy(ctx context.Context, caller string, in NewPolicy) (*Policy, error) {
	add, err := newTags(in.Tags)
	if err == nil {
		err = supported(in.Type)
	}
	if err == nil {
		err = checkContent(in.Content)
	}
	if err != nil {
		return nil, err
	}
	var out Policy
	err = s.update(ctx, caller, manager, func(w store.OrgWriter, o store.Organization) error {
		if o.FeatureSet != FeatureSetAll {
			return errorf(PolicyTypeNotAvailable, "You can't use the specified policy type with the feature set currently enabled for this organization.")
		}
		if err := uniquePolicyName(w, in.Type, in.Name, ""); err != nil {
			return err
		}
		if stored, err := w.Policies(in.Type); err != nil || len(stored) >= maxPolicies {
			if err != nil {
				return err
			}
			return violation("POLICY_NUMBER_LIMIT_EXCEEDED", "You attempted to exceed the number of policies that you can have in an organization.")
		}
		id := newPolicyID()
		out = Policy{OrgPolicy: store.OrgPolicy{ID: id, ARN: arn(o, "policy", "service_control_policy/"+id), Name: in.Name,
			Description: in.Description, Type: in.Type, Content: in.Content}}
		if err := w.PutPolicy(out.OrgPolicy); err != nil {
			return err
		}
		return w.Tag(out.ARN, add, nil)
	})
	return &out, err
}

// DescribePolicy returns a policy.
func (s *Service) DescribePolicy(ctx context.Context, caller, id string) (*Policy, error) {
	var out Policy
	err := s.view(ctx, caller, reader, func(r store.OrgReader, _ store.Organization) (err error) {
		out, err = findPolicy(r, id)
		return err
	})
	return &out, err
}

// UpdatePolicy changes a policy's name, description or document.
func (s *Service) UpdatePolicy(ctx context.Context, caller, id string, c PolicyChange) (*Policy, error) {
	if c.Content != nil {
		if err := checkContent(*c.Content); err != nil {
			return nil, err
		}
	}
	var out Policy
	err := s.update(ctx, caller, manager, func(w store.OrgWriter, _ store.Organization) (err error) {
		if out, err = findPolicy(w, id); err != nil {
			return err
		}
		if err := immutable(out); err != nil {
			return err
		}
		if c.Name != nil {
			if err := uniquePolicyName(w, out.Type, *c.Name, id); err != nil {
				return err
			}
			out.Name = *c.Name
		}
		for _, f := range []struct{ to, from *string }{{&out.Description, c.Description}, {&out.Content, c.Content}} {
			if f.from != nil {
				*f.to = *f.from
			}
		}
		return w.PutPolicy(out.OrgPolicy)
	})
	return &out, err
}

// DeletePolicy deletes a policy, which must be attached nowhere.
func (s *Service) DeletePolicy(ctx context.Context, caller, id string) error {
	return s.update(ctx, caller, manager, func(w store.OrgWriter, _ store.Organization) error {
		p, err := findPolicy(w, id)
		if err == nil {
			err = immutable(p)
		}
		if err != nil {
			return err
		}
		targets, err := w.TargetsOf(id)
		if err != nil {
			return err
		}
		if len(targets) > 0 {
			return errorf(PolicyInUse, "The policy is attached to one or more entities. "+
				"You must detach it from all roots, OUs, and accounts before performing this operation.")
		}
		return w.DeletePolicy(id)
	})
}

// ListPolicies lists the policies of a type (other types than SCPs have
// none).
func (s *Service) ListPolicies(ctx context.Context, caller, typ string, p Page) (Paged[Policy], error) {
	var out Paged[Policy]
	err := s.view(ctx, caller, reader, func(r store.OrgReader, _ store.Organization) error {
		all, err := policiesOf(r, typ)
		if err == nil {
			out, err = paginate(all, p, "policies:"+typ, policyKey)
		}
		return err
	})
	return out, err
}

// policyKey is the key of policies in lists.
func policyKey(p Policy) string { return p.ID }

// target reads the root, OU or account with an id: TargetNotFound when
// there is none.
func target(r store.OrgReader, id string) (store.OrgNode, error) {
	n, err := r.Node(id)
	if errors.Is(err, store.ErrNotFound) {
		return n, errorf(TargetNotFound, "You specified a target that doesn't exist.")
	}
	return n, err
}

// AttachPolicy attaches a policy to a root, OU or account.
func (s *Service) AttachPolicy(ctx context.Context, caller, policyID, targetID string) error {
	return s.changeAttachment(ctx, caller, policyID, targetID, func(w store.OrgWriter, attached []string) error {
		if enabled, err := scpsEnabled(w); err != nil || !enabled {
			if err != nil {
				return err
			}
			return errorf(PolicyTypeNotEnabled, "This operation can be performed only for enabled policy types.")
		}
		switch {
		case slices.Contains(attached, policyID):
			return errorf(DuplicatePolicyAttachment, "The selected policy is already attached to the specified target.")
		case len(attached) >= maxAttachedSCPs:
			return violation("MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED",
				"You attempted to exceed the number of policies of a certain type that can be attached to an entity at one time.")
		}
		return w.Attach(policyID, targetID)
	})
}

// DetachPolicy detaches a policy from a root, OU or account, which must
// keep an SCP.
func (s *Service) DetachPolicy(ctx context.Context, caller, policyID, targetID string) error {
	return s.changeAttachment(ctx, caller, policyID, targetID, func(w store.OrgWriter, attached []string) error {
		switch {
		case !slices.Contains(attached, policyID):
			return errorf(PolicyNotAttached, "The policy isn't attached to the specified target in the specified root.")
		case len(attached) == 1:
			return violation("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You attempted to detach a policy from an entity "+
				"that would cause the entity to have fewer than the minimum number of policies of a certain type required.")
		}
		return w.Detach(policyID, targetID)
	})
}

// changeAttachment runs fn, which attaches or detaches a policy, once
// the policy and the target exist, with the policies attached to the
// target.
func (s *Service) changeAttachment(ctx context.Context, caller, policyID, targetID string, fn func(w store.OrgWriter, attached []string) error) error {
	return s.update(ctx, caller, manager, func(w store.OrgWriter, _ store.Organization) error {
		if _, err := findPolicy(w, policyID); err != nil {
			return err
		}
		if _, err := target(w, targetID); err != nil {
			return err
		}
		attached, err := w.PoliciesOf(targetID)
		if err != nil {
			return err
		}
		return fn(w, attached)
	})
}

// ListPoliciesForTarget lists the policies of a type attached to a root,
// OU or account.
func (s *Service) ListPoliciesForTarget(ctx context.Context, caller, targetID, typ string, p Page) (Paged[Policy], error) {
	var out Paged[Policy]
	err := s.view(ctx, caller, reader, func(r store.OrgReader, _ store.Organization) error {
		if _, err := target(r, targetID); err != nil {
			return err
		}
		ids, err := r.PoliciesOf(targetID)
		if err != nil {
			return err
		}
		var attached []Policy
		for _, id := range ids {
			pol, err := findPolicy(r, id)
			if err != nil {
				return err
			}
			if pol.Type == typ {
				attached = append(attached, pol)
			}
		}
		out, err = paginate(attached, p, "attached:"+targetID+":"+typ, policyKey)
		return err
	})
	return out, err
}

// ListTargetsForPolicy lists the roots, OUs and accounts a policy is
// attached to.
func (s *Service) ListTargetsForPolicy(ctx context.Context, caller, id string, p Page) (Paged[store.OrgNode], error) {
	var out Paged[store.OrgNode]
	err := s.view(ctx, caller, reader, func(r store.OrgReader, _ store.Organization) error {
		if _, err := findPolicy(r, id); err != nil {
			return err
		}
		ids, err := r.TargetsOf(id)
		if err != nil {
			return err
		}
		targets := make([]store.OrgNode, len(ids))
		for i, t := range ids {
			if targets[i], err = r.Node(t); err != nil {
				return err
			}
		}
		out, err = paginate(targets, p, "targets:"+id, nodeID)
		return err
	})
	return out, err
}
