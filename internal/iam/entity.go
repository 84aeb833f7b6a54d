package iam

import (
	"context"

	"github.com/vigilhq/vigil/internal/store"
)

// EntityRef is what the front door's authorization needs of a user, role
// or group: its ARN (path included), its unique id and the ARN of its
// permissions boundary ("" for none).
type EntityRef struct {
	ARN, ID, Boundary string
}

// EntityRef returns the EntityRef of a user, role or group ("user",
// "role", "group") by name: an error matching store.ErrNotFound when
// there is none.
func (s *Service) EntityRef(ctx context.Context, account, kind, name string) (*EntityRef, error) {
	var ref *EntityRef
	err := s.view(ctx, account, func(r store.IAMReader) error {
		e, err := r.Entity(store.IAMKind(kind), name)
		ref = &EntityRef{ARN: e.ARN, ID: e.ID, Boundary: e.Boundary}
		return err
	})
	return ref, err
}
