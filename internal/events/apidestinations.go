package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/svcevents"
)

// An API destination (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-api-destinations.html)
// is an HTTP endpoint a rule's target invokes with a connection's
// authorization, at most InvocationRateLimitPerSecond times a second.

// APIDestinationActive is the state of every API destination: Vigil's
// are ready as soon as they are created.
const APIDestinationActive = "ACTIVE"

// defaultInvocationRate is AWS's default InvocationRateLimitPerSecond.
const defaultInvocationRate = 300

// apiDestinationMethods are the HTTP methods an API destination calls
// its endpoint with.
var apiDestinationMethods = []string{"POST", "GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"}

// apiDestinationDefinition is what an API destination holds beyond what
// the store looks it up by.
type apiDestinationDefinition struct {
	Description        string `json:",omitempty"`
	InvocationEndpoint string
	HTTPMethod         string
	RateLimit          int
}

// APIDestination is an API destination as the API describes it.
type APIDestination struct {
	Name, ARN, Description, State, ConnectionARN string
	InvocationEndpoint, HTTPMethod               string
	RateLimit                                    int
	Created, Updated                             time.Time
}

// APIDestinationSettings are what CreateApiDestination sets and
// UpdateApiDestination changes (those given).
type APIDestinationSettings struct {
	Description, ConnectionARN, InvocationEndpoint, HTTPMethod *string
	RateLimit                                                  *int
}

func decodeAPIDestination(d *store.EventAPIDestination) (apiDestinationDefinition, error) {
	var def apiDestinationDefinition
	if err := json.Unmarshal(d.Definition, &def); err != nil {
		return def, fmt.Errorf("cannot read api destination %s: %w", d.ARN, err)
	}
	return def, nil
}

func describeAPIDestination(d *store.EventAPIDestination) (APIDestination, error) {
	def, err := decodeAPIDestination(d)
	if err != nil {
		return APIDestination{}, err
	}
	return APIDestination{Name: d.Name, ARN: d.ARN, Description: def.Description, State: APIDestinationActive,
		ConnectionARN: d.ConnectionARN, InvocationEndpoint: def.InvocationEndpoint, HTTPMethod: def.HTTPMethod, RateLimit: def.RateLimit,
		Created: msTime(d.Created), Updated: msTime(d.Updated)}, nil
}

func apiDestinationARN(sc Scope, name, id string) string {
	return "arn:aws:events:" + sc.Region + ":" + sc.Account + ":api-destination/" + name + "/" + id
}

// apiDestinationNotFound is AWS's answer for an API destination that
// does not exist.
func apiDestinationNotFound(name string) error {
	return errorf(ResourceNotFound, "Failed to describe the api-destination(s). An api-destination '%s' does not exist.", name)
}

// check validates the settings given, and resolves the connection given
// (nil when none is).
func (set APIDestinationSettings) check(ctx context.Context, s *Service, sc Scope) (*store.EventConnection, error) {
	if set.InvocationEndpoint != nil {
		if err := checkEndpoint("InvocationEndpoint", *set.InvocationEndpoint); err != nil {
			return nil, err
		}
	}
	if set.HTTPMethod != nil && !slices.Contains(apiDestinationMethods, *set.HTTPMethod) {
		return nil, errorf(Validation, "Parameter HttpMethod is not valid. Reason: %q is not one of %s.", *set.HTTPMethod,
			strings.Join(apiDestinationMethods, ", "))
	}
	if set.RateLimit != nil && *set.RateLimit < 1 {
		return nil, errorf(Validation, "Parameter InvocationRateLimitPerSecond is not valid. Reason: it must be at least 1.")
	}
	if set.ConnectionARN == nil {
		return nil, nil
	}
	return s.ownConnection(ctx, sc, *set.ConnectionARN)
}

