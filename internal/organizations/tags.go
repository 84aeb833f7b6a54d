package organizations

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/vigilhq/vigil/internal/store"
)

// maxTags is how many tags a resource may have.
const maxTags = 50

// Tag is a tag of a root, OU, account or policy.
type Tag struct {
	Key, Value string
}

// newTags reads the tags of a request: keys must be unique, and not
// AWS's (aws:…).
func newTags(tags []Tag) (map[string]string, error) {
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		if _, dup := out[t.Key]; dup {
			return nil, invalid("DUPLICATE_TAG_KEY", "Tag keys must be unique among the tags attached to the same entity.")
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return nil, invalid("INVALID_SYSTEM_TAGS_PARAMETER", "You specified a tag key that is a system tag. "+
				"You can't add, edit, or delete system tag keys because they're reserved for AWS use.")
		}
		out[t.Key] = t.Value
	}
	if len(out) > maxTags {
		return nil, tooManyTags()
	}
	return out, nil
}

func tooManyTags() error {
	return violation("MAX_TAG_LIMIT_EXCEEDED", "You have exceeded the number of tags allowed on this resource.")
}

// tagged returns the ARN of the root, OU, account or policy with an id:
// TargetNotFound when there is none.
func tagged(r store.OrgReader, id string) (Policy, error) {
	if strings.HasPrefix(id, "p-") {
		p, err := findPolicy(r, id)
		var e *Error
		if errors.As(err, &e) && e.Code == PolicyNotFound {
			return p, errorf(TargetNotFound, "You specified a target that doesn't exist.")
		}
		return p, err
	}
	n, err := target(r, id)
	return Policy{OrgPolicy: store.OrgPolicy{ID: n.ID, ARN: n.ARN}}, err
}

// TagResource adds tags to a root, OU, account or policy, or changes
// their values.
func (s *Service) TagResource(ctx context.Context, caller, id string, tags []Tag) error {
	add, err := newTags(tags)
	if err != nil {
		return err
	}
	return s.retag(ctx, caller, id, add, nil)
}

// UntagResource removes tags from a root, OU, account or policy.
func (s *Service) UntagResource(ctx context.Context, caller, id string, keys []string) error {
	return s.retag(ctx, caller, id, nil, keys)
}

func (s *Service) retag(ctx context.Context, caller, id string, add map[string]string, remove []string) error {
	return s.update(ctx, caller, manager, func(w store.OrgWriter, _ store.Organization) error {
		res, err := tagged(w, id)
		if err == nil {
			err = immutable(res)
		}
		if err != nil {
			return err
		}
		have, err := w.Tags(res.ARN)
		if err != nil {
			return err
		}
		maps.Copy(have, add)
		if len(have) > maxTags {
			return tooManyTags()
		}
		return w.Tag(res.ARN, add, remove)
	})
}

// ListTagsForResource lists the tags of a root, OU, account or policy,
// by key.
func (s *Service) ListTagsForResource(ctx context.Context, caller, id string, p Page) (Paged[Tag], error) {
	var out Paged[Tag]
	err := s.view(ctx, caller, reader, func(r store.OrgReader, _ store.Organization) error {
		res, err := tagged(r, id)
		if err != nil {
			return err
		}
		tags, err := r.Tags(res.ARN)
		if err != nil {
			return err
		}
		list := make([]Tag, 0, len(tags))
		for _, k := range slices.Sorted(maps.Keys(tags)) {
			list = append(list, Tag{Key: k, Value: tags[k]})
		}
		out, err = paginate(list, p, "tags:"+id, func(t Tag) string { return t.Key })
		return err
	})
	return out, err
}
