package store

import (
	"context"
	"errors"
)

// LogGroup is a stored CloudWatch Logs log group. Times are milliseconds
// since the epoch.
type LogGroup struct {
	ID                 int64
	Account            string
	Region             string
	Name               string
	Created            int64
	RetentionDays      int // 0: never expire
	KMSKeyID           string
	Class              string
	DeletionProtection bool
	// StoredBytes is the bytes of the group's event messages (set by
	// LogGroups, which reads the statistics of the events).
	StoredBytes int64
	// MetricFilterCount is the number of metric filters on the group.
	MetricFilterCount int
}

// LogGroupQuery selects log groups of one account and region, ordered by
// name. Names compare byte by byte, as After does.
type LogGroupQuery struct {
	Account, Region string
	// Prefix keeps names starting with it; Contains keeps names containing
	// it, case-insensitively; Names keeps the listed names.
	Prefix, Contains string
	Names            []string
	// Class keeps groups of that class ("" for all).
	Class string
	// After keeps names after it (the pagination cursor).
	After string
	// Limit caps the groups returned (0: no cap).
	Limit int
}

// LogStream is a stored log stream.
type LogStream struct {
	ID      int64
	GroupID int64
	Name    string
	Created int64
	// FirstEvent, LastEvent and LastIngestion are nil until the stream
	// has events (set by LogStreams, which reads the statistics of the
	// events).
	FirstEvent, LastEvent, LastIngestion *int64
}

// LogStreamQuery selects the streams of a group, ordered by name (names
// compare byte by byte).
type LogStreamQuery struct {
	GroupID int64
	Prefix  string
	// ByLastEvent orders by last event time instead, streams without
	// events as if it were 0, then by name.
	ByLastEvent bool
	// Descending reverses the order.
	Descending bool
	// After is the cursor: the last stream of the previous page, of
	// which the order reads the Name and, ByLastEvent, the LastEvent.
	After *LogStream
	// Limit caps the streams returned (0: no cap).
	Limit int
}

// LogEvent is a stored log event.
type LogEvent struct {
	StreamID  int64
	Stream    string // the stream's name, set by reads
	Timestamp int64
	Ingestion int64
	// Seq is unique across the store and increases in ingestion order; it
	// makes event ids and positions stable.
	Seq     int64
	Message string
}

// Position orders events within a query: by timestamp, then by Seq.
type Position struct {
	Timestamp, Seq int64
}

// Less reports whether p is before q.
func (p Position) Less(q Position) bool {
	return p.Timestamp < q.Timestamp || (p.Timestamp == q.Timestamp && p.Seq < q.Seq)
}

// LogEventQuery selects events of a group in position order.
type LogEventQuery struct {
	GroupID int64
	// StreamIDs keeps events of these streams; StreamPrefix of streams
	// whose name starts with it. Both empty: every stream.
	StreamIDs    []int64
	StreamPrefix string
	// Start and End bound timestamps (inclusive start, exclusive end); nil
	// for no bound.
	Start, End *int64
	// After and Before bound positions, exclusive.
	After, Before *Position
	// Terms are substrings every returned message contains (a pre-filter;
	// case-sensitive).
	Terms []string
	// Backward returns the last Limit events (still in ascending order).
	Backward bool
	// Limit caps the events returned (0: no cap).
	Limit int
}

// IngestBatch is one PutLogEvents call's accepted events and what they
// set off, committed together.
type IngestBatch struct {
	GroupID, StreamID int64
	Ingestion         int64
	// Events are in chronological order, with reserved Seq numbers.
	Events []LogEvent
	// Outbox holds deliveries to enqueue in the same transaction (metric
	// filter data points, subscription payloads).
	Outbox []OutboxItem
}

// MetricFilter is a stored metric filter.
type MetricFilter struct {
	GroupID int64
	Name    string
	Pattern string
	// Transformation is the JSON of the metric transformation.
	Transformation string
	Created        int64
}

// SubscriptionFilter is a stored subscription filter.
type SubscriptionFilter struct {
	GroupID        int64
	Name           string
	Pattern        string
	DestinationARN string
	RoleARN        string
	Distribution   string
	Created        int64
}

// LogDestination is a CloudWatch Logs destination: a named target other
// accounts may subscribe to.
type LogDestination struct {
	Account, Region string
	Name            string
	TargetARN       string
	RoleARN         string
	AccessPolicy    string
	Created         int64
}

