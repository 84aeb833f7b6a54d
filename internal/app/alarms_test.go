package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// TestAlarmsOnMetrics evaluates alarms of every kind the metrics engine
// answers for — one metric, metric math, an anomaly detection band and a
// Metrics Insights query — through the API, in process: the source that
// adapts GetMetricData to the evaluator must hand each its datapoints.
func TestAlarmsOnMetrics(t *testing.T) {
	a := devApp(t)
	ctx := context.Background()
	c := cloudWatchClient(handlerTransport{a.Handler()})
	now := a.clock.Now().Truncate(time.Minute)
	// A day and more of a steady 10 on two hosts (an anomaly detection
	// model learns from a full day), then a last minute at 500 on web-1:
	// every alarm below breaches on that minute alone.
	var data []types.MetricDatum
	for m := 1500; m >= 1; m-- {
		for _, host := range []string{"web-1", "web-2"} {
			v := 10.0 + float64(m%3)
			if m == 1 && host == "web-1" {
				v = 500
			}
			data = append(data, types.MetricDatum{MetricName: aws.String("Latency"), Value: aws.Float64(v),
				Dimensions: []types.Dimension{{Name: aws.String("Host"), Value: aws.String(host)}},
				Timestamp:  aws.Time(now.Add(-time.Duration(m) * time.Minute))})
		}
		if len(data) == 1000 || m == 1 {
			if _, err := c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("App"), MetricData: data}); err != nil {
				t.Fatal(err)
			}
			data = data[:0]
		}
	}
	if err := a.metrics.RollUp(ctx, a.clock.Now()); err != nil {
		t.Fatal(err)
	}
	stat := func(id, host string) types.MetricDataQuery {
		return types.MetricDataQuery{Id: aws.String(id), ReturnData: aws.Bool(false), MetricStat: &types.MetricStat{
			Metric: &types.Metric{Namespace: aws.String("App"), MetricName: aws.String("Latency"),
				Dimensions: []types.Dimension{{Name: aws.String("Host"), Value: aws.String(host)}}},
			Period: aws.Int32(60), Stat: aws.String("Average")}}
	}
	returning := func(q types.MetricDataQuery) types.MetricDataQuery { q.ReturnData = aws.Bool(true); return q }
	put := func(in *cloudwatch.PutMetricAlarmInput) {
		t.Helper()
		in.EvaluationPeriods = aws.Int32(1)
		if _, err := c.PutMetricAlarm(ctx, in); err != nil {
			t.Fatalf("PutMetricAlarm(%s): %v", *in.AlarmName, err)
		}
	}
	gt := types.ComparisonOperatorGreaterThanThreshold
	put(&cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("single"), Namespace: aws.String("App"), MetricName: aws.String("Latency"),
		Dimensions: []types.Dimension{{Name: aws.String("Host"), Value: aws.String("web-1")}},
		Statistic:  types.StatisticMaximum, Period: aws.Int32(60), Threshold: aws.Float64(100), ComparisonOperator: gt})
	put(&cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("math"), Threshold: aws.Float64(250), ComparisonOperator: gt,
		Metrics: []types.MetricDataQuery{stat("m1", "web-1"), stat("m2", "web-2"),
			{Id: aws.String("e1"), Expression: aws.String("(m1 + m2) / 2"), ReturnData: aws.Bool(true)}}})
	put(&cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("band"), ThresholdMetricId: aws.String("ad1"),
		ComparisonOperator: types.ComparisonOperatorLessThanLowerOrGreaterThanUpperThreshold,
		Metrics: []types.MetricDataQuery{returning(stat("m1", "web-1")),
			{Id: aws.String("ad1"), Expression: aws.String("ANOMALY_DETECTION_BAND(m1, 2)"), ReturnData: aws.Bool(true)}}})
	put(&cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("insights"), Threshold: aws.Float64(100), ComparisonOperator: gt,
		Metrics: []types.MetricDataQuery{{Id: aws.String("q1"), Period: aws.Int32(60), ReturnData: aws.Bool(true),
			Expression: aws.String("SELECT MAX(Latency) FROM App")}}})
	put(&cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("per-host"), Threshold: aws.Float64(100), ComparisonOperator: gt,
		Metrics: []types.MetricDataQuery{{Id: aws.String("q1"), Period: aws.Int32(60), ReturnData: aws.Bool(true),
			Expression: aws.String("SELECT MAX(Latency) FROM App GROUP BY Host")}}})
	// A band that is never crossed: the steady host.
	put(&cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("band-steady"), ThresholdMetricId: aws.String("ad1"),
		ComparisonOperator: types.ComparisonOperatorLessThanLowerOrGreaterThanUpperThreshold,
		Metrics: []types.MetricDataQuery{returning(stat("m1", "web-2")),
			{Id: aws.String("ad1"), Expression: aws.String("ANOMALY_DETECTION_BAND(m1, 2)"), ReturnData: aws.Bool(true)}}})

	// Each put asked the alarms job to evaluate the alarm at once.
	if err := a.sched.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	out, err := c.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"single":      "ALARM Threshold Crossed: 1 datapoint [500.0 (",
		"math":        "ALARM Threshold Crossed: 1 datapoint [255.",
		"band":        "ALARM Thresholds Crossed: 1 datapoint [500.0 (",
		"insights":    "ALARM Threshold Crossed: 1 datapoint [500.0 (",
		"band-steady": "OK Thresholds Crossed: 1 datapoint [",
		"per-host":    "ALARM 1 contributor of 2 in ALARM.",
	}
	for _, m := range out.MetricAlarms {
		got := fmt.Sprintf("%s %s", m.StateValue, aws.ToString(m.StateReason))
		if !strings.HasPrefix(got, want[*m.AlarmName]) {
			t.Errorf("%s: %s; want %s…", *m.AlarmName, got, want[*m.AlarmName])
		}
		delete(want, *m.AlarmName)
	}
	if len(want) > 0 {
		t.Errorf("alarms not described: %v", want)
	}

	// The multi-time-series alarm's contributors: web-1 in ALARM, with its
	// own history.
	cs, err := c.DescribeAlarmContributors(ctx, &cloudwatch.DescribeAlarmContributorsInput{AlarmName: aws.String("per-host")})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs.AlarmContributors) != 1 || cs.AlarmContributors[0].ContributorAttributes["Host"] != "web-1" ||
		!strings.HasPrefix(aws.ToString(cs.AlarmContributors[0].StateReason), "Threshold Crossed: 1 datapoint [500.0 (") {
		t.Fatalf("contributors %+v", cs.AlarmContributors)
	}
	id := cs.AlarmContributors[0].ContributorId
	h, err := c.DescribeAlarmHistory(ctx, &cloudwatch.DescribeAlarmHistoryInput{AlarmName: aws.String("per-host"), AlarmContributorId: id})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.AlarmHistoryItems) != 1 || h.AlarmHistoryItems[0].HistoryItemType != types.HistoryItemTypeAlarmContributorStateUpdate ||
		h.AlarmHistoryItems[0].AlarmContributorAttributes["Host"] != "web-1" {
		t.Errorf("history of contributor %s: %+v", *id, h.AlarmHistoryItems)
	}
}
