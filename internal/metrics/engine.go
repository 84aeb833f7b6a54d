package metrics

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
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
	return e.ingest(ctx, account, region, data, false)
}

// IngestAWS stores the data points of Vigil's own services, which alone
// may use the AWS/ namespaces (AWS/Events …), validated as Ingest does.
func (e *Engine) IngestAWS(ctx context.Context, account, region string, data []Datum) error {
	return e.ingest(ctx, account, region, data, true)
}

func (e *Engine) ingest(ctx context.Context, account, region string, data []Datum, aws bool) error {
	if len(data) > maxDatumsInPut {
		return errorf(InvalidParameterValue, "The collection MetricData must not have a size greater than %d.", maxDatumsInPut)
	}
	now := e.opt.Clock.Now()
	points := make([]store.MetricPoint, 0, len(data))
	for i, d := range data {
		if aws != strings.HasPrefix(d.Namespace, "AWS/") {
			if aws {
				return fmt.Errorf("BUG: a service's metric in namespace %q, outside AWS/", d.Namespace)
			}
			return errorf(InvalidParameterValue, "The value %s for parameter Namespace is invalid.", d.Namespace)
		}
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
	param := paramPath{prefix: "MetricData.member.", n: n}
	if d.Namespace == "" {
		return store.MetricPoint{}, errorf(MissingParameter, "The parameter Namespace is required.")
	}
	if d.Name == "" {
		return store.MetricPoint{}, errorf(MissingParameter, "The parameter %s is required.", param.name("MetricName"))
	}
	dims, err := canonicalDimensions(d.Dimensions, param)
	if err != nil {
		return store.MetricPoint{}, err
	}
	if d.Timestamp.IsZero() {
		d.Timestamp = now
	}
	if d.Timestamp.After(now.Add(maxFuture)) {
		return store.MetricPoint{}, errorf(InvalidParameterValue, "The parameter %s must specify a time no more than two hours in the future.", param.name("Timestamp"))
	}
	if d.Timestamp.Before(now.Add(-maxPast)) {
		return store.MetricPoint{}, errorf(InvalidParameterValue, "The parameter %s must specify a time within the past two weeks.", param.name("Timestamp"))
	}
	unit := d.Unit
	if unit == "" {
		unit = "None"
	}
	if !validUnit(unit) {
		return store.MetricPoint{}, errorf(InvalidParameterValue, "The value %s for parameter %s is invalid.", unit, param.name("Unit"))
	}
	res := d.StorageResolution
	if res == 0 {
		res = 60
	}
	if res != 1 && res != 60 {
		return store.MetricPoint{}, errorf(InvalidParameterValue, "The value %d for parameter %s is invalid.", res, param.name("StorageResolution"))
	}
	p := store.MetricPoint{
		Key:        store.MetricKey{Namespace: d.Namespace, Name: d.Name, Dimensions: dims},
		PointValue: store.PointValue{Timestamp: d.Timestamp.UnixMilli(), Resolution: res, Unit: unit},
	}
	switch {
	case len(d.Values) > 0:
		if err := aggregateValues(&p, d.Values, d.Counts, param); err != nil {
			return p, err
		}
		// The CloudWatch agent sends its StatsD, collectd and histogram
		// distributions as Values and Counts (approximate bucket values,
		// which may fall outside Minimum and Maximum) together with
		// StatisticValues (exact): the values give the percentiles, the
		// statistic set the count, sum, minimum and maximum.
		if d.Stats != nil {
			if err := statisticSet(&p, d.Stats, param); err != nil {
				return p, err
			}
		}
	case d.Stats != nil:
		if err := statisticSet(&p, d.Stats, param); err != nil {
			return p, err
		}
	default:
		if !validValue(d.Value) {
			return p, invalidValue(d.Value, param.name("Value"))
		}
		p.Count, p.Sum, p.Min, p.Max = 1, d.Value, d.Value, d.Value
	}
	return p, nil
}

// statisticSet validates a datum's StatisticValues and takes the point's
// count, sum, minimum and maximum from them.
func statisticSet(p *store.MetricPoint, s *StatisticSet, param paramPath) error {
	for _, v := range []struct {
		name string
		v    float64
	}{{"SampleCount", s.SampleCount}, {"Sum", s.Sum}, {"Minimum", s.Minimum}, {"Maximum", s.Maximum}} {
		if !validValue(v.v) {
			return invalidValue(v.v, param.name("StatisticValues."+v.name))
		}
	}
	if s.SampleCount <= 0 || s.Minimum > s.Maximum {
		return errorf(InvalidParameterValue, "The values for parameter %s are invalid: SampleCount must be positive and Minimum at most Maximum.", param.name("StatisticValues"))
	}
	p.Count, p.Sum, p.Min, p.Max = s.SampleCount, s.Sum, s.Minimum, s.Maximum
	return nil
}

func aggregateValues(p *store.MetricPoint, values, counts []float64, param paramPath) error {
	if len(values) > maxValues {
		return errorf(InvalidParameterValue, "The collection %s must not have a size greater than %d.", param.name("Values"), maxValues)
	}
	if counts != nil && len(counts) != len(values) {
		return errorf(InvalidParameterValue, "The parameters %s and %s must be of the same size.", param.name("Values"), param.name("Counts"))
	}
	p.Min, p.Max = math.Inf(1), math.Inf(-1)
	for i, v := range values {
		if !validValue(v) {
			return invalidValue(v, fmt.Sprintf("%s.member.%d", param.name("Values"), i+1))
		}
		c := 1.0
		if counts != nil {
			c = counts[i]
			if !validValue(c) || c < 0 {
				return invalidValue(c, fmt.Sprintf("%s.member.%d", param.name("Counts"), i+1))
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
		return errorf(InvalidParameterValue, "The parameter %s must have at least one value with a positive count.", param.name("Counts"))
	}
	p.Dist = EncodeDistribution(values, counts)
	return nil
}

// validValue reports whether CloudWatch accepts a value: not NaN nor
// infinite, within ±2^360.
func validValue(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0) && math.Abs(v) <= maxMagnitude
}

func invalidValue(v float64, param string) error {
	return errorf(InvalidParameterValue, "The value %v for parameter %s is invalid.", v, param)
}

// paramPath names the members of a parameter in messages: prefix, then
// n (when not 0) and a dot, then the member ("MetricData.member.3.Value").
// It is a value, so that naming costs nothing until a message needs it.
type paramPath struct {
	prefix string
	n      int
}

func (p paramPath) name(member string) string {
	if p.n == 0 {
		return p.prefix + member
	}
	return p.prefix + strconv.Itoa(p.n) + "." + member
}

// maxSortedInPlace is how many dimensions are sorted on the stack.
const maxSortedInPlace = 8

// canonicalDimensions validates dimensions and encodes them sorted by
// name, as the JSON array of [name, value] pairs encoding/json writes.
func canonicalDimensions(dims []Dimension, param paramPath) (string, error) {
	if len(dims) > maxDimensions {
		return "", errorf(InvalidParameterValue, "The collection %s must not have a size greater than %d.", param.name("Dimensions"), maxDimensions)
	}
	var buf [maxSortedInPlace]Dimension
	sorted := append(buf[:0], dims...)
	// Insertion sort: dimension lists are short.
	for i := 1; i < len(sorted); i++ {
		for j := i; j > 0 && sorted[j].Name < sorted[j-1].Name; j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	b := make([]byte, 0, 64)
	b = append(b, '[')
	for i, d := range sorted {
		if d.Name == "" || d.Value == "" {
			return "", errorf(MissingParameter, "The parameter %s.member.%d.%s is required.", param.name("Dimensions"), i+1, map[bool]string{true: "Name", false: "Value"}[d.Name == ""])
		}
		if i > 0 && sorted[i-1].Name == d.Name {
			return "", errorf(InvalidParameterValue, "The collection %s must not have duplicate dimension names: %s.", param.name("Dimensions"), d.Name)
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = appendJSONString(b, d.Name)
		b = append(b, ',')
		b = appendJSONString(b, d.Value)
		b = append(b, ']')
	}
	return string(append(b, ']')), nil
}

// appendJSONString appends s as encoding/json writes it.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
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
