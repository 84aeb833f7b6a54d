package alarms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// Limits of PutMetricAlarm and PutCompositeAlarm.
const (
	maxMetricQueries = 10
	maxTags          = 50
	// The longest evaluation range: a week, and a day for periods under
	// an hour (PutMetricAlarm's Period in the API reference).
	maxRange      = 7 * 24 * time.Hour
	maxShortRange = 24 * time.Hour
)

// initialReason is the reason of a new alarm's state.
const initialReason = "Unchecked: Initial alarm creation"

// PutInput is a PutMetricAlarm or PutCompositeAlarm request.
type PutInput struct {
	Name string
	// ActionsEnabled nil means true.
	ActionsEnabled *bool
	Definition     Definition
	// Tags are set when the call creates the alarm and ignored when it
	// updates one, as in AWS.
	Tags map[string]string
}

// PutMetricAlarm creates or updates a metric alarm. An update keeps the
// alarm's state.
func (s *Service) PutMetricAlarm(ctx context.Context, sc Scope, in PutInput) error {
	if err := validateMetricAlarm(&in.Definition); err != nil {
		return err
	}
	return s.put(ctx, sc, store.MetricAlarm, in)
}

// put validates what both kinds of alarm share and writes the alarm.
func (s *Service) put(ctx context.Context, sc Scope, typ string, in PutInput) error {
	d := &in.Definition
	for _, list := range []struct {
		param   string
		actions []string
	}{{"OKActions", d.OKActions}, {"AlarmActions", d.AlarmActions}, {"InsufficientDataActions", d.InsufficientDataActions}} {
		for _, a := range list.actions {
			if err := validateAction(sc, list.param, a); err != nil {
				return err
			}
		}
	}
	if len(in.Tags) > maxTags {
		return errorf(LimitExceeded, "The maximum number of tags for a resource is %d.", maxTags)
	}
	old, err := s.opt.Store.Alarm(ctx, sc.Account, sc.Region, in.Name)
	switch {
	case err == nil && old.Type != typ:
		return errorf(InvalidParameterValue, "The alarm %s is a %s; it cannot be replaced by a %s.", in.Name, old.Type, typ)
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return err
	}
	now := s.opt.Clock.Now()
	arn := ARN(sc, in.Name)
	a := store.Alarm{
		Account: sc.Account, Region: sc.Region, Name: in.Name, ARN: arn, Type: typ,
		Definition: d.Encode(), ActionsEnabled: in.ActionsEnabled == nil || *in.ActionsEnabled,
		State: string(StateInsufficientData), StateReason: initialReason,
		StateUpdated: ms(now), StateTransitioned: ms(now), ConfigUpdated: ms(now),
	}
	var previous *Alarm
	if old != nil {
		o, err := read(*old)
		if err != nil {
			return err
		}
		previous = &o
		// An update keeps the state, which the history and event report.
		a.State, a.StateReason, a.StateReasonData = o.State, o.StateReason, o.StateReasonData
		a.StateUpdated, a.StateTransitioned = o.StateUpdated, o.StateTransitioned
	}
	item := configurationItem(a, d, previous, now)
	created, err := s.opt.Store.PutAlarm(ctx, a, item)
	if err != nil {
		return err
	}
	if created && len(in.Tags) > 0 {
		if err := s.opt.Tags.TagResource(ctx, arn, in.Tags, nil, maxTags); err != nil {
			return err
		}
	}
	s.mu.Lock()
	s.fresh[store.AlarmKey{Account: sc.Account, Region: sc.Region, Name: in.Name}] = true
	s.mu.Unlock()
	s.publishConfigChange(ctx, a, d, previous, now)
	if s.opt.Evaluate != nil {
		s.opt.Evaluate()
	}
	return nil
}

