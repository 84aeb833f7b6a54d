package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/vigilhq/vigil/internal/metrics/anomaly"
	"github.com/vigilhq/vigil/internal/metrics/mathexpr"
	"github.com/vigilhq/vigil/internal/metrics/series"
	"github.com/vigilhq/vigil/internal/metrics/stats"
	"github.com/vigilhq/vigil/internal/store"
)

// AnomalyDetector is an anomaly detection model: of a single metric and
// statistic, or of a metric math expression.
type AnomalyDetector struct {
	// Metric and Stat are a single-metric detector's.
	Metric *MetricID
	Stat   string
	// MathQueries are a metric math detector's queries: one returns data.
	MathQueries []Query
	// Excluded are the time ranges the model does not learn from.
	Excluded []anomaly.TimeRange
	// Timezone is the IANA time zone of the metric's daily and weekly
	// patterns ("" for UTC).
	Timezone       string
	PeriodicSpikes bool
	// State is the model's training state (anomaly.Trained, …), set by
	// DescribeAnomalyDetectors.
	State string
}

// detectorSpec is what identifies a detector, stored as JSON.
type detectorSpec struct {
	Namespace  string  `json:"namespace,omitempty"`
	Name       string  `json:"name,omitempty"`
	Dimensions string  `json:"dimensions,omitempty"`
	Stat       string  `json:"stat,omitempty"`
	Math       []Query `json:"math,omitempty"`
}

// detectorConfig is a detector's configuration, stored as JSON.
type detectorConfig struct {
	Excluded       []anomaly.TimeRange `json:"excluded,omitempty"`
	Timezone       string              `json:"timezone,omitempty"`
	PeriodicSpikes bool                `json:"periodicSpikes,omitempty"`
}

// detectorHistory is how much history a model learns from.
const detectorHistory = anomaly.TrainingWindow

// spec validates a detector and returns its identity.
func (d *AnomalyDetector) spec() (detectorSpec, error) {
	switch {
	case d.Metric != nil && d.MathQueries != nil:
		return detectorSpec{}, errorf(InvalidParameterCombination, "An anomaly detector is either of a single metric or of a metric math expression, not both.")
	case d.MathQueries != nil:
		return mathSpec(d.MathQueries)
	case d.Metric == nil || d.Metric.Namespace == "" || d.Metric.Name == "" || d.Stat == "":
		return detectorSpec{}, errorf(MissingParameter, "The parameters Namespace, MetricName and Stat, or a MetricMathAnomalyDetector, are required.")
	}
	if _, err := stats.ParseStat(d.Stat, "Stat"); err != nil {
		return detectorSpec{}, errorf(InvalidParameterValue, "The value %s for parameter Stat is not a valid statistic.", d.Stat)
	}
	dims, err := canonicalDimensions(d.Metric.Dimensions, paramPath{})
	if err != nil {
		return detectorSpec{}, err
	}
	return detectorSpec{Namespace: d.Metric.Namespace, Name: d.Metric.Name, Dimensions: dims, Stat: d.Stat}, nil
}

// mathSpec validates the queries of a metric math detector: they must
// plan as GetMetricData's and exactly one must return data.
func mathSpec(qs []Query) (detectorSpec, error) {
	planned := make([]mathexpr.Query, len(qs))
	returning := 0
	for i, q := range qs {
		planned[i] = mathexpr.Query{ID: q.ID, Expression: q.Expression}
		if q.ReturnData == nil || *q.ReturnData {
			returning++
		}
		if q.Stat == nil && q.Expression == "" || mathexpr.IsInsightsQuery(q.Expression) {
			return detectorSpec{}, errorf(InvalidParameterValue, "The metric data query %s of an anomaly detector must be a metric or a metric math expression.", q.ID)
		}
	}
	if returning != 1 {
		return detectorSpec{}, errorf(InvalidParameterValue, "Exactly one of the metric data queries of a MetricMathAnomalyDetector must have ReturnData set to true; %d have.", returning)
	}
	if _, err := mathexpr.PlanQueries(planned); err != nil {
		return detectorSpec{}, mathError(err)
	}
	return detectorSpec{Math: qs}, nil
}

func (d *AnomalyDetector) config() (detectorConfig, error) {
	for i, r := range d.Excluded {
		if !r.Start.Before(r.End) {
			return detectorConfig{}, errorf(InvalidParameterValue, "The value of Configuration.ExcludedTimeRanges.member.%d is invalid: StartTime must be before EndTime.", i+1)
		}
	}
	if d.Timezone != "" {
		if _, err := time.LoadLocation(d.Timezone); err != nil {
			return detectorConfig{}, errorf(InvalidParameterValue, "The value %s for parameter Configuration.MetricTimezone is invalid.", d.Timezone)
		}
	}
	return detectorConfig{Excluded: d.Excluded, Timezone: d.Timezone, PeriodicSpikes: d.PeriodicSpikes}, nil
}

