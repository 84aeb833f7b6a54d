package cloudwatch

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/vigilhq/vigil/internal/alarms"
	"github.com/vigilhq/vigil/internal/api"
	"github.com/vigilhq/vigil/internal/metrics"
	"github.com/vigilhq/vigil/internal/metrics/stats"
	"github.com/vigilhq/vigil/internal/store"
)

// alarmScope is the request's account and region for the alarms service.
func alarmScope(ctx context.Context) alarms.Scope {
	sc := scope(ctx)
	return alarms.Scope{Account: sc.Account, Region: sc.Region}
}

// alarmError maps the alarms service's errors to the modeled exceptions.
func alarmError(err error) error {
	var e *alarms.Error
	if !errors.As(err, &e) {
		return apiError(err)
	}
	msg := &e.Message
	switch e.Code {
	case alarms.InvalidParameterValue:
		return &InvalidParameterValueException{Message: msg}
	case alarms.InvalidParameterCombination:
		return &InvalidParameterCombinationException{Message: msg}
	case alarms.MissingParameter:
		return &MissingRequiredParameterException{Message: msg}
	case alarms.ResourceNotFound:
		return &ResourceNotFound{Message: msg}
	case alarms.LimitExceeded:
		return &LimitExceededFault{Message: msg}
	case alarms.InvalidNextToken:
		return &InvalidNextToken{Message: msg}
	case alarms.InvalidFormat:
		return &InvalidFormatFault{Message: msg}
	}
	return validationError(e.Message)
}

func alarmDimensions(ds []Dimension) []alarms.Dimension {
	out := make([]alarms.Dimension, len(ds))
	for i, d := range ds {
		out[i] = alarms.Dimension{Name: *d.Name, Value: *d.Value}
	}
	return out
}

func fromAlarmDimensions(ds []alarms.Dimension) []Dimension {
	out := make([]Dimension, len(ds))
	for i, d := range ds {
		out[i] = Dimension{Name: api.Ptr(d.Name), Value: api.Ptr(d.Value)}
	}
	return out
}

func alarmQueries(qs []MetricDataQuery) []alarms.MetricQuery {
	out := make([]alarms.MetricQuery, len(qs))
	for i, q := range qs {
		out[i] = alarms.MetricQuery{ID: api.Value(q.Id), Expression: api.Value(q.Expression), Label: api.Value(q.Label),
			ReturnData: q.ReturnData, Period: int64(api.Value(q.Period)), AccountID: api.Value(q.AccountId)}
		if ms := q.MetricStat; ms != nil {
			m := ms.Metric
			if m == nil {
				m = &Metric{}
			}
			out[i].MetricStat = &alarms.MetricStat{Namespace: api.Value(m.Namespace), MetricName: api.Value(m.MetricName),
				Dimensions: alarmDimensions(m.Dimensions), Period: int64(api.Value(ms.Period)), Stat: api.Value(ms.Stat), Unit: string(ms.Unit)}
		}
	}
	return out
}

func fromAlarmQueries(qs []alarms.MetricQuery) []MetricDataQuery {
	out := make([]MetricDataQuery, len(qs))
	for i, q := range qs {
		out[i] = MetricDataQuery{Id: api.Ptr(q.ID), Expression: api.OptionalString(q.Expression), Label: api.OptionalString(q.Label),
			ReturnData: q.ReturnData, AccountId: api.OptionalString(q.AccountID)}
		if q.Period != 0 {
			out[i].Period = api.Ptr(int32(q.Period))
		}
		if ms := q.MetricStat; ms != nil {
			out[i].MetricStat = &MetricStat{
				Metric: &Metric{Namespace: api.Ptr(ms.Namespace), MetricName: api.Ptr(ms.MetricName), Dimensions: fromAlarmDimensions(ms.Dimensions)},
				Period: api.Ptr(int32(ms.Period)), Stat: api.Ptr(ms.Stat), Unit: StandardUnit(ms.Unit)}
		}
	}
	return out
}

