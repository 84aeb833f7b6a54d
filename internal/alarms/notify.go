package alarms

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/svcevents"
)

// regionNames are the names AWS writes for regions in alarm
// notifications ("Region": "US East (N. Virginia)").
var regionNames = map[string]string{
	"us-east-1": "US East (N. Virginia)", "us-east-2": "US East (Ohio)",
	"us-west-1": "US West (N. California)", "us-west-2": "US West (Oregon)",
	"af-south-1": "Africa (Cape Town)", "ap-east-1": "Asia Pacific (Hong Kong)",
	"ap-south-1": "Asia Pacific (Mumbai)", "ap-northeast-1": "Asia Pacific (Tokyo)",
	"ap-northeast-2": "Asia Pacific (Seoul)", "ap-northeast-3": "Asia Pacific (Osaka)",
	"ap-southeast-1": "Asia Pacific (Singapore)", "ap-southeast-2": "Asia Pacific (Sydney)",
	"ca-central-1": "Canada (Central)", "eu-central-1": "EU (Frankfurt)",
	"eu-west-1": "EU (Ireland)", "eu-west-2": "EU (London)", "eu-west-3": "EU (Paris)",
	"eu-north-1": "EU (Stockholm)", "eu-south-1": "EU (Milan)",
	"me-south-1": "Middle East (Bahrain)", "sa-east-1": "South America (Sao Paulo)",
}

func regionName(r string) string {
	if n, ok := regionNames[r]; ok {
		return n
	}
	return r
}

// dimensionJSON is a dimension as notifications and history data write
// it: value first.
type dimensionJSON struct {
	Value string `json:"value"`
	Name  string `json:"name"`
}

func dimensionsJSON(ds []Dimension) []dimensionJSON {
	out := make([]dimensionJSON, len(ds))
	for i, d := range ds {
		out[i] = dimensionJSON{d.Value, d.Name}
	}
	return out
}

