package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// alarmTime is how StateReasonData and history data write times.
const alarmTime = "2006-01-02T15:04:05.000-0700"

// alarmClient drives one alarm of a Vigil with the Go SDK.
type alarmClient struct {
	t    *testing.T
	v    *vigil
	cw   *cloudwatch.Client
	name string
}

// alarm returns the alarm as DescribeAlarms describes it.
func (a *alarmClient) alarm() types.MetricAlarm {
	a.t.Helper()
	out, err := a.cw.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{a.name}})
	if err != nil {
		a.t.Fatal(err)
	}
	if len(out.MetricAlarms) != 1 {
		a.t.Fatalf("DescribeAlarms %s = %d alarms; want 1", a.name, len(out.MetricAlarms))
	}
	return out.MetricAlarms[0]
}

// history returns the alarm's history items of a type, newest first.
func (a *alarmClient) history(typ types.HistoryItemType) []types.AlarmHistoryItem {
	a.t.Helper()
	out, err := a.cw.DescribeAlarmHistory(context.Background(), &cloudwatch.DescribeAlarmHistoryInput{AlarmName: &a.name, HistoryItemType: typ})
	if err != nil {
		a.t.Fatal(err)
	}
	return out.AlarmHistoryItems
}

// setState sets the alarm's state with SetAlarmState and lets the
// actions it enqueued run.
func (a *alarmClient) setState(state types.StateValue, reason string) {
	a.t.Helper()
	if _, err := a.cw.SetAlarmState(context.Background(), &cloudwatch.SetAlarmStateInput{
		AlarmName: &a.name, StateValue: state, StateReason: &reason}); err != nil {
		a.t.Fatal(err)
	}
	a.v.settle(a.t)
}

// actionsEnabled enables or disables the alarm's actions.
func (a *alarmClient) actionsEnabled(enabled bool) {
	a.t.Helper()
	var err error
	if enabled {
		_, err = a.cw.EnableAlarmActions(context.Background(), &cloudwatch.EnableAlarmActionsInput{AlarmNames: []string{a.name}})
	} else {
		_, err = a.cw.DisableAlarmActions(context.Background(), &cloudwatch.DisableAlarmActionsInput{AlarmNames: []string{a.name}})
	}
	if err != nil {
		a.t.Fatal(err)
	}
	if got := aws.ToBool(a.alarm().ActionsEnabled); got != enabled {
		a.t.Fatalf("ActionsEnabled = %v after setting it to %v", got, enabled)
	}
}

