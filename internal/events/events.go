// Package events is Vigil's Amazon EventBridge: event buses and their
// policies (package policy), rules that match the events put on a bus
// (package eventpattern) or fire on a schedule (package schedexpr), the
// delivery of what they match to their targets through the outbox and
// the dispatcher, archives of the events put on a bus, and replays of
// archived events. An event put is durable once PutEvents answers: the
// archives that keep it have it, and each invocation of a target is an
// outbox item, delivered at least once.
package events

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/fault"
	"github.com/vigilhq/vigil/internal/outbox"
	"github.com/vigilhq/vigil/internal/pagetoken"
	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/svcevents"
)

// Scope is the account and region of a request, and who makes it.
type Scope struct {
	Account, Region string
	// Principal is the caller's ARN ("": the account's root), which a
	// bus's policy decides on.
	Principal string
}

// Code is the kind of an Error, which the API maps to its exception.
type Code = fault.Code

// The error codes, as the EventBridge model names its errors.
const (
	Validation Code = iota + 1
	ResourceNotFound
	ResourceAlreadyExists
	InvalidEventPattern
	LimitExceeded
	ManagedRule
	IllegalStatus
	PolicyLengthExceeded
)

// Error is a refused request, with the message the API returns.
type Error = fault.Error

var errorf = fault.Errorf

// DefaultBus is the name of every account's default event bus.
const DefaultBus = "default"

// Options configure a Service.
type Options struct {
	Store store.Events
	Tags  store.Tags
	// Notify says invocations were enqueued (Store enqueues them to the
	// backend's outbox with the events archived).
	Notify func()
	// Dispatcher delivers invocations to the targets' services.
	Dispatcher *dispatch.Dispatcher
	// Metrics receives EventBridge's metrics (none when nil).
	Metrics MetricSink
	// HTTP calls API destinations and their connections' OAuth
	// endpoints (nil: their invocations fail).
	HTTP dispatch.HTTPCaller
	// Sealer seals the connections' secrets at rest (nil: stored as
	// they are, for tests).
	Sealer Sealer
	// Observer sees every event a bus accepts (nil: none).
	Observer Observer
	Clock    clock.Clock
	Logger   *slog.Logger
}

// Observer sees the events a bus accepts (a bus that exists, or an
// account's default bus), whatever put them there (PutEvents, a rule of
// another bus, a service, a replay): the Schema Registry's discoverers,
// which infer their schemas. Observe runs on the path of the put, in its
// goroutine, so it must be quick; it must not keep or change evt.
type Observer interface {
	Observe(ctx context.Context, busARN string, evt *svcevents.Event)
}

// Service is Vigil's EventBridge.
type Service struct {
	opt Options
	// mu guards matchers: each bus's compiled rules, rebuilt when a rule
	// of the bus changes on this node, or when older than matcherTTL (a
	// rule changed on another node).
	mu       sync.Mutex
	matchers map[string]*busMatcher
	// counts are the metrics not yet published.
	counts counters
	// tokens are the connections' OAuth tokens this node holds; limits
	// the API destinations' invocation rates on this node.
	tokens tokenCache
	limits rateLimiter
}

// New returns a Service.
func New(opt Options) *Service {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{opt: opt, matchers: map[string]*busMatcher{}}
}

// RegisterDeliveries makes the service the deliverer of its outbox kind
// in p: the composition root's wiring, which tests share.
func (s *Service) RegisterDeliveries(p *outbox.Processor) {
	p.Register(KindInvocation, outbox.Batched(s.opt.Dispatcher.Batches, s.deliverBatch), invocationPolicy)
}

// busARN is the ARN of a bus.
func busARN(sc Scope, name string) string {
	return "arn:aws:events:" + sc.Region + ":" + sc.Account + ":event-bus/" + name
}

// ruleARN is the ARN of a rule: rule/NAME on the default bus, as AWS
// writes it, rule/BUS/NAME on another.
func ruleARN(sc Scope, bus, name string) string {
	if bus == DefaultBus {
		return "arn:aws:events:" + sc.Region + ":" + sc.Account + ":rule/" + name
	}
	return "arn:aws:events:" + sc.Region + ":" + sc.Account + ":rule/" + bus + "/" + name
}

// busName resolves an EventBusName parameter, a name or an ARN ("":
// the default bus), to a bus name of the caller's scope. An ARN of
// another account or region names a bus Vigil cannot reach here.
func busName(sc Scope, nameOrARN string) (string, error) {
	if nameOrARN == "" {
		return DefaultBus, nil
	}
	if !strings.HasPrefix(nameOrARN, "arn:") {
		return nameOrARN, nil
	}
	prefix := busARN(sc, "")
	if !strings.HasPrefix(nameOrARN, prefix) || len(nameOrARN) == len(prefix) {
		return "", errorf(ResourceNotFound, "Event bus %s does not exist.", nameOrARN)
	}
	return nameOrARN[len(prefix):], nil
}

