// Package metrics is the CloudWatch metrics engine: ingestion, storage
// resolutions and roll-ups, statistics, GetMetricData and metric math.
package metrics

import (
	"context"
	"errors"
	"time"
)

// ErrInvalid marks data points the engine refuses for good (a bad
// namespace, value or unit): retrying them cannot succeed.
var ErrInvalid = errors.New("invalid metric data")

// Datum is one data point for a metric: a single value, a statistic set
// or a distribution of values with counts, as PutMetricData accepts them.
type Datum struct {
	// Namespace and Name identify the metric with its Dimensions.
	Namespace  string
	Name       string
	Dimensions []Dimension
	// Timestamp is when the value was observed.
	Timestamp time.Time
	// Value is a single observation; used when Values and Stats are empty.
	Value float64
	// Values and Counts are a distribution: Counts[i] observations of
	// Values[i] (a nil Counts means one each).
	Values []float64
	Counts []float64
	// Stats is a pre-aggregated statistic set.
	Stats *StatisticSet
	// Unit is the CloudWatch unit ("None" when unset).
	Unit string
	// StorageResolution is 1 (high resolution) or 60 seconds.
	StorageResolution int
}

// Dimension is a name/value pair identifying a metric.
type Dimension struct {
	Name, Value string
}

// StatisticSet is the aggregate PutMetricData's StatisticValues carries.
type StatisticSet struct {
	SampleCount, Sum, Minimum, Maximum float64
}

// Ingester accepts data points into the metrics engine. CloudWatch Logs
// publishes metric-filter and embedded-metric-format data points through
// it; the composition root wires the implementation.
type Ingester interface {
	// Ingest stores data points for an account and region. Data points
	// that fail validation are an error wrapping ErrInvalid for the whole
	// call.
	Ingest(ctx context.Context, account, region string, data []Datum) error
}