// apply sets the settings given, checked, on a destination.
func (set APIDestinationSettings) apply(d *store.EventAPIDestination, def *apiDestinationDefinition) {
	for _, f := range []struct{ to, from *string }{
		{&def.InvocationEndpoint, set.InvocationEndpoint}, {&def.HTTPMethod, set.HTTPMethod}, {&def.Description, set.Description},
		{&d.ConnectionARN, set.ConnectionARN},
	} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
	if set.RateLimit != nil {
		def.RateLimit = *set.RateLimit
	}
	d.Definition = encodeJSON(def, "an api destination")
}

// CreateAPIDestination creates an API destination.
func (s *Service) CreateAPIDestination(ctx context.Context, sc Scope, name string, set APIDestinationSettings) (APIDestination, error) {
	if set.ConnectionARN == nil || set.InvocationEndpoint == nil || set.HTTPMethod == nil {
		return APIDestination{}, errorf(Validation, "ConnectionArn, InvocationEndpoint and HttpMethod are required.")
	}
	now := s.now()
	d := store.EventAPIDestination{ARN: apiDestinationARN(sc, name, svcevents.NewID()), Account: sc.Account, Region: sc.Region,
		Name: name, Created: now, Updated: now}
	def := apiDestinationDefinition{RateLimit: defaultInvocationRate}
	if _, err := set.check(ctx, s, sc); err != nil {
		return APIDestination{}, err
	}
	set.apply(&d, &def)
	err := s.opt.Store.CreateAPIDestination(ctx, d)
	if errors.Is(err, store.ErrExists) {
		return APIDestination{}, errorf(ResourceAlreadyExists, "An api-destination '%s' already exists.", name)
	}
	if err != nil {
		return APIDestination{}, err
	}
	return describeAPIDestination(&d)
}

// DescribeAPIDestination describes an API destination.
func (s *Service) DescribeAPIDestination(ctx context.Context, sc Scope, name string) (APIDestination, error) {
	d, err := s.opt.Store.APIDestination(ctx, sc.Account, sc.Region, name)
	if errors.Is(err, store.ErrNotFound) {
		return APIDestination{}, apiDestinationNotFound(name)
	}
	if err != nil {
		return APIDestination{}, err
	}
	return describeAPIDestination(d)
}

// ListAPIDestinations lists API destinations by name, those whose names
// begin with prefix and, when connectionARN is not "", that use it.
func (s *Service) ListAPIDestinations(ctx context.Context, sc Scope, prefix, connectionARN, token string, limit int) ([]APIDestination, string, error) {
	after, err := decodeToken(token)
	if err != nil {
		return nil, "", err
	}
	ds, err := s.opt.Store.APIDestinations(ctx, sc.Account, sc.Region, prefix, connectionARN, after, limitPlusOne(limit))
	if err != nil {
		return nil, "", err
	}
	return listPage(ds, limit, func(d store.EventAPIDestination) string { return d.Name }, describeAPIDestination)
}

// UpdateAPIDestination changes an API destination.
func (s *Service) UpdateAPIDestination(ctx context.Context, sc Scope, name string, set APIDestinationSettings) (APIDestination, error) {
	if _, err := set.check(ctx, s, sc); err != nil {
		return APIDestination{}, err
	}
	d, err := s.opt.Store.UpdateAPIDestination(ctx, sc.Account, sc.Region, name, func(d *store.EventAPIDestination) error {
		def, err := decodeAPIDestination(d)
		if err != nil {
			return err
		}
		d.Updated = s.now()
		set.apply(d, &def)
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return APIDestination{}, apiDestinationNotFound(name)
	}
	if err != nil {
		return APIDestination{}, err
	}
	return describeAPIDestination(d)
}

// DeleteAPIDestination deletes an API destination; the invocations of
// the targets that name it fail.
func (s *Service) DeleteAPIDestination(ctx context.Context, sc Scope, name string) error {
	err := s.opt.Store.DeleteAPIDestination(ctx, sc.Account, sc.Region, name)
	if errors.Is(err, store.ErrNotFound) {
		return apiDestinationNotFound(name)
	}
	return err
}
