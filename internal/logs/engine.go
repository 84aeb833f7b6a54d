// Package logs is the CloudWatch Logs engine: log groups and streams,
// ingestion with AWS's acceptance rules, reading and filtering events with
// the filter-pattern language, metric filters and the embedded metric
// format (publishing to a MetricSink, the metrics engine), subscription
// filters and destinations (durable, retried deliveries through the
// outbox and the dispatcher), retention, Live Tail, and export tasks
// (gzip objects written into buckets through ExportBuckets).
//
// The engine knows nothing of HTTP or wire protocols: the API package maps
// requests to these methods and Errors to the modeled exceptions.
package logs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/vigilhq/vigil/internal/cache"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/store"
)

// Options configure the engine.
type Options struct {
	// Store keeps groups, streams, events and filters.
	Store store.Logs
	// Tags keeps resource tags.
	Tags store.Tags
	// Metrics receives metric-filter and embedded-metric-format data
	// points, when the outbox delivers them (DeliverMetrics).
	Metrics MetricSink
	// Dispatcher delivers subscription data to destination ARNs
	// (DeliverSubscription), and destinations' data to their targets.
	Dispatcher Dispatcher
	// Notify is called after ingestion enqueued deliveries: the outbox
	// processor's Kick (nil: the deliveries wait for its next step).
	Notify func()
	// Queries keeps Logs Insights queries and saved definitions, and
	// Querier runs them.
	Queries store.LogQueries
	Querier store.LogQuerier
	// Node names this node among those sharing the store: the owner of
	// the queries it runs, which it keeps alive with HeartbeatQueries.
	Node string
	// Exports keeps export tasks, and Buckets receives their objects.
	Exports store.LogExports
	Buckets ExportBuckets
	// Clock tells the time (clock.System{} when nil).
	Clock clock.Clock
	// Logger logs delivery failures.
	Logger *slog.Logger
}

// Engine is the CloudWatch Logs engine.
type Engine struct {
	opt   Options
	tail  *tailHub
	cache *metaCache
	q     queries
	// compiled are the groups' compiled filters, by group id.
	compiled *cache.TTL[int64, *compiledFilters]
	// exportFileBytes bounds an exported object's lines (exportFileBytes).
	exportFileBytes int
}

// New returns an engine.
func New(opt Options) *Engine {
	if opt.Clock == nil {
		opt.Clock = clock.System{}
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Engine{opt: opt, tail: newTailHub(), cache: newMetaCache(), compiled: cache.NewTTL[int64, *compiledFilters](cacheSize, cacheTTL),
		q: queries{running: map[string]context.CancelFunc{}}, exportFileBytes: exportFileBytes}
}

// Scope is the account and region a request acts in.
type Scope struct {
	Account, Region string
}

// Code classifies engine errors; the API layer maps each to the modeled
// exception of the same name.
type Code int

// The error codes.
const (
	InvalidParameter Code = iota + 1
	ResourceNotFound
	ResourceAlreadyExists
	LimitExceeded
	InvalidOperation
	OperationAborted
	AccessDenied
	TooManyTags
)

// Error is an engine error with AWS's message.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return e.Message }

func errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// AWS's messages for missing resources.
var (
	errGroupNotFound  = &Error{ResourceNotFound, "The specified log group does not exist."}
	errStreamNotFound = &Error{ResourceNotFound, "The specified log stream does not exist."}
	errBadToken       = &Error{InvalidParameter, "The specified nextToken is invalid."}
)

// group resolves a log group by name or identifier (name or ARN); exactly
// one of them must be given.
func (e *Engine) group(ctx context.Context, sc Scope, name, identifier string) (*store.LogGroup, error) {
	switch {
	case name != "" && identifier != "":
		return nil, errorf(InvalidParameter, "LogGroup name and LogGroup ARN are mutually exclusive parameters.")
	case name == "" && identifier == "":
		return nil, errorf(InvalidParameter, "Either LogGroup name or LogGroup ARN must be specified.")
	case identifier != "":
		n, err := groupFromIdentifier(sc, identifier)
		if err != nil {
			return nil, err
		}
		name = n
	}
	key, now := groupName{sc.Account, sc.Region, name}, e.opt.Clock.Now()
	if g := e.cache.group(key, now); g != nil {
		return g, nil
	}
	g, err := e.opt.Store.LogGroup(ctx, sc.Account, sc.Region, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errGroupNotFound
	}
	if err != nil {
		return nil, err
	}
	e.cache.putGroup(key, g, now)
	return g, nil
}

// changedGroup drops a group from the cache after a change.
func (e *Engine) changedGroup(g *store.LogGroup) {
	e.cache.forgetGroup(groupName{g.Account, g.Region, g.Name}, g.ID)
}

// groupFromIdentifier returns the name a log group identifier (a name or
// an ARN of this account and region) designates.
func groupFromIdentifier(sc Scope, id string) (string, error) {
	if !strings.HasPrefix(id, "arn:") {
		return id, nil
	}
	a, err := parseARN(id)
	if err != nil || a.resourceType != "log-group" {
		return "", errorf(InvalidParameter, "Invalid log group ARN %q.", id)
	}
	if a.account != sc.Account || a.region != sc.Region {
		// Cross-account observability (monitoring accounts) is not
		// supported: such groups are not visible.
		return "", errGroupNotFound
	}
	return a.resource, nil
}

// stream resolves a stream of a group.
func (e *Engine) stream(ctx context.Context, g *store.LogGroup, name string) (*store.LogStream, error) {
	key, now := streamName{g.ID, name}, e.opt.Clock.Now()
	if s := e.cache.stream(key, now); s != nil {
		return s, nil
	}
	s, err := e.opt.Store.LogStream(ctx, g.ID, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errStreamNotFound
	}
	if err != nil {
		return nil, err
	}
	e.cache.putStream(key, s, now)
	return s, nil
}

// arn is a parsed CloudWatch Logs ARN.
type arn struct {
	partition, service, region, account string
	resourceType, resource              string
}

// parseARN parses ARNs such as arn:aws:logs:region:account:log-group:name[:*],
// arn:aws:logs:region:account:destination:name, and (for error messages)
// other services' arn:aws:kinesis:region:account:stream/name.
func parseARN(s string) (arn, error) {
	parts := strings.SplitN(s, ":", 7)
	if len(parts) < 6 || parts[0] != "arn" {
		return arn{}, fmt.Errorf("%q is not an ARN", s)
	}
	a := arn{partition: parts[1], service: parts[2], region: parts[3], account: parts[4], resource: parts[5]}
	if len(parts) == 7 {
		a.resourceType, a.resource = parts[5], parts[6]
	}
	if a.resourceType == "log-group" {
		a.resource = strings.TrimSuffix(a.resource, ":*")
		if i := strings.Index(a.resource, ":log-stream:"); i >= 0 {
			a.resource = a.resource[:i]
		}
	}
	return a, nil
}

// GroupARN returns a log group's ARN as DescribeLogGroups' logGroupArn
// (without the trailing :*).
func GroupARN(sc Scope, name string) string {
	return "arn:aws:logs:" + sc.Region + ":" + sc.Account + ":log-group:" + name
}

// StreamARN returns a log stream's ARN.
func StreamARN(sc Scope, group, stream string) string {
	return GroupARN(sc, group) + ":log-stream:" + stream
}

// DestinationARN returns a destination's ARN.
func DestinationARN(sc Scope, name string) string {
	return "arn:aws:logs:" + sc.Region + ":" + sc.Account + ":destination:" + name
}
