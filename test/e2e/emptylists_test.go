package e2e

import (
	"encoding/json"
	"os/exec"
	"testing"
	"time"
)

// Lists AWS always returns must be there when empty: code written against
// AWS reads them without a default (res["Values"]), which raises when a
// server omits them.

// TestBoto3EmptyLists checks them through boto3: CloudWatch in JSON 1.0,
// CloudWatch Logs in JSON 1.1.
func TestBoto3EmptyLists(t *testing.T) {
	py := python3(t)
	v := start(t, false)
	script := `
import boto3, datetime
now = datetime.datetime.now(datetime.timezone.utc)
cw = boto3.client("cloudwatch")
r = cw.get_metric_data(StartTime=now - datetime.timedelta(hours=1), EndTime=now, MetricDataQueries=[
    {"Id": "m", "MetricStat": {"Metric": {"Namespace": "None", "MetricName": "None"}, "Period": 60, "Stat": "Sum"}}])
res = r["MetricDataResults"][0]
assert res["Values"] == [] and res["Timestamps"] == [] and r["Messages"] == [], r
assert cw.list_metrics(Namespace="None")["Metrics"] == []
assert cw.get_metric_statistics(Namespace="None", MetricName="None", StartTime=now - datetime.timedelta(hours=1), EndTime=now, Period=60, Statistics=["Sum"])["Datapoints"] == []
assert cw.describe_anomaly_detectors()["AnomalyDetectors"] == []
logs = boto3.client("logs")
assert logs.describe_log_groups(logGroupNamePrefix="none")["logGroups"] == []
logs.create_log_group(logGroupName="g")
assert logs.describe_log_streams(logGroupName="g")["logStreams"] == []
assert logs.describe_metric_filters(logGroupName="g")["metricFilters"] == []
assert logs.describe_subscription_filters(logGroupName="g")["subscriptionFilters"] == []
assert logs.filter_log_events(logGroupName="g")["events"] == []
assert logs.describe_queries()["queries"] == []
assert logs.describe_query_definitions()["queryDefinitions"] == []
assert logs.describe_destinations()["destinations"] == []
print("ok")
`
	cmd := exec.Command(py, "-c", script)
	cmd.Env = v.env()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
}

// TestAWSCLIv2EmptyLists checks GetMetricData's lists in awsQuery, through
// the Debian AWS CLI 2.9.
func TestAWSCLIv2EmptyLists(t *testing.T) {
	awscli2(t)
	v := start(t, false)
	now := time.Now().UTC()
	cmd := exec.Command(debianAWSCLI, "--endpoint-url", v.endpoint, "--output", "json", "cloudwatch", "get-metric-data",
		"--start-time", now.Add(-time.Hour).Format(time.RFC3339), "--end-time", now.Format(time.RFC3339),
		"--metric-data-queries", `[{"Id":"m","MetricStat":{"Metric":{"Namespace":"None","MetricName":"None"},"Period":60,"Stat":"Sum"}}]`)
	cmd.Env = v.env()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("aws cloudwatch get-metric-data: %v\n%s", err, out)
	}
	var res struct {
		MetricDataResults []struct{ Values, Timestamps []any }
		Messages          []any
	}
	if err := json.Unmarshal(out, &res); err != nil || len(res.MetricDataResults) != 1 ||
		res.MetricDataResults[0].Values == nil || res.MetricDataResults[0].Timestamps == nil || res.Messages == nil {
		t.Errorf("aws cloudwatch get-metric-data = %s (%v); want empty Values, Timestamps and Messages", out, err)
	}
}