// configurationItem is the ConfigurationUpdate history item of a put:
// the alarm as created, or as updated from previous.
func configurationItem(a store.Alarm, d *Definition, previous *Alarm, now time.Time) store.AlarmHistoryItem {
	item := struct {
		Version string `json:"version"`
		Type    string `json:"type"`
		Created any    `json:"createdAlarm,omitempty"`
		Updated any    `json:"updatedAlarm,omitempty"`
	}{Version: "1.0", Type: "Create"}
	verb := "created"
	if previous != nil {
		item.Type, item.Updated, verb = "Update", described(a, d), "updated"
	} else {
		item.Created = described(a, d)
	}
	data, err := json.Marshal(item)
	if err != nil {
		panic("BUG: alarms: cannot encode a configuration item: " + err.Error())
	}
	return store.AlarmHistoryItem{
		Account: a.Account, Region: a.Region, AlarmName: a.Name, AlarmType: a.Type, Timestamp: ms(now),
		Type: store.HistoryConfigurationUpdate, Summary: fmt.Sprintf("Alarm %q %s", a.Name, verb), Data: string(data),
	}
}

// alarmJSON is an alarm's configuration and state as AWS writes them in
// history data and configuration events: its own member names (okactions
// in lower case), times as in notifications, empty action lists as [].
type alarmJSON struct {
	AlarmName                          string          `json:"alarmName"`
	AlarmArn                           string          `json:"alarmArn"`
	AlarmDescription                   string          `json:"alarmDescription,omitempty"`
	AlarmConfigurationUpdatedTimestamp string          `json:"alarmConfigurationUpdatedTimestamp"`
	ActionsEnabled                     bool            `json:"actionsEnabled"`
	OKActions                          []string        `json:"okactions"`
	AlarmActions                       []string        `json:"alarmActions"`
	InsufficientDataActions            []string        `json:"insufficientDataActions"`
	StateValue                         string          `json:"stateValue"`
	StateUpdatedTimestamp              string          `json:"stateUpdatedTimestamp"`
	MetricName                         string          `json:"metricName,omitempty"`
	Namespace                          string          `json:"namespace,omitempty"`
	Statistic                          string          `json:"statistic,omitempty"`
	ExtendedStatistic                  string          `json:"extendedStatistic,omitempty"`
	Dimensions                         []dimensionJSON `json:"dimensions,omitempty"`
	Period                             int64           `json:"period,omitempty"`
	Unit                               string          `json:"unit,omitempty"`
	EvaluationPeriods                  int             `json:"evaluationPeriods,omitempty"`
	DatapointsToAlarm                  int             `json:"datapointsToAlarm,omitempty"`
	Threshold                          json.RawMessage `json:"threshold,omitempty"`
	ComparisonOperator                 string          `json:"comparisonOperator,omitempty"`
	TreatMissingData                   string          `json:"treatMissingData,omitempty"`
	EvaluateLowSampleCountPercentile   string          `json:"evaluateLowSampleCountPercentile,omitempty"`
	Metrics                            []eventMetric   `json:"metrics,omitempty"`
	ThresholdMetricID                  string          `json:"thresholdMetricId,omitempty"`
	AlarmRule                          string          `json:"alarmRule,omitempty"`
	ActionsSuppressor                  string          `json:"actionsSuppressor,omitempty"`
	ActionsSuppressorWaitPeriod        *int            `json:"actionsSuppressorWaitPeriod,omitempty"`
	ActionsSuppressorExtensionPeriod   *int            `json:"actionsSuppressorExtensionPeriod,omitempty"`
}

// described is the alarm a with the configuration d, as history items and
// events write it.
func described(a store.Alarm, d *Definition) alarmJSON {
	j := alarmJSON{
		AlarmName: a.Name, AlarmArn: a.ARN, AlarmDescription: d.Description,
		AlarmConfigurationUpdatedTimestamp: formatTime(time.UnixMilli(a.ConfigUpdated)), ActionsEnabled: a.ActionsEnabled,
		OKActions: orEmpty(d.OKActions), AlarmActions: orEmpty(d.AlarmActions), InsufficientDataActions: orEmpty(d.InsufficientDataActions),
		StateValue: a.State, StateUpdatedTimestamp: formatTime(time.UnixMilli(a.StateUpdated)),
		MetricName: d.MetricName, Namespace: d.Namespace, Statistic: d.Statistic, ExtendedStatistic: d.ExtendedStatistic,
		Dimensions: dimensionsJSON(d.Dimensions), Period: d.Period, Unit: d.Unit,
		EvaluationPeriods: d.EvaluationPeriods, DatapointsToAlarm: d.DatapointsToAlarm,
		ComparisonOperator: d.ComparisonOperator, TreatMissingData: d.TreatMissingData,
		EvaluateLowSampleCountPercentile: d.EvaluateLowSampleCountPercentile, ThresholdMetricID: d.ThresholdMetricID,
		AlarmRule: d.AlarmRule, ActionsSuppressor: d.ActionsSuppressor,
	}
	if d.Threshold != nil {
		j.Threshold = json.RawMessage(javaDouble(*d.Threshold))
	}
	if len(d.Metrics) > 0 {
		j.Metrics = eventMetrics(d)
	}
	if d.ActionsSuppressor != "" {
		j.ActionsSuppressorWaitPeriod, j.ActionsSuppressorExtensionPeriod = &d.ActionsSuppressorWaitPeriod, &d.ActionsSuppressorExtensionPeriod
	}
	return j
}

