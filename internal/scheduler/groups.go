package scheduler

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// Group is a schedule group as GetScheduleGroup describes it.
type Group struct {
	Name, ARN        string
	Created, Updated time.Time
}

func groupOf(g *store.ScheduleGroup) Group {
	return Group{Name: g.Name, ARN: g.ARN, Created: msTime(g.Created), Updated: msTime(g.Updated)}
}

func groupNotFound(name string) error {
	return errorf(ResourceNotFound, "Schedule group %s does not exist.", name)
}

// group reads a group of the caller's scope by name; the default group is
// created the first time it is needed (every account has one).
func (s *Service) group(ctx context.Context, sc Scope, name string) (*store.ScheduleGroup, error) {
	arn := groupARN(sc, name)
	g, err := s.opt.Store.ScheduleGroup(ctx, arn)
	if errors.Is(err, store.ErrNotFound) && name == DefaultGroup {
		now := s.now().UnixMilli()
		err = s.opt.Store.CreateScheduleGroup(ctx, store.ScheduleGroup{Account: sc.Account, Region: sc.Region, Name: name, ARN: arn,
			Created: now, Updated: now}, store.ClientToken{})
		if err == nil || errors.Is(err, store.ErrExists) {
			g, err = s.opt.Store.ScheduleGroup(ctx, arn)
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, groupNotFound(name)
	}
	return g, err
}

// maxTags is how many tags a schedule group takes: as many as one
// TagResource may set.
const maxTags = 200

// CreateGroup creates a schedule group with its tags and returns its ARN.
func (s *Service) CreateGroup(ctx context.Context, sc Scope, name string, tags map[string]string, token string) (string, error) {
	arn := groupARN(sc, name)
	exists := func() error { return errorf(Conflict, "Schedule group %s already exists.", name) }
	if name == DefaultGroup {
		return "", exists()
	}
	now := s.now().UnixMilli()
	err := s.opt.Store.CreateScheduleGroup(ctx, store.ScheduleGroup{Account: sc.Account, Region: sc.Region, Name: name, ARN: arn,
		Created: now, Updated: now}, s.clientToken(sc, "CreateScheduleGroup", token, name, tagsKey(tags)))
	if err != nil {
		return "", storeError(err, token, nil, exists)
	}
	if err := s.tag(ctx, arn, tags, nil); err != nil {
		return "", err
	}
	return arn, nil
}

// tagsKey is a canonical text of tags, for a request's fingerprint.
func tagsKey(tags map[string]string) string {
	keys := make([]string, 0, len(tags))
	for k, v := range tags {
		keys = append(keys, k+"="+v)
	}
	slices.Sort(keys)
	return strings.Join(keys, "\x00")
}

// GetGroup describes a schedule group.
func (s *Service) GetGroup(ctx context.Context, sc Scope, name string) (Group, error) {
	g, err := s.group(ctx, sc, name)
	if err != nil {
		return Group{}, err
	}
	return groupOf(g), nil
}

// ListGroups lists the schedule groups whose names begin with prefix, a
// page of at most limit (0: all) after the page of nextToken.
func (s *Service) ListGroups(ctx context.Context, sc Scope, prefix, nextToken string, limit int) ([]Group, string, error) {
	after, err := decodeToken(nextToken)
	if err != nil {
		return nil, "", err
	}
	if _, err := s.group(ctx, sc, DefaultGroup); err != nil {
		return nil, "", err
	}
	gs, err := s.opt.Store.ScheduleGroups(ctx, sc.Account, sc.Region, prefix, after, limitPlusOne(limit))
	if err != nil {
		return nil, "", err
	}
	gs, next := page(gs, limit, func(g *store.ScheduleGroup) string { return g.Name })
	out := make([]Group, len(gs))
	for i := range gs {
		out[i] = groupOf(&gs[i])
	}
	return out, next, nil
}

// DeleteGroup deletes a schedule group with its schedules and tags. The
// default group cannot be deleted.
func (s *Service) DeleteGroup(ctx context.Context, sc Scope, name, token string) error {
	if name == DefaultGroup {
		return errorf(Validation, "The default schedule group cannot be deleted.")
	}
	arn := groupARN(sc, name)
	err := s.opt.Store.DeleteScheduleGroup(ctx, arn, s.clientToken(sc, "DeleteScheduleGroup", token, name))
	if err != nil {
		return storeError(err, token, func() error { return groupNotFound(name) }, nil)
	}
	return store.RemoveTags(ctx, s.opt.Tags, arn)
}

// tag adds and removes a group's tags.
func (s *Service) tag(ctx context.Context, arn string, add map[string]string, remove []string) error {
	err := s.opt.Tags.TagResource(ctx, arn, add, remove, maxTags)
	if errors.Is(err, store.ErrLimit) {
		return errorf(Validation, "A schedule group takes at most %d tags.", maxTags)
	}
	return err
}

// taggedGroup checks that an ARN names a schedule group of the caller's
// scope that exists: only groups take tags.
func (s *Service) taggedGroup(ctx context.Context, sc Scope, arn string) error {
	name, ok := strings.CutPrefix(arn, groupARN(sc, ""))
	if !ok || name == "" {
		return errorf(ResourceNotFound, "Resource %s does not exist.", arn)
	}
	_, err := s.group(ctx, sc, name)
	return err
}

// Tags returns a schedule group's tags.
func (s *Service) Tags(ctx context.Context, sc Scope, arn string) (map[string]string, error) {
	if err := s.taggedGroup(ctx, sc, arn); err != nil {
		return nil, err
	}
	return s.opt.Tags.ResourceTags(ctx, arn)
}

// Tag adds and removes a schedule group's tags.
func (s *Service) Tag(ctx context.Context, sc Scope, arn string, add map[string]string, remove []string) error {
	if err := s.taggedGroup(ctx, sc, arn); err != nil {
		return err
	}
	return s.tag(ctx, arn, add, remove)
}
