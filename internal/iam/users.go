package iam

import (
	"context"
	"errors"
	"strings"

	"github.com/vigilhq/vigil/internal/store"
)

// Entity is an IAM entity as an operation shows it, with its tags where
// the operation shows them.
type Entity struct {
	store.IAMEntity
	Tags map[string]string
}

// NewEntity describes an entity to create.
type NewEntity struct {
	Name, Path string
	// Boundary is the ARN of the policy that bounds a user's or role's
	// permissions ("" for none).
	Boundary string
	Tags     map[string]string
}

// create stores a new entity e with the tags and boundary of in, in one
// transaction, and returns it.
func (s *Service) create(ctx context.Context, account string, e store.IAMEntity, in NewEntity) (*Entity, error) {
	if err := checkNewTags(in.Tags); err != nil {
		return nil, err
	}
	e.Name, e.Path, e.Created, e.Boundary = in.Name, pathOr(in.Path), s.now(), in.Boundary
	err := s.update(ctx, account, func(w store.IAMWriter) error {
		if in.Boundary != "" {
			if err := checkBoundary(w, account, in.Boundary); err != nil {
				return err
			}
		}
		if err := putNew(w, e); err != nil {
			return err
		}
		return w.TagEntity(e.ID, in.Tags, nil)
	})
	if err != nil {
		return nil, err
	}
	return &Entity{IAMEntity: e, Tags: in.Tags}, nil
}

// CreateUser creates a user.
func (s *Service) CreateUser(ctx context.Context, account string, in NewEntity) (*Entity, error) {
	id := newID(userPrefix)
	path := pathOr(in.Path)
	u := store.IAMEntity{Kind: store.IAMUser, ID: id, ARN: arn(account, "user", path, in.Name)}
	return s.create(ctx, account, u, in)
}

// GetUser returns a user with its tags; with name "", the calling user,
// or for the account's root a user without name or path whose id is the
// account's.
func (s *Service) GetUser(ctx context.Context, c Caller, name string) (*Entity, error) {
	var out *Entity
	err := s.view(ctx, c.Account, func(r store.IAMReader) error {
		u, err := callerOr(r, c, name)
		if err != nil || u.Name == "" {
			out = &Entity{IAMEntity: u}
			return err
		}
		tags, err := r.Tags(u.ID)
		out = &Entity{IAMEntity: u, Tags: tags}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// callerOr returns the user of a name, or with name "" the caller: an
// IAM user, or the root, a user without name whose id is the account's.
func callerOr(r store.IAMReader, c Caller, name string) (store.IAMEntity, error) {
	if name != "" {
		return entity(r, store.IAMUser, name)
	}
	if isRoot(c) {
		a, err := r.Account()
		return store.IAMEntity{Kind: store.IAMUser, ID: c.Account, ARN: c.ARN, Created: a.Created}, err
	}
	u, err := r.EntityByID(c.UserID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.Kind != store.IAMUser) {
		return u, errorf(ValidationError, "Must specify userName when calling with non-User credentials")
	}
	return u, err
}

// ListUsers lists the users whose path starts with pathPrefix.
func (s *Service) ListUsers(ctx context.Context, account, pathPrefix string, p Page) (Paged[store.IAMEntity], error) {
	return s.listEntities(ctx, account, store.IAMUser, pathPrefix, p)
}

// listEntities lists the entities of a kind whose path starts with
// pathPrefix, by name.
func (s *Service) listEntities(ctx context.Context, account string, kind store.IAMKind, pathPrefix string, p Page) (Paged[store.IAMEntity], error) {
	var all []store.IAMEntity
	err := s.view(ctx, account, func(r store.IAMReader) (err error) {
		all, err = r.Entities(kind, pathOr(pathPrefix))
		return err
	})
	if err != nil {
		return Paged[store.IAMEntity]{}, err
	}
	return paginate(all, p, string(kind), byName)
}

// byName is the key that lists entities by name, as IAM compares names.
func byName(e store.IAMEntity) string { return strings.ToLower(e.Name) }

// UpdateUser renames a user or moves it to another path ("" keeps
// either). Its access keys sign as its new ARN at once.
func (s *Service) UpdateUser(ctx context.Context, account, name, newName, newPath string) error {
	var keys []store.IAMAccessKey
	err := s.update(ctx, account, func(w store.IAMWriter) error {
		u, err := entity(w, store.IAMUser, name)
		if err != nil {
			return err
		}
		if newName != "" {
			u.Name = newName
		}
		if newPath != "" {
			u.Path = newPath
		}
		u.ARN = arn(account, "user", u.Path, u.Name)
		if err := w.PutEntity(u); errors.Is(err, store.ErrExists) {
			return errorf(EntityAlreadyExists, exists[store.IAMUser], newName)
		} else if err != nil {
			return err
		}
		keys, err = w.AccessKeys(u.ID)
		return err
	})
	for _, k := range keys {
		s.opt.Forget(k.ID)
	}
	return err
}

// DeleteUser deletes a user that has nothing left: AWS refuses to delete
// a user with a password, access keys, an MFA device, policies or groups,
// and so does Vigil, in the order the DeleteUser page lists them.
func (s *Service) DeleteUser(ctx context.Context, account, name string) error {
	return s.update(ctx, account, func(w store.IAMWriter) error {
		u, err := entity(w, store.IAMUser, name)
		if err != nil {
			return err
		}
		if _, err := w.LoginProfile(u.ID); err == nil {
			return errorf(DeleteConflict, "Cannot delete entity, must delete login profile first.")
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		checks := []conflict{
			{func() (int, error) { return count(w.AccessKeys(u.ID)) }, "Cannot delete entity, must delete access keys first."},
			{func() (int, error) { return count(w.Links(store.IAMUserMFA, u.ID)) }, "Cannot delete entity, must delete MFA device first."},
			{func() (int, error) { return count(w.InlinePolicies(u.ID)) }, "Cannot delete entity, must delete policies first."},
			{func() (int, error) { return count(w.Links(store.IAMAttached, u.ID)) }, "Cannot delete entity, must detach all policies first."},
			{func() (int, error) { return count(w.LinksTo(store.IAMMember, u.ID)) }, "Cannot delete entity, must remove users from group first."},
		}
		if err := conflicts(checks); err != nil {
			return err
		}
		return w.DeleteEntity(u.ID)
	})
}
