package iam

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/vigilhq/vigil/internal/store"
)

// Permissions is what an IAM user's or role's permissions are made of,
// as the policy evaluation at the front door reads them.
type Permissions struct {
	// Inline are the documents of its inline policies (a user's groups'
	// included); Managed the default versions of its attached managed
	// policies (a user's groups' included).
	Inline, Managed []string
	// Boundary is the document of its permissions boundary ("" for none).
	Boundary string
	// Tags are its tags (aws:PrincipalTag).
	Tags map[string]string
}

// Permissions returns the policies of an IAM user or role (kind "user"
// or "role"): an error matching store.ErrNotFound when there is none.
func (s *Service) Permissions(ctx context.Context, account string, kind store.IAMKind, name string) (*Permissions, error) {
	out := &Permissions{}
	err := s.view(ctx, account, func(r store.IAMReader) error {
		if kind != store.IAMUser && kind != store.IAMRole {
			return fmt.Errorf("no %s %s: only users and roles have permissions: %w", kind, name, store.ErrNotFound)
		}
		e, err := r.Entity(kind, name)
		if err != nil {
			return fmt.Errorf("cannot read %s %s: %w", kind, name, err)
		}
		owners := []string{e.ID}
		if kind == store.IAMUser {
			groups, err := r.LinksTo(store.IAMMember, e.ID)
			if err != nil {
				return err
			}
			for _, g := range groups {
				owners = append(owners, g.From)
			}
		}
		for _, id := range owners {
			if err := addPermissions(r, account, id, out); err != nil {
				return err
			}
		}
		if e.Boundary != "" {
			if _, out.Boundary, err = anyPolicy(r, account, e.Boundary); err != nil {
				return err
			}
		}
		out.Tags, err = r.Tags(e.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// addPermissions adds the inline and attached policies of a user, group
// or role to p.
func addPermissions(r store.IAMReader, account, id string, p *Permissions) error {
	inline, err := r.InlinePolicies(id)
	if err != nil {
		return err
	}
	for _, ip := range inline {
		p.Inline = append(p.Inline, ip.Document)
	}
	attached, err := r.Links(store.IAMAttached, id)
	if err != nil {
		return err
	}
	for _, l := range attached {
		_, doc, err := anyPolicy(r, account, l.To)
		if err != nil {
			return err
		}
		p.Managed = append(p.Managed, doc)
	}
	return nil
}

// ManagedPolicy returns the default version of the managed policy of an
// ARN, AWS's or an account's: an error matching store.ErrNotFound when
// there is none.
func (s *Service) ManagedPolicy(ctx context.Context, arn string) (string, error) {
	notFound := fmt.Errorf("no managed policy %s: %w", arn, store.ErrNotFound)
	if isAWSPolicy(arn) {
		p, err := awsPolicy(arn)
		if err != nil {
			return "", notFound
		}
		return p.document, nil
	}
	account, _, ok := strings.Cut(strings.TrimPrefix(arn, "arn:aws:iam::"), ":")
	if !ok || !strings.HasPrefix(arn, "arn:aws:iam::") {
		return "", notFound
	}
	var doc string
	err := s.view(ctx, account, func(r store.IAMReader) (err error) {
		_, doc, err = anyPolicy(r, account, arn)
		return err
	})
	var e *Error
	if errors.As(err, &e) {
		return "", notFound
	}
	return doc, err
}

// EntityARN returns the ARN of a user, role or group ("user", "role",
// "group") by name, its path included: an error matching
// store.ErrNotFound when there is none.
func (s *Service) EntityARN(ctx context.Context, account, kind, name string) (string, error) {
	var arn string
	err := s.view(ctx, account, func(r store.IAMReader) error {
		e, err := r.Entity(store.IAMKind(kind), name)
		arn = e.ARN
		return err
	})
	return arn, err
}