// metricsQueries are an alarm's queries for the metrics engine: its
// Metrics, or its one metric and statistic as the query "m1" and their
// SampleCount as "sc" (which AWS writes in evaluatedDatapoints and low
// sample counts are judged by).
func metricsQueries(d *alarms.Definition) []metrics.Query {
	if d.MetricName != "" {
		metric := metrics.MetricID{Namespace: d.Namespace, Name: d.MetricName}
		for _, dim := range d.Dimensions {
			metric.Dimensions = append(metric.Dimensions, metrics.Dimension{Name: dim.Name, Value: dim.Value})
		}
		return []metrics.Query{
			{ID: "m1", Stat: &metrics.MetricStat{Metric: metric, Period: d.Period, Stat: d.Stat(), Unit: d.Unit}},
			{ID: "sc", Stat: &metrics.MetricStat{Metric: metric, Period: d.Period, Stat: "SampleCount", Unit: d.Unit}},
		}
	}
	out := make([]metrics.Query, len(d.Metrics))
	for i, q := range d.Metrics {
		out[i] = metrics.Query{ID: q.ID, Label: q.Label, Expression: q.Expression, ReturnData: q.ReturnData, Period: q.Period, AccountID: q.AccountID}
		if ms := q.MetricStat; ms != nil {
			metric := metrics.MetricID{Namespace: ms.Namespace, Name: ms.MetricName}
			for _, dim := range ms.Dimensions {
				metric.Dimensions = append(metric.Dimensions, metrics.Dimension{Name: dim.Name, Value: dim.Value})
			}
			out[i].Stat = &metrics.MetricStat{Metric: metric, Period: ms.Period, Stat: ms.Stat, Unit: ms.Unit}
		}
	}
	return out
}

// AlarmSource returns the source of alarms' datapoints on a metrics
// engine.
func AlarmSource(e *metrics.Engine) alarms.Source { return alarmSource{e} }

type alarmSource struct{ e *metrics.Engine }

// sourceBatch is how many single-metric alarms one GetMetricData reads:
// two queries each at most, within its 500.
const sourceBatch = 250

// window groups the single-metric alarms one GetMetricData can read.
type window struct {
	sc         alarms.Scope
	start, end int64
}

// Datapoints reads the alarms' datapoints: the alarms on one metric and
// of the same window a batch at a time, the others one by one.
func (s alarmSource) Datapoints(ctx context.Context, reqs []alarms.Request) []alarms.Response {
	out := make([]alarms.Response, len(reqs))
	groups := map[window][]int{}
	var order []window
	for i, r := range reqs {
		if r.Definition.MetricName == "" {
			out[i] = s.one(ctx, r)
			continue
		}
		w := window{r.Scope, r.Start.UnixMilli(), r.End.UnixMilli()}
		if _, ok := groups[w]; !ok {
			order = append(order, w)
		}
		groups[w] = append(groups[w], i)
	}
	for _, w := range order {
		for idx := groups[w]; len(idx) > 0; {
			n := min(len(idx), sourceBatch)
			s.batch(ctx, reqs, idx[:n], out)
			idx = idx[n:]
		}
	}
	return out
}

// batchIDs rename the queries of a single-metric alarm in a batch.
var batchIDs = map[string]string{"m1": "v", "sc": "c"}

// batch reads single-metric alarms of one window in one GetMetricData:
// alarm k's value is the query "vk", its sample count "ck".
func (s alarmSource) batch(ctx context.Context, reqs []alarms.Request, idx []int, out []alarms.Response) {
	var qs []metrics.Query
	for k, i := range idx {
		for _, q := range metricsQueries(reqs[i].Definition) {
			q.ID = batchIDs[q.ID] + strconv.Itoa(k)
			qs = append(qs, q)
		}
	}
	r := reqs[idx[0]]
	res, err := s.e.GetMetricData(ctx, metrics.Scope{Account: r.Scope.Account, Region: r.Scope.Region},
		metrics.DataQuery{Queries: qs, Start: r.Start, End: r.End, ScanBy: "TimestampAscending"})
	if err != nil {
		for _, i := range idx {
			out[i].Err = err
		}
		return
	}
	byID := make(map[string]*metrics.Result, len(res.Results))
	for j := range res.Results {
		byID[res.Results[j].ID] = &res.Results[j]
	}
	for k, i := range idx {
		out[i].Points = points(byID["v"+strconv.Itoa(k)], byID["c"+strconv.Itoa(k)], nil, false)
	}
}

