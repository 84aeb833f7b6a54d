// Package schemaregistry is Vigil's Amazon EventBridge Schema Registry:
// registries of schemas (OpenAPI 3 or JSON Schema Draft 4 documents, each
// change a new version), their resource policies and tags, the
// AWS-managed registries aws.events (the schemas of the events Vigil's
// own services send) and discovered-schemas, and discoverers, which infer
// the schemas of the events put on an event bus. The events engine shows
// a discoverer each event it accepts (Observe); the shapes a discoverer
// has not seen yet are sampled into a bounded queue, which a job infers
// and versions (Discover), off the path of PutEvents.
package schemaregistry

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/vigilhq/vigil/internal/cache"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/fault"
	"github.com/vigilhq/vigil/internal/pagetoken"
	"github.com/vigilhq/vigil/internal/store"
)

// Scope is the account and region of a request.
type Scope struct {
	Account, Region string
}

// Code is the kind of an Error, which the API maps to its exception.
type Code = fault.Code

// The error codes, as the Schema Registry model names its errors.
const (
	BadRequest Code = iota + 1
	NotFound
	Conflict
	Forbidden
	PreconditionFailed
)

// Error is a refused request, with the message the API returns.
type Error = fault.Error

var errorf = fault.Errorf

// The registries AWS manages in every account and region: aws.events,
// read-only, and discovered-schemas, made when a discoverer first needs
// it.
const (
	AWSEventsRegistry  = "aws.events"
	DiscoveredRegistry = "discovered-schemas"
)

// Options configure a Service.
type Options struct {
	Store store.SchemaRegistry
	Tags  store.Tags
	// BusExists says whether the event bus of an ARN exists (nil: every
	// bus of the caller's account and region is taken to).
	BusExists func(ctx context.Context, arn string) (bool, error)
	// APISources are the sources of the "AWS API Call via CloudTrail"
	// events Vigil's services send (aws.logs, …), whose schemas
	// aws.events holds; it is called when the registry is first read.
	APISources func() []string
	// Notify says samples wait for the discovery job (Discover).
	Notify func()
	Clock  clock.Clock
	Logger *slog.Logger
}

// Service is Vigil's EventBridge Schema Registry.
type Service struct {
	opt Options
	// watches caches, by bus ARN, the bus's started discoverers.
	watches *cache.TTL[string, []watcher]
	// seen are the fingerprints each discoverer (by ARN) has sampled;
	// queue the samples waiting for the discovery job.
	mu    sync.Mutex
	seen  map[string]map[uint64]bool
	queue []queued
	// managed is the aws.events registry, built once.
	managedOnce sync.Once
	managed     []managedSchema
}

// New returns a Service.
func New(opt Options) *Service {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{opt: opt, watches: cache.NewTTL[string, []watcher](maxWatchedBuses, watchTTL), seen: map[string]map[uint64]bool{}}
}

// arnPrefix is the start of the ARNs of a scope's resources.
func arnPrefix(sc Scope) string { return "arn:aws:schemas:" + sc.Region + ":" + sc.Account + ":" }

func registryARN(sc Scope, name string) string { return arnPrefix(sc) + "registry/" + name }

// SchemaARN is the ARN of a schema of a registry.
func SchemaARN(sc Scope, registry, name string) string {
	return arnPrefix(sc) + "schema/" + registry + "/" + name
}

func discovererARN(sc Scope, id string) string { return arnPrefix(sc) + "discoverer/" + id }

// now is the clock's time in milliseconds.
func (s *Service) now() int64 { return s.opt.Clock.Now().UnixMilli() }

// msTime is a time of the store.
func msTime(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// tokenPrefix marks this service's next tokens.
const tokenPrefix = "schemas1:"

func decodeToken(t string) (string, error) {
	key, ok := pagetoken.Decode(tokenPrefix, t)
	if !ok {
		return "", errorf(BadRequest, "The NextToken provided is invalid.")
	}
	return key, nil
}

// The page sizes of the lists: AWS documents none; Vigil serves 100
// items a page unless Limit asks for fewer.
const maxPage = 100

// pageLimit is the size of a page a Limit asks for.
func pageLimit(limit int) (int, error) {
	switch {
	case limit < 0:
		return 0, errorf(BadRequest, "Limit must be positive.")
	case limit == 0 || limit > maxPage:
		return maxPage, nil
	}
	return limit, nil
}

// page keeps the first limit items and returns the next token: the key
// of the last item kept when there were more.
func page[T any](items []T, limit int, key func(*T) string) ([]T, string) {
	if len(items) <= limit {
		return items, ""
	}
	items = items[:limit]
	return items, pagetoken.Encode(tokenPrefix, key(&items[limit-1]))
}

// maxTags is how many tags a resource takes.
const maxTags = 50

// tag adds and removes a resource's tags.
func (s *Service) tag(ctx context.Context, arn string, add map[string]string, remove []string) error {
	err := s.opt.Tags.TagResource(ctx, arn, add, remove, maxTags)
	if errors.Is(err, store.ErrLimit) {
		return errorf(BadRequest, "A resource takes at most %d tags.", maxTags)
	}
	return err
}

func registryNotFound(name string) error {
	return errorf(NotFound, "Registry %s does not exist.", name)
}

func schemaNotFound(registry, name string) error {
	return errorf(NotFound, "Schema %s does not exist in registry %s.", name, registry)
}

func discovererNotFound(id string) error {
	return errorf(NotFound, "Discoverer %s does not exist.", id)
}

// readOnly is the error of a write to the aws.events registry.
func readOnly() error {
	return errorf(Forbidden, "Registry %s holds the schemas of AWS events: it cannot be changed.", AWSEventsRegistry)
}

// TagsOf returns the tags of a registry, schema or discoverer of the
// caller's scope.
func (s *Service) TagsOf(ctx context.Context, sc Scope, arn string) (map[string]string, error) {
	if err := s.tagged(ctx, sc, arn, false); err != nil {
		return nil, err
	}
	return s.opt.Tags.ResourceTags(ctx, arn)
}

// Tag adds and removes tags of a registry, schema or discoverer of the
// caller's scope.
func (s *Service) Tag(ctx context.Context, sc Scope, arn string, add map[string]string, remove []string) error {
	if err := s.tagged(ctx, sc, arn, true); err != nil {
		return err
	}
	return s.tag(ctx, arn, add, remove)
}

// tagged checks that an ARN names a resource of the caller's scope that
// exists and, to change its tags, that it is not aws.events'.
func (s *Service) tagged(ctx context.Context, sc Scope, arn string, change bool) error {
	rest, ok := strings.CutPrefix(arn, arnPrefix(sc))
	kind, name, _ := strings.Cut(rest, "/")
	notFound := errorf(NotFound, "Resource %s does not exist.", arn)
	if !ok || name == "" {
		return notFound
	}
	registry, schema, _ := strings.Cut(name, "/")
	if (kind == "registry" || kind == "schema") && registry == AWSEventsRegistry {
		if _, ok := s.managedSchema(schema); kind == "schema" && !ok {
			return notFound
		}
		if change {
			return readOnly()
		}
		return nil
	}
	var err error
	switch kind {
	case "registry":
		_, err = s.opt.Store.Registry(ctx, arn)
	case "schema":
		_, err = s.opt.Store.Schema(ctx, arn)
	case "discoverer":
		_, err = s.opt.Store.Discoverer(ctx, arn)
	default:
		return notFound
	}
	if errors.Is(err, store.ErrNotFound) {
		return notFound
	}
	return err
}
