package iam

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/vigilhq/vigil/internal/store"
)

// Ref names an entity as its operations do: by kind and name; a managed
// policy by its ARN, a virtual MFA device by its serial number.
type Ref struct {
	Kind store.IAMKind
	Name string
}

// resolve reads the entity a Ref names: NoSuchEntity when there is none.
// AWS's own policies cannot change: UnmodifiableEntity.
func resolve(r store.IAMReader, account string, ref Ref) (store.IAMEntity, error) {
	switch ref.Kind {
	case store.IAMPolicy:
		if isAWSPolicy(ref.Name) {
			return store.IAMEntity{}, errorf(UnmodifiableEntity, "Cannot modify an AWS managed policy: %s", ref.Name)
		}
		return localPolicy(r, account, ref.Name)
	case store.IAMMFADevice:
		return mfaDevice(r, ref.Name)
	}
	return entity(r, ref.Kind, ref.Name)
}

// maxTags is how many tags an IAM entity may have.
const maxTags = 50

// checkNewTags refuses tags whose keys differ only by case: IAM's tag
// keys are case-insensitive.
func checkNewTags(tags map[string]string) error {
	seen := make(map[string]bool, len(tags))
	for k := range tags {
		if seen[strings.ToLower(k)] {
			return errorf(InvalidInput, "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[strings.ToLower(k)] = true
	}
	return nil
}

// TagEntity adds tags to an entity, replacing those whose keys it has
// (compared case-insensitively): at most 50 in all.
func (s *Service) TagEntity(ctx context.Context, account string, ref Ref, tags map[string]string) error {
	if err := checkNewTags(tags); err != nil {
		return err
	}
	return s.retag(ctx, account, ref, tags, func(k string) bool {
		_, same := tags[k]
		return !same && slices.ContainsFunc(slices.Collect(maps.Keys(tags)), func(nk string) bool { return strings.EqualFold(k, nk) })
	})
}

// UntagEntity removes the tags of an entity with the keys given
// (compared case-insensitively).
func (s *Service) UntagEntity(ctx context.Context, account string, ref Ref, keys []string) error {
	return s.retag(ctx, account, ref, nil, func(k string) bool {
		return slices.ContainsFunc(keys, func(r string) bool { return strings.EqualFold(r, k) })
	})
}

// retag removes the tags of an entity whose keys drop says, then adds
// those of add, refusing to leave more than 50.
func (s *Service) retag(ctx context.Context, account string, ref Ref, add map[string]string, drop func(key string) bool) error {
	return s.update(ctx, account, func(w store.IAMWriter) error {
		e, err := resolve(w, account, ref)
		if err != nil {
			return err
		}
		old, err := w.Tags(e.ID)
		if err != nil {
			return err
		}
		var remove []string
		for k := range old {
			if drop(k) {
				remove = append(remove, k)
			}
		}
		n := len(old) - len(remove)
		for k := range add {
			if _, ok := old[k]; !ok {
				n++
			}
		}
		if n > maxTags {
			return errorf(LimitExceeded, "The number of tags has reached the maximum limit.")
		}
		return w.TagEntity(e.ID, add, remove)
	})
}

// Tag is a tag of an entity.
type Tag struct{ Key, Value string }

// EntityTags lists an entity's tags by key.
func (s *Service) EntityTags(ctx context.Context, account string, ref Ref, p Page) (Paged[Tag], error) {
	var tags map[string]string
	err := s.view(ctx, account, func(r store.IAMReader) error {
		e, err := resolveForRead(r, account, ref)
		if err != nil {
			return err
		}
		tags, err = r.Tags(e.ID)
		return err
	})
	if err != nil {
		return Paged[Tag]{}, err
	}
	return paginate(tagList(tags), p, "tags", func(t Tag) string { return t.Key })
}

// resolveForRead is resolve for reads, which AWS's own policies allow
// (they have no tags).
func resolveForRead(r store.IAMReader, account string, ref Ref) (store.IAMEntity, error) {
	if ref.Kind == store.IAMPolicy && isAWSPolicy(ref.Name) {
		p, err := awsPolicy(ref.Name)
		if err != nil {
			return store.IAMEntity{}, err
		}
		return p.entity, nil
	}
	return resolve(r, account, ref)
}

// tagList lists tags by key.
func tagList(tags map[string]string) []Tag {
	out := make([]Tag, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, Tag{k, tags[k]})
	}
	return out
}