// one reads an alarm on Metrics: math, a band or a Metrics Insights
// query, with GROUP BY for a multi-time-series alarm.
func (s alarmSource) one(ctx context.Context, r alarms.Request) alarms.Response {
	d := r.Definition
	res, err := s.e.GetMetricData(ctx, metrics.Scope{Account: r.Scope.Account, Region: r.Scope.Region},
		metrics.DataQuery{Queries: metricsQueries(d), Start: r.Start, End: r.End, ScanBy: "TimestampAscending"})
	if err != nil {
		return alarms.Response{Err: err}
	}
	if d.Grouped() {
		return alarms.Response{Contributors: contributors(res)}
	}
	var value *metrics.Result
	var band []*metrics.Result
	for i := range res.Results {
		if res.Results[i].ID == d.ThresholdMetricID {
			band = append(band, &res.Results[i])
		} else {
			value = &res.Results[i]
		}
	}
	return alarms.Response{Points: points(value, nil, band, d.ThresholdMetricID != "")}
}

// contributors are the series of a multi-time-series alarm: every result
// of its query, each a contributor named by its group's values.
func contributors(res *metrics.DataResult) []alarms.Contributor {
	out := make([]alarms.Contributor, len(res.Results))
	for i := range res.Results {
		out[i] = alarms.Contributor{Attributes: res.Results[i].Dimensions, Points: points(&res.Results[i], nil, nil, false)}
	}
	return out
}

// points joins an alarm's value with its sample counts and band by
// timestamp.
func points(value, samples *metrics.Result, band []*metrics.Result, banded bool) []alarms.Datapoint {
	if value == nil {
		return nil
	}
	out := make([]alarms.Datapoint, len(value.Values))
	at := make(map[int64]int, len(out))
	for i, ts := range value.Timestamps {
		out[i] = alarms.Datapoint{Timestamp: ts, Value: value.Values[i]}
		at[ts.Unix()] = i
	}
	if samples != nil {
		for i, ts := range samples.Timestamps {
			if j, ok := at[ts.Unix()]; ok {
				out[j].SampleCount = samples.Values[i]
			}
		}
	}
	if banded {
		// The band is the array [upper, lower]; a period without both
		// has no band and counts as missing.
		for j := range out {
			out[j].Lower, out[j].Upper = nanValue, nanValue
		}
		for k, r := range band {
			for i, ts := range r.Timestamps {
				if j, ok := at[ts.Unix()]; ok {
					if k == 0 {
						out[j].Upper = r.Values[i]
					} else {
						out[j].Lower = r.Values[i]
					}
				}
			}
		}
	}
	return out
}

// nanValue marks a band bound a period lacks.
var nanValue = func() float64 { var z float64; return z / z }()

// PutMetricAlarm creates or updates a metric alarm.
func (s *Provider) PutMetricAlarm(ctx context.Context, in *PutMetricAlarmInput) (*PutMetricAlarmOutput, error) {
	if in.EvaluationCriteria != nil || in.EvaluationInterval != nil {
		return nil, &InvalidParameterValueException{Message: api.Ptr("Vigil does not evaluate PromQL alarms: EvaluationCriteria and EvaluationInterval are not supported.")}
	}
	d := alarms.Definition{
		Description: api.Value(in.AlarmDescription),
		OKActions:   in.OKActions, AlarmActions: in.AlarmActions, InsufficientDataActions: in.InsufficientDataActions,
		Namespace: api.Value(in.Namespace), MetricName: api.Value(in.MetricName), Dimensions: alarmDimensions(in.Dimensions),
		Statistic: string(in.Statistic), ExtendedStatistic: api.Value(in.ExtendedStatistic),
		Period: int64(api.Value(in.Period)), Unit: string(in.Unit),
		Metrics: alarmQueries(in.Metrics), ThresholdMetricID: api.Value(in.ThresholdMetricId),
		EvaluationPeriods: int(api.Value(in.EvaluationPeriods)), DatapointsToAlarm: int(api.Value(in.DatapointsToAlarm)),
		Threshold: in.Threshold, ComparisonOperator: string(in.ComparisonOperator),
		TreatMissingData: api.Value(in.TreatMissingData), EvaluateLowSampleCountPercentile: api.Value(in.EvaluateLowSampleCountPercentile),
	}
	if len(d.Dimensions) == 0 {
		d.Dimensions = nil
	}
	if d.ExtendedStatistic != "" {
		if _, err := stats.ParseStat(d.ExtendedStatistic, "ExtendedStatistic"); err != nil {
			return nil, validationError(err.Error())
		}
	}
	if len(d.Metrics) > 0 {
		if err := s.engine.CheckQueries(scope(ctx), "Metrics", metricsQueries(&d)); err != nil {
			return nil, apiError(err)
		}
	}
	return nil, alarmError(s.alarms.PutMetricAlarm(ctx, alarmScope(ctx), alarms.PutInput{
		Name: *in.AlarmName, ActionsEnabled: in.ActionsEnabled, Definition: d, Tags: tagMap(in.Tags)}))
}

