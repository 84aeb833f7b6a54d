package alarms

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ComparisonOperator is how a datapoint is compared with the threshold, as
// PutMetricAlarm's ComparisonOperator.
type ComparisonOperator string

// The comparison operators. The last three compare with an anomaly
// detection band, the Lower and Upper of each datapoint.
const (
	GreaterThanOrEqualToThreshold            ComparisonOperator = "GreaterThanOrEqualToThreshold"
	GreaterThanThreshold                     ComparisonOperator = "GreaterThanThreshold"
	LessThanThreshold                        ComparisonOperator = "LessThanThreshold"
	LessThanOrEqualToThreshold               ComparisonOperator = "LessThanOrEqualToThreshold"
	LessThanLowerOrGreaterThanUpperThreshold ComparisonOperator = "LessThanLowerOrGreaterThanUpperThreshold"
	LessThanLowerThreshold                   ComparisonOperator = "LessThanLowerThreshold"
	GreaterThanUpperThreshold                ComparisonOperator = "GreaterThanUpperThreshold"
)

// Valid reports whether op is one of the operators.
func (op ComparisonOperator) Valid() bool {
	switch op {
	case GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold, LessThanOrEqualToThreshold,
		LessThanLowerOrGreaterThanUpperThreshold, LessThanLowerThreshold, GreaterThanUpperThreshold:
		return true
	}
	return false
}

// Band reports whether op compares with an anomaly detection band rather
// than the static threshold.
func (op ComparisonOperator) Band() bool {
	switch op {
	case LessThanLowerOrGreaterThanUpperThreshold, LessThanLowerThreshold, GreaterThanUpperThreshold:
		return true
	}
	return false
}

// Breaching reports whether p breaches: its value compared with threshold,
// or with its band for the band operators.
func (op ComparisonOperator) Breaching(p Datapoint, threshold float64) bool {
	v := p.Value
	switch op {
	case GreaterThanOrEqualToThreshold:
		return v >= threshold
	case GreaterThanThreshold:
		return v > threshold
	case LessThanThreshold:
		return v < threshold
	case LessThanOrEqualToThreshold:
		return v <= threshold
	case LessThanLowerOrGreaterThanUpperThreshold:
		return v < p.Lower || v > p.Upper
	case LessThanLowerThreshold:
		return v < p.Lower
	case GreaterThanUpperThreshold:
		return v > p.Upper
	}
	panic(fmt.Sprintf("BUG: alarms: comparison operator %q", string(op)))
}

// TreatMissingData is how an alarm treats missing datapoints, as
// PutMetricAlarm's TreatMissingData.
type TreatMissingData string

// The treatments of missing data; "" means TreatMissing, the default.
const (
	TreatMissing      TreatMissingData = "missing"
	TreatBreaching    TreatMissingData = "breaching"
	TreatNotBreaching TreatMissingData = "notBreaching"
	TreatIgnore       TreatMissingData = "ignore"
)

// State is an alarm's state value.
type State string

// The states of a metric alarm.
const (
	StateOK               State = "OK"
	StateAlarm            State = "ALARM"
	StateInsufficientData State = "INSUFFICIENT_DATA"
)

// Config is what Evaluate needs of a metric alarm.
type Config struct {
	// Period is the length of a datapoint's period: 10, 20, 30 s or a
	// multiple of a minute.
	Period time.Duration
	// EvaluationPeriods is N, the number of datapoints evaluated.
	EvaluationPeriods int
	// DatapointsToAlarm is M, the breaching datapoints of N that make
	// ALARM; 0 means unset, which is N and gives the short form of the
	// reason.
	DatapointsToAlarm int
	// Threshold is the static threshold (unused by the band operators).
	Threshold  float64
	Comparison ComparisonOperator
	// TreatMissing is the treatment of missing data; "" is TreatMissing.
	TreatMissing TreatMissingData
	// Statistic is the alarm's Statistic or ExtendedStatistic ("Average",
	// "p99"), written in StateReasonData and read for low sample counts;
	// "" for an alarm on metric math.
	Statistic string
	// Unit is the alarm's Unit, written in StateReasonData when set.
	Unit string
	// EvaluateLowSampleCountPercentile is "evaluate" (or "") or "ignore".
	EvaluateLowSampleCountPercentile string
}