// Logs stores CloudWatch Logs data.
type Logs interface {
	// CreateLogGroup stores g (assigning g.ID) with tags under arn, or
	// fails with ErrExists.
	CreateLogGroup(ctx context.Context, g *LogGroup, arn string, tags map[string]string) error
	// LogGroup resolves a group by name (without StoredBytes), or fails
	// with ErrNotFound. It never waits for events being stored.
	LogGroup(ctx context.Context, account, region, name string) (*LogGroup, error)
	// LogGroups lists groups, with their statistics.
	LogGroups(ctx context.Context, q LogGroupQuery) ([]LogGroup, error)
	// LogGroupsWithRetention lists every group that has a retention, of
	// every account and region.
	LogGroupsWithRetention(ctx context.Context) ([]LogGroup, error)
	// DeleteLogGroup deletes a group with its streams, events, filters and
	// the tags under arn.
	DeleteLogGroup(ctx context.Context, id int64, arn string) error
	// SetRetention sets (days > 0) or removes (0) a group's retention.
	SetRetention(ctx context.Context, id int64, days int) error
	// SetKMSKey records (or clears, "") a group's KMS key id.
	SetKMSKey(ctx context.Context, id int64, key string) error

	// CreateLogStream stores s (assigning s.ID), or fails with ErrExists,
	// or ErrNotFound when its group does not exist.
	CreateLogStream(ctx context.Context, s *LogStream) error
	// LogStream resolves a stream of a group by name (without event
	// times), or fails with ErrNotFound. It never waits for events being
	// stored.
	LogStream(ctx context.Context, groupID int64, name string) (*LogStream, error)
	// LogStreams lists streams, with their statistics.
	LogStreams(ctx context.Context, q LogStreamQuery) ([]LogStream, error)
	// DeleteLogStream deletes a stream and its events, which its group's
	// StoredBytes then no longer counts.
	DeleteLogStream(ctx context.Context, id int64) error

	// ReserveSeqs reserves n consecutive event sequence numbers and
	// returns the first. Each call's numbers are greater than those of
	// the calls before, also before a restart, whether or not events took
	// them (PutLogEvents returns an unused one as its token).
	ReserveSeqs(ctx context.Context, n int) (int64, error)
	// Ingest stores a batch of events (whose Seq the caller reserved),
	// updates the stream's and group's statistics and enqueues the batch's
	// outbox items, atomically. A batch without events stores nothing.
	Ingest(ctx context.Context, b *IngestBatch) error
	// LogEvents returns events in position order.
	LogEvents(ctx context.Context, q LogEventQuery) ([]LogEvent, error)
	// DeleteEventsBefore deletes a group's events older than ts and
	// updates its stored bytes; it returns the number deleted.
	DeleteEventsBefore(ctx context.Context, groupID, ts int64) (int64, error)

	// PutMetricFilter creates a metric filter, or replaces the group's
	// filter of that name.
	PutMetricFilter(ctx context.Context, f MetricFilter) error
	// MetricFilters lists a group's metric filters by name (groupID 0:
	// those of every group of the account and region, by group name, then
	// filter name).
	MetricFilters(ctx context.Context, account, region string, groupID int64) ([]MetricFilter, error)
	// DeleteMetricFilter deletes a filter, or fails with ErrNotFound.
	DeleteMetricFilter(ctx context.Context, groupID int64, name string) error

	// PutSubscriptionFilter creates a subscription filter, or replaces the
	// group's filter of that name.
	PutSubscriptionFilter(ctx context.Context, f SubscriptionFilter) error
	// SubscriptionFilters lists a group's subscription filters by name.
	SubscriptionFilters(ctx context.Context, groupID int64) ([]SubscriptionFilter, error)
	// DeleteSubscriptionFilter deletes a filter, or fails with ErrNotFound.
	DeleteSubscriptionFilter(ctx context.Context, groupID int64, name string) error

	// PutLogDestination creates or replaces a destination (keeping its
	// access policy and creation time when it exists), tagging a new one
	// with tags under arn.
	PutLogDestination(ctx context.Context, d LogDestination, arn string, tags map[string]string) error
	// LogDestination returns a destination, or ErrNotFound.
	LogDestination(ctx context.Context, account, region, name string) (*LogDestination, error)
	// LogDestinations lists the destinations whose names start with
	// prefix, by name.
	LogDestinations(ctx context.Context, account, region, prefix string) ([]LogDestination, error)
	// DeleteLogDestination deletes a destination and the tags under arn,
	// or fails with ErrNotFound.
	DeleteLogDestination(ctx context.Context, account, region, name, arn string) error
	// SetLogDestinationPolicy sets a destination's access policy, or fails
	// with ErrNotFound.
	SetLogDestinationPolicy(ctx context.Context, account, region, name, policy string) error
}

// Tags stores the tags of any resource, keyed by its ARN.
type Tags interface {
	// ResourceTags returns the tags of a resource: an empty map when it
	// has none.
	ResourceTags(ctx context.Context, arn string) (map[string]string, error)
	// TagResource adds or replaces tags and removes the keys in remove; it
	// fails with ErrLimit, changing nothing, when the resource would end
	// with more than limit tags (0: no limit).
	TagResource(ctx context.Context, arn string, add map[string]string, remove []string, limit int) error
}

// RemoveTags removes every tag of a resource (one deleted, so that one
// created again under its ARN starts without).
func RemoveTags(ctx context.Context, t Tags, arn string) error {
	tags, err := t.ResourceTags(ctx, arn)
	if err != nil || len(tags) == 0 {
		return err
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	return t.TagResource(ctx, arn, nil, keys, 0)
}

// ErrLimit is returned when a write would exceed a limit.
var ErrLimit = errors.New("limit exceeded")
