package anomaly

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/vigilhq/vigil/internal/metrics/series"
)

// The states of an anomaly detector's training, as DescribeAnomalyDetectors
// reports them in StateValue.
const (
	// PendingTraining is the state of a model with no data to train
	// on yet.
	PendingTraining = "PENDING_TRAINING"
	// TrainedInsufficientData is the state of a model trained on less
	// history than MinHistory or MinPoints: it draws no band yet.
	TrainedInsufficientData = "TRAINED_INSUFFICIENT_DATA"
	// Trained is the state of a model that draws a band.
	Trained = "TRAINED"
)

const (
	// TrainingWindow is how much history a model learns from, ending at
	// the last data point: "The algorithm trains on up to two weeks of
	// metric data".
	TrainingWindow = 14 * 24 * time.Hour
	// MinHistory is the least span of usable history (from the first
	// to the end of the last usable period) for a model to be
	// Trained: one full daily cycle. CloudWatch documents no minimum;
	// with less than a day the model could not tell a metric's normal
	// nightly low from an outage.
	MinHistory = 24 * time.Hour
	// MinPoints is the least number of usable data points for a model
	// to be Trained, so that its scale is measured rather than guessed.
	MinPoints = 12
)

// TimeRange is a range of time excluded from training, from Start
// (inclusive) to End (exclusive). A data point is excluded when its period
// overlaps the range.
type TimeRange struct {
	Start, End time.Time
}

// Config is how a model is trained: PutAnomalyDetector's Configuration
// and MetricCharacteristics, and the statistic's logical range.
type Config struct {
	// Excluded are time ranges whose data the model does not learn from
	// (ExcludedTimeRanges): deployments, outages, holidays.
	Excluded []TimeRange
	// Location is the metric's time zone (MetricTimezone) in which the
	// daily and weekly patterns repeat, so that they follow daylight
	// saving time changes. Nil means UTC.
	Location *time.Location
	// PeriodicSpikes (MetricCharacteristics.PeriodicSpikes) says that
	// the metric's spikes are normal: the band widens upward to hold
	// spikes like those seen in training instead of flagging them.
	PeriodicSpikes bool
	// Min and Max, when set, are values the statistic cannot go beyond
	// (0 for a count, 0 and 100 for a percentage): the band is clamped
	// to them, as CloudWatch does for the metrics whose range it knows.
	Min, Max *float64
}

// Model is a trained anomaly detection model of one metric and statistic
// at one period. It is immutable and safe for concurrent use.
type Model struct {
	state    string
	period   int64
	loc      *time.Location
	exp      int // values were scaled by 2^-exp for training
	min, max float64

	base  baseline
	seas  seasonal
	sigma scaleModel
}

// trainSet is the training data: the usable points of the window, their
// values scaled into (-1, 1), and their wall-clock phases.
type trainSet struct {
	period      int64
	first, last int64
	t           []int64
	y           []float64
	pd, pw, ph  []int64   // phase in the day, week and hour
	resid       []float64 // scratch, one per point
}

func (ts *trainSet) span() int64 { return ts.last + ts.period - ts.first }

// Train fits a model to a metric's history: points at a regular period
// (seconds), possibly with gaps. It learns from the last TrainingWindow
// of the history, less the excluded ranges and any non-finite values.
// Errors report input no caller should pass: a period that is not
// positive, a malformed series, an inverted time range or Min above Max.
func Train(history series.Series, period int64, cfg Config) (*Model, error) {
	if err := validate(history, period, cfg); err != nil {
		return nil, fmt.Errorf("cannot train anomaly detection model: %w", err)
	}
	m := &Model{state: PendingTraining, period: period, loc: cfg.Location, min: math.Inf(-1), max: math.Inf(1)}
	if m.loc == nil {
		m.loc = time.UTC
	}
	if cfg.Min != nil {
		m.min = *cfg.Min
	}
	if cfg.Max != nil {
		m.max = *cfg.Max
	}
	ts, exp := prepare(history, period, cfg, m.loc)
	m.exp = exp
	switch {
	case len(ts.t) == 0:
		return m, nil
	case len(ts.t) < MinPoints || ts.span() < int64(MinHistory/time.Second):
		m.state = TrainedInsufficientData
		return m, nil
	}
	m.state = Trained
	m.fit(ts, cfg.PeriodicSpikes)
	return m, nil
}

func validate(h series.Series, period int64, cfg Config) error {
	if period <= 0 {
		return fmt.Errorf("period %d is not positive", period)
	}
	if len(h.Timestamps) != len(h.Values) {
		return fmt.Errorf("series has %d timestamps but %d values", len(h.Timestamps), len(h.Values))
	}
	for i := 1; i < len(h.Timestamps); i++ {
		if h.Timestamps[i] <= h.Timestamps[i-1] {
			return fmt.Errorf("series timestamps are not strictly ascending at index %d", i)
		}
	}
	for _, r := range cfg.Excluded {
		if r.End.Before(r.Start) {
			return fmt.Errorf("excluded time range ends (%s) before it starts (%s)", r.End.Format(time.RFC3339), r.Start.Format(time.RFC3339))
		}
	}
	if cfg.Min != nil && math.IsNaN(*cfg.Min) || cfg.Max != nil && math.IsNaN(*cfg.Max) {
		return errors.New("min or max is NaN")
	}
	if cfg.Min != nil && cfg.Max != nil && *cfg.Min > *cfg.Max {
		return fmt.Errorf("min %v is above max %v", *cfg.Min, *cfg.Max)
	}
	return nil
}