// validateMetricAlarm checks a metric alarm as PutMetricAlarm does. The
// statistics, periods of Metrics and expressions are the API's to check,
// with the metrics engine's messages.
func validateMetricAlarm(d *Definition) error {
	single := d.MetricName != "" || d.Namespace != "" || d.Statistic != "" || d.ExtendedStatistic != "" || len(d.Dimensions) > 0
	switch {
	case single && len(d.Metrics) > 0:
		return errorf(InvalidParameterCombination, "The parameters MetricName and Metrics are mutually exclusive and you have specified both.")
	case !single && len(d.Metrics) == 0:
		return errorf(ValidationError, "One of the parameters MetricName and Metrics must be specified.")
	}
	if d.EvaluationPeriods == 0 {
		return errorf(MissingParameter, "The parameter EvaluationPeriods is required.")
	}
	if d.ComparisonOperator == "" {
		return errorf(MissingParameter, "The parameter ComparisonOperator is required.")
	}
	op := ComparisonOperator(d.ComparisonOperator)
	if !op.Valid() {
		return errorf(ValidationError, "The value %s for parameter ComparisonOperator is invalid.", d.ComparisonOperator)
	}
	if op.Band() && d.ThresholdMetricID == "" && !single {
		return errorf(ValidationError, "ComparisonOperator %s compares with an anomaly detection band: ThresholdMetricId must name the band's expression in Metrics.", op)
	}
	if single {
		if err := validateSingle(d); err != nil {
			return err
		}
	} else if err := validateMetrics(d, op); err != nil {
		return err
	}
	switch {
	case op.Band() && d.Threshold != nil:
		return errorf(InvalidParameterCombination, "The parameters Threshold and ThresholdMetricId are mutually exclusive and you have specified both.")
	case !op.Band() && d.ThresholdMetricID != "":
		return errorf(ValidationError, "ThresholdMetricId is only for the anomaly detection ComparisonOperators (LessThanLowerOrGreaterThanUpperThreshold, LessThanLowerThreshold, GreaterThanUpperThreshold).")
	case !op.Band() && d.Threshold == nil:
		return errorf(MissingParameter, "The parameter Threshold is required.")
	case d.Threshold != nil && (math.IsNaN(*d.Threshold) || math.IsInf(*d.Threshold, 0)):
		return errorf(InvalidParameterValue, "The value %v for parameter Threshold is invalid.", *d.Threshold)
	}
	period := d.EvaluationPeriod()
	if period <= 0 {
		return errorf(ValidationError, "The alarm's period cannot be determined: give the query that returns data, or the metrics it reads, a Period.")
	}
	if !alarmPeriod(int64(period / time.Second)) {
		return errorf(ValidationError, "The value %d for parameter Period is invalid: it must be 10, 20, 30 or a multiple of 60.", int64(period/time.Second))
	}
	total := period * time.Duration(d.EvaluationPeriods)
	switch {
	case period < time.Hour && total > maxShortRange:
		return errorf(ValidationError, "Metrics cannot be checked across more than a day (EvaluationPeriods * Period must be <= 86400) for alarms using period < 3600")
	case total > maxRange:
		return errorf(ValidationError, "Metrics cannot be checked across more than a week (EvaluationPeriods * Period must be <= 604800) for alarms using period >= 3600")
	}
	if d.DatapointsToAlarm > d.EvaluationPeriods {
		return errorf(ValidationError, "DatapointsToAlarm (%d) must be less than or equal to EvaluationPeriods (%d).", d.DatapointsToAlarm, d.EvaluationPeriods)
	}
	switch TreatMissingData(d.TreatMissingData) {
	case "", TreatMissing, TreatBreaching, TreatNotBreaching, TreatIgnore:
	default:
		return errorf(ValidationError, "The value %s for parameter TreatMissingData is invalid: it must be one of breaching, notBreaching, ignore, missing.", d.TreatMissingData)
	}
	switch d.EvaluateLowSampleCountPercentile {
	case "":
	case "evaluate", "ignore":
		if _, ok := lowSampleMinimum(d.ExtendedStatistic); !ok {
			return errorf(ValidationError, "EvaluateLowSampleCountPercentile is only for alarms on a percentile ExtendedStatistic (p0.0 to p100).")
		}
	default:
		return errorf(ValidationError, "The value %s for parameter EvaluateLowSampleCountPercentile is invalid: it must be evaluate or ignore.", d.EvaluateLowSampleCountPercentile)
	}
	return nil
}

