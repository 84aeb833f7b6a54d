package metrics

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/store"
)

// Options configure the engine.
type Options struct {
	// Store keeps metrics and their data points.
	Store store.Metrics
	// Clock tells the time (clock.System{} when nil).
	Clock clock.Clock
}

// Engine is the CloudWatch metrics engine.
type Engine struct {
	opt Options
}

// New returns an engine.
func New(opt Options) *Engine {
	if opt.Clock == nil {
		opt.Clock = clock.System{}
	}
	return &Engine{opt: opt}
}

// Code classifies engine errors; the API layer maps each to the modeled
// exception with the awsQuery code of the same name.
type Code int

// The error codes.
const (
	InvalidParameterValue Code = iota + 1
	InvalidParameterCombination
	MissingParameter
	ResourceNotFound
	LimitExceeded
	InvalidNextToken
	// ValidationError is GetMetricData's code for refused queries.
	ValidationError
)

// Error is an engine error with AWS's message.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return e.Message }

// Unwrap makes every engine error an ErrInvalid: the request cannot
// succeed as it is.
func (e *Error) Unwrap() error { return ErrInvalid }

func errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// PutMetricData limits from the API reference.
const (
	maxDimensions  = 30
	maxValues      = 150
	maxPast        = 14 * 24 * time.Hour
	maxFuture      = 2 * time.Hour
	maxMagnitude   = 0x1p360
	maxDatumsInPut = 1000
)

// Units are the CloudWatch standard units.
var Units = []string{
	"Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
	"Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
	"Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
	"Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
}

// Ingest validates and stores data points. The whole call fails on the
// first invalid datum, with the error PutMetricData answers.
func (e *Engine) Ingest(ctx context.Context, account, region string, data []Datum) error {
	if len(data) > maxDatumsInPut {
		return errorf(InvalidParameterValue, "The collection MetricData must not have a size greater than %d.", maxDatumsInPut)
	}
	now := e.opt.Clock.Now()
	points := make([]store.MetricPoint, 0, len(data))
	for i, d := range data {
		p, err := point(d, i+1, now)
		if err != nil {
			return err
		}
		p.Key.Account, p.Key.Region = account, region
		points = append(points, p)
	}
	return e.opt.Store.PutMetricPoints(ctx, points, now.UnixMilli())
}

// point validates a datum (n is its 1-based position, for messages) and
// aggregates it.
func point(d Datum, n int, now time.Time) (store.MetricPoint, error) {
	param := func(name string) string { return fmt.Sprintf("MetricData.member.%d.%s", n, name) }
	if strings.HasPrefix(d.Namespace, "AWS/") {
		return store.MetricPoint{}, errorf(InvalidParameterValue, "The value %s for parameter Namespace is invalid.", d.Namespace)
	}
	if d.Namespace == "" {
		return store.MetricPoint{}, errorf(MissingParameter, "The parameter Namespace is required.")
	}
	if d.Name == "" {
		return store.MetricPoint{}, errorf(MissingParameter, "The parameter %s is required.", param("MetricName"))
	}
	dims, err := canonicalDimensions(d.Dimensions, param)
	if err != nil {
		return store.MetricPoint{}, err
	}
	if d.Timestamp.IsZero() {
		d.Timestamp = now
	}
	if d.Timestamp.After(now.Add(maxFuture)) {
		return store.MetricPoint{}, errorf(InvalidParameterValue, "The parameter %s must specify a time no more than two hours in the future.", param("Timestamp"))
	}
	if d.Timestamp.Before(now.Add(-maxPast)) {
		return store.MetricPoint{}, errorf(InvalidParameterValue, "The parameter %s must specify a time within the past two weeks.", param("Timestamp"))
	}
	unit := d.Unit
	if unit == "" {
		unit = "None"
	}
	if !validUnit(unit) {
		return store.MetricPoint{}, errorf(InvalidParameterValue, "The value %s for parameter %s is invalid.", unit, param("Unit"))
	}
	res := d.StorageResolution
	if res == 0 {
		res = 60
	}
	if res != 1 && res != 60 {
		return store.MetricPoint{}, errorf(InvalidParameterValue, "The value %d for parameter %s is invalid.", res, param("StorageResolution"))
	}
	p := store.MetricPoint{
		Key:        store.MetricKey{Namespace: d.Namespace, Name: d.Name, Dimensions: dims},
		PointValue: store.PointValue{Timestamp: d.Timestamp.UnixMilli(), Resolution: res, Unit: unit},
	}
	hasValues := len(d.Values) > 0
	switch {
	case d.Stats != nil && hasValues:
		return p, errorf(InvalidParameterCombination, "The parameters %s and %s are mutually exclusive and you have specified both.", param("StatisticValues"), param("Values"))
	case d.Stats != nil:
		s := d.Stats
		for _, v := range []struct {
			name string
			v    float64
		}{{"SampleCount", s.SampleCount}, {"Sum", s.Sum}, {"Minimum", s.Minimum}, {"Maximum", s.Maximum}} {
			if err := checkValue(v.v, param("StatisticValues."+v.name)); err != nil {
				return p, err
			}
		}
		if s.SampleCount <= 0 || s.Minimum > s.Maximum {
			return p, errorf(InvalidParameterValue, "The values for parameter %s are invalid: SampleCount must be positive and Minimum at most Maximum.", param("StatisticValues"))
		}
		p.Count, p.Sum, p.Min, p.Max = s.SampleCount, s.Sum, s.Minimum, s.Maximum
	case hasValues:
		if err := aggregateValues(&p, d.Values, d.Counts, param); err != nil {
			return p, err
		}
	default:
		if err := checkValue(d.Value, param("Value")); err != nil {
			return p, err
		}
		p.Count, p.Sum, p.Min, p.Max = 1, d.Value, d.Value, d.Value
	}
	return p, nil
}