// Validate reports what makes c an alarm Evaluate cannot evaluate. The API
// refuses such alarms first, with its own messages.
func (c Config) Validate() error {
	var errs []error
	if c.Period <= 0 || c.Period%time.Second != 0 {
		errs = append(errs, fmt.Errorf("period %v is not a positive number of seconds", c.Period))
	}
	if c.EvaluationPeriods < 1 {
		errs = append(errs, fmt.Errorf("evaluation periods %d is less than 1", c.EvaluationPeriods))
	}
	if c.DatapointsToAlarm < 0 || c.DatapointsToAlarm > c.EvaluationPeriods {
		errs = append(errs, fmt.Errorf("datapoints to alarm %d is not between 1 and the evaluation periods", c.DatapointsToAlarm))
	}
	if math.IsNaN(c.Threshold) || math.IsInf(c.Threshold, 0) {
		errs = append(errs, fmt.Errorf("threshold %v is not a number", c.Threshold))
	}
	if !c.Comparison.Valid() {
		errs = append(errs, fmt.Errorf("unknown comparison operator %q", c.Comparison))
	}
	switch c.TreatMissing {
	case "", TreatMissing, TreatBreaching, TreatNotBreaching, TreatIgnore:
	default:
		errs = append(errs, fmt.Errorf("unknown treatment of missing data %q", c.TreatMissing))
	}
	switch c.EvaluateLowSampleCountPercentile {
	case "", "evaluate", "ignore":
	default:
		errs = append(errs, fmt.Errorf("unknown EvaluateLowSampleCountPercentile %q", c.EvaluateLowSampleCountPercentile))
	}
	return errors.Join(errs...)
}

// m returns the datapoints to alarm, N when unset.
func (c Config) m() int {
	if c.DatapointsToAlarm == 0 {
		return c.EvaluationPeriods
	}
	return c.DatapointsToAlarm
}

func (c Config) treatment() TreatMissingData {
	if c.TreatMissing == "" {
		return TreatMissing
	}
	return c.TreatMissing
}

// RangePeriods returns the number of periods of c's evaluation range:
// EvaluationPeriods + 2, the 5 of the guide's examples for 3 evaluation
// periods (see the package documentation).
func RangePeriods(c Config) int { return c.EvaluationPeriods + 2 }

// Window returns the evaluation range of c at now: RangePeriods periods,
// start inclusive and end exclusive, ending at now truncated to the minute
// (to the period when it is shorter). The composition root queries the
// alarm's metric over it with c.Period, and datapoint timestamps are the
// starts of their periods.
func Window(c Config, now time.Time) (start, end time.Time) {
	unit := time.Minute
	if c.Period < time.Minute {
		unit = c.Period
	}
	end = now.UTC().Truncate(unit)
	start = end.Add(-time.Duration(RangePeriods(c)) * c.Period)
	return start, end
}

// Datapoint is the value of one period of the evaluation range.
type Datapoint struct {
	// Timestamp is the start of the period.
	Timestamp time.Time
	// Value is the statistic's value. A datapoint whose value is NaN or
	// infinite counts as missing, as does, for the band operators, one
	// whose Lower or Upper is.
	Value float64
	// SampleCount is the number of samples the value was computed from;
	// 0 means unknown.
	SampleCount float64
	// Lower and Upper are the anomaly detection band for the band
	// operators.
	Lower, Upper float64
}

// Evaluated is a datapoint as Evaluate evaluated it.
type Evaluated struct {
	Datapoint
	// Filled reports a missing datapoint filled in by the treatment of
	// missing data; its Timestamp is its period's start and its Value 0.
	Filled bool
	// Breaching reports whether it counted as breaching.
	Breaching bool
}

// Result is the outcome of one evaluation.
type Result struct {
	// State is the alarm's state after the evaluation.
	State State
	// Changed reports State differs from the current state: only then is
	// the state, its reason and its data recorded and the actions run.
	Changed bool
	// Reason and ReasonData are the StateReason and StateReasonData of
	// State; both are empty when the state was kept without evaluating it
	// (ignore, low sample counts).
	Reason     string
	ReasonData []byte
	// Evaluated are the datapoints the state was decided on, oldest first.
	Evaluated []Evaluated
}

// lowSampleMinimum returns the sample count below which a datapoint of
// percentile statistic stat is too small to be significant, and whether
// stat is such a percentile: "fewer than 10/(1-percentile) data points"
// for percentiles in [0.5, 1), "fewer than 10/percentile" in (0, 0.5).
func lowSampleMinimum(stat string) (float64, bool) {
	rest, ok := strings.CutPrefix(stat, "p")
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseFloat(rest, 64)
	if err != nil || v <= 0 || v >= 100 || strings.Trim(rest, "0123456789.") != "" {
		return 0, false
	}
	p := v / 100
	if p >= 0.5 {
		return 10 / (1 - p), true
	}
	return 10 / p, true
}
