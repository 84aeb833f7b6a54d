package iam

import (
	"context"
	"errors"
	"strings"

	"github.com/vigilhq/vigil/internal/store"
)

// maxAttached is how many managed policies a user, group or role may
// have attached (AWS's default quota).
const maxAttached = 10

// quotaNames name the quotas of attached policies.
var attachedQuota = map[store.IAMKind]string{
	store.IAMUser: "PoliciesPerUser", store.IAMGroup: "PoliciesPerGroup", store.IAMRole: "PoliciesPerRole",
}

// attachable checks that a managed policy exists to be attached:
// NoSuchEntity, as AWS words it, when it does not.
func attachable(r store.IAMReader, account, arn string) error {
	_, _, err := anyPolicy(r, account, arn)
	var e *Error
	if errors.As(err, &e) && (e.Code == NoSuchEntity || e.Code == InvalidInput) {
		return errorf(NoSuchEntity, "Policy %s does not exist or is not attachable.", arn)
	}
	return err
}

// modifiable reads a user, group or role whose policies may change:
// not a service-linked role, which only its service changes.
func modifiable(r store.IAMReader, ref Ref) (store.IAMEntity, error) {
	e, err := entity(r, ref.Kind, ref.Name)
	if err == nil && e.Kind == store.IAMRole && isServiceLinked(e) {
		return e, protectedRole(e)
	}
	return e, err
}

// AttachPolicy attaches a managed policy to a user, group or role (to
// one that has it already, it does nothing).
func (s *Service) AttachPolicy(ctx context.Context, account string, to Ref, arn string) error {
	return s.update(ctx, account, func(w store.IAMWriter) error {
		e, err := modifiable(w, to)
		if err != nil {
			return err
		}
		if err := attachable(w, account, arn); err != nil {
			return err
		}
		attached, err := w.Links(store.IAMAttached, e.ID)
		if err != nil {
			return err
		}
		for _, l := range attached {
			if l.To == arn {
				return nil
			}
		}
		if len(attached) >= maxAttached {
			return quota(attachedQuota[e.Kind], maxAttached)
		}
		return w.Link(store.IAMLink{Kind: store.IAMAttached, From: e.ID, To: arn, Created: s.now()})
	})
}

// DetachPolicy detaches a managed policy from a user, group or role.
func (s *Service) DetachPolicy(ctx context.Context, account string, from Ref, arn string) error {
	return s.update(ctx, account, func(w store.IAMWriter) error {
		e, err := modifiable(w, from)
		if err != nil {
			return err
		}
		err = w.Unlink(store.IAMAttached, e.ID, arn)
		if errors.Is(err, store.ErrNotFound) {
			return policyNotFound(arn)
		}
		return err
	})
}

// AttachedPolicy is a managed policy attached to an entity.
type AttachedPolicy struct {
	Name, ARN string
	// id orders policies of the same name (ARNs are too long for a
	// Marker).
	id string
}

// attachedPolicies lists the managed policies attached to an entity
// whose path starts with pathPrefix.
func attachedPolicies(r store.IAMReader, account, id, pathPrefix string) ([]AttachedPolicy, error) {
	links, err := r.Links(store.IAMAttached, id)
	if err != nil {
		return nil, err
	}
	var out []AttachedPolicy
	for _, l := range links {
		p, _, err := anyPolicy(r, account, l.To)
		if err != nil {
			return nil, err
		}
		if strings.HasPrefix(p.Path, pathOr(pathPrefix)) {
			out = append(out, AttachedPolicy{Name: p.Name, ARN: p.ARN, id: p.ID})
		}
	}
	return out, nil
}

// AttachedPolicies lists the managed policies attached to a user, group
// or role, by name.
func (s *Service) AttachedPolicies(ctx context.Context, account string, to Ref, pathPrefix string, p Page) (Paged[AttachedPolicy], error) {
	var list []AttachedPolicy
	err := s.view(ctx, account, func(r store.IAMReader) error {
		e, err := entity(r, to.Kind, to.Name)
		if err != nil {
			return err
		}
		list, err = attachedPolicies(r, account, e.ID, pathPrefix)
		return err
	})
	if err != nil {
		return Paged[AttachedPolicy]{}, err
	}
	return paginate(list, p, "attached", func(a AttachedPolicy) string { return strings.ToLower(a.Name) + "\x00" + a.id })
}

// PolicyEntities selects the entities ListEntitiesForPolicy lists.
type PolicyEntities struct {
	// Kind keeps one kind, user, group or role ("" keeps them all).
	Kind       store.IAMKind
	PathPrefix string
	// Boundary lists the users and roles the policy bounds instead of
	// those it is attached to.
	Boundary bool
}

// EntitiesForPolicy lists the users, groups and roles a managed policy
// is attached to (or, with f.Boundary, bounds): groups, then users, then
// roles, each by name.
func (s *Service) EntitiesForPolicy(ctx context.Context, account, arn string, f PolicyEntities, p Page) (Paged[store.IAMEntity], error) {
	var list []store.IAMEntity
	err := s.view(ctx, account, func(r store.IAMReader) error {
		if err := attachable(r, account, arn); err != nil {
			return err
		}
		var es []store.IAMEntity
		if f.Boundary {
			for _, kind := range []store.IAMKind{store.IAMUser, store.IAMRole} {
				all, err := r.Entities(kind, "/")
				if err != nil {
					return err
				}
				for _, e := range all {
					if e.Boundary == arn {
						es = append(es, e)
					}
				}
			}
		} else {
			links, err := r.LinksTo(store.IAMAttached, arn)
			if err != nil {
				return err
			}
			for _, l := range links {
				e, err := r.EntityByID(l.From)
				if err != nil {
					return err
				}
				es = append(es, e)
			}
		}
		for _, e := range es {
			if (f.Kind == "" || f.Kind == e.Kind) && strings.HasPrefix(e.Path, pathOr(f.PathPrefix)) {
				list = append(list, e)
			}
		}
		return nil
	})
	if err != nil {
		return Paged[store.IAMEntity]{}, err
	}
	order := map[store.IAMKind]string{store.IAMGroup: "1", store.IAMUser: "2", store.IAMRole: "3"}
	return paginate(list, p, "entities", func(e store.IAMEntity) string { return order[e.Kind] + strings.ToLower(e.Name) })
}

// checkBoundary checks that a policy can bound a user or role: a
// managed policy that exists.
func checkBoundary(r store.IAMReader, account, arn string) error {
	if _, _, err := anyPolicy(r, account, arn); err != nil {
		var e *Error
		if errors.As(err, &e) {
			return errorf(NoSuchEntity, "Scope ARN: %s does not exist or is not attachable.", arn)
		}
		return err
	}
	return nil
}

// SetBoundary sets (arn "" removes) the permissions boundary of a user
// or role.
func (s *Service) SetBoundary(ctx context.Context, account string, of Ref, arn string) error {
	return s.update(ctx, account, func(w store.IAMWriter) error {
		e, err := modifiable(w, of)
		if err != nil {
			return err
		}
		if arn != "" {
			if err := checkBoundary(w, account, arn); err != nil {
				return err
			}
		}
		e.Boundary = arn
		return w.PutEntity(e)
	})
}
