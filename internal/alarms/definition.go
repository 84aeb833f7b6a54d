package alarms

import (
	"encoding/json"
	"fmt"
	"time"
)

// definitionVersion is the version of Definition's encoding; Decode
// refuses others, so that a store written by a newer Vigil is not read
// wrongly by an older one.
const definitionVersion = 1

// Definition is an alarm's configuration beyond its name, type and
// actions switch: what the store keeps as the alarm's opaque Definition,
// encoded by Encode. Its JSON names are short and fixed (a golden test
// pins them): renaming a field must not change what is on disk.
type Definition struct {
	Version     int    `json:"v,omitempty"`
	Description string `json:"description,omitempty"`
	// The actions of each state.
	OKActions               []string `json:"okActions,omitempty"`
	AlarmActions            []string `json:"alarmActions,omitempty"`
	InsufficientDataActions []string `json:"insufficientDataActions,omitempty"`

	// A metric alarm on one metric: its identity and statistic.
	Namespace         string      `json:"namespace,omitempty"`
	MetricName        string      `json:"metricName,omitempty"`
	Dimensions        []Dimension `json:"dimensions,omitempty"`
	Statistic         string      `json:"statistic,omitempty"`
	ExtendedStatistic string      `json:"extendedStatistic,omitempty"`
	// Period is in seconds; 0 for an alarm on Metrics, whose queries give
	// theirs.
	Period int64  `json:"period,omitempty"`
	Unit   string `json:"unit,omitempty"`
	// Metrics are the queries of an alarm on metric math, an anomaly
	// detection band or a Metrics Insights query.
	Metrics           []MetricQuery `json:"metrics,omitempty"`
	ThresholdMetricID string        `json:"thresholdMetricId,omitempty"`

	// How a metric alarm decides.
	EvaluationPeriods                int      `json:"evaluationPeriods,omitempty"`
	DatapointsToAlarm                int      `json:"datapointsToAlarm,omitempty"`
	Threshold                        *float64 `json:"threshold,omitempty"`
	ComparisonOperator               string   `json:"comparisonOperator,omitempty"`
	TreatMissingData                 string   `json:"treatMissingData,omitempty"`
	EvaluateLowSampleCountPercentile string   `json:"evaluateLowSampleCountPercentile,omitempty"`

	// A composite alarm: its rule and what suppresses its actions.
	AlarmRule                        string `json:"alarmRule,omitempty"`
	ActionsSuppressor                string `json:"actionsSuppressor,omitempty"`
	ActionsSuppressorWaitPeriod      int    `json:"actionsSuppressorWaitPeriod,omitempty"`
	ActionsSuppressorExtensionPeriod int    `json:"actionsSuppressorExtensionPeriod,omitempty"`
}

// Dimension is a metric's dimension.
type Dimension struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// MetricQuery is one of an alarm's Metrics, as a MetricDataQuery.
type MetricQuery struct {
	ID         string      `json:"id"`
	Expression string      `json:"expression,omitempty"`
	Label      string      `json:"label,omitempty"`
	ReturnData *bool       `json:"returnData,omitempty"`
	Period     int64       `json:"period,omitempty"`
	AccountID  string      `json:"accountId,omitempty"`
	MetricStat *MetricStat `json:"metricStat,omitempty"`
}

// Returns reports whether the query's result is the alarm's: ReturnData
// unset means true.
func (q MetricQuery) Returns() bool { return q.ReturnData == nil || *q.ReturnData }

// MetricStat is a metric and the statistic of a MetricQuery.
type MetricStat struct {
	Namespace  string      `json:"namespace"`
	MetricName string      `json:"metricName"`
	Dimensions []Dimension `json:"dimensions,omitempty"`
	Period     int64       `json:"period"`
	Stat       string      `json:"stat"`
	Unit       string      `json:"unit,omitempty"`
}

// Encode returns the stored form of d.
func (d Definition) Encode() []byte {
	d.Version = definitionVersion
	b, err := json.Marshal(d)
	if err != nil {
		panic("BUG: alarms: cannot encode a definition: " + err.Error())
	}
	return b
}

// DecodeDefinition reads a stored definition.
func DecodeDefinition(b []byte) (*Definition, error) {
	var d Definition
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("cannot read an alarm definition: %w", err)
	}
	if d.Version != definitionVersion {
		return nil, fmt.Errorf("cannot read an alarm definition of version %d (this Vigil reads version %d)", d.Version, definitionVersion)
	}
	return &d, nil
}

// Stat returns the metric alarm's statistic: Statistic or
// ExtendedStatistic.
func (d *Definition) Stat() string {
	if d.ExtendedStatistic != "" {
		return d.ExtendedStatistic
	}
	return d.Statistic
}

// EvaluationPeriod returns the period the alarm evaluates by: its own,
// or that of the query whose result it evaluates.
func (d *Definition) EvaluationPeriod() time.Duration {
	if d.Period > 0 {
		return time.Duration(d.Period) * time.Second
	}
	for _, q := range d.Metrics {
		if !q.Returns() {
			continue
		}
		if q.MetricStat != nil {
			return time.Duration(q.MetricStat.Period) * time.Second
		}
		if q.Period > 0 {
			return time.Duration(q.Period) * time.Second
		}
	}
	// An expression without a period of its own takes that of the first
	// metric it reads, as GetMetricData does.
	for _, q := range d.Metrics {
		if q.MetricStat != nil {
			return time.Duration(q.MetricStat.Period) * time.Second
		}
	}
	return 0
}

// Config returns what Evaluate needs of a metric alarm.
func (d *Definition) Config() Config {
	c := Config{
		Period: d.EvaluationPeriod(), EvaluationPeriods: d.EvaluationPeriods, DatapointsToAlarm: d.DatapointsToAlarm,
		Comparison: ComparisonOperator(d.ComparisonOperator), TreatMissing: TreatMissingData(d.TreatMissingData),
		Statistic: d.Stat(), Unit: d.Unit, EvaluateLowSampleCountPercentile: d.EvaluateLowSampleCountPercentile,
	}
	if d.Threshold != nil {
		c.Threshold = *d.Threshold
	}
	return c
}

// Actions returns the actions of a state.
func (d *Definition) Actions(s State) []string {
	switch s {
	case StateOK:
		return d.OKActions
	case StateAlarm:
		return d.AlarmActions
	}
	return d.InsufficientDataActions
}
