// Package dashboards is CloudWatch's dashboards: named JSON bodies of
// widgets, global to an account (their ARNs have no region), validated
// as CloudWatch validates them and kept byte for byte.
package dashboards

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/pagetoken"
	"github.com/vigilhq/vigil/internal/store"
)

// Code is the kind of a refused request.
type Code string

// The codes of Error.
const (
	// InvalidInput: the name or the body is invalid
	// (DashboardInvalidInputError).
	InvalidInput Code = "InvalidInput"
	// NotFound: a dashboard does not exist (DashboardNotFoundError).
	NotFound Code = "NotFound"
	// InvalidParameterValue: a parameter is malformed (a NextToken).
	InvalidParameterValue Code = "InvalidParameterValue"
	// LimitExceeded: too many tags.
	LimitExceeded Code = "LimitExceeded"
)

// Error is a refused request, worded for the client.
type Error struct {
	Code    Code
	Message string
	// Messages are a refused body's validation errors.
	Messages []Message
}

// Error returns the code and the message.
func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

func errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// PageSize is the most dashboards ListDashboards returns at once.
const PageSize = 1000

// maxTags bounds a dashboard's tags, as CloudWatch bounds a resource's.
const maxTags = 50

// tokenPrefix marks ListDashboards' NextToken.
const tokenPrefix = "dashboards:"

var validName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,255}$`)

// Service serves the dashboards of every account.
type Service struct {
	store store.Dashboards
	tags  store.Tags
	clock clock.Clock
}

// New returns the dashboards service over its store and the store of
// tags, on clk.
func New(st store.Dashboards, tags store.Tags, clk clock.Clock) *Service {
	return &Service{store: st, tags: tags, clock: clk}
}

// ARN returns the ARN of an account's dashboard: dashboards have no
// region.
func ARN(account, name string) string { return "arn:aws:cloudwatch::" + account + ":dashboard/" + name }

// Owns reports whether arn is that of a dashboard of the account.
func Owns(account, arn string) bool { return strings.HasPrefix(arn, ARN(account, "")) }

// checkName refuses a name CloudWatch refuses.
func checkName(name string) error {
	if validName.MatchString(name) {
		return nil
	}
	if name == "" || len(name) > 255 {
		return errorf(InvalidInput, "The value for field DashboardName must be between 1 and 255 characters long.")
	}
	return errorf(InvalidInput, "The value for field DashboardName contains invalid characters. It can only contain alphanumerics, dash (-) and underscore (_).")
}

// Put creates or replaces a dashboard, durably, with tags added to it,
// and returns the body's warnings.
func (s *Service) Put(ctx context.Context, account, name, body string, tags map[string]string) ([]Message, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	warns, err := Validate(body)
	if err != nil {
		return nil, err
	}
	if len(tags) > maxTags {
		return nil, errorf(LimitExceeded, "The maximum number of tags for a resource is %d.", maxTags)
	}
	d := store.Dashboard{Account: account, Name: name, ARN: ARN(account, name), Body: body, Modified: s.clock.Now().UnixMilli()}
	if err := s.store.PutDashboard(ctx, d, tags); err != nil {
		return nil, err
	}
	return warns, nil
}

// Get returns a dashboard, or NotFound.
func (s *Service) Get(ctx context.Context, account, name string) (*store.Dashboard, error) {
	d, err := s.store.Dashboard(ctx, account, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(name)
	}
	return d, err
}

func notFound(name string) error { return errorf(NotFound, "Dashboard %s does not exist", name) }

// List returns a page of the dashboards whose names begin with prefix,
// by name, and the token of the next page ("" after the last).
func (s *Service) List(ctx context.Context, account, prefix, token string) ([]store.Dashboard, string, error) {
	after, ok := pagetoken.Decode(tokenPrefix, token)
	if !ok {
		return nil, "", errorf(InvalidParameterValue, "The value for parameter NextToken is not valid.")
	}
	ds, err := s.store.Dashboards(ctx, account, prefix, after, PageSize+1)
	if err != nil {
		return nil, "", err
	}
	if len(ds) <= PageSize {
		return ds, "", nil
	}
	ds = ds[:PageSize]
	return ds, pagetoken.Encode(tokenPrefix, ds[PageSize-1].Name), nil
}

// Delete deletes the named dashboards, all or none: NotFound names the
// first that does not exist.
func (s *Service) Delete(ctx context.Context, account string, names []string) error {
	err := s.store.DeleteDashboards(ctx, account, names)
	if errors.Is(err, store.ErrNotFound) {
		for _, n := range names {
			if _, gerr := s.store.Dashboard(ctx, account, n); errors.Is(gerr, store.ErrNotFound) {
				return notFound(n)
			}
		}
		return notFound(strings.Join(names, ", "))
	}
	return err
}

// Tags returns the tags of a dashboard (an ARN Owns), or NotFound.
func (s *Service) Tags(ctx context.Context, account, arn string) (map[string]string, error) {
	if _, err := s.Get(ctx, account, strings.TrimPrefix(arn, ARN(account, ""))); err != nil {
		return nil, err
	}
	return s.tags.ResourceTags(ctx, arn)
}

// Tag adds and removes the tags of a dashboard (an ARN Owns).
func (s *Service) Tag(ctx context.Context, account, arn string, add map[string]string, remove []string) error {
	if _, err := s.Get(ctx, account, strings.TrimPrefix(arn, ARN(account, ""))); err != nil {
		return err
	}
	err := s.tags.TagResource(ctx, arn, add, remove, maxTags)
	if errors.Is(err, store.ErrLimit) {
		return errorf(LimitExceeded, "The maximum number of tags for a resource is %d.", maxTags)
	}
	return err
}