// orEmpty is a list that encodes as [] when empty, as AWS writes the
// action lists of a notification.
func orEmpty(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// notification is the JSON message AWS publishes to an alarm's SNS
// topics when its state changes, its members in AWS's order.
func notification(old, next store.Alarm, d *Definition) []byte {
	type trigger struct {
		MetricName                       string          `json:"MetricName,omitempty"`
		Namespace                        string          `json:"Namespace,omitempty"`
		StatisticType                    string          `json:"StatisticType,omitempty"`
		Statistic                        string          `json:"Statistic,omitempty"`
		ExtendedStatistic                string          `json:"ExtendedStatistic,omitempty"`
		Unit                             *string         `json:"Unit"`
		Dimensions                       []dimensionJSON `json:"Dimensions"`
		Period                           int64           `json:"Period"`
		EvaluationPeriods                int             `json:"EvaluationPeriods"`
		DatapointsToAlarm                int             `json:"DatapointsToAlarm,omitempty"`
		ComparisonOperator               string          `json:"ComparisonOperator"`
		Threshold                        json.RawMessage `json:"Threshold,omitempty"`
		ThresholdMetricID                string          `json:"ThresholdMetricId,omitempty"`
		TreatMissingData                 string          `json:"TreatMissingData"`
		EvaluateLowSampleCountPercentile string          `json:"EvaluateLowSampleCountPercentile"`
		Metrics                          []eventMetric   `json:"Metrics,omitempty"`
	}
	t := trigger{
		Period: int64(d.EvaluationPeriod() / time.Second), EvaluationPeriods: d.EvaluationPeriods, DatapointsToAlarm: d.DatapointsToAlarm,
		ComparisonOperator: d.ComparisonOperator, ThresholdMetricID: d.ThresholdMetricID,
		TreatMissingData: d.TreatMissingData, EvaluateLowSampleCountPercentile: d.EvaluateLowSampleCountPercentile,
		Dimensions: []dimensionJSON{},
	}
	if d.Threshold != nil {
		t.Threshold = json.RawMessage(javaDouble(*d.Threshold))
	}
	if d.Unit != "" {
		t.Unit = &d.Unit
	}
	if d.MetricName != "" {
		t.MetricName, t.Namespace, t.Dimensions = d.MetricName, d.Namespace, dimensionsJSON(d.Dimensions)
		if d.ExtendedStatistic != "" {
			t.StatisticType, t.ExtendedStatistic = "ExtendedStatistic", d.ExtendedStatistic
		} else {
			t.StatisticType, t.Statistic = "Statistic", strings.ToUpper(d.Statistic)
		}
	} else {
		t.Metrics = eventMetrics(d)
	}
	var description *string
	if d.Description != "" {
		description = &d.Description
	}
	b, err := json.Marshal(struct {
		AlarmName                          string   `json:"AlarmName"`
		AlarmDescription                   *string  `json:"AlarmDescription"`
		AWSAccountID                       string   `json:"AWSAccountId"`
		AlarmConfigurationUpdatedTimestamp string   `json:"AlarmConfigurationUpdatedTimestamp"`
		NewStateValue                      string   `json:"NewStateValue"`
		NewStateReason                     string   `json:"NewStateReason"`
		StateChangeTime                    string   `json:"StateChangeTime"`
		Region                             string   `json:"Region"`
		AlarmArn                           string   `json:"AlarmArn"`
		OldStateValue                      string   `json:"OldStateValue"`
		OKActions                          []string `json:"OKActions"`
		AlarmActions                       []string `json:"AlarmActions"`
		InsufficientDataActions            []string `json:"InsufficientDataActions"`
		Trigger                            any      `json:"Trigger,omitempty"`
		AlarmRule                          string   `json:"AlarmRule,omitempty"`
	}{
		AlarmName: next.Name, AlarmDescription: description, AWSAccountID: next.Account,
		AlarmConfigurationUpdatedTimestamp: formatTime(time.UnixMilli(next.ConfigUpdated)),
		NewStateValue:                      next.State, NewStateReason: next.StateReason,
		StateChangeTime: formatTime(time.UnixMilli(next.StateUpdated)), Region: regionName(next.Region),
		AlarmArn: next.ARN, OldStateValue: old.State,
		OKActions: orEmpty(d.OKActions), AlarmActions: orEmpty(d.AlarmActions), InsufficientDataActions: orEmpty(d.InsufficientDataActions),
		Trigger: triggerOf(next.Type, t), AlarmRule: d.AlarmRule,
	})
	if err != nil {
		panic("BUG: alarms: cannot encode a notification: " + err.Error())
	}
	return b
}

// triggerOf is the Trigger of a notification: none for composite alarms,
// which name their AlarmRule instead.
func triggerOf(typ string, t any) any {
	if typ == store.CompositeAlarm {
		return nil
	}
	return t
}

// eventMetric is a query of an alarm as notifications (capitalized
// members) and events (lower-case members) write it.
type eventMetric struct {
	ID         string           `json:"id"`
	Expression string           `json:"expression,omitempty"`
	Label      string           `json:"label,omitempty"`
	MetricStat *eventMetricStat `json:"metricStat,omitempty"`
	Period     int64            `json:"period,omitempty"`
	ReturnData bool             `json:"returnData"`
}

type eventMetricStat struct {
	Metric struct {
		Namespace  string            `json:"namespace"`
		Name       string            `json:"name"`
		Dimensions map[string]string `json:"dimensions"`
	} `json:"metric"`
	Period int64  `json:"period"`
	Stat   string `json:"stat"`
	Unit   string `json:"unit,omitempty"`
}

// eventMetrics are an alarm's queries; a single-metric alarm's metric is
// one query that returns data, as AWS writes it in events.
func eventMetrics(d *Definition) []eventMetric {
	stat := func(namespace, name string, dims []Dimension, period int64, st, unit string) *eventMetricStat {
		s := &eventMetricStat{Period: period, Stat: st, Unit: unit}
		s.Metric.Namespace, s.Metric.Name, s.Metric.Dimensions = namespace, name, map[string]string{}
		for _, dim := range dims {
			s.Metric.Dimensions[dim.Name] = dim.Value
		}
		return s
	}
	if d.MetricName != "" {
		return []eventMetric{{ID: "m1", MetricStat: stat(d.Namespace, d.MetricName, d.Dimensions, d.Period, d.Stat(), d.Unit), ReturnData: true}}
	}
	out := make([]eventMetric, len(d.Metrics))
	for i, q := range d.Metrics {
		out[i] = eventMetric{ID: q.ID, Expression: q.Expression, Label: q.Label, Period: q.Period, ReturnData: q.Returns()}
		if ms := q.MetricStat; ms != nil {
			out[i].MetricStat = stat(ms.Namespace, ms.MetricName, ms.Dimensions, ms.Period, ms.Stat, ms.Unit)
		}
	}
	return out
}

// eventState is an alarm's state in an event.
type eventState struct {
	Value      string `json:"value"`
	Reason     string `json:"reason,omitempty"`
	ReasonData string `json:"reasonData,omitempty"`
	Timestamp  string `json:"timestamp"`
}

func stateOf(a store.Alarm) eventState {
	return eventState{Value: a.State, Reason: a.StateReason, ReasonData: a.StateReasonData, Timestamp: formatTime(time.UnixMilli(a.StateUpdated))}
}

// publishStateChange publishes a "CloudWatch Alarm State Change" event.
func (s *Service) publishStateChange(ctx context.Context, old, next store.Alarm, d *Definition) {
	if s.opt.Bus == nil || !s.opt.Bus.HasSubscribers() {
		return
	}
	configuration := map[string]any{}
	if d.Description != "" {
		configuration["description"] = d.Description
	}
	if next.Type == store.CompositeAlarm {
		configuration["alarmRule"] = d.AlarmRule
	} else {
		configuration["metrics"] = eventMetrics(d)
	}
	s.publish(ctx, svcevents.DetailTypeAlarmStateChange, next, next.StateUpdated, map[string]any{
		"alarmName": next.Name, "state": stateOf(next), "previousState": stateOf(old), "configuration": configuration,
	})
}

// publishConfigChange publishes a "CloudWatch Alarm Configuration Change"
// event: a creation when previous is nil, an update of previous, or a
// deletion when d is nil.
func (s *Service) publishConfigChange(ctx context.Context, a store.Alarm, d *Definition, previous *Alarm, now time.Time) {
	if s.opt.Bus == nil || !s.opt.Bus.HasSubscribers() {
		return
	}
	detail := map[string]any{"alarmName": a.Name, "state": stateOf(a)}
	switch {
	case d == nil:
		detail["operation"] = "delete"
	case previous == nil:
		detail["operation"] = "create"
	default:
		detail["operation"] = "update"
	}
	if d != nil {
		detail["configuration"] = described(a, d)
	}
	if previous != nil {
		detail["previousConfiguration"] = described(previous.Alarm, previous.Definition)
	}
	s.publish(ctx, svcevents.DetailTypeAlarmConfigChange, a, ms(now), detail)
}

func (s *Service) publish(ctx context.Context, detailType string, a store.Alarm, at int64, detail map[string]any) {
	b, err := json.Marshal(detail)
	if err != nil {
		panic("BUG: alarms: cannot encode an event: " + err.Error())
	}
	s.opt.Bus.Publish(ctx, &svcevents.Event{
		DetailType: detailType, Source: "aws.cloudwatch", Account: a.Account, Region: a.Region,
		Time: time.UnixMilli(at), Resources: []string{a.ARN}, Detail: b,
	})
}