// wantActionItems checks the alarm's Action history items: their
// number, and that the newest says the action failed with a message
// beginning with failure, for the state set at stateUpdated.
func (a *alarmClient) wantActionItems(n int, action, failure string, stateUpdated time.Time) {
	a.t.Helper()
	items := a.history(types.HistoryItemTypeAction)
	if len(items) != n {
		a.t.Fatalf("%d Action history items; want %d: %s", len(items), n, summaries(items))
	}
	if n == 0 {
		return
	}
	it := items[0]
	want := "Failed to execute action " + action + ". Received error: \"" + failure
	if s := aws.ToString(it.HistorySummary); !strings.HasPrefix(s, want) || !strings.HasSuffix(s, "\"") {
		a.t.Errorf("Action item summary = %q; want %q...\"", s, want)
	}
	var data struct {
		ActionState          string `json:"actionState"`
		StateUpdateTimestamp int64  `json:"stateUpdateTimestamp"`
		Error                string `json:"error"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(it.HistoryData)), &data); err != nil {
		a.t.Fatalf("Action item data %q: %v", aws.ToString(it.HistoryData), err)
	}
	if data.ActionState != "Failed" || !strings.HasPrefix(data.Error, failure) || data.StateUpdateTimestamp != stateUpdated.UnixMilli() {
		a.t.Errorf("Action item data = %+v; want Failed with error %q... for the state updated at %d", data, failure, stateUpdated.UnixMilli())
	}
}

func summaries(items []types.AlarmHistoryItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = aws.ToString(it.HistorySummary)
	}
	return out
}

// TestAlarmActions: a state change runs the actions of the new state,
// each recorded as an Action history item of its outcome: an SNS action
// fails while Vigil serves no SNS topics, an EC2 action is not run. With
// the actions disabled, state changes (set, or evaluated) run none.
func TestAlarmActions(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Minute)
	v := startStill(t, now)
	ctx := context.Background()
	a := &alarmClient{t: t, v: v, cw: cloudwatch.NewFromConfig(v.devConfig(devAccount)), name: "cpu"}
	topic := "arn:aws:sns:us-east-1:" + devAccount + ":ops"
	stop := "arn:aws:automate:us-east-1:ec2:stop"
	mustDo(t, func() error {
		_, err := a.cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: &a.name,
			AlarmActions: []string{topic}, OKActions: []string{stop},
			Namespace: aws.String("E2E/Actions"), MetricName: aws.String("CPU"), Statistic: types.StatisticAverage, Period: aws.Int32(60),
			EvaluationPeriods: aws.Int32(2), Threshold: aws.Float64(75), ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold})
		return err
	})
	// The evaluation a put asks for runs before the data arrives.
	v.settle(t)
	mustDo(t, func() error {
		_, err := a.cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("E2E/Actions"), MetricData: []types.MetricDatum{
			{MetricName: aws.String("CPU"), Timestamp: aws.Time(now.Add(-2 * time.Minute)), Value: aws.Float64(80)},
			{MetricName: aws.String("CPU"), Timestamp: aws.Time(now.Add(-time.Minute)), Value: aws.Float64(90)},
		}})
		return err
	})

	alarmed := v.moveClock(t, `{"advance": "60s"}`)
	if s := a.alarm().StateValue; s != types.StateValueAlarm {
		t.Fatalf("after a minute the alarm is %s; want ALARM", s)
	}
	// The topic does not exist: the action fails as SNS answers.
	const noTopic = "Topic does not exist"
	a.wantActionItems(1, topic, noTopic, alarmed)

	a.actionsEnabled(false)
	a.setState(types.StateValueOk, "silenced")
	a.wantActionItems(1, topic, noTopic, alarmed)
	// The clock stays at later, when the state is set again below.
	later := v.moveClock(t, `{"advance": "60s"}`)
	if s := a.alarm().StateValue; s != types.StateValueAlarm {
		t.Fatalf("after the next evaluation the alarm is %s; want ALARM", s)
	}
	if got := summaries(a.history(types.HistoryItemTypeStateUpdate)); !slices.Equal(got, []string{
		"Alarm updated from OK to ALARM", "Alarm updated from ALARM to OK", "Alarm updated from INSUFFICIENT_DATA to ALARM"}) {
		t.Errorf("state updates = %q", got)
	}
	a.wantActionItems(1, topic, noTopic, alarmed)

	a.actionsEnabled(true)
	a.setState(types.StateValueOk, "heard again")
	a.wantActionItems(2, stop, "Vigil does not run EC2 (stop) actions", later)
}

// TestAlarmStateReasonData: an evaluated state's StateReasonData is the
// JSON AWS writes — version, query and start dates, unit, statistic,
// period, the recent datapoints oldest first, the threshold, and the
// datapoints that decided the state newest first — and the StateUpdate
// history item carries it.
func TestAlarmStateReasonData(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Minute)
	v := startStill(t, now)
	ctx := context.Background()
	a := &alarmClient{t: t, v: v, cw: cloudwatch.NewFromConfig(v.devConfig(devAccount)), name: "latency"}
	mustDo(t, func() error {
		_, err := a.cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: &a.name,
			Namespace: aws.String("E2E/Reasons"), MetricName: aws.String("Latency"), Statistic: types.StatisticMaximum, Period: aws.Int32(60),
			Unit: types.StandardUnitMilliseconds, EvaluationPeriods: aws.Int32(3), DatapointsToAlarm: aws.Int32(2), Threshold: aws.Float64(250.5),
			ComparisonOperator: types.ComparisonOperatorGreaterThanOrEqualToThreshold})
		return err
	})
	v.settle(t)
	mustDo(t, func() error {
		at := func(ago time.Duration) *time.Time { return aws.Time(now.Add(-ago)) }
		_, err := a.cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("E2E/Reasons"), MetricData: []types.MetricDatum{
			{MetricName: aws.String("Latency"), Timestamp: at(3 * time.Minute), Values: []float64{100, 300}, Unit: types.StandardUnitMilliseconds},
			{MetricName: aws.String("Latency"), Timestamp: at(2 * time.Minute), Value: aws.Float64(120), Unit: types.StandardUnitMilliseconds},
			{MetricName: aws.String("Latency"), Timestamp: at(time.Minute), Value: aws.Float64(400.25), Unit: types.StandardUnitMilliseconds},
		}})
		return err
	})
	v.moveClock(t, `{"advance": "60s"}`)

	alarm := a.alarm()
	raw := aws.ToString(alarm.StateReasonData)
	if alarm.StateValue != types.StateValueAlarm || !json.Valid([]byte(raw)) {
		t.Fatalf("alarm is %s with StateReasonData %q; want ALARM and JSON", alarm.StateValue, raw)
	}
	type datapoint struct {
		Timestamp string  `json:"timestamp"`
		Value     float64 `json:"value"`
	}
	var data struct {
		Version             string      `json:"version"`
		QueryDate           string      `json:"queryDate"`
		StartDate           string      `json:"startDate"`
		Unit                string      `json:"unit"`
		Statistic           string      `json:"statistic"`
		Period              int         `json:"period"`
		RecentDatapoints    []float64   `json:"recentDatapoints"`
		Threshold           *float64    `json:"threshold"`
		EvaluatedDatapoints []datapoint `json:"evaluatedDatapoints"`
	}
	if err := json.Unmarshal([]byte(raw), &data); err != nil {
		t.Fatalf("StateReasonData %s: %v", raw, err)
	}
	minute := func(ago int) string { return now.Add(-time.Duration(ago) * time.Minute).Format(alarmTime) }
	checks := []struct {
		what      string
		got, want any
	}{
		{"version", data.Version, "1.0"},
		{"queryDate", data.QueryDate, now.Add(time.Minute).Format(alarmTime)},
		{"startDate", data.StartDate, minute(3)},
		{"unit", data.Unit, "Milliseconds"},
		{"statistic", data.Statistic, "Maximum"},
		{"period", data.Period, 60},
		{"recentDatapoints", data.RecentDatapoints, []float64{300, 120, 400.25}},
		{"threshold", aws.ToFloat64(data.Threshold), 250.5},
		// The two breaching datapoints that make 2 out of 3, newest first.
		{"evaluatedDatapoints", data.EvaluatedDatapoints, []datapoint{{minute(1), 400.25}, {minute(3), 300}}},
	}
	for _, c := range checks {
		if !equalJSON(c.got, c.want) {
			t.Errorf("StateReasonData %s = %v; want %v", c.what, c.got, c.want)
		}
	}

	updates := a.history(types.HistoryItemTypeStateUpdate)
	if len(updates) != 1 {
		t.Fatalf("state updates = %q; want one", summaries(updates))
	}
	var item struct {
		Version  string
		NewState struct {
			StateValue      string
			StateReason     string
			StateReasonData json.RawMessage
		}
	}
	if err := json.Unmarshal([]byte(aws.ToString(updates[0].HistoryData)), &item); err != nil {
		t.Fatalf("StateUpdate data %q: %v", aws.ToString(updates[0].HistoryData), err)
	}
	if item.Version != "1.0" || item.NewState.StateValue != "ALARM" || item.NewState.StateReason != aws.ToString(alarm.StateReason) ||
		!equalJSON(item.NewState.StateReasonData, json.RawMessage(raw)) {
		t.Errorf("StateUpdate data = %s; want version 1.0 and the new state as DescribeAlarms has it (%s, %q, %s)",
			aws.ToString(updates[0].HistoryData), alarm.StateValue, aws.ToString(alarm.StateReason), raw)
	}
}

// equalJSON reports whether a and b encode to the same JSON.
func equalJSON(a, b any) bool {
	x, err := json.Marshal(a)
	if err != nil {
		return false
	}
	y, err := json.Marshal(b)
	return err == nil && bytes.Equal(x, y)
}
