package store

import "context"

// MetricKey identifies a metric in an account and region.
type MetricKey struct {
	Account, Region, Namespace, Name string
	// Dimensions is the canonical JSON array of [name, value] pairs
	// sorted by name.
	Dimensions string
}

// MetricPoint is a data point to store: an aggregate of Count values with
// their Sum, Min and Max, and their distribution when there is more than
// one (Dist, encoded by the metrics engine).
type MetricPoint struct {
	Key        MetricKey
	Timestamp  int64 // milliseconds since the epoch
	Resolution int   // 1 or 60
	Unit       string
	Count      float64
	Sum        float64
	Min        float64
	Max        float64
	Dist       []byte
}

// Metric is a stored metric.
type Metric struct {
	ID        int64
	Key       MetricKey
	FirstSeen int64
	LastSeen  int64
}

// MetricQuery selects metrics of an account and region, ordered by
// namespace, name and dimensions.
type MetricQuery struct {
	Account, Region string
	Namespace, Name string // "" for any
	// SeenSince keeps metrics with data ingested at or after it (ms; 0 for
	// any).
	SeenSince int64
	// After is the cursor: the ID of the last metric of the previous page.
	AfterKey *MetricKey
	Limit    int
}

// Metrics stores CloudWatch metric data.
type Metrics interface {
	// PutMetricPoints stores data points, creating their metrics; now is
	// the ingestion time.
	PutMetricPoints(ctx context.Context, points []MetricPoint, now int64) error
	// ListMetrics lists metrics.
	ListMetrics(ctx context.Context, q MetricQuery) ([]Metric, error)
}
