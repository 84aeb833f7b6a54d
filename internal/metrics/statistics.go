package metrics

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/vigilhq/vigil/internal/metrics/stats"
	"github.com/vigilhq/vigil/internal/store"
)

// StatisticsQuery is a GetMetricStatistics request.
type StatisticsQuery struct {
	Metric     MetricID
	Start, End time.Time
	Period     int64
	// Statistics and Extended are the Statistics and ExtendedStatistics
	// parameters: exactly one is given.
	Statistics, Extended []string
	// Unit keeps the data put with that unit; "" keeps all.
	Unit string
}

// Datapoint is one period's statistics.
type Datapoint struct {
	Timestamp time.Time
	Unit      string
	// Values holds the statistics that have a value, by name as asked.
	Values map[string]float64
}

// maxStatisticsPoints is GetMetricStatistics' limit on data points.
const maxStatisticsPoints = 1440

// GetMetricStatistics returns the statistics of a metric by period, in
// time order, and the metric's label.
func (e *Engine) GetMetricStatistics(ctx context.Context, sc Scope, q StatisticsQuery) (string, []Datapoint, error) {
	sts, err := stats.ParseGetMetricStatistics(q.Statistics, q.Extended)
	if err != nil {
		return "", nil, statsError(err)
	}
	if !q.Start.Before(q.End) {
		return "", nil, errorf(InvalidParameterValue, "The parameter StartTime must be less than the parameter EndTime.")
	}
	if !validPeriod(q.Period) {
		return "", nil, errorf(InvalidParameterValue, "The parameter Period must be 1, 5, 10, 20, 30, or a multiple of 60.")
	}
	if q.Unit != "" && !validUnit(q.Unit) {
		return "", nil, errorf(InvalidParameterValue, "The value %s for parameter Unit is invalid.", q.Unit)
	}
	now := e.opt.Clock.Now()
	start, end := roundStart(q.Start, now, q.Period), q.End.Unix()
	if n := (end - start + q.Period - 1) / q.Period; n > maxStatisticsPoints {
		return "", nil, errorf(InvalidParameterCombination, "You have requested up to %d datapoints, which exceeds the limit of %d. You may reduce the datapoints requested by increasing Period, or decreasing the time range.", n, maxStatisticsPoints)
	}
	key, err := sc.key(q.Metric, paramPath{})
	if err != nil {
		return "", nil, err
	}
	label := q.Metric.Name
	if !periodAvailable(q.Start, now, q.Period) {
		return label, nil, nil
	}
	found, err := e.opt.Store.LookupMetrics(ctx, []store.MetricKey{key})
	if err != nil || len(found) == 0 {
		return label, nil, err
	}
	dist := false
	for _, st := range sts {
		dist = dist || st.Extended()
	}
	data, err := e.fetch(ctx, fetchQuery{ids: []int64{found[0].ID}, start: start, end: end, period: q.Period, unit: q.Unit, dist: dist})
	if err != nil {
		return "", nil, err
	}
	p := data[found[0].ID]
	if p == nil {
		return label, nil, nil
	}
	var out []Datapoint
	for i, o := range p.obs {
		d := Datapoint{Timestamp: time.Unix(p.times[i], 0).UTC(), Unit: o.unit, Values: map[string]float64{}}
		if q.Unit != "" {
			d.Unit = q.Unit
		}
		for _, st := range sts {
			if v, ok := value(st, o); ok {
				d.Values[st.String()] = v
			}
		}
		out = append(out, d)
	}
	return label, out, nil
}

// statsError turns a refused statistic into an engine error.
func statsError(err error) error {
	var ae *stats.APIError
	if !errors.As(err, &ae) {
		return err
	}
	switch ae.Code {
	case stats.CodeInvalidParameterCombination:
		return &Error{Code: InvalidParameterCombination, Message: ae.Message}
	case stats.CodeValidationError:
		return &Error{Code: ValidationError, Message: ae.Message}
	}
	return &Error{Code: InvalidParameterValue, Message: ae.Message}
}

// validUnit reports whether a unit is a CloudWatch standard unit.
func validUnit(u string) bool { return slices.Contains(Units, u) }
