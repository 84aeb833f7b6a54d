package iam

import (
	"context"
	"errors"

	"github.com/vigilhq/vigil/internal/store"
)

// inlineQuota is how large the inline policies of a user, group or role
// may be in all (white space not counted).
var inlineQuota = map[store.IAMKind]int{store.IAMUser: 2048, store.IAMGroup: 5120, store.IAMRole: 10240}

// PutInlinePolicy adds or replaces an inline policy of a user, group or
// role.
func (s *Service) PutInlinePolicy(ctx context.Context, account string, of Ref, name, doc string) error {
	if err := validateDocument(InlinePolicy, doc); err != nil {
		return err
	}
	return s.update(ctx, account, func(w store.IAMWriter) error {
		e, err := modifiable(w, of)
		if err != nil {
			return err
		}
		others, err := w.InlinePolicies(e.ID)
		if err != nil {
			return err
		}
		size := policySize(doc)
		for _, p := range others {
			if p.Name != name {
				size += policySize(p.Document)
			}
		}
		if size > inlineQuota[e.Kind] {
			return errorf(LimitExceeded, "Maximum policy size of %d bytes exceeded for %s %s", inlineQuota[e.Kind], e.Kind, e.Name)
		}
		return w.PutInlinePolicy(store.IAMInlinePolicy{Owner: e.ID, Name: name, Document: doc})
	})
}

// inlinePolicy reads an inline policy: NoSuchEntity ("The user policy
// with name p cannot be found.") when there is none.
func inlinePolicy(r store.IAMReader, e store.IAMEntity, name string) (store.IAMInlinePolicy, error) {
	p, err := r.InlinePolicy(e.ID, name)
	if errors.Is(err, store.ErrNotFound) {
		return p, errorf(NoSuchEntity, "The %s policy with name %s cannot be found.", e.Kind, name)
	}
	return p, err
}

// InlinePolicy returns the document of an inline policy of a user,
// group or role.
func (s *Service) InlinePolicy(ctx context.Context, account string, of Ref, name string) (string, error) {
	var doc string
	err := s.view(ctx, account, func(r store.IAMReader) error {
		e, err := entity(r, of.Kind, of.Name)
		if err != nil {
			return err
		}
		p, err := inlinePolicy(r, e, name)
		doc = p.Document
		return err
	})
	return doc, err
}

// DeleteInlinePolicy deletes an inline policy of a user, group or role.
func (s *Service) DeleteInlinePolicy(ctx context.Context, account string, of Ref, name string) error {
	return s.update(ctx, account, func(w store.IAMWriter) error {
		e, err := modifiable(w, of)
		if err != nil {
			return err
		}
		if _, err := inlinePolicy(w, e, name); err != nil {
			return err
		}
		return w.DeleteInlinePolicy(e.ID, name)
	})
}

// InlinePolicies lists the names of the inline policies of a user,
// group or role.
func (s *Service) InlinePolicies(ctx context.Context, account string, of Ref, p Page) (Paged[string], error) {
	var names []string
	err := s.view(ctx, account, func(r store.IAMReader) error {
		e, err := entity(r, of.Kind, of.Name)
		if err != nil {
			return err
		}
		ps, err := r.InlinePolicies(e.ID)
		for _, p := range ps {
			names = append(names, p.Name)
		}
		return err
	})
	if err != nil {
		return Paged[string]{}, err
	}
	return paginate(names, p, "inline", func(n string) string { return n })
}
