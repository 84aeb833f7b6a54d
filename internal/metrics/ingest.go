// Package metrics is the CloudWatch metrics engine: ingestion, storage
// resolutions and roll-ups, statistics, GetMetricData and metric math.
package metrics

import (
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