// prepare selects the usable points of the training window and scales
// their values by a power of two into (-1, 1), so that no arithmetic on
// them overflows whatever their magnitude. It returns the exponent.
func prepare(h series.Series, period int64, cfg Config, loc *time.Location) (*trainSet, int) {
	ts := &trainSet{period: period}
	n := len(h.Timestamps)
	if n == 0 {
		return ts, 0
	}
	start := h.Timestamps[n-1] + period - int64(TrainingWindow/time.Second)
	ex := make([][2]int64, len(cfg.Excluded))
	for i, r := range cfg.Excluded {
		ex[i] = [2]int64{r.Start.Unix(), r.End.Unix()}
	}
	var vals []float64
	maxAbs := 0.0
points:
	for i, t := range h.Timestamps {
		v := h.Values[i]
		if t < start || math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		for _, r := range ex {
			if t < r[1] && t+period > r[0] {
				continue points
			}
		}
		ts.t = append(ts.t, t)
		vals = append(vals, v)
		maxAbs = max(maxAbs, math.Abs(v))
	}
	if len(ts.t) == 0 {
		return ts, 0
	}
	exp := 0
	if maxAbs > 0 {
		_, exp = math.Frexp(maxAbs)
	}
	ts.first, ts.last = ts.t[0], ts.t[len(ts.t)-1]
	ts.y = make([]float64, len(vals))
	ts.pd = make([]int64, len(vals))
	ts.pw = make([]int64, len(vals))
	ts.ph = make([]int64, len(vals))
	ts.resid = make([]float64, len(vals))
	z := zoneCache{loc: loc}
	for i, v := range vals {
		ts.y[i] = math.Ldexp(v, -exp)
		ls := z.local(ts.t[i])
		ts.pd[i], ts.pw[i], ts.ph[i] = phaseDay(ls), phaseWeek(ls), phaseHour(ls)
	}
	return ts, exp
}

// fit trains the model in two passes. The first takes the trend from
// daily medians of the raw values, chooses a seasonal structure for the
// detrended values and fits it. The second refits the trend, and looks
// for a level shift, on hourly medians of the values less their seasonal
// part, then chooses and fits the seasonal structure again. The band's
// scale comes from the second pass's out-of-fold residuals.
func (m *Model) fit(ts *trainSet, periodicSpikes bool) {
	n := len(ts.t)
	target := make([]float64, n)
	all := make([]int32, n)
	for i := range all {
		all[i] = int32(i)
	}

	var base baseline
	if ts.span() >= 3*day {
		base = ts.fitBaseline(ts.y, day, false)
	} else {
		base = baseline{tc: ts.first, tmin: ts.first, tmax: ts.last}
	}
	for i, t := range ts.t {
		target[i] = ts.y[i] - base.at(t)
	}
	kind, _ := ts.choose(target)
	seas := ts.fit(target, all, []structure{kind})[kind]

	z := make([]float64, n)
	for i := range z {
		z[i] = ts.y[i] - seas.atPoint(ts, int32(i))
	}
	base = ts.fitBaseline(z, max(ts.period, hour), true)
	for i, t := range ts.t {
		target[i] = ts.y[i] - base.at(t)
	}
	kind, oof := ts.choose(target)
	seas = ts.fit(target, all, []structure{kind})[kind]

	m.base, m.seas = base, *seas
	m.sigma = ts.fitScale(oof, kind.hasWeekly(), periodicSpikes, floorScale(ts.y))
}

// floorScale returns the least standard deviation of the band: relFloor
// of the median magnitude of the values (scaled), or of the largest if
// most are zero, or relFloor itself for an all-zero metric; and never less
// than 2^-1000 of the largest, so that it cannot underflow to zero.
func floorScale(y []float64) float64 {
	a := make([]float64, len(y))
	big := 0.0
	for i, v := range y {
		a[i] = math.Abs(v)
		big = max(big, a[i])
	}
	const least = 0x1p-1000 // the values are scaled to at most 1
	if med := median(a); med > 0 {
		return max(relFloor*med, least)
	}
	if big > 0 {
		return max(relFloor*big, least)
	}
	return relFloor
}

// State returns the model's training state: PendingTraining without any
// usable data, TrainedInsufficientData with less than MinHistory or
// MinPoints of it, else Trained. A nil model is PendingTraining.
func (m *Model) State() string {
	if m == nil {
		return PendingTraining
	}
	return m.state
}

// Band returns, for each timestamp (Unix seconds, the start of a period),
// the model's expected value and the band's lower and upper bounds,
// stddevs standard deviations away from it; a NaN or negative stddevs
// counts as 0. A model that is not Trained draws no band: the slices are
// nil. Beyond the training data the trend is extrapolated for at most a
// day, then held.
func (m *Model) Band(timestamps []int64, stddevs float64) (expected, lower, upper []float64) {
	if m.State() != Trained {
		return nil, nil, nil
	}
	if !(stddevs > 0) {
		stddevs = 0
	}
	expected = make([]float64, len(timestamps))
	lower = make([]float64, len(timestamps))
	upper = make([]float64, len(timestamps))
	z := zoneCache{loc: m.loc}
	for i, t := range timestamps {
		ls := z.local(t)
		e := m.base.at(t) + m.seas.at(ls)
		down, up := m.sigma.at(ls)
		lo, hi := e, e
		if stddevs > 0 {
			lo, hi = e-stddevs*down, e+stddevs*up
		}
		expected[i] = m.clamp(math.Ldexp(e, m.exp))
		lower[i] = m.clamp(math.Ldexp(lo, m.exp))
		upper[i] = m.clamp(math.Ldexp(hi, m.exp))
	}
	return expected, lower, upper
}

func (m *Model) clamp(v float64) float64 { return min(max(v, m.min), m.max) }
