package organizations

import (
	"context"
	"errors"
	"slices"

	"github.com/vigilhq/vigil/internal/store"
)

// Organizational units' quotas
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html).
const (
	// maxDepth is how many levels of OUs a root may have.
	maxDepth = 5
	// maxUnits is how many OUs an organization may have.
	maxUnits = 2000
)

// ancestry returns the nodes from the root down to the node id, which
// it ends with.
func ancestry(r store.OrgReader, id string) ([]store.OrgNode, error) {
	var chain []store.OrgNode
	for id != "" {
		if len(chain) > maxDepth+1 {
			panic("BUG: organizations: a cycle or too deep a tree above " + chain[0].ID)
		}
		n, err := r.Node(id)
		if err != nil {
			return nil, err
		}
		chain = append(chain, n)
		id = n.Parent
	}
	slices.Reverse(chain)
	return chain, nil
}

// container reads the root or OU with an id: the error notFound makes
// when there is none.
func container(r store.OrgReader, id string, notFound func() error) (store.OrgNode, error) {
	n, err := r.Node(id)
	if errors.Is(err, store.ErrNotFound) || err == nil && n.Kind == store.OrgAccount {
		return n, notFound()
	}
	return n, err
}

func parentNotFound() error {
	return errorf(ParentNotFound, "You specified a parent that doesn't exist.")
}

// unit reads the OU with an id: OrganizationalUnitNotFound when there is
// none.
func unit(r store.OrgReader, id string) (store.OrgNode, error) {
	n, err := r.Node(id)
	if errors.Is(err, store.ErrNotFound) || err == nil && n.Kind != store.OrgUnit {
		return n, errorf(OrganizationalUnitNotFound, "You specified an organizational unit that doesn't exist.")
	}
	return n, err
}

// uniqueName refuses a name another OU of the parent has.
func uniqueName(r store.OrgReader, parent, name, self string) error {
	siblings, err := r.Nodes(store.OrgUnit, parent)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(siblings, func(n store.OrgNode) bool { return n.Name == name && n.ID != self }) {
		return errorf(DuplicateOrganizationalUnit, "An OU with the same name already exists.")
	}
	return nil
}

// attachDefault attaches FullAWSAccess to a new node when SCPs are
// enabled, as AWS does.
func attachDefault(w store.OrgWriter, id string) error {
	enabled, err := scpsEnabled(w)
	if err != nil || !enabled {
		return err
	}
	return w.Attach(FullAWSAccessID, id)
}

// CreateOrganizationalUnit creates an OU in a root or OU, with tags.
func (s *Service) CreateOrganizationalUnit(ctx context.Context, caller, parent, name string, tags []Tag) (*store.OrgNode, error) {
	add, err := newTags(tags)
	if err != nil {
		return nil, err
	}
	var out store.OrgNode
	err = s.update(ctx, caller, manager, func(w store.OrgWriter, o store.Organization) error {
		if _, err := container(w, parent, parentNotFound); err != nil {
			return err
		}
		chain, err := ancestry(w, parent)
		if err != nil {
			return err
		}
		if len(chain) > maxDepth {
			return violation("OU_DEPTH_LIMIT_EXCEEDED", "You attempted to create an OU tree that is too many levels deep.")
		}
		if units, err := w.Nodes(store.OrgUnit, ""); err != nil || len(units) >= maxUnits {
			if err != nil {
				return err
			}
			return violation("OU_NUMBER_LIMIT_EXCEEDED", "You attempted to exceed the number of OUs that you can have in an organization.")
		}
		if err := uniqueName(w, parent, name, ""); err != nil {
			return err
		}
		out = store.OrgNode{Kind: store.OrgUnit, ID: newUnitID(chain[0].ID), Name: name, Parent: parent, Created: s.now()}
		out.ARN = arn(o, "ou", out.ID)
		if err := w.PutNode(out); err != nil {
			return err
		}
		if err := attachDefault(w, out.ID); err != nil {
			return err
		}
		return w.Tag(out.ARN, add, nil)
	})
	return &out, err
}

// DescribeOrganizationalUnit returns an OU.
func (s *Service) DescribeOrganizationalUnit(ctx context.Context, caller, id string) (*store.OrgNode, error) {
	var out store.OrgNode
	err := s.view(ctx, caller, reader, func(r store.OrgReader, _ store.Organization) (err error) {
		out, err = unit(r, id)
		return err
	})
	return &out, err
}

// UpdateOrganizationalUnit renames an OU.
func (s *Service) UpdateOrganizationalUnit(ctx context.Context, caller, id, name string) (*store.OrgNode, error) {
	var out store.OrgNode
	err := s.update(ctx, caller, manager, func(w store.OrgWriter, _ store.Organization) (err error) {
		if out, err = unit(w, id); err != nil || name == "" || name == out.Name {
			return err
		}
		if err := uniqueName(w, out.Parent, name, id); err != nil {
			return err
		}
		out.Name = name
		return w.PutNode(out)
	})
	return &out, err
}

// DeleteOrganizationalUnit deletes an OU, which must be empty.
func (s *Service) DeleteOrganizationalUnit(ctx context.Context, caller, id string) error {
	return s.update(ctx, caller, manager, func(w store.OrgWriter, _ store.Organization) error {
		if _, err := unit(w, id); err != nil {
			return err
		}
		children, err := w.Nodes("", id)
		if err != nil {
			return err
		}
		if len(children) > 0 {
			return errorf(OrganizationalUnitNotEmpty,
				"The specified OU is not empty. Move all accounts to another root or to other OUs, remove all child OUs, and try the operation again.")
		}
		return w.DeleteNode(id)
	})
}

// ListChildren lists the OUs (kind store.OrgUnit) or the accounts
// (store.OrgAccount) in a root or OU.
func (s *Service) ListChildren(ctx context.Context, caller, parent string, kind store.OrgNodeKind, p Page) (Paged[store.OrgNode], error) {
	var out Paged[store.OrgNode]
	err := s.view(ctx, caller, reader, func(r store.OrgReader, _ store.Organization) error {
		if _, err := container(r, parent, parentNotFound); err != nil {
			return err
		}
		children, err := r.Nodes(kind, parent)
		if err == nil {
			out, err = paginate(children, p, "children:"+parent+":"+string(kind), nodeID)
		}
		return err
	})
	return out, err
}

// ListParents lists the parent of an OU or account: its root or OU.
func (s *Service) ListParents(ctx context.Context, caller, child string, p Page) (Paged[store.OrgNode], error) {
	var out Paged[store.OrgNode]
	err := s.view(ctx, caller, reader, func(r store.OrgReader, _ store.Organization) error {
		n, err := r.Node(child)
		if errors.Is(err, store.ErrNotFound) || err == nil && n.Kind == store.OrgRoot {
			return errorf(ChildNotFound, "You specified a child that doesn't exist.")
		}
		if err != nil {
			return err
		}
		parent, err := r.Node(n.Parent)
		if err == nil {
			out, err = paginate([]store.OrgNode{parent}, p, "parents:"+child, nodeID)
		}
		return err
	})
	return out, err
}
