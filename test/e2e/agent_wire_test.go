package e2e

// The amazon-cloudwatch-agent and the OpenTelemetry exporters (awsemf,
// awscloudwatchlogs) send through aws-sdk-go v1, which no other test
// drives, so these requests are built by hand as those clients build them
// (docs/agents.md): awsQuery forms with sorted keys, 'f'-notation floats,
// millisecond ISO 8601 timestamps and "Name=" for an empty list or map;
// PutMetricData and PutLogEvents gzipped before signing; and contrib's
// cwlogs client resending a successful PutLogEvents until its response
// carries nextSequenceToken.

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

// agentStats is the agent's health header (extension agenthealth), which
// it adds before signing to PutMetricData and PutLogEvents.
const agentStats = `"cpu":4.7,"mem":144588800,"fd":11,"th":7,"ric":0,"rt":"ACJ","m":"OP"`

// agentSend posts body to v as aws-sdk-go v1 does with the agent's
// compression handler: gzipped when gz is set and that makes it smaller,
// then signed with the root key for service (monitoring or logs). It
// returns the status and the response body.
func (v *vigil) agentSend(t *testing.T, service string, body []byte, header http.Header, gz bool) (int, []byte) {
	t.Helper()
	var zbuf bytes.Buffer
	zw := gzip.NewWriter(&zbuf)
	zw.Write(body)
	zw.Close()
	if gz && zbuf.Len() < len(body) {
		body = zbuf.Bytes()
		header.Set("Content-Encoding", "gzip")
		header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	req, err := http.NewRequest(http.MethodPost, v.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	v.signRoot(t, req, body, service)
	req.Header.Set("User-Agent", "aws-sdk-go/1.48.6 (go1.22.5; linux; amd64) CWAgent/1.300052.1") // never signed
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

// agentDatum is a MetricDatum as the agent's cloudwatch output builds it.
type agentDatum struct {
	name, unit string
	dims       [][2]string // host first, then sorted by name
	res        int         // StorageResolution: always sent, 60 or 1
	value      float64     // when values is nil
	// A distribution: the agent's Values are its buckets' representative
	// values (not always within Minimum and Maximum); StatisticValues are
	// exact, and are what must read back.
	values, counts []float64
	stat           datumStats
}

// encode adds the datum's parameters under prefix (MetricData.member.1).
func (d agentDatum) encode(form url.Values, prefix string, ts time.Time) {
	num := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	for i, dim := range d.dims {
		form.Set(fmt.Sprintf("%s.Dimensions.member.%d.Name", prefix, i+1), dim[0])
		form.Set(fmt.Sprintf("%s.Dimensions.member.%d.Value", prefix, i+1), dim[1])
	}
	form.Set(prefix+".MetricName", d.name)
	form.Set(prefix+".StorageResolution", strconv.Itoa(d.res))
	form.Set(prefix+".Timestamp", ts.UTC().Truncate(time.Millisecond).Format("2006-01-02T15:04:05.999999999Z"))
	form.Set(prefix+".Unit", d.unit)
	if d.values == nil {
		form.Set(prefix+".Value", num(d.value))
		return
	}
	for i := range d.values {
		form.Set(fmt.Sprintf("%s.Values.member.%d", prefix, i+1), num(d.values[i]))
		form.Set(fmt.Sprintf("%s.Counts.member.%d", prefix, i+1), num(d.counts[i]))
	}
	form.Set(prefix+".StatisticValues.Maximum", num(d.stat.max))
	form.Set(prefix+".StatisticValues.Minimum", num(d.stat.min))
	form.Set(prefix+".StatisticValues.SampleCount", num(d.stat.count))
	form.Set(prefix+".StatisticValues.Sum", num(d.stat.sum))
}

type datumStats struct{ count, sum, min, max float64 }

// stats is what the datum must read back as, once.
func (d agentDatum) stats() datumStats {
	if d.values == nil {
		return datumStats{1, d.value, d.value, d.value}
	}
	return d.stat
}

// statistics reads a metric's one period from start with
// GetMetricStatistics; a zero datumStats when it has no datapoint.
func statistics(t *testing.T, cw *cloudwatch.Client, ns, name string, dims [][2]string, start time.Time, period int32) (datumStats, string) {
	t.Helper()
	in := &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String(ns), MetricName: aws.String(name),
		StartTime: aws.Time(start), EndTime: aws.Time(start.Add(time.Duration(period) * time.Second)), Period: aws.Int32(period),
		Statistics: []cwtypes.Statistic{cwtypes.StatisticSampleCount, cwtypes.StatisticSum, cwtypes.StatisticMinimum, cwtypes.StatisticMaximum}}
	for _, dim := range dims {
		in.Dimensions = append(in.Dimensions, cwtypes.Dimension{Name: aws.String(dim[0]), Value: aws.String(dim[1])})
	}
	out, err := cw.GetMetricStatistics(context.Background(), in)
	if err != nil || len(out.Datapoints) > 1 {
		t.Fatalf("GetMetricStatistics %s = %+v, %v; want at most one datapoint", name, out, err)
	}
	if len(out.Datapoints) == 0 {
		return datumStats{}, ""
	}
	p := out.Datapoints[0]
	return datumStats{aws.ToFloat64(p.SampleCount), aws.ToFloat64(p.Sum), aws.ToFloat64(p.Minimum), aws.ToFloat64(p.Maximum)}, string(p.Unit)
}

// agentEntity adds an entity's maps under prefix (EntityMetricData.member.1.Entity).
func agentEntity(form url.Values, prefix string, keyAttrs, attrs [][2]string) {
	for name, m := range map[string][][2]string{"KeyAttributes": keyAttrs, "Attributes": attrs} {
		if len(m) == 0 {
			form.Set(prefix+"."+name, "") // a non-nil empty map
		}
		for i, kv := range m {
			form.Set(fmt.Sprintf("%s.%s.entry.%d.key", prefix, name, i+1), kv[0])
			form.Set(fmt.Sprintf("%s.%s.entry.%d.value", prefix, name, i+1), kv[1])
		}
	}
}

func TestAgentPutMetricData(t *testing.T) {
	v := start(t, false)
	ts := time.Now().Add(-3 * time.Minute).Truncate(time.Minute).Add(1234 * time.Millisecond)
	host := [2]string{"host", "ip-10-0-0-1.ec2.internal"}
	cpu := agentDatum{name: "cpu_usage_idle", unit: "Percent", res: 60, value: 97.5, dims: [][2]string{host, {"cpu", "cpu-total"}}}
	mem := agentDatum{name: "mem_used_percent", unit: "Percent", res: 60, value: 42.25, dims: [][2]string{host}}
	disk := agentDatum{name: "disk_used_percent", unit: "Percent", res: 60, value: 12.5,
		dims: [][2]string{host, {"device", "nvme0n1p1"}, {"fstype", "xfs"}, {"path", "/"}}}
	hires := agentDatum{name: "procstat_cpu_usage", unit: "Percent", res: 1, value: 3.125, dims: [][2]string{host, {"exe", "vigil"}}}
	// StatsD timings 3, 5, 8 and 1000 ms, twice, and a counter, as agent 1.300052 sent them.
	timer := agentDatum{name: "req_ms", unit: "None", res: 1, dims: [][2]string{host, {"metric_type", "timing"}, {"route", "/api"}},
		values: []float64{4.819248325194279, 7.761447620208641, 1002.2352512891151, 2.992374046230249}, counts: []float64{2, 2, 2, 2},
		stat: datumStats{count: 8, sum: 2032, min: 3, max: 1000}}
	hits := agentDatum{name: "hits", unit: "None", res: 1, dims: [][2]string{host, {"metric_type", "counter"}},
		values: []float64{2.0438317370604793}, counts: []float64{1}, stat: datumStats{1, 2, 2, 2}}
	ec2 := [][2]string{{"AwsAccountId", "123456789012"}, {"Identifier", "i-0123456789abcdef0"}, {"ResourceType", "AWS::EC2::Instance"}, {"Type", "AWS::Resource"}}
	service := [][2]string{{"AwsAccountId", "123456789012"}, {"Environment", "ec2:default"}, {"Name", "vigil"}, {"Type", "Service"}}

	requests := []struct {
		name  string
		build func(form url.Values)
	}{
		{"host metrics, no entity (on premises)", func(form url.Values) {
			cpu.encode(form, "MetricData.member.1", ts)
			mem.encode(form, "MetricData.member.2", ts)
		}},
		{"entities only, MetricData empty (on EC2)", func(form url.Values) {
			form.Set("MetricData", "")
			agentEntity(form, "EntityMetricData.member.1.Entity", ec2, [][2]string{{"EC2.InstanceId", "i-0123456789abcdef0"}, {"PlatformType", "AWS::EC2"}})
			disk.encode(form, "EntityMetricData.member.1.MetricData.member.1", ts)
			agentEntity(form, "EntityMetricData.member.2.Entity", service, nil)
			hires.encode(form, "EntityMetricData.member.2.MetricData.member.1", ts)
		}},
		{"distributions: Values, Counts and StatisticValues (StatsD, collectd, histograms)", func(form url.Values) {
			timer.encode(form, "MetricData.member.1", ts)
			hits.encode(form, "MetricData.member.2", ts)
		}},
	}
	for _, r := range requests {
		form := url.Values{"Action": {"PutMetricData"}, "Version": {"2010-08-01"}, "Namespace": {"CWAgent"}, "StrictEntityValidation": {"false"}}
		r.build(form)
		header := http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}, "X-Amz-Agent-Stats": {agentStats}}
		status, body := v.agentSend(t, "monitoring", []byte(form.Encode()), header, true)
		if header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s: the body does not compress; the agent would send it plain", r.name)
		}
		if status != http.StatusOK || !bytes.Contains(body, []byte("<PutMetricDataResponse")) {
			t.Errorf("%s: PutMetricData = %d %s; want 200 PutMetricDataResponse", r.name, status, body)
		}
	}

	// Each value must be there exactly once, whichever way it is read.
	ctx := context.Background()
	cw := cloudwatch.NewFromConfig(v.goConfig("", false))
	for _, d := range []agentDatum{cpu, mem, disk, hires, timer, hits} {
		got, unit := statistics(t, cw, "CWAgent", d.name, d.dims, ts.Truncate(time.Minute), 60)
		if want := d.stats(); got != want || unit != d.unit {
			t.Errorf("GetMetricStatistics %s = %+v %s; want %+v %s", d.name, got, unit, want, d.unit)
		}
	}
	gmd, err := cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(ts.Truncate(time.Second).Add(-time.Second)), EndTime: aws.Time(ts.Add(time.Minute)),
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("hires"), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String("CWAgent"), MetricName: aws.String(hires.name), Dimensions: []cwtypes.Dimension{
				{Name: aws.String("host"), Value: aws.String(host[1])}, {Name: aws.String("exe"), Value: aws.String("vigil")}}},
			Period: aws.Int32(1), Stat: aws.String("SampleCount")}}},
	})
	if err != nil || len(gmd.MetricDataResults) != 1 || fmt.Sprint(gmd.MetricDataResults[0].Values) != "[1]" ||
		!gmd.MetricDataResults[0].Timestamps[0].Equal(ts.Truncate(time.Second)) {
		t.Errorf("GetMetricData of the one-second metric = %+v, %v; want one sample at %v", gmd, err, ts.Truncate(time.Second))
	}
}