// PutAnomalyDetector creates an anomaly detector or replaces its
// configuration.
func (e *Engine) PutAnomalyDetector(ctx context.Context, sc Scope, d AnomalyDetector) error {
	spec, err := d.spec()
	if err != nil {
		return err
	}
	cfg, err := d.config()
	if err != nil {
		return err
	}
	s, _ := json.Marshal(spec)
	c, _ := json.Marshal(cfg)
	return e.opt.Store.PutAnomalyDetector(ctx, sc.Account, sc.Region, store.AnomalyDetector{Spec: string(s), Configuration: string(c), Created: e.opt.Clock.Now().UnixMilli()})
}

// DeleteAnomalyDetector deletes an anomaly detector.
func (e *Engine) DeleteAnomalyDetector(ctx context.Context, sc Scope, d AnomalyDetector) error {
	spec, err := d.spec()
	if err != nil {
		return err
	}
	s, _ := json.Marshal(spec)
	err = e.opt.Store.DeleteAnomalyDetector(ctx, sc.Account, sc.Region, string(s))
	if errors.Is(err, store.ErrNotFound) {
		return errorf(ResourceNotFound, "No anomaly detection model found for the specified metric.")
	}
	return err
}

// DetectorQuery is a DescribeAnomalyDetectors request.
type DetectorQuery struct {
	Namespace, Name string
	// Dimensions keeps the detectors whose metric has all of them.
	Dimensions []Dimension
	// Types keeps SINGLE_METRIC and/or METRIC_MATH detectors (all when
	// empty).
	Types      []string
	MaxResults int
	NextToken  string
}

// DescribeAnomalyDetectors lists anomaly detectors with their training
// state, 100 a page by default.
func (e *Engine) DescribeAnomalyDetectors(ctx context.Context, sc Scope, q DetectorQuery) ([]AnomalyDetector, string, error) {
	all, err := e.opt.Store.AnomalyDetectors(ctx, sc.Account, sc.Region)
	if err != nil {
		return nil, "", err
	}
	offset := 0
	if q.NextToken != "" {
		if offset, err = strconv.Atoi(q.NextToken); err != nil || offset < 0 {
			return nil, "", errorf(InvalidNextToken, "The service cannot complete the request because the NextToken is invalid.")
		}
	}
	if q.MaxResults <= 0 {
		q.MaxResults = 100
	}
	var out []AnomalyDetector
	matched := 0
	for _, rec := range all {
		d, spec, err := decodeDetector(rec)
		if err != nil {
			return nil, "", err
		}
		if !q.matches(d, spec) {
			continue
		}
		if matched++; matched <= offset {
			continue
		}
		if len(out) == q.MaxResults {
			return out, strconv.Itoa(offset + len(out)), nil
		}
		if d.State, err = e.detectorState(ctx, sc, d); err != nil {
			return nil, "", err
		}
		out = append(out, d)
	}
	return out, "", nil
}

func (q *DetectorQuery) matches(d AnomalyDetector, spec detectorSpec) bool {
	typ := "SINGLE_METRIC"
	if d.MathQueries != nil {
		typ = "METRIC_MATH"
	}
	if len(q.Types) > 0 && !slices.Contains(q.Types, typ) {
		return false
	}
	if q.Namespace == "" && q.Name == "" && len(q.Dimensions) == 0 {
		return true
	}
	if d.Metric == nil || q.Namespace != "" && spec.Namespace != q.Namespace || q.Name != "" && spec.Name != q.Name {
		return false
	}
	for _, want := range q.Dimensions {
		if !slices.Contains(d.Metric.Dimensions, want) {
			return false
		}
	}
	return true
}

func decodeDetector(rec store.AnomalyDetector) (AnomalyDetector, detectorSpec, error) {
	var spec detectorSpec
	var cfg detectorConfig
	if err := json.Unmarshal([]byte(rec.Spec), &spec); err != nil {
		return AnomalyDetector{}, spec, fmt.Errorf("stored anomaly detector: %w", err)
	}
	if err := json.Unmarshal([]byte(rec.Configuration), &cfg); err != nil {
		return AnomalyDetector{}, spec, fmt.Errorf("stored anomaly detector: %w", err)
	}
	d := AnomalyDetector{Excluded: cfg.Excluded, Timezone: cfg.Timezone, PeriodicSpikes: cfg.PeriodicSpikes, MathQueries: spec.Math}
	if spec.Math == nil {
		d.Metric = &MetricID{Namespace: spec.Namespace, Name: spec.Name, Dimensions: DecodeDimensions(spec.Dimensions)}
		d.Stat = spec.Stat
	}
	return d, spec, nil
}

