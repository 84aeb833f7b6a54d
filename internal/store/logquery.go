package store

import (
	"context"

	"github.com/vigilhq/vigil/internal/insights"
)

// LogQuery is a CloudWatch Logs Insights query ready to run: a compiled
// plan over a set of log groups and a time range.
type LogQuery struct {
	// Plan is the compiled query.
	Plan *insights.Plan
	// Groups are the log groups to query.
	Groups []LogGroupRef
	// Start and End bound the events' timestamps, in milliseconds since
	// the epoch, both inclusive.
	Start, End int64
	// Limit caps the rows returned (AWS: 10,000); 0 means 10,000. A
	// smaller limit in the query wins.
	Limit int
	// Now is the query's start in milliseconds since the epoch, which
	// now() returns (in seconds); 0 means the wall clock.
	Now int64
}

// LogGroupRef names a stored log group for queries.
type LogGroupRef struct {
	// ID is the group's storage id.
	ID int64
	// Log is the group as the @log field shows it: "<account>:<name>".
	Log string
}

// LogQueryResult is the outcome of a Logs Insights query.
type LogQueryResult struct {
	// Fields names the result columns in order; the last of a query
	// that is not aggregated is @ptr, which every row sets.
	Fields []string
	// Rows holds one value per field; a nil value is an absent field.
	Rows [][]*string
	// RecordsScanned, RecordsMatched and BytesScanned are the statistics
	// GetQueryResults reports: the events of the groups in the time
	// range, those that passed the query's filters (before stats, dedup
	// and limit), and the bytes of the scanned events' messages (which a
	// backend may estimate when the range holds part of a group's events).
	RecordsScanned, RecordsMatched, BytesScanned float64
}

// LogField is a field discovered in a log group's events.
type LogField struct {
	// Name is the field name (e.g. "@message", "level", "a.b").
	Name string
	// Percent is the share of sampled events that have the field.
	Percent int
}

// LogQuerier runs Logs Insights queries over stored log events.
type LogQuerier interface {
	// RunLogQuery runs q; it stops early with ctx's error when ctx ends.
	// A query of no groups, or whose End is before its Start, has no rows.
	RunLogQuery(ctx context.Context, q LogQuery) (*LogQueryResult, error)
	// LogRecord returns every field of the event a @ptr value names: the
	// system fields (times in milliseconds; @log is "<account>:<group
	// name>", by which GetLogRecord checks the caller's account) and the
	// discovered ones. A @ptr stays valid across restarts while its event
	// exists; a malformed one, or one whose event was deleted or expired,
	// is ErrNotFound.
	LogRecord(ctx context.Context, ptr string) (map[string]string, error)
	// LogGroupFields discovers the fields of a group's events in a time
	// range (milliseconds, inclusive): the system fields first, then the
	// others by share (most common first), then by name; none when the
	// range has no events.
	LogGroupFields(ctx context.Context, group LogGroupRef, start, end int64) ([]LogField, error)
}
