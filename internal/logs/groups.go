package logs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/vigilhq/vigil/internal/store"
)

// RetentionDays are the retention periods AWS allows, in days.
var RetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// maxTags is the tag limit of log groups and destinations.
const maxTags = 50

// NewGroup describes a log group to create.
type NewGroup struct {
	Name               string
	KMSKeyID           string
	Class              string
	Tags               map[string]string
	DeletionProtection bool
}

// CreateLogGroup creates a log group.
func (e *Engine) CreateLogGroup(ctx context.Context, sc Scope, ng NewGroup) error {
	if strings.HasPrefix(ng.Name, "aws/") {
		return errorf(InvalidParameter, "Log group names starting with 'aws/' are reserved for AWS services.")
	}
	if len(ng.Tags) > maxTags {
		return errorf(InvalidParameter, "A log group can have at most %d tags.", maxTags)
	}
	class := ng.Class
	if class == "" {
		class = "STANDARD"
	}
	g := &store.LogGroup{
		Account: sc.Account, Region: sc.Region, Name: ng.Name, Created: e.now(),
		KMSKeyID: ng.KMSKeyID, Class: class, DeletionProtection: ng.DeletionProtection,
	}
	err := e.opt.Store.CreateLogGroup(ctx, g, GroupARN(sc, ng.Name), ng.Tags)
	if errors.Is(err, store.ErrExists) {
		return errorf(ResourceAlreadyExists, "The specified log group already exists")
	}
	return err
}

func (e *Engine) now() int64 { return e.opt.Clock.Now().UnixMilli() }

// DeleteLogGroup deletes a log group with everything in it.
func (e *Engine) DeleteLogGroup(ctx context.Context, sc Scope, name string) error {
	g, err := e.group(ctx, sc, name, "")
	if err != nil {
		return err
	}
	if g.DeletionProtection {
		return errorf(InvalidOperation, "Log group %s has deletion protection enabled and cannot be deleted.", name)
	}
	e.forgetFilters(g.ID)
	defer e.changedGroup(g)
	return e.opt.Store.DeleteLogGroup(ctx, g.ID, GroupARN(sc, name))
}

// GroupQuery is DescribeLogGroups' input.
type GroupQuery struct {
	Prefix, Pattern string
	Identifiers     []string
	Class           string
	Limit           int
	NextToken       string
}

