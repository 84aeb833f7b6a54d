package mathexpr

import (
	"github.com/vigilhq/vigil/internal/metrics/series"
)

// Metric identifies the metric a time series was retrieved for. Dynamic
// labels read it (${PROP('Dim.InstanceId')}); computed series keep the
// Metric of the series they derive from.
type Metric struct {
	// Namespace and Name identify the metric with its Dimensions.
	Namespace string
	Name      string
	// Dimensions maps dimension names to values.
	Dimensions map[string]string
	// Stat is the statistic retrieved (Average, p99, …).
	Stat string
}

// Series is a time series with what metric math needs to know of it
// beyond its points.
type Series struct {
	series.Series
	// Period is the series' period in seconds; 0 when unknown, in which
	// case the request's period (Env.Period) stands in.
	Period int64
	// Metric is the metric the series was retrieved for, or nil for a
	// series computed from scalars (TIME_SERIES(5)).
	Metric *Metric
}

// Value is what an expression, or a query it refers to, evaluates to: a
// scalar, a single time series, or an array of time series. The slices of
// a result may be shared with the inputs and between series: treat them
// as read-only.
type Value struct {
	// Scalar is set when the value is a scalar.
	Scalar *float64
	// Series holds the time series: exactly one unless Array is set.
	Series []Series
	// Array marks an array of time series (TS[]), which may hold one
	// series or none: SUM([m1]) is a time series where SUM(m1) is a
	// scalar.
	Array bool
	// ArithmeticError reports that the evaluation dropped points whose
	// value was NaN or infinite (division by zero, LOG of a negative
	// number, …). GetMetricData then adds the ArithmeticError message.
	ArithmeticError bool
}

// NamedValue is the result of one query of the request.
type NamedValue struct {
	// ID is the query's Id.
	ID string
	// Value is its result.
	Value Value
}

// ScalarValue returns a scalar Value.
func ScalarValue(v float64) Value { return Value{Scalar: &v} }

// SeriesValue returns a Value holding one time series.
func SeriesValue(s Series) Value { return Value{Series: []Series{s}} }

// ArrayValue returns a Value holding an array of time series.
func ArrayValue(ss []Series) Value { return Value{Series: ss, Array: true} }

// IsScalar reports whether v is a scalar.
func (v Value) IsScalar() bool { return v.Scalar != nil }

// kind is the shape of a value during evaluation.
type kind uint8

const (
	kindScalar kind = iota // S
	kindSeries             // TS
	kindArray              // TS[]
)

// String names the kind as the AWS documentation does.
func (k kind) String() string {
	switch k {
	case kindScalar:
		return "a scalar"
	case kindSeries:
		return "a time series"
	default:
		return "an array of time series"
	}
}

// val is a value during evaluation: cheaper to pass around than Value.
type val struct {
	k    kind
	num  float64
	list []Series
}

// scalarVal, seriesVal and arrayVal build vals.
func scalarVal(x float64) val  { return val{k: kindScalar, num: x} }
func seriesVal(s Series) val   { return val{k: kindSeries, list: []Series{s}} }
func arrayVal(ss []Series) val { return val{k: kindArray, list: ss} }
func (v val) one() Series      { return v.list[0] }

// fromValue converts a query result into a val. A Value that claims to
// hold one series but holds several is taken as an array, and one that
// holds none as an empty series.
func fromValue(v Value) val {
	switch {
	case v.Scalar != nil:
		return scalarVal(*v.Scalar)
	case v.Array || len(v.Series) > 1:
		return arrayVal(v.Series)
	case len(v.Series) == 0:
		return seriesVal(Series{})
	default:
		return seriesVal(v.Series[0])
	}
}

// toValue converts a val into the exported Value.
func (v val) toValue() Value {
	switch v.k {
	case kindScalar:
		return ScalarValue(v.num)
	case kindSeries:
		return SeriesValue(v.list[0])
	default:
		return ArrayValue(v.list)
	}
}

// derive returns a series carrying s's label, period and metric with new
// points.
func derive(s Series, ts []int64, vs []float64) Series {
	return Series{
		Series: series.Series{Label: s.Label, Timestamps: ts, Values: vs},
		Period: s.Period,
		Metric: s.Metric,
	}
}
