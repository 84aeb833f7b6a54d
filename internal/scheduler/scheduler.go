// Package scheduler is Vigil's Amazon EventBridge Scheduler: schedule
// groups, and schedules (at, rate and cron expressions of package
// schedexpr, in a time zone, between a start and an end date, within a
// flexible time window) that invoke one target each on Vigil's clock.
// A job fires the schedules that are due: each invocation is an outbox
// item, made through the dispatcher at least once, retried by its
// target's retry policy and then sent to its dead-letter queue.
package scheduler

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/fault"
	"github.com/vigilhq/vigil/internal/outbox"
	"github.com/vigilhq/vigil/internal/pagetoken"
	"github.com/vigilhq/vigil/internal/store"
)

// Scope is the account and region of a request.
type Scope struct {
	Account, Region string
}

// Code is the kind of an Error, which the API maps to its exception.
type Code = fault.Code

// The error codes, as the Scheduler model names its errors.
const (
	Validation Code = iota + 1
	ResourceNotFound
	Conflict
)

// Error is a refused request, with the message the API returns.
type Error = fault.Error

var errorf = fault.Errorf

// DefaultGroup is the name of every account's default schedule group.
const DefaultGroup = "default"

// Options configure a Service.
type Options struct {
	// Store keeps the schedules, and enqueues their invocations to the
	// backend's outbox as it advances them.
	Store store.Schedules
	Tags  store.Tags
	// Notify says invocations were enqueued.
	Notify func()
	// Dispatcher delivers invocations to the targets' services.
	Dispatcher *dispatch.Dispatcher
	Clock      clock.Clock
	Logger     *slog.Logger
}

// Service is Vigil's EventBridge Scheduler.
type Service struct {
	opt Options
}

// New returns a Service.
func New(opt Options) *Service {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{opt: opt}
}

// RegisterDeliveries makes the service the deliverer of its outbox kind
// in p: the composition root's wiring, which tests share.
func (s *Service) RegisterDeliveries(p *outbox.Processor) {
	p.Register(KindInvocation, outbox.DelivererFunc(s.deliver), invocationPolicy)
}

// groupARN is the ARN of a schedule group.
func groupARN(sc Scope, name string) string {
	return "arn:aws:scheduler:" + sc.Region + ":" + sc.Account + ":schedule-group/" + name
}

// scheduleARN is the ARN of a schedule, which names its group (the
// default one included).
func scheduleARN(sc Scope, group, name string) string {
	return "arn:aws:scheduler:" + sc.Region + ":" + sc.Account + ":schedule/" + group + "/" + name
}

// groupName is a GroupName parameter, the default group when it is
// empty.
func groupName(name string) string {
	if name == "" {
		return DefaultGroup
	}
	return name
}

// now is the clock's time.
func (s *Service) now() time.Time { return s.opt.Clock.Now() }

// msTime is a time of the store.
func msTime(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// tokenLifetime is how long a client token makes its write idempotent.
// AWS does not document it; other AWS APIs keep tokens for hours.
const tokenLifetime = 8 * time.Hour

// clientToken is the store's record of a write's client token ("": no
// token). The fingerprint of what the request asks identifies it.
func (s *Service) clientToken(sc Scope, operation, token string, request ...string) store.ClientToken {
	if token == "" {
		return store.ClientToken{}
	}
	sum := sha256.Sum256([]byte(strings.Join(request, "\x00")))
	now := s.now()
	return store.ClientToken{Account: sc.Account, Region: sc.Region, Operation: operation, Token: token,
		Fingerprint: hex.EncodeToString(sum[:]), At: now.UnixMilli(), Expired: now.Add(-tokenLifetime).UnixMilli()}
}

// tokenReused is the error of a client token sent again with another
// request.
func tokenReused(token string) error {
	return errorf(Conflict, "The ClientToken %s was used with a different request.", token)
}

// tokenPrefix marks this service's next tokens.
const tokenPrefix = "scheduler1:"

func encodeToken(key string) string { return pagetoken.Encode(tokenPrefix, key) }

func decodeToken(t string) (string, error) {
	key, ok := pagetoken.Decode(tokenPrefix, t)
	if !ok {
		return "", errorf(Validation, "The NextToken provided is invalid.")
	}
	return key, nil
}

// limitPlusOne is the limit of a store read that tells whether a page of
// limit has a next page.
func limitPlusOne(limit int) int {
	if limit <= 0 {
		return 0
	}
	return limit + 1
}

// page returns the next token of a page read with limit+1 items: the key
// of the last item kept when there were more.
func page[T any](items []T, limit int, key func(*T) string) ([]T, string) {
	if limit <= 0 || len(items) <= limit {
		return items, ""
	}
	items = items[:limit]
	return items, encodeToken(key(&items[limit-1]))
}

// storeError maps the store's refusals of a write to the API's errors:
// what exists, what does not, and a reused client token.
func storeError(err error, token string, notFound, exists func() error) error {
	switch {
	case errors.Is(err, store.ErrTokenReused):
		return tokenReused(token)
	case errors.Is(err, store.ErrNotFound) && notFound != nil:
		return notFound()
	case errors.Is(err, store.ErrExists) && exists != nil:
		return exists()
	}
	return err
}