// logsClient sends CloudWatch Logs calls as an aws-sdk-go v1 client with
// the agent's compression handler does (awsJson 1.1, PutLogEvents gzipped
// when that is smaller, signed); emf adds the header contrib's cwlogs
// client sets on every call.
type logsClient struct {
	v   *vigil
	emf bool
}

// call decodes the response into out; it returns the error's __type, if any.
func (c logsClient) call(t *testing.T, op string, in any, out any) string {
	t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	header := http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amz-Target": {"Logs_20140328." + op}}
	if c.emf {
		header.Set("X-Amzn-Logs-Format", "json/emf")
	}
	if op == "PutLogEvents" {
		header.Set("X-Amz-Agent-Stats", agentStats)
	}
	status, resp := c.v.agentSend(t, "logs", body, header, op == "PutLogEvents")
	var e struct {
		Type string `json:"__type"`
	}
	json.Unmarshal(resp, &e)
	if status != http.StatusOK {
		if e.Type == "" {
			t.Fatalf("%s = %d %s; want 200 or a typed error", op, status, resp)
		}
		return e.Type[strings.LastIndex(e.Type, "#")+1:]
	}
	if out != nil {
		if err := json.Unmarshal(resp, out); err != nil {
			t.Fatalf("%s: %v in %s", op, err, resp)
		}
	}
	return ""
}

