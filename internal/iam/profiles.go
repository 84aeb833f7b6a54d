package iam

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/vigilhq/vigil/internal/store"
)

// InstanceProfile is an instance profile with its role (at most one).
type InstanceProfile struct {
	Entity
	Roles []store.IAMEntity
}

// CreateInstanceProfile creates an instance profile.
func (s *Service) CreateInstanceProfile(ctx context.Context, account string, in NewEntity) (*InstanceProfile, error) {
	path := pathOr(in.Path)
	p := store.IAMEntity{Kind: store.IAMInstanceProfile, ID: newID(instanceProfilePrefix), ARN: arn(account, "instance-profile", path, in.Name)}
	e, err := s.create(ctx, account, p, in)
	if err != nil {
		return nil, err
	}
	return &InstanceProfile{Entity: *e}, nil
}

// profileRoles reads the roles of an instance profile.
func profileRoles(r store.IAMReader, profile string) ([]store.IAMEntity, error) {
	return linked(r, store.IAMProfileRole, profile, false)
}

// GetInstanceProfile returns an instance profile with its roles and
// tags.
func (s *Service) GetInstanceProfile(ctx context.Context, account, name string) (*InstanceProfile, error) {
	var out *InstanceProfile
	err := s.view(ctx, account, func(r store.IAMReader) error {
		p, err := entity(r, store.IAMInstanceProfile, name)
		if err != nil {
			return err
		}
		roles, err := profileRoles(r, p.ID)
		if err != nil {
			return err
		}
		tags, err := r.Tags(p.ID)
		out = &InstanceProfile{Entity: Entity{IAMEntity: p, Tags: tags}, Roles: roles}
		return err
	})
	return out, err
}

// ListInstanceProfiles lists the instance profiles whose path starts
// with pathPrefix, or (role not "") those of a role, with their roles.
func (s *Service) ListInstanceProfiles(ctx context.Context, account, pathPrefix, role string, p Page) (Paged[InstanceProfile], error) {
	var list []InstanceProfile
	err := s.view(ctx, account, func(r store.IAMReader) error {
		var profiles []store.IAMEntity
		if role != "" {
			e, err := entity(r, store.IAMRole, role)
			if err != nil {
				return err
			}
			if profiles, err = linked(r, store.IAMProfileRole, e.ID, true); err != nil {
				return err
			}
		} else {
			var err error
			if profiles, err = r.Entities(store.IAMInstanceProfile, pathOr(pathPrefix)); err != nil {
				return err
			}
		}
		for _, p := range profiles {
			roles, err := profileRoles(r, p.ID)
			if err != nil {
				return err
			}
			list = append(list, InstanceProfile{Entity: Entity{IAMEntity: p}, Roles: roles})
		}
		return nil
	})
	if err != nil {
		return Paged[InstanceProfile]{}, err
	}
	return paginate(list, p, "instance-profiles", func(p InstanceProfile) string { return byName(p.IAMEntity) })
}

// DeleteInstanceProfile deletes an instance profile that has no role.
func (s *Service) DeleteInstanceProfile(ctx context.Context, account, name string) error {
	return s.update(ctx, account, func(w store.IAMWriter) error {
		p, err := entity(w, store.IAMInstanceProfile, name)
		if err != nil {
			return err
		}
		if n, err := count(w.Links(store.IAMProfileRole, p.ID)); err != nil {
			return err
		} else if n > 0 {
			return errorf(DeleteConflict, "Cannot delete entity, must remove roles from instance profile first.")
		}
		return w.DeleteEntity(p.ID)
	})
}

// profileAndRole reads an instance profile and a role.
func profileAndRole(r store.IAMReader, profile, role string) (p, rl store.IAMEntity, err error) {
	if p, err = entity(r, store.IAMInstanceProfile, profile); err != nil {
		return
	}
	rl, err = entity(r, store.IAMRole, role)
	return
}

// AddRoleToInstanceProfile puts a role in an instance profile, which
// holds one.
func (s *Service) AddRoleToInstanceProfile(ctx context.Context, account, profile, role string) error {
	return s.update(ctx, account, func(w store.IAMWriter) error {
		p, rl, err := profileAndRole(w, profile, role)
		if err != nil {
			return err
		}
		if n, err := count(w.Links(store.IAMProfileRole, p.ID)); err != nil {
			return err
		} else if n > 0 {
			return quota("InstanceSessionsPerInstanceProfile", 1)
		}
		return w.Link(store.IAMLink{Kind: store.IAMProfileRole, From: p.ID, To: rl.ID, Created: s.now()})
	})
}

// RemoveRoleFromInstanceProfile takes a role out of an instance profile.
func (s *Service) RemoveRoleFromInstanceProfile(ctx context.Context, account, profile, role string) error {
	return s.update(ctx, account, func(w store.IAMWriter) error {
		p, rl, err := profileAndRole(w, profile, role)
		if err != nil {
			return err
		}
		err = w.Unlink(store.IAMProfileRole, p.ID, rl.ID)
		if errors.Is(err, store.ErrNotFound) {
			return errorf(NoSuchEntity, "The role with name %s cannot be found in instance profile %s.", role, profile)
		}
		return err
	})
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
