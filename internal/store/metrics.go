package store

import "context"

// MetricKey identifies a metric in an account and region.
type MetricKey struct {
	Account, Region, Namespace, Name string
	// Dimensions is the canonical JSON array of [name, value] pairs
	// sorted by name.
	Dimensions string
}

// PointValue is a data point as it was put: an aggregate of Count values
// with their Sum, Min and Max, and their exact distribution when there is
// more than one (Dist, encoded by the metrics engine).
type PointValue struct {
	Timestamp  int64 // milliseconds since the epoch
	Resolution int   // 1 or 60 seconds
	Unit       string
	Count      float64
	Sum        float64
	Min        float64
	Max        float64
	Dist       []byte
}

// MetricPoint is a data point to store for a metric.
type MetricPoint struct {
	Key MetricKey
	PointValue
}

// StoredPoint is a stored data point of a metric.
type StoredPoint struct {
	MetricID int64
	PointValue
}

// Metric is a stored metric.
type Metric struct {
	ID        int64
	Key       MetricKey
	FirstSeen int64
	// LastSeen is when data was last ingested, to the minute: a
	// backend may record it at most once a minute per metric.
	LastSeen int64
}

// MetricQuery selects metrics of an account and region, ordered by
// namespace, name and dimensions.
type MetricQuery struct {
	Account, Region string
	Namespace, Name string // "" for any
	// SeenSince keeps metrics with data ingested at or after it (ms; 0 for
	// any).
	SeenSince int64
	// AfterKey is the cursor: the key of the last metric of the previous
	// page.
	AfterKey *MetricKey
	Limit    int
}

// Rollup is a chunk of rolled-up samples (package metrics/chunk) of one
// metric and unit at one resolution, covering [Start, Stop).
type Rollup struct {
	RollupKey
	Stop int64 // milliseconds
	Data []byte
}

// RollupKey identifies a roll-up chunk.
type RollupKey struct {
	MetricID   int64
	Unit       string
	Resolution int   // 60, 300 or 3600 seconds
	Start      int64 // milliseconds
}

// MetricDataQuery selects the stored data of metrics over a time range.
type MetricDataQuery struct {
	IDs []int64
	// Start (inclusive) and End (exclusive) bound the time range, in
	// milliseconds.
	Start, End int64
	// Resolutions are the roll-up resolutions to read chunks of.
	Resolutions []int
}

// MetricData is what a MetricDataQuery reads, from one consistent
// snapshot: the points not rolled up yet and the high-resolution points
// kept as they were put, in (metric, time) order, and the roll-up chunks
// that overlap the range.
type MetricData struct {
	Points  []StoredPoint
	Rollups []Rollup
}

// RollupQuery selects roll-up chunks: those with the keys, or every chunk
// of a resolution that starts before a time, for at most MaxMetrics
// metrics (the lowest ids that have some), ordered by metric, unit and
// start.
type RollupQuery struct {
	Keys []RollupKey

	Resolution  int
	StartBefore int64
	MaxMetrics  int
}

// RollupChange is one step of the roll-up job, applied atomically.
type RollupChange struct {
	// PointsThrough deletes the pending points up to this sequence
	// number (0: none), which the job has folded into chunks.
	PointsThrough int64
	// HighRes are high-resolution points to keep as they were put.
	HighRes []StoredPoint
	// HighResBefore deletes the kept high-resolution points older than
	// this (ms; 0: none).
	HighResBefore int64
	// Delete removes chunks; then Put writes chunks, replacing those with
	// the same key.
	Delete []RollupKey
	Put    []Rollup
}

// AnomalyDetector is a stored anomaly detection model: its Spec (the
// metric or metric math it models, canonical JSON that identifies it) and
// its Configuration (JSON), both owned by the metrics engine.
type AnomalyDetector struct {
	Spec          string
	Configuration string
	Created       int64
}

// Metrics stores CloudWatch metric data.
type Metrics interface {
	// PutMetricPoints stores data points, creating their metrics; now is
	// the ingestion time.
	PutMetricPoints(ctx context.Context, points []MetricPoint, now int64) error
	// ListMetrics lists metrics.
	ListMetrics(ctx context.Context, q MetricQuery) ([]Metric, error)
	// LookupMetrics returns the metrics that exist among keys, in no
	// particular order, with their ID, Key and FirstSeen (LastSeen is not
	// read: it is zero).
	LookupMetrics(ctx context.Context, keys []MetricKey) ([]Metric, error)
	// MetricData reads the data of metrics.
	MetricData(ctx context.Context, q MetricDataQuery) (MetricData, error)

	// PendingPoints calls fn with the points not rolled up yet of the
	// writes whose sequence numbers follow after (0: from the first),
	// whole writes in commit order until limit or more points, each
	// write's points in the order they were put; and returns the sequence
	// number of the last write read, 0 when there was none. fn receives
	// the same variable each time: it copies what it keeps.
	PendingPoints(ctx context.Context, after int64, limit int, fn func(*StoredPoint)) (through int64, err error)
	// HighResPoints returns the kept high-resolution points older than
	// before (ms), in no particular order.
	HighResPoints(ctx context.Context, before int64) ([]StoredPoint, error)
	// Rollups returns roll-up chunks.
	Rollups(ctx context.Context, q RollupQuery) ([]Rollup, error)
	// ApplyRollup applies a step of the roll-up job.
	ApplyRollup(ctx context.Context, c RollupChange) error

	// AnomalyDetectors returns the anomaly detectors of an account and
	// region, ordered by spec.
	AnomalyDetectors(ctx context.Context, account, region string) ([]AnomalyDetector, error)
	// PutAnomalyDetector creates or replaces an anomaly detector.
	PutAnomalyDetector(ctx context.Context, account, region string, d AnomalyDetector) error
	// DeleteAnomalyDetector deletes an anomaly detector, or fails with
	// ErrNotFound.
	DeleteAnomalyDetector(ctx context.Context, account, region, spec string) error
}