func aggregateValues(p *store.MetricPoint, values, counts []float64, param func(string) string) error {
	if len(values) > maxValues {
		return errorf(InvalidParameterValue, "The collection %s must not have a size greater than %d.", param("Values"), maxValues)
	}
	if counts != nil && len(counts) != len(values) {
		return errorf(InvalidParameterValue, "The parameters %s and %s must be of the same size.", param("Values"), param("Counts"))
	}
	p.Min, p.Max = math.Inf(1), math.Inf(-1)
	for i, v := range values {
		if err := checkValue(v, fmt.Sprintf("%s.member.%d", param("Values"), i+1)); err != nil {
			return err
		}
		c := 1.0
		if counts != nil {
			c = counts[i]
			if err := checkValue(c, fmt.Sprintf("%s.member.%d", param("Counts"), i+1)); err != nil || c < 0 {
				return errorf(InvalidParameterValue, "The value %v for parameter %s.member.%d is invalid.", c, param("Counts"), i+1)
			}
		}
		if c == 0 {
			continue
		}
		p.Count += c
		p.Sum += v * c
		p.Min, p.Max = min(p.Min, v), max(p.Max, v)
	}
	if p.Count == 0 {
		return errorf(InvalidParameterValue, "The parameter %s must have at least one value with a positive count.", param("Counts"))
	}
	p.Dist = EncodeDistribution(values, counts)
	return nil
}

// checkValue refuses what CloudWatch refuses: NaN, infinities and values
// outside ±2^360.
func checkValue(v float64, param string) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > maxMagnitude {
		return errorf(InvalidParameterValue, "The value %v for parameter %s is invalid.", v, param)
	}
	return nil
}

// canonicalDimensions validates dimensions and encodes them sorted by name.
func canonicalDimensions(dims []Dimension, param func(string) string) (string, error) {
	if len(dims) > maxDimensions {
		return "", errorf(InvalidParameterValue, "The collection %s must not have a size greater than %d.", param("Dimensions"), maxDimensions)
	}
	sorted := slices.Clone(dims)
	slices.SortFunc(sorted, func(a, b Dimension) int { return strings.Compare(a.Name, b.Name) })
	pairs := make([][2]string, len(sorted))
	for i, d := range sorted {
		if d.Name == "" || d.Value == "" {
			return "", errorf(MissingParameter, "The parameter %s.member.%d.%s is required.", param("Dimensions"), i+1, map[bool]string{true: "Name", false: "Value"}[d.Name == ""])
		}
		if i > 0 && sorted[i-1].Name == d.Name {
			return "", errorf(InvalidParameterValue, "The collection %s must not have duplicate dimension names: %s.", param("Dimensions"), d.Name)
		}
		pairs[i] = [2]string{d.Name, d.Value}
	}
	b, _ := json.Marshal(pairs)
	return string(b), nil
}

// DecodeDimensions reads a canonical dimension encoding.
func DecodeDimensions(s string) []Dimension {
	var pairs [][2]string
	_ = json.Unmarshal([]byte(s), &pairs)
	out := make([]Dimension, len(pairs))
	for i, p := range pairs {
		out[i] = Dimension{Name: p[0], Value: p[1]}
	}
	return out
}