func tagMap(tags []Tag) map[string]string {
	return api.TagMap(tags, func(t Tag) (*string, *string) { return t.Key, t.Value })
}

// PutCompositeAlarm creates or updates a composite alarm.
func (s *Provider) PutCompositeAlarm(ctx context.Context, in *PutCompositeAlarmInput) (*PutCompositeAlarmOutput, error) {
	d := alarms.Definition{
		Description: api.Value(in.AlarmDescription),
		OKActions:   in.OKActions, AlarmActions: in.AlarmActions, InsufficientDataActions: in.InsufficientDataActions,
		AlarmRule: *in.AlarmRule, ActionsSuppressor: api.Value(in.ActionsSuppressor),
		ActionsSuppressorWaitPeriod:      int(api.Value(in.ActionsSuppressorWaitPeriod)),
		ActionsSuppressorExtensionPeriod: int(api.Value(in.ActionsSuppressorExtensionPeriod)),
	}
	return nil, alarmError(s.alarms.PutCompositeAlarm(ctx, alarmScope(ctx), alarms.PutInput{
		Name: *in.AlarmName, ActionsEnabled: in.ActionsEnabled, Definition: d, Tags: tagMap(in.Tags)}))
}

// metricAlarm is an alarm as DescribeAlarms describes it.
func metricAlarm(a alarms.Alarm) MetricAlarm {
	d := a.Definition
	m := MetricAlarm{
		AlarmName: api.Ptr(a.Name), AlarmArn: api.Ptr(a.ARN), AlarmDescription: api.OptionalString(d.Description),
		AlarmConfigurationUpdatedTimestamp: api.Ptr(time.UnixMilli(a.ConfigUpdated)), ActionsEnabled: api.Ptr(a.ActionsEnabled),
		OKActions: d.OKActions, AlarmActions: d.AlarmActions, InsufficientDataActions: d.InsufficientDataActions,
		StateValue: StateValue(a.State), StateReason: api.Ptr(a.StateReason), StateReasonData: api.OptionalString(a.StateReasonData),
		StateUpdatedTimestamp: api.Ptr(time.UnixMilli(a.StateUpdated)), StateTransitionedTimestamp: api.Ptr(time.UnixMilli(a.StateTransitioned)),
		MetricName: api.OptionalString(d.MetricName), Namespace: api.OptionalString(d.Namespace),
		Statistic: Statistic(d.Statistic), ExtendedStatistic: api.OptionalString(d.ExtendedStatistic),
		Dimensions: fromAlarmDimensions(d.Dimensions), Unit: StandardUnit(d.Unit),
		EvaluationPeriods: api.Ptr(int32(d.EvaluationPeriods)), Threshold: d.Threshold,
		ComparisonOperator: ComparisonOperator(d.ComparisonOperator), TreatMissingData: api.OptionalString(d.TreatMissingData),
		EvaluateLowSampleCountPercentile: api.OptionalString(d.EvaluateLowSampleCountPercentile),
		ThresholdMetricId:                api.OptionalString(d.ThresholdMetricID),
	}
	if d.Period != 0 {
		m.Period = api.Ptr(int32(d.Period))
	}
	if d.DatapointsToAlarm != 0 {
		m.DatapointsToAlarm = api.Ptr(int32(d.DatapointsToAlarm))
	}
	if len(d.Metrics) > 0 {
		m.Metrics = fromAlarmQueries(d.Metrics)
	}
	return m
}