type putLogEventsOutput struct {
	NextSequenceToken                         *string
	RejectedLogEventsInfo, RejectedEntityInfo json.RawMessage
}

// TestAgentCWLogsPusher replays contrib's internal/aws/cwlogs client, which
// the awsemf and awscloudwatchlogs exporters (and the agent's EMF
// pipeline) use: PutLogEvents to a stream that does not exist yet, the
// stream and group created on ResourceNotFoundException, and a successful
// PutLogEvents sent again, up to max_retries times, until its response
// carries nextSequenceToken. Every event and EMF metric must be stored once.
func TestAgentCWLogsPusher(t *testing.T) {
	v := start(t, false)
	logs := logsClient{v, true}
	group, stream := "/vigil/emf", "otel-stream"
	now := time.Now().Add(-time.Minute).UnixMilli()
	var events []map[string]any
	for i := range 5 {
		msg := fmt.Sprintf(`{"_aws":{"Timestamp":%d,"CloudWatchMetrics":[{"Namespace":"EMFAgent","Dimensions":[["Service"]],"Metrics":[{"Name":"latency","Unit":"Milliseconds"}]}]},"Service":"api","latency":%d}`, now+int64(i), 10*(i+1))
		events = append(events, map[string]any{"timestamp": now + int64(i), "message": msg})
	}
	put := func(token string, events []map[string]any) (string, putLogEventsOutput) {
		in := map[string]any{"logEvents": events, "logGroupName": group, "logStreamName": stream}
		if token != "" {
			in["sequenceToken"] = token
		}
		var out putLogEventsOutput
		return logs.call(t, "PutLogEvents", in, &out), out
	}

	const maxRetries = 2 // awsutil's default max_retries
	successes, created := 0, false
	var token string
	for i := 0; i <= maxRetries; i++ {
		errType, out := put("", events)
		if errType == "ResourceNotFoundException" && !created {
			// cwlogs.Client.CreateStream
			if e := logs.call(t, "CreateLogStream", map[string]any{"logGroupName": group, "logStreamName": stream}, nil); e != "ResourceNotFoundException" {
				t.Fatalf("CreateLogStream in a missing group = %q; want ResourceNotFoundException", e)
			}
			for _, c := range []struct {
				op string
				in map[string]any
			}{
				{"CreateLogGroup", map[string]any{"logGroupName": group, "tags": map[string]string{"team": "obs"}}},
				{"PutRetentionPolicy", map[string]any{"logGroupName": group, "retentionInDays": 7}},
				{"CreateLogStream", map[string]any{"logGroupName": group, "logStreamName": stream}},
			} {
				if e := logs.call(t, c.op, c.in, nil); e != "" {
					t.Fatalf("%s = %s", c.op, e)
				}
			}
			created = true
			continue
		}
		if errType != "" {
			t.Fatalf("PutLogEvents = %s", errType)
		}
		successes++
		if out.NextSequenceToken != nil {
			token = *out.NextSequenceToken
			break
		}
	}
	if successes != 1 || token == "" {
		t.Errorf("the exporter sent its batch %d times (token %q); want once, answered with nextSequenceToken", successes, token)
	}

	// The agent's own pusher and older clients send whatever token they
	// hold; each must be accepted and answered with a new one.
	seen := map[string]bool{token: true}
	for i, tok := range []string{token, "", "49039859562038485858595950393938485837362718394855", token} {
		e, out := put(tok, []map[string]any{{"timestamp": now + 10 + int64(i), "message": fmt.Sprintf("plain %d", i)}})
		next := aws.ToString(out.NextSequenceToken)
		if e != "" || next == "" || seen[next] {
			t.Errorf("PutLogEvents with sequenceToken %q = %q, nextSequenceToken %q; want success and a new token", tok, e, next)
		}
		seen[next] = true
	}
	var streams struct {
		LogStreams []struct{ LogStreamName, UploadSequenceToken string }
	}
	logs.call(t, "DescribeLogStreams", map[string]any{"logGroupName": group, "logStreamNamePrefix": stream}, &streams)
	if len(streams.LogStreams) != 1 || streams.LogStreams[0].UploadSequenceToken == "" {
		t.Errorf("DescribeLogStreams = %+v; want the stream with an uploadSequenceToken", streams)
	}

	var stored struct{ Events []struct{ Message string } }
	logs.call(t, "GetLogEvents", map[string]any{"logGroupName": group, "logStreamName": stream, "startFromHead": true}, &stored)
	if len(stored.Events) != len(events)+4 {
		t.Errorf("GetLogEvents: %d events; want %d, each stored once", len(stored.Events), len(events)+4)
	}
	// The EMF metric, published asynchronously, once per event.
	cw := cloudwatch.NewFromConfig(v.goConfig("", false))
	var got datumStats
	for deadline := time.Now().Add(10 * time.Second); got.count < float64(len(events)) && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		got, _ = statistics(t, cw, "EMFAgent", "latency", [][2]string{{"Service", "api"}}, time.UnixMilli(now).Truncate(time.Minute), 120)
	}
	if got.count != float64(len(events)) || got.sum != 150 {
		t.Errorf("EMF metric latency = %+v; want %d samples summing to 150", got, len(events))
	}
}