// alarmPeriod reports whether p seconds is a period an alarm takes.
func alarmPeriod(p int64) bool { return p == 10 || p == 20 || p == 30 || p > 0 && p%60 == 0 }

// validateSingle checks an alarm on one metric.
func validateSingle(d *Definition) error {
	switch {
	case d.MetricName == "":
		return errorf(MissingParameter, "The parameter MetricName is required.")
	case d.Namespace == "":
		return errorf(MissingParameter, "The parameter Namespace is required.")
	case d.Statistic != "" && d.ExtendedStatistic != "":
		return errorf(InvalidParameterCombination, "The parameters Statistic and ExtendedStatistic are mutually exclusive and you have specified both.")
	case d.Statistic == "" && d.ExtendedStatistic == "":
		return errorf(MissingParameter, "One of the parameters Statistic and ExtendedStatistic must be specified.")
	case d.Period == 0:
		return errorf(MissingParameter, "The parameter Period is required.")
	case ComparisonOperator(d.ComparisonOperator).Band():
		return errorf(ValidationError, "An alarm on an anomaly detection band gives its metric and the band in Metrics, not MetricName.")
	}
	return nil
}

// validateMetrics checks an alarm on Metrics: math, a band or a Metrics
// Insights query.
func validateMetrics(d *Definition, op ComparisonOperator) error {
	if d.Period != 0 || d.Unit != "" {
		return errorf(InvalidParameterCombination, "The parameters Period and Unit are for alarms on MetricName; each query of Metrics gives its own.")
	}
	if len(d.Metrics) > maxMetricQueries {
		return errorf(ValidationError, "The collection Metrics must not have a size greater than %d.", maxMetricQueries)
	}
	returning, band := 0, false
	ids := map[string]bool{}
	for _, q := range d.Metrics {
		if ids[q.ID] {
			return errorf(ValidationError, "The value %s for parameter Metrics.Id is not unique.", q.ID)
		}
		ids[q.ID] = true
		if q.Returns() {
			returning++
		}
		if q.ID == d.ThresholdMetricID {
			band = strings.Contains(strings.ToUpper(q.Expression), "ANOMALY_DETECTION_BAND")
		}
	}
	switch {
	case op.Band() && !band:
		return errorf(ValidationError, "ThresholdMetricId %s must name a query of Metrics whose expression is ANOMALY_DETECTION_BAND.", d.ThresholdMetricID)
	case op.Band() && returning != 2:
		return errorf(ValidationError, "An alarm on an anomaly detection band must return exactly two queries: the metric and the band.")
	case !op.Band() && returning != 1:
		return errorf(ValidationError, "Exactly one element of the metrics list should return data.")
	}
	return nil
}

// actionServices are the services whose ARNs an alarm action may be.
var actionServices = map[string]bool{
	"sns": true, "automate": true, "swf": true, "autoscaling": true, "ssm": true, "ssm-incidents": true, "lambda": true,
}

// validateAction checks an action ARN of a list.
func validateAction(sc Scope, param, arn string) error {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || !actionServices[parts[2]] || parts[5] == "" {
		return errorf(ValidationError, "Invalid arn syntax: %s (parameter %s)", arn, param)
	}
	if r := parts[3]; r != "" && r != sc.Region {
		return errorf(ValidationError, "The action %s of parameter %s is in region %s; an alarm's actions must be in its region, %s.", arn, param, r, sc.Region)
	}
	return nil
}