// bus reads a bus of the caller's scope by name; the default bus is
// created the first time it is needed (every account has one).
func (s *Service) bus(ctx context.Context, sc Scope, name string) (*store.EventBus, error) {
	arn := busARN(sc, name)
	b, err := s.opt.Store.Bus(ctx, arn)
	if errors.Is(err, store.ErrNotFound) && name == DefaultBus {
		now := s.now()
		err = s.opt.Store.CreateBus(ctx, store.EventBus{Account: sc.Account, Region: sc.Region, Name: name, ARN: arn,
			Attributes: encodeBus(busAttributes{}), Created: now, Updated: now})
		if err == nil || errors.Is(err, store.ErrExists) {
			b, err = s.opt.Store.Bus(ctx, arn)
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, errorf(ResourceNotFound, "Event bus %s does not exist.", name)
	}
	return b, err
}

// resourceName is the name an ARN ends with, after its last '/'.
func resourceName(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }

// now is the clock's time in milliseconds.
func (s *Service) now() int64 { return s.opt.Clock.Now().UnixMilli() }

// msTime is a time of the store.
func msTime(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// tokenPrefix marks this service's next tokens.
const tokenPrefix = "events1:"

func encodeToken(key string) string { return pagetoken.Encode(tokenPrefix, key) }

func decodeToken(t string) (string, error) {
	if t == "" {
		return "", nil
	}
	key, ok := pagetoken.Decode(tokenPrefix, t)
	if !ok {
		return "", errorf(Validation, "The nextToken provided is invalid.")
	}
	return key, nil
}

// page returns the next token of a page of n items read with limit+1:
// the key of the last item kept when there were more.
func page[T any](items []T, limit int, key func(T) string) ([]T, string) {
	if limit <= 0 || len(items) <= limit {
		return items, ""
	}
	items = items[:limit]
	return items, encodeToken(key(items[limit-1]))
}

// listPage makes the page of a listing from the items read with
// limitPlusOne: at most limit of them (the token names the last one
// kept), described.
func listPage[S, T any](items []S, limit int, key func(S) string, describe func(*S) (T, error)) ([]T, string, error) {
	items, next := page(items, limit, key)
	out := make([]T, len(items))
	for i := range items {
		var err error
		if out[i], err = describe(&items[i]); err != nil {
			return nil, "", err
		}
	}
	return out, next, nil
}

// maxTags is how many tags a bus or rule takes.
const maxTags = 50

// tag adds and removes a resource's tags.
func (s *Service) tag(ctx context.Context, arn string, add map[string]string, remove []string) error {
	err := s.opt.Tags.TagResource(ctx, arn, add, remove, maxTags)
	if errors.Is(err, store.ErrLimit) {
		return errorf(LimitExceeded, "The requested resource exceeds the maximum number allowed.")
	}
	return err
}

// resource checks that an ARN names a bus or rule of the caller's scope
// that exists, for the tagging operations.
func (s *Service) resource(ctx context.Context, sc Scope, arn string) error {
	prefix := "arn:aws:events:" + sc.Region + ":" + sc.Account + ":"
	rest, ok := strings.CutPrefix(arn, prefix)
	var err error
	switch {
	case !ok:
		err = store.ErrNotFound
	case strings.HasPrefix(rest, "event-bus/"):
		_, err = s.bus(ctx, sc, strings.TrimPrefix(rest, "event-bus/"))
	case strings.HasPrefix(rest, "rule/"):
		_, err = s.opt.Store.Rule(ctx, arn)
	default:
		err = store.ErrNotFound
	}
	var e *Error
	if errors.Is(err, store.ErrNotFound) || errors.As(err, &e) {
		return errorf(ResourceNotFound, "Resource %s does not exist.", arn)
	}
	return err
}

// Tags returns a bus's or rule's tags.
func (s *Service) Tags(ctx context.Context, sc Scope, arn string) (map[string]string, error) {
	if err := s.resource(ctx, sc, arn); err != nil {
		return nil, err
	}
	return s.opt.Tags.ResourceTags(ctx, arn)
}

// Tag adds and removes a bus's or rule's tags.
func (s *Service) Tag(ctx context.Context, sc Scope, arn string, add map[string]string, remove []string) error {
	if err := s.resource(ctx, sc, arn); err != nil {
		return err
	}
	return s.tag(ctx, arn, add, remove)
}
