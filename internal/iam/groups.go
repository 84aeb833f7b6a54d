package iam

import (
	"context"
	"errors"

	"github.com/vigilhq/vigil/internal/store"
)

// maxGroupsPerUser is how many groups a user may be in.
const maxGroupsPerUser = 10

// CreateGroup creates a group.
func (s *Service) CreateGroup(ctx context.Context, account, name, path string) (*Entity, error) {
	path = pathOr(path)
	g := store.IAMEntity{Kind: store.IAMGroup, ID: newID(groupPrefix), ARN: arn(account, "group", path, name)}
	return s.create(ctx, account, g, NewEntity{Name: name, Path: path})
}

// GetGroup returns a group and a page of its users, by name.
func (s *Service) GetGroup(ctx context.Context, account, name string, p Page) (*store.IAMEntity, Paged[store.IAMEntity], error) {
	var g store.IAMEntity
	var users []store.IAMEntity
	err := s.view(ctx, account, func(r store.IAMReader) (err error) {
		if g, err = entity(r, store.IAMGroup, name); err != nil {
			return err
		}
		users, err = linked(r, store.IAMMember, g.ID, false)
		return err
	})
	if err != nil {
		return nil, Paged[store.IAMEntity]{}, err
	}
	page, err := paginate(users, p, "members", byName)
	return &g, page, err
}

// linked reads the entities linked to id (reverse: linked from it) by
// links of a kind.
func linked(r store.IAMReader, kind store.IAMLinkKind, id string, reverse bool) ([]store.IAMEntity, error) {
	var links []store.IAMLink
	var err error
	if reverse {
		links, err = r.LinksTo(kind, id)
	} else {
		links, err = r.Links(kind, id)
	}
	if err != nil {
		return nil, err
	}
	out := make([]store.IAMEntity, 0, len(links))
	for _, l := range links {
		other := l.To
		if reverse {
			other = l.From
		}
		e, err := r.EntityByID(other)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// ListGroups lists the groups whose path starts with pathPrefix.
func (s *Service) ListGroups(ctx context.Context, account, pathPrefix string, p Page) (Paged[store.IAMEntity], error) {
	return s.listEntities(ctx, account, store.IAMGroup, pathPrefix, p)
}

// GroupsForUser lists the groups a user is in.
func (s *Service) GroupsForUser(ctx context.Context, account, user string, p Page) (Paged[store.IAMEntity], error) {
	var groups []store.IAMEntity
	err := s.view(ctx, account, func(r store.IAMReader) error {
		u, err := entity(r, store.IAMUser, user)
		if err != nil {
			return err
		}
		groups, err = linked(r, store.IAMMember, u.ID, true)
		return err
	})
	if err != nil {
		return Paged[store.IAMEntity]{}, err
	}
	return paginate(groups, p, "groups-for-user", byName)
}

// UpdateGroup renames a group or moves it to another path ("" keeps
// either).
func (s *Service) UpdateGroup(ctx context.Context, account, name, newName, newPath string) error {
	return s.update(ctx, account, func(w store.IAMWriter) error {
		g, err := entity(w, store.IAMGroup, name)
		if err != nil {
			return err
		}
		if newName != "" {
			g.Name = newName
		}
		if newPath != "" {
			g.Path = newPath
		}
		g.ARN = arn(account, "group", g.Path, g.Name)
		if err := w.PutEntity(g); errors.Is(err, store.ErrExists) {
			return errorf(EntityAlreadyExists, exists[store.IAMGroup], newName)
		} else if err != nil {
			return err
		}
		return nil
	})
}

// DeleteGroup deletes a group that has no users and no policies.
func (s *Service) DeleteGroup(ctx context.Context, account, name string) error {
	return s.update(ctx, account, func(w store.IAMWriter) error {
		g, err := entity(w, store.IAMGroup, name)
		if err != nil {
			return err
		}
		checks := []conflict{
			{func() (int, error) { return count(w.Links(store.IAMMember, g.ID)) }, "Cannot delete entity, must remove users from group first."},
			{func() (int, error) { return count(w.InlinePolicies(g.ID)) }, "Cannot delete entity, must delete policies first."},
			{func() (int, error) { return count(w.Links(store.IAMAttached, g.ID)) }, "Cannot delete entity, must detach all policies first."},
		}
		if err := conflicts(checks); err != nil {
			return err
		}
		return w.DeleteEntity(g.ID)
	})
}

// groupAndUser reads a group and a user.
func groupAndUser(r store.IAMReader, group, user string) (g, u store.IAMEntity, err error) {
	if g, err = entity(r, store.IAMGroup, group); err != nil {
		return
	}
	u, err = entity(r, store.IAMUser, user)
	return
}

// AddUserToGroup adds a user to a group (one in it already stays).
func (s *Service) AddUserToGroup(ctx context.Context, account, group, user string) error {
	return s.update(ctx, account, func(w store.IAMWriter) error {
		g, u, err := groupAndUser(w, group, user)
		if err != nil {
			return err
		}
		groups, err := w.LinksTo(store.IAMMember, u.ID)
		if err != nil {
			return err
		}
		for _, l := range groups {
			if l.From == g.ID {
				return nil
			}
		}
		if len(groups) >= maxGroupsPerUser {
			return quota("GroupsPerUser", maxGroupsPerUser)
		}
		return w.Link(store.IAMLink{Kind: store.IAMMember, From: g.ID, To: u.ID, Created: s.now()})
	})
}

// RemoveUserFromGroup removes a user from a group.
func (s *Service) RemoveUserFromGroup(ctx context.Context, account, group, user string) error {
	return s.update(ctx, account, func(w store.IAMWriter) error {
		g, u, err := groupAndUser(w, group, user)
		if err != nil {
			return err
		}
		err = w.Unlink(store.IAMMember, g.ID, u.ID)
		if errors.Is(err, store.ErrNotFound) {
			return errorf(NoSuchEntity, "The user with name %s cannot be found in group %s.", user, group)
		}
		return err
	})
}