// compositeAlarm is a composite alarm as DescribeAlarms describes it.
func compositeAlarm(a alarms.Alarm) CompositeAlarm {
	d := a.Definition
	c := CompositeAlarm{
		AlarmName: api.Ptr(a.Name), AlarmArn: api.Ptr(a.ARN), AlarmDescription: api.OptionalString(d.Description),
		AlarmConfigurationUpdatedTimestamp: api.Ptr(time.UnixMilli(a.ConfigUpdated)), ActionsEnabled: api.Ptr(a.ActionsEnabled),
		OKActions: d.OKActions, AlarmActions: d.AlarmActions, InsufficientDataActions: d.InsufficientDataActions,
		AlarmRule:  api.Ptr(d.AlarmRule),
		StateValue: StateValue(a.State), StateReason: api.Ptr(a.StateReason), StateReasonData: api.OptionalString(a.StateReasonData),
		StateUpdatedTimestamp: api.Ptr(time.UnixMilli(a.StateUpdated)), StateTransitionedTimestamp: api.Ptr(time.UnixMilli(a.StateTransitioned)),
		ActionsSuppressor: api.OptionalString(d.ActionsSuppressor),
	}
	by, reason := alarms.CompositeSuppression(a)
	c.ActionsSuppressedBy, c.ActionsSuppressedReason = ActionsSuppressedBy(by), api.OptionalString(reason)
	if d.ActionsSuppressor != "" {
		c.ActionsSuppressorWaitPeriod = api.Ptr(int32(d.ActionsSuppressorWaitPeriod))
		c.ActionsSuppressorExtensionPeriod = api.Ptr(int32(d.ActionsSuppressorExtensionPeriod))
	}
	return c
}

// DescribeAlarms lists alarms.
func (s *Provider) DescribeAlarms(ctx context.Context, in *DescribeAlarmsInput) (*DescribeAlarmsOutput, error) {
	q := alarms.DescribeQuery{ChildrenOf: api.Value(in.ChildrenOfAlarmName), ParentsOf: api.Value(in.ParentsOfAlarmName), Names: in.AlarmNames, NamePrefix: api.Value(in.AlarmNamePrefix), State: string(in.StateValue),
		ActionPrefix: api.Value(in.ActionPrefix), MaxRecords: int(api.Value(in.MaxRecords)), NextToken: api.Value(in.NextToken)}
	for _, t := range in.AlarmTypes {
		q.Types = append(q.Types, string(t))
	}
	list, next, err := s.alarms.DescribeAlarms(ctx, alarmScope(ctx), q)
	if err != nil {
		return nil, alarmError(err)
	}
	out := &DescribeAlarmsOutput{NextToken: api.OptionalString(next)}
	for _, a := range list {
		if a.Type == store.CompositeAlarm {
			out.CompositeAlarms = append(out.CompositeAlarms, compositeAlarm(a))
		} else {
			out.MetricAlarms = append(out.MetricAlarms, metricAlarm(a))
		}
	}
	return out, nil
}

// DescribeAlarmsForMetric lists the alarms on a metric.
func (s *Provider) DescribeAlarmsForMetric(ctx context.Context, in *DescribeAlarmsForMetricInput) (*DescribeAlarmsForMetricOutput, error) {
	list, err := s.alarms.DescribeAlarmsForMetric(ctx, alarmScope(ctx), alarms.ForMetricQuery{
		Namespace: *in.Namespace, MetricName: *in.MetricName, Dimensions: alarmDimensions(in.Dimensions),
		Statistic: string(in.Statistic), ExtendedStatistic: api.Value(in.ExtendedStatistic),
		Period: int64(api.Value(in.Period)), Unit: string(in.Unit)})
	if err != nil {
		return nil, alarmError(err)
	}
	out := &DescribeAlarmsForMetricOutput{MetricAlarms: make([]MetricAlarm, len(list))}
	for i, a := range list {
		out.MetricAlarms[i] = metricAlarm(a)
	}
	return out, nil
}

