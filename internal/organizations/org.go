package organizations

import (
	"context"
	"errors"
	"slices"

	"github.com/vigilhq/vigil/internal/store"
)

// The feature sets of organizations.
const (
	FeatureSetAll = "ALL"
)

// The states and ways of joining of member accounts.
const (
	stateActive   = "ACTIVE"
	joinedCreated = "CREATED"
	joinedInvited = "INVITED"
)

// CreateOrganization creates an organization whose management account is
// the caller's, with its root; featureSet is ALL ("" too) or
// CONSOLIDATED_BILLING. The management account shows with its id for
// name and no email: Vigil's accounts have neither.
func (s *Service) CreateOrganization(ctx context.Context, caller, featureSet string) (*store.Organization, error) {
	if featureSet == "" {
		featureSet = FeatureSetAll
	}
	_, err := s.org(ctx, caller)
	if err == nil {
		return nil, errorf(AlreadyInOrganization, "The provided account is already a member of an organization.")
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != NotInUse {
		return nil, err
	}
	now := s.now()
	o := store.Organization{ID: newOrganizationID(), FeatureSet: featureSet, ManagementAccount: caller, Created: now}
	o.ARN = "arn:aws:organizations::" + caller + ":organization/" + o.ID
	root := store.OrgNode{Kind: store.OrgRoot, ID: newRootID(), Name: "Root", Created: now}
	root.ARN = arn(o, "root", root.ID)
	management := store.OrgNode{Kind: store.OrgAccount, ID: caller, ARN: arn(o, "account", caller), Name: caller, Parent: root.ID,
		Created: now, State: stateActive, JoinedMethod: joinedInvited}
	err = s.write(ctx, o.ID, func(w store.OrgWriter) error {
		if err := w.PutOrganization(o); err != nil {
			return err
		}
		if err := w.PutNode(root); err != nil {
			return err
		}
		err := w.PutNode(management)
		if errors.Is(err, store.ErrExists) {
			return errorf(AlreadyInOrganization, "The provided account is already a member of an organization.")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// DescribeOrganization returns the caller's organization.
func (s *Service) DescribeOrganization(ctx context.Context, caller string) (*store.Organization, error) {
	var out store.Organization
	err := s.view(ctx, caller, member, func(_ store.OrgReader, o store.Organization) error {
		out = o
		return nil
	})
	return &out, err
}

// DeleteOrganization deletes the caller's organization, which must have
// no member accounts left but its management account.
func (s *Service) DeleteOrganization(ctx context.Context, caller string) error {
	return s.update(ctx, caller, manager, func(w store.OrgWriter, _ store.Organization) error {
		accounts, err := w.Nodes(store.OrgAccount, "")
		if err != nil {
			return err
		}
		if len(accounts) > 1 {
			return errorf(OrganizationNotEmpty, "To delete an organization you must first remove all member accounts (except the master).")
		}
		return w.DeleteOrganization()
	})
}

// ListRoots lists the roots of the caller's organization (it has one).
func (s *Service) ListRoots(ctx context.Context, caller string, p Page) (Paged[store.OrgNode], error) {
	var out Paged[store.OrgNode]
	err := s.view(ctx, caller, reader, func(r store.OrgReader, _ store.Organization) error {
		roots, err := r.Nodes(store.OrgRoot, "")
		if err == nil {
			out, err = paginate(roots, p, "roots", nodeID)
		}
		return err
	})
	return out, err
}

// nodeID is the key of nodes in lists.
func nodeID(n store.OrgNode) string { return n.ID }

// SCPType is the type of service control policies, the only type of
// policy Vigil supports.
const SCPType = "SERVICE_CONTROL_POLICY"

// supported refuses a type of policy other than SCPs.
func supported(typ string) error {
	if typ == SCPType {
		return nil
	}
	return invalid("INVALID_ENUM_POLICY_TYPE", "Vigil supports service control policies only (SERVICE_CONTROL_POLICY), not "+typ+".")
}

// root reads the root with an id: RootNotFound when there is none.
func root(r store.OrgReader, id string) (store.OrgNode, error) {
	n, err := r.Node(id)
	if errors.Is(err, store.ErrNotFound) || err == nil && n.Kind != store.OrgRoot {
		return n, errorf(RootNotFound, "You specified a root that doesn't exist.")
	}
	return n, err
}

// EnablePolicyType enables a type of policy in a root, which attaches
// the AWS managed FullAWSAccess to the root, every OU and every account,
// as AWS does
// (https://docs.aws.amazon.com/organizations/latest/userguide/enable-policy-type.html).
func (s *Service) EnablePolicyType(ctx context.Context, caller, rootID, typ string) (*store.OrgNode, error) {
	return s.switchPolicyType(ctx, caller, rootID, typ, true, func(w store.OrgWriter, n store.OrgNode) error {
		err := w.Attach(FullAWSAccessID, n.ID)
		if errors.Is(err, store.ErrExists) {
			return nil
		}
		return err
	})
}

// DisablePolicyType disables a type of policy in a root, which detaches
// every policy of the type from every node.
func (s *Service) DisablePolicyType(ctx context.Context, caller, rootID, typ string) (*store.OrgNode, error) {
	return s.switchPolicyType(ctx, caller, rootID, typ, false, func(w store.OrgWriter, n store.OrgNode) error {
		attached, err := w.PoliciesOf(n.ID)
		if err != nil {
			return err
		}
		// Every policy is an SCP: the only type Vigil has.
		for _, p := range attached {
			if err := w.Detach(p, n.ID); err != nil {
				return err
			}
		}
		return nil
	})
}

// switchPolicyType enables (on) or disables a type of policy in a root,
// then runs each on every node of the organization.
func (s *Service) switchPolicyType(ctx context.Context, caller, rootID, typ string, on bool,
	each func(w store.OrgWriter, n store.OrgNode) error) (*store.OrgNode, error) {
	if err := supported(typ); err != nil {
		return nil, err
	}
	var rt store.OrgNode
	err := s.update(ctx, caller, manager, func(w store.OrgWriter, o store.Organization) (err error) {
		if rt, err = root(w, rootID); err != nil {
			return err
		}
		enabled := slices.Contains(rt.PolicyTypes, typ)
		switch {
		case on && o.FeatureSet != FeatureSetAll:
			return errorf(PolicyTypeNotAvailable, "You can't use the specified policy type with the feature set currently enabled for this organization.")
		case on && enabled:
			return errorf(PolicyTypeAlreadyEnabled, "The specified policy type is already enabled.")
		case !on && !enabled:
			return errorf(PolicyTypeNotEnabled, "This operation can be performed only for enabled policy types.")
		}
		rt.PolicyTypes = slices.DeleteFunc(slices.Clone(rt.PolicyTypes), func(t string) bool { return t == typ })
		if on {
			rt.PolicyTypes = append(rt.PolicyTypes, typ)
			slices.Sort(rt.PolicyTypes)
		}
		if err := w.PutNode(rt); err != nil {
			return err
		}
		nodes, err := w.Nodes("", "")
		if err != nil {
			return err
		}
		for _, n := range nodes {
			if err := each(w, n); err != nil {
				return err
			}
		}
		return nil
	})
	return &rt, err
}

// scpsEnabled reports whether SCPs are enabled in the organization's
// root.
func scpsEnabled(r store.OrgReader) (bool, error) {
	roots, err := r.Nodes(store.OrgRoot, "")
	if err != nil || len(roots) != 1 {
		return false, err
	}
	return slices.Contains(roots[0].PolicyTypes, SCPType), nil
}