// DescribeLogGroups lists log groups in name order, a page at a time.
func (e *Engine) DescribeLogGroups(ctx context.Context, sc Scope, q GroupQuery) ([]store.LogGroup, string, error) {
	if q.Prefix != "" && q.Pattern != "" {
		return nil, "", errorf(InvalidParameter, "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
	}
	if len(q.Identifiers) > 0 && (q.Prefix != "" || q.Pattern != "") {
		return nil, "", errorf(InvalidParameter, "LogGroupIdentifiers is mutually exclusive with logGroupNamePrefix and logGroupNamePattern.")
	}
	limit := q.Limit
	if limit == 0 {
		limit = 50
	}
	sq := store.LogGroupQuery{Account: sc.Account, Region: sc.Region, Prefix: q.Prefix, Contains: q.Pattern, Class: q.Class, Limit: limit + 1}
	for _, id := range q.Identifiers {
		name, err := groupFromIdentifier(sc, id)
		if err != nil {
			continue // groups of other accounts are not visible
		}
		sq.Names = append(sq.Names, name)
	}
	if len(q.Identifiers) > 0 && len(sq.Names) == 0 {
		return nil, "", nil
	}
	if q.NextToken != "" {
		var after string
		if err := decodeToken(q.NextToken, "groups", &after); err != nil {
			return nil, "", err
		}
		sq.After = after
	}
	groups, err := e.opt.Store.LogGroups(ctx, sq)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(groups) > limit {
		groups = groups[:limit]
		next = encodeToken("groups", groups[limit-1].Name)
	}
	return groups, next, nil
}

// PutRetentionPolicy sets a group's retention.
func (e *Engine) PutRetentionPolicy(ctx context.Context, sc Scope, name string, days int) error {
	if !slices.Contains(RetentionDays, days) {
		values := make([]string, len(RetentionDays))
		for i, d := range RetentionDays {
			values[i] = strconv.Itoa(d)
		}
		return errorf(InvalidParameter, "1 validation error detected: Value '%d' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [%s]",
			days, strings.Join(values, ", "))
	}
	g, err := e.group(ctx, sc, name, "")
	if err != nil {
		return err
	}
	defer e.changedGroup(g)
	return e.opt.Store.SetRetention(ctx, g.ID, days)
}

// DeleteRetentionPolicy makes a group keep its events forever.
func (e *Engine) DeleteRetentionPolicy(ctx context.Context, sc Scope, name string) error {
	g, err := e.group(ctx, sc, name, "")
	if err != nil {
		return err
	}
	defer e.changedGroup(g)
	return e.opt.Store.SetRetention(ctx, g.ID, 0)
}

// AssociateKMSKey records a KMS key for a group. Vigil does not encrypt
// with it (the data directory is the unit of protection).
func (e *Engine) AssociateKMSKey(ctx context.Context, sc Scope, name, identifier, key string) error {
	g, err := e.group(ctx, sc, name, identifier)
	if err != nil {
		return err
	}
	defer e.changedGroup(g)
	return e.opt.Store.SetKMSKey(ctx, g.ID, key)
}

// DisassociateKMSKey clears a group's KMS key.
func (e *Engine) DisassociateKMSKey(ctx context.Context, sc Scope, name, identifier string) error {
	return e.AssociateKMSKey(ctx, sc, name, identifier, "")
}

// taggable resolves the ARN of a taggable resource (log group or
// destination) of the scope, checking that it exists.
func (e *Engine) taggable(ctx context.Context, sc Scope, resourceARN string) (string, error) {
	a, err := parseARN(resourceARN)
	if err != nil || a.service != "logs" {
		return "", errorf(InvalidParameter, "Invalid resource ARN %q.", resourceARN)
	}
	if a.account != sc.Account || a.region != sc.Region {
		return "", errorf(ResourceNotFound, "The specified resource does not exist.")
	}
	switch a.resourceType {
	case "log-group":
		if _, err := e.group(ctx, sc, a.resource, ""); err != nil {
			return "", err
		}
		return GroupARN(sc, a.resource), nil
	case "destination":
		if _, err := e.opt.Store.LogDestination(ctx, sc.Account, sc.Region, a.resource); errors.Is(err, store.ErrNotFound) {
			return "", errorf(ResourceNotFound, "The specified destination does not exist.")
		} else if err != nil {
			return "", err
		}
		return DestinationARN(sc, a.resource), nil
	}
	return "", errorf(InvalidParameter, "Resource type %q of %q cannot be tagged.", a.resourceType, resourceARN)
}

// TagResource tags a log group or destination by ARN.
func (e *Engine) TagResource(ctx context.Context, sc Scope, resourceARN string, tags map[string]string) error {
	key, err := e.taggable(ctx, sc, resourceARN)
	if err != nil {
		return err
	}
	return e.tag(ctx, key, tags, nil, TooManyTags)
}

func (e *Engine) tag(ctx context.Context, arn string, add map[string]string, remove []string, limitCode Code) error {
	err := e.opt.Tags.TagResource(ctx, arn, add, remove, maxTags)
	if errors.Is(err, store.ErrLimit) {
		return errorf(limitCode, "A resource can have no more than %d tags.", maxTags)
	}
	return err
}

// UntagResource removes tags from a log group or destination by ARN.
func (e *Engine) UntagResource(ctx context.Context, sc Scope, resourceARN string, keys []string) error {
	key, err := e.taggable(ctx, sc, resourceARN)
	if err != nil {
		return err
	}
	return e.tag(ctx, key, nil, keys, TooManyTags)
}

// ListTagsForResource returns the tags of a log group or destination.
func (e *Engine) ListTagsForResource(ctx context.Context, sc Scope, resourceARN string) (map[string]string, error) {
	key, err := e.taggable(ctx, sc, resourceARN)
	if err != nil {
		return nil, err
	}
	return e.opt.Tags.ResourceTags(ctx, key)
}

// TagLogGroup is the legacy tagging of a group by name.
func (e *Engine) TagLogGroup(ctx context.Context, sc Scope, name string, tags map[string]string) error {
	if _, err := e.group(ctx, sc, name, ""); err != nil {
		return err
	}
	return e.tag(ctx, GroupARN(sc, name), tags, nil, InvalidParameter)
}

// UntagLogGroup is the legacy untagging of a group by name.
func (e *Engine) UntagLogGroup(ctx context.Context, sc Scope, name string, keys []string) error {
	if _, err := e.group(ctx, sc, name, ""); err != nil {
		return err
	}
	return e.tag(ctx, GroupARN(sc, name), nil, keys, InvalidParameter)
}

// ListTagsLogGroup is the legacy listing of a group's tags.
func (e *Engine) ListTagsLogGroup(ctx context.Context, sc Scope, name string) (map[string]string, error) {
	if _, err := e.group(ctx, sc, name, ""); err != nil {
		return nil, err
	}
	return e.opt.Tags.ResourceTags(ctx, GroupARN(sc, name))
}

// encodeToken makes an opaque page token for a cursor value; kind keeps
// tokens of one operation out of another.
func encodeToken(kind string, cursor any) string {
	b, err := json.Marshal(map[string]any{"k": kind, "c": cursor})
	if err != nil {
		panic("BUG: logs: cannot encode a page token: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeToken reads a token made by encodeToken.
func decodeToken(token, kind string, cursor any) error {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return errBadToken
	}
	var env struct {
		K string          `json:"k"`
		C json.RawMessage `json:"c"`
	}
	if json.Unmarshal(b, &env) != nil || env.K != kind || json.Unmarshal(env.C, cursor) != nil {
		return errBadToken
	}
	return nil
}