// DescribeAlarmHistory lists history items.
func (s *Provider) DescribeAlarmHistory(ctx context.Context, in *DescribeAlarmHistoryInput) (*DescribeAlarmHistoryOutput, error) {
	q := alarms.HistoryQuery{AlarmName: api.Value(in.AlarmName), ContributorID: api.Value(in.AlarmContributorId), ItemType: string(in.HistoryItemType),
		Start: in.StartDate, End: in.EndDate, MaxRecords: int(api.Value(in.MaxRecords)), NextToken: api.Value(in.NextToken),
		Ascending: in.ScanBy == ScanByTimestampAscending}
	for _, t := range in.AlarmTypes {
		q.Types = append(q.Types, string(t))
	}
	items, next, err := s.alarms.DescribeAlarmHistory(ctx, alarmScope(ctx), q)
	if err != nil {
		return nil, alarmError(err)
	}
	out := &DescribeAlarmHistoryOutput{AlarmHistoryItems: make([]AlarmHistoryItem, len(items)), NextToken: api.OptionalString(next)}
	for i, it := range items {
		out.AlarmHistoryItems[i] = AlarmHistoryItem{AlarmName: api.Ptr(it.AlarmName), AlarmType: AlarmType(it.AlarmType),
			Timestamp: api.Ptr(time.UnixMilli(it.Timestamp)), HistoryItemType: HistoryItemType(it.Type),
			HistorySummary: api.Ptr(it.Summary), HistoryData: api.Ptr(it.Data), AlarmContributorId: api.OptionalString(it.ContributorID)}
		if it.ContributorAttributes != "" {
			if err := json.Unmarshal([]byte(it.ContributorAttributes), &out.AlarmHistoryItems[i].AlarmContributorAttributes); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// DeleteAlarms deletes alarms.
func (s *Provider) DeleteAlarms(ctx context.Context, in *DeleteAlarmsInput) (*DeleteAlarmsOutput, error) {
	return nil, alarmError(s.alarms.DeleteAlarms(ctx, alarmScope(ctx), in.AlarmNames))
}

// SetAlarmState sets an alarm's state until its next evaluation.
func (s *Provider) SetAlarmState(ctx context.Context, in *SetAlarmStateInput) (*SetAlarmStateOutput, error) {
	return nil, alarmError(s.alarms.SetAlarmState(ctx, alarmScope(ctx), *in.AlarmName, alarms.State(in.StateValue),
		*in.StateReason, api.Value(in.StateReasonData)))
}

// EnableAlarmActions enables alarms' actions.
func (s *Provider) EnableAlarmActions(ctx context.Context, in *EnableAlarmActionsInput) (*EnableAlarmActionsOutput, error) {
	return nil, alarmError(s.alarms.SetActionsEnabled(ctx, alarmScope(ctx), in.AlarmNames, true))
}

// DisableAlarmActions disables alarms' actions.
func (s *Provider) DisableAlarmActions(ctx context.Context, in *DisableAlarmActionsInput) (*DisableAlarmActionsOutput, error) {
	return nil, alarmError(s.alarms.SetActionsEnabled(ctx, alarmScope(ctx), in.AlarmNames, false))
}

// PutAlarmMuteRule creates or replaces an alarm mute rule.
func (s *Provider) PutAlarmMuteRule(ctx context.Context, in *PutAlarmMuteRuleInput) (*PutAlarmMuteRuleOutput, error) {
	sch := in.Rule.Schedule
	r := alarms.MuteRule{Description: api.Value(in.Description), Expression: *sch.Expression, Duration: *sch.Duration,
		Timezone: api.Value(sch.Timezone)}
	if in.MuteTargets != nil {
		r.AlarmNames = in.MuteTargets.AlarmNames
	}
	if in.StartDate != nil {
		r.StartDate = in.StartDate.UnixMilli()
	}
	if in.ExpireDate != nil {
		r.ExpireDate = in.ExpireDate.UnixMilli()
	}
	return nil, alarmError(s.alarms.PutMuteRule(ctx, alarmScope(ctx), *in.Name, r, tagMap(in.Tags)))
}

// GetAlarmMuteRule describes an alarm mute rule.
func (s *Provider) GetAlarmMuteRule(ctx context.Context, in *GetAlarmMuteRuleInput) (*GetAlarmMuteRuleOutput, error) {
	v, err := s.alarms.GetMuteRule(ctx, alarmScope(ctx), *in.AlarmMuteRuleName)
	if err != nil {
		return nil, exceptionError(err)
	}
	r := v.Rule
	out := &GetAlarmMuteRuleOutput{Name: api.Ptr(v.Name), AlarmMuteRuleArn: api.Ptr(v.ARN), Description: api.OptionalString(r.Description),
		Rule:        &Rule{Schedule: &Schedule{Expression: api.Ptr(r.Expression), Duration: api.Ptr(r.Duration), Timezone: api.OptionalString(r.Timezone)}},
		MuteTargets: &MuteTargets{AlarmNames: r.AlarmNames}, StartDate: optionalTime(r.StartDate), ExpireDate: optionalTime(r.ExpireDate),
		Status: AlarmMuteRuleStatus(v.Status), LastUpdatedTimestamp: api.Ptr(v.Updated), MuteType: api.Ptr(v.Type)}
	return out, nil
}

// optionalTime is a time in milliseconds, nil for 0.
func optionalTime(ms int64) *time.Time {
	if ms == 0 {
		return nil
	}
	return api.Ptr(time.UnixMilli(ms))
}

// ListAlarmMuteRules lists alarm mute rules.
func (s *Provider) ListAlarmMuteRules(ctx context.Context, in *ListAlarmMuteRulesInput) (*ListAlarmMuteRulesOutput, error) {
	var statuses []string
	for _, st := range in.Statuses {
		statuses = append(statuses, string(st))
	}
	list, next, err := s.alarms.ListMuteRules(ctx, alarmScope(ctx), api.Value(in.AlarmName), statuses, int(api.Value(in.MaxRecords)), api.Value(in.NextToken))
	if err != nil {
		return nil, alarmError(err)
	}
	out := &ListAlarmMuteRulesOutput{AlarmMuteRuleSummaries: make([]AlarmMuteRuleSummary, len(list)), NextToken: api.OptionalString(next)}
	for i, v := range list {
		out.AlarmMuteRuleSummaries[i] = AlarmMuteRuleSummary{AlarmMuteRuleArn: api.Ptr(v.ARN), ExpireDate: optionalTime(v.Rule.ExpireDate),
			Status: AlarmMuteRuleStatus(v.Status), MuteType: api.Ptr(v.Type), LastUpdatedTimestamp: api.Ptr(v.Updated)}
	}
	return out, nil
}

// DeleteAlarmMuteRule deletes an alarm mute rule.
func (s *Provider) DeleteAlarmMuteRule(ctx context.Context, in *DeleteAlarmMuteRuleInput) (*DeleteAlarmMuteRuleOutput, error) {
	return nil, alarmError(s.alarms.DeleteMuteRule(ctx, alarmScope(ctx), *in.AlarmMuteRuleName))
}

// DescribeAlarmContributors lists the contributors in ALARM of a
// multi-time-series alarm.
func (s *Provider) DescribeAlarmContributors(ctx context.Context, in *DescribeAlarmContributorsInput) (*DescribeAlarmContributorsOutput, error) {
	list, next, err := s.alarms.DescribeAlarmContributors(ctx, alarmScope(ctx), *in.AlarmName, api.Value(in.NextToken))
	if err != nil {
		return nil, exceptionError(err)
	}
	out := &DescribeAlarmContributorsOutput{AlarmContributors: make([]AlarmContributor, len(list)), NextToken: api.OptionalString(next)}
	for i, c := range list {
		out.AlarmContributors[i] = AlarmContributor{ContributorId: api.Ptr(c.ID), ContributorAttributes: c.Attributes,
			StateReason: api.Ptr(c.Reason), StateTransitionedTimestamp: api.Ptr(c.Transitioned)}
	}
	return out, nil
}