// TestAgentLogFilePusher replays the agent's own log-file pusher
// (plugins/outputs/cloudwatchlogs): PutLogEvents with the entity of the
// file's service, and on ResourceNotFoundException CreateLogStream,
// CreateLogGroup, CreateLogStream; then the retention check,
// DescribeLogGroups by logGroupIdentifiers, and PutRetentionPolicy.
func TestAgentLogFilePusher(t *testing.T) {
	logs := logsClient{start(t, false), false}
	group, stream := "/vigil/agent/app.log", "ip-10-0-0-1"
	in := map[string]any{
		"entity": map[string]any{
			"keyAttributes": map[string]string{"AwsAccountId": "123456789012", "Environment": "ec2:default", "Name": "app", "Type": "Service"},
			"attributes":    map[string]string{"AWS.ServiceNameSource": "UserConfiguration", "EC2.InstanceId": "i-0123456789abcdef0", "PlatformType": "AWS::EC2"},
		},
		"logEvents":    []map[string]any{{"timestamp": time.Now().UnixMilli(), "message": "2026-01-01 started"}},
		"logGroupName": group, "logStreamName": stream,
	}
	if e := logs.call(t, "PutLogEvents", in, nil); e != "ResourceNotFoundException" {
		t.Fatalf("PutLogEvents to a missing group = %q; want ResourceNotFoundException", e)
	}
	for _, c := range []struct {
		op, want string
		in       map[string]any
	}{
		{"CreateLogStream", "ResourceNotFoundException", map[string]any{"logGroupName": group, "logStreamName": stream}},
		{"CreateLogGroup", "", map[string]any{"logGroupName": group}},
		{"CreateLogStream", "", map[string]any{"logGroupName": group, "logStreamName": stream}},
		{"CreateLogStream", "ResourceAlreadyExistsException", map[string]any{"logGroupName": group, "logStreamName": stream}},
	} {
		if e := logs.call(t, c.op, c.in, nil); e != c.want {
			t.Fatalf("%s = %q; want %q", c.op, e, c.want)
		}
	}
	var out putLogEventsOutput
	if e := logs.call(t, "PutLogEvents", in, &out); e != "" || out.RejectedEntityInfo != nil || out.RejectedLogEventsInfo != nil {
		t.Fatalf("PutLogEvents with an entity = %q %+v; want every event accepted", e, out)
	}
	var groups struct {
		LogGroups []struct {
			LogGroupName    string
			RetentionInDays *int
		}
	}
	logs.call(t, "DescribeLogGroups", map[string]any{"logGroupIdentifiers": []string{group}, "limit": 50}, &groups)
	if len(groups.LogGroups) != 1 || groups.LogGroups[0].LogGroupName != group || groups.LogGroups[0].RetentionInDays != nil {
		t.Fatalf("DescribeLogGroups by identifier = %+v; want %s without retention", groups, group)
	}
	if e := logs.call(t, "PutRetentionPolicy", map[string]any{"logGroupName": group, "retentionInDays": 14}, nil); e != "" {
		t.Fatalf("PutRetentionPolicy = %s", e)
	}
}