// detectorState trains a detector's model on its history, at five
// minutes (CloudWatch's default for anomaly detection), to tell its state.
func (e *Engine) detectorState(ctx context.Context, sc Scope, d AnomalyDetector) (string, error) {
	const period = 300
	end := e.opt.Clock.Now()
	q := DataQuery{Start: end.Add(-detectorHistory), End: end, ScanBy: "TimestampAscending"}
	if d.Metric != nil {
		q.Queries = []Query{{ID: "m", Stat: &MetricStat{Metric: *d.Metric, Period: period, Stat: d.Stat}}}
	} else {
		q.Queries = d.MathQueries
	}
	res, err := e.GetMetricData(ctx, sc, q)
	if err != nil {
		return "", err
	}
	var history series.Series
	if len(res.Results) > 0 {
		r := res.Results[0]
		history.Values = r.Values
		for _, t := range r.Timestamps {
			history.Timestamps = append(history.Timestamps, t.Unix())
		}
	}
	cfg, err := d.modelConfig()
	if err != nil {
		return "", err
	}
	m, err := anomaly.Train(history, period, cfg)
	if err != nil {
		return "", err
	}
	return m.State(), nil
}

func (d *AnomalyDetector) modelConfig() (anomaly.Config, error) {
	cfg := anomaly.Config{Excluded: d.Excluded, PeriodicSpikes: d.PeriodicSpikes}
	if d.Timezone != "" {
		loc, err := time.LoadLocation(d.Timezone)
		if err != nil {
			return cfg, err
		}
		cfg.Location = loc
	}
	if st, err := stats.Parse(d.Stat); err == nil {
		cfg.Min, cfg.Max = statisticRange(st)
	}
	return cfg, nil
}

// statisticRange is the range a statistic cannot leave whatever the
// metric: counts are never negative, percentile ranks are percentages.
func statisticRange(st stats.Statistic) (lo, hi *float64) {
	zero, hundred := 0.0, 100.0
	switch st.Kind() {
	case stats.SampleCount, stats.TrimmedCount:
		return &zero, nil
	case stats.PercentileRank:
		return &zero, &hundred
	}
	return nil, nil
}

// anomalyBand computes ANOMALY_DETECTION_BAND for a series of the request.
// A series retrieved from a metric learns from that metric's two weeks of
// history, with the configuration of the metric's detector when it has
// one; any other series (an expression's) learns from its own points.
func (v *dataEnv) AnomalyBand(s mathexpr.Series, stddevs float64) (lower, upper mathexpr.Series, err error) {
	period := s.Period
	if period == 0 {
		period = v.Period()
	}
	d := AnomalyDetector{}
	history := s.Series
	if raw, ok := v.rawMetric(s); ok {
		d.Metric, d.Stat = &raw.Metric, raw.Stat
		if err := v.detectorConfig(&d); err != nil {
			return lower, upper, err
		}
		data, err := v.e.fetch(v.ctx, fetchQuery{ids: []int64{raw.id}, start: floor(v.end-int64(detectorHistory.Seconds()), period), end: v.end,
			period: period, unit: raw.Unit, dist: stats.MustParse(raw.Stat).Extended()})
		if err != nil {
			return lower, upper, err
		}
		history = data[raw.id].series(stats.MustParse(raw.Stat))
	}
	cfg, err := d.modelConfig()
	if err != nil {
		return lower, upper, err
	}
	m, err := anomaly.Train(history, period, cfg)
	if err != nil {
		return lower, upper, err
	}
	var ts []int64
	for t := roundStart(v.startTime, v.now, period); t < v.end; t += period {
		ts = append(ts, t)
	}
	_, lo, hi := m.Band(ts, stddevs)
	lower = mathexpr.Series{Period: period, Metric: s.Metric}
	upper = lower
	if lo != nil {
		lower.Timestamps, lower.Values = ts, lo
		upper.Timestamps, upper.Values = ts, hi
	}
	return lower, upper, nil
}

// detectorConfig applies the configuration of the single-metric detector
// of d's metric and statistic, if there is one.
func (v *dataEnv) detectorConfig(d *AnomalyDetector) error {
	spec, err := d.spec()
	if err != nil {
		return err
	}
	want, _ := json.Marshal(spec)
	all, err := v.e.opt.Store.AnomalyDetectors(v.ctx, v.sc.Account, v.sc.Region)
	if err != nil {
		return err
	}
	for _, rec := range all {
		if rec.Spec == string(want) {
			found, _, err := decodeDetector(rec)
			if err != nil {
				return err
			}
			d.Excluded, d.Timezone, d.PeriodicSpikes = found.Excluded, found.Timezone, found.PeriodicSpikes
		}
	}
	return nil
}
