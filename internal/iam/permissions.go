package iam

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/vigilhq/vigil/internal/store"
)

// Permissions is what an IAM user's or role's permissions are made of,
// as the policy evaluation at the front door reads them (and a group's,
// as the policy simulator does).
type Permissions struct {
	// Inline are the documents of its inline policies (a user's groups'
	// included); Managed the default versions of its attached managed
	// policies (a user's groups' included).
	Inline, Managed []string
	// InlineIDs and ManagedIDs name the documents of Inline and Managed,
	// one each, as IAM's policy simulator names them (SourcePolicyId):
	// an inline policy KIND_OWNER_NAME ("user_alice_logs",
	// "group_devs_s3"), a managed policy by its name.
	InlineIDs, ManagedIDs []string
	// Boundary is the document of its permissions boundary ("" for none),
	// BoundaryName its name.
	Boundary, BoundaryName string
	// Tags are its tags (aws:PrincipalTag).
	Tags map[string]string
}

// Permissions returns the policies of an IAM user or role (kind "user"
// or "role"): an error matching store.ErrNotFound when there is none.
func (s *Service) Permissions(ctx context.Context, account string, kind store.IAMKind, name string) (*Permissions, error) {
	var out *Permissions
	err := s.view(ctx, account, func(r store.IAMReader) error {
		if kind != store.IAMUser && kind != store.IAMRole {
			return fmt.Errorf("no %s %s: only users and roles have permissions: %w", kind, name, store.ErrNotFound)
		}
		e, err := r.Entity(kind, name)
		if err != nil {
			return fmt.Errorf("cannot read %s %s: %w", kind, name, err)
		}
		out, err = permissions(r, account, e)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// permissions reads the policies of a user, group or role.
func permissions(r store.IAMReader, account string, e store.IAMEntity) (*Permissions, error) {
	out := &Permissions{}
	owners := []store.IAMEntity{e}
	if e.Kind == store.IAMUser {
		groups, err := r.LinksTo(store.IAMMember, e.ID)
		if err != nil {
			return nil, err
		}
		for _, l := range groups {
			g, err := r.EntityByID(l.From)
			if err != nil {
				return nil, fmt.Errorf("cannot read group %s of user %s: %w", l.From, e.Name, err)
			}
			owners = append(owners, g)
		}
	}
	for _, owner := range owners {
		if err := addPermissions(r, account, owner, out); err != nil {
			return nil, err
		}
	}
	if e.Boundary != "" {
		p, doc, err := anyPolicy(r, account, e.Boundary)
		if err != nil {
			return nil, err
		}
		out.Boundary, out.BoundaryName = doc, p.Name
	}
	tags, err := r.Tags(e.ID)
	if err != nil {
		return nil, err
	}
	out.Tags = tags
	return out, nil
}

// addPermissions adds the inline and attached policies of a user, group
// or role to p.
func addPermissions(r store.IAMReader, account string, owner store.IAMEntity, p *Permissions) error {
	inline, err := r.InlinePolicies(owner.ID)
	if err != nil {
		return err
	}
	for _, ip := range inline {
		p.Inline = append(p.Inline, ip.Document)
		p.InlineIDs = append(p.InlineIDs, string(owner.Kind)+"_"+owner.Name+"_"+ip.Name)
	}
	attached, err := r.Links(store.IAMAttached, owner.ID)
	if err != nil {
		return err
	}
	for _, l := range attached {
		policy, doc, err := anyPolicy(r, account, l.To)
		if err != nil {
			return err
		}
		p.Managed = append(p.Managed, doc)
		p.ManagedIDs = append(p.ManagedIDs, policy.Name)
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
