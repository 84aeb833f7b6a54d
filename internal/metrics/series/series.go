// Package series holds the time-series value that the metrics engines
// (statistics, metric math, Metrics Insights, anomaly detection, widget
// rendering) exchange.
package series

// Series is a time series of one statistic at one period: the points that
// have data, in ascending time order. A timestamp without data is absent,
// not NaN.
type Series struct {
	// Label is the series' label (GetMetricData's Label).
	Label string
	// Timestamps are the start times of the periods, in Unix seconds,
	// strictly ascending.
	Timestamps []int64
	// Values holds one value per timestamp.
	Values []float64
}

// Len returns the number of points.
func (s *Series) Len() int { return len(s.Timestamps) }
