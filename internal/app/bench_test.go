package app

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/vigilhq/vigil/internal/alarms"
	"github.com/vigilhq/vigil/internal/metrics"
	"github.com/vigilhq/vigil/internal/store"
)

// devApp starts an in-process dev-mode Vigil on a temporary directory.
func devApp(b testing.TB) *App {
	a, err := New(context.Background(), Config{DataDir: b.TempDir(), Dev: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Shutdown(context.Background()) })
	return a
}

// cloudWatchClient is an aws-sdk-go-v2 CloudWatch client sending through tr.
func cloudWatchClient(tr http.RoundTripper) *cloudwatch.Client {
	return cloudwatch.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://vigil"), HTTPClient: &http.Client{Transport: tr},
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "123456789012", SecretAccessKey: "bench"}, nil
		})})
}

// logsCaller returns a function that makes a CloudWatch Logs call through
// h and fails b unless it succeeds.
func logsCaller(b testing.TB, h http.Handler) func(op string, body []byte) {
	call := jsonCaller(b, h, "Logs_20140328.")
	return func(op string, body []byte) { call(op, body) }
}

// jsonCaller returns a function that makes an awsJson1.1 call of the
// service of a target prefix through h, fails b unless it succeeds, and
// returns the response's body.
func jsonCaller(b testing.TB, h http.Handler, prefix string) func(op string, body []byte) []byte {
	return func(op string, body []byte) []byte {
		r := httptest.NewRequest("POST", "/", io.NopCloser(bytes.NewReader(body)))
		r.Header.Set("X-Amz-Target", prefix+op)
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", op, w.Code, w.Body)
		}
		return w.Body.Bytes()
	}
}

// benchPutLogEvents runs 1,000-event PutLogEvents calls of ~200-byte lines
// into group g, stream s, and reports events/s.
func benchPutLogEvents(b *testing.B, call func(string, []byte)) {
	call("CreateLogGroup", []byte(`{"logGroupName":"g"}`))
	call("CreateLogStream", []byte(`{"logGroupName":"g","logStreamName":"s"}`))
	type event struct {
		Timestamp int64  `json:"timestamp"`
		Message   string `json:"message"`
	}
	events := make([]event, 1000)
	size := 0
	for i := range events {
		events[i] = event{time.Now().UnixMilli(), fmt.Sprintf(`{"level":"INFO","path":"/api/users","latency":%d,"status":200,"request_id":"%016x","msg":"handled request for user %06d"}`, i, i*7919, i)}
		size += len(events[i].Message)
	}
	body, _ := json.Marshal(map[string]any{"logGroupName": "g", "logStreamName": "s", "logEvents": events})
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		call("PutLogEvents", body)
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkPutLogEvents measures the server side of ingestion: a 1,000-event
// PutLogEvents of ~200-byte lines through the whole front door (dev-mode
// auth), JSON decoding, validation, the engine and a durable write.
func BenchmarkPutLogEvents(b *testing.B) {
	benchPutLogEvents(b, logsCaller(b, devApp(b).Handler()))
}

// BenchmarkPutLogEventsBesideStateChanges is BenchmarkPutLogEvents while
// four callers make 300 small state changes a second in all (moto's whole
// capacity on this workload), CreateLogStream and PutRetentionPolicy in
// turn: state changes must not slow ingestion down (they share no writer).
func BenchmarkPutLogEventsBesideStateChanges(b *testing.B) {
	call := logsCaller(b, devApp(b).Handler())
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for c := range 4 {
		g := fmt.Sprintf("state-%d", c)
		call("CreateLogGroup", []byte(`{"logGroupName":"`+g+`"}`))
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(time.Second / 75)
			defer t.Stop()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				case <-t.C:
				}
				stateChange(call, g, n)
			}
		}()
	}
	benchPutLogEvents(b, call)
	close(stop)
	wg.Wait()
}

// stateChange makes the n-th small state change of group g:
// CreateLogStream and PutRetentionPolicy in turn.
func stateChange(call func(string, []byte), g string, n int) {
	if n%2 == 0 {
		call("CreateLogStream", fmt.Appendf(nil, `{"logGroupName":"%s","logStreamName":"s%d"}`, g, n))
	} else {
		call("PutRetentionPolicy", fmt.Appendf(nil, `{"logGroupName":"%s","retentionInDays":%d}`, g, []int{1, 3, 5, 7}[n/2%4]))
	}
}

// recorder is an HTTP transport that keeps the request it is given and
// answers an empty success.
type recorder struct {
	req  *http.Request
	body []byte
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.req = req
	r.body, _ = io.ReadAll(req.Body)
	return &http.Response{StatusCode: 200, Header: http.Header{"Smithy-Protocol": {"rpc-v2-cbor"}, "Content-Type": {"application/cbor"}},
		Body: io.NopCloser(bytes.NewReader([]byte{0xa0})), Request: req}, nil
}

// BenchmarkPutMetricData measures the server side of a 1,000-datum
// PutMetricData (20 metric names × 50 hosts) through the front door, the
// engine and a durable commit, once the metrics exist: as aws-sdk-go-v2
// sends it (smithy-rpc-v2-cbor), and as boto3 1.43 does (awsJson1.0).
func BenchmarkPutMetricData(b *testing.B) {
	a := devApp(b)
	rec := &recorder{}
	c := cloudWatchClient(rec)
	data := make([]types.MetricDatum, 0, 1000)
	type jsonDatum struct {
		MetricName string
		Dimensions []map[string]string
		Timestamp  float64
		Value      float64
		Unit       string
	}
	var jsonData []jsonDatum
	now := time.Now()
	for m := range 20 {
		for h := range 50 {
			name, host, v := fmt.Sprintf("Metric%02d", m), fmt.Sprintf("host-%02d", h), float64(m*h)
			data = append(data, types.MetricDatum{MetricName: aws.String(name),
				Dimensions: []types.Dimension{{Name: aws.String("Host"), Value: aws.String(host)}},
				Timestamp:  aws.Time(now), Value: aws.Float64(v), Unit: types.StandardUnitMilliseconds})
			jsonData = append(jsonData, jsonDatum{name, []map[string]string{{"Name": "Host", "Value": host}}, float64(now.UnixMicro()) / 1e6, v, "Milliseconds"})
		}
	}
	if _, err := c.PutMetricData(context.Background(), &cloudwatch.PutMetricDataInput{Namespace: aws.String("Bench"), MetricData: data}); err != nil {
		b.Fatal(err)
	}
	jsonBody, _ := json.Marshal(map[string]any{"Namespace": "Bench", "MetricData": jsonData})
	h := a.Handler()
	for _, bc := range []struct {
		name   string
		path   string
		header http.Header
		body   []byte
	}{
		{"cbor", rec.req.URL.Path, rec.req.Header, rec.body},
		{"json", "/", http.Header{"Content-Type": {"application/x-amz-json-1.0"}, "X-Amzn-Query-Mode": {"true"},
			"X-Amz-Target": {"GraniteServiceVersion20100801.PutMetricData"}, "Authorization": rec.req.Header["Authorization"],
			"X-Amz-Date": rec.req.Header["X-Amz-Date"]}, jsonBody},
	} {
		b.Run(bc.name, func(b *testing.B) {
			put := func() {
				r := httptest.NewRequest("POST", bc.path, bytes.NewReader(bc.body))
				r.Header = bc.header.Clone()
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("PutMetricData: %d %s", w.Code, w.Body)
				}
			}
			put() // creates the metrics
			b.SetBytes(int64(len(bc.body)))
			b.ReportAllocs()
			b.ResetTimer()
			// Concurrent calls share commits, as clients in production do.
			b.SetParallelism(2)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					put()
				}
			})
			b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "datapoints/s")
		})
	}
}

// handlerTransport serves a client's requests with an in-process handler.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	w := httptest.NewRecorder()
	t.h.ServeHTTP(w, req)
	return w.Result(), nil
}

// BenchmarkGetMetricData measures the server side of GetMetricData over
// rolled-up one-minute data (500 series × 4 h loaded first): 100 series ×
// 2 h, and 500 queries × 201 points (100,500 points, near the call's
// 100,800-point limit), as aws-sdk-go-v2 sends them. It also reports the
// stored size of the one-minute roll-ups per sample.
func BenchmarkGetMetricData(b *testing.B) {
	a := devApp(b)
	ctx := context.Background()
	h := a.Handler()
	c := cloudWatchClient(handlerTransport{h})
	series := func(s int) []types.Dimension {
		return []types.Dimension{{Name: aws.String("Host"), Value: aws.String(fmt.Sprintf("host-%03d", s))}}
	}
	end := time.Now().Truncate(time.Minute)
	var data []types.MetricDatum
	for m := range 240 {
		for s := range 500 {
			data = append(data, types.MetricDatum{MetricName: aws.String("Latency"), Dimensions: series(s),
				Timestamp: aws.Time(end.Add(-time.Duration(m+1) * time.Minute)), Value: aws.Float64(float64(100 + (s*7+m*13)%50))})
			if len(data) == 1000 {
				if _, err := c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Bench"), MetricData: data}); err != nil {
					b.Fatal(err)
				}
				data = data[:0]
			}
		}
	}
	if err := a.metrics.RollUp(ctx, a.clock.Now()); err != nil {
		b.Fatal(err)
	}
	chunks, err := a.store.Metrics().Rollups(ctx, store.RollupQuery{Resolution: 60, StartBefore: end.UnixMilli(), MaxMetrics: 1000})
	if err != nil {
		b.Fatal(err)
	}
	size := 0
	for _, c := range chunks {
		size += len(c.Data)
	}
	for _, bc := range []struct {
		name    string
		queries int
		span    time.Duration
	}{{"100x2h", 100, 2 * time.Hour}, {"500x201", 500, 201 * time.Minute}} {
		b.Run(bc.name, func(b *testing.B) {
			qs := make([]types.MetricDataQuery, bc.queries)
			for i := range qs {
				qs[i] = types.MetricDataQuery{Id: aws.String(fmt.Sprintf("m%d", i)), MetricStat: &types.MetricStat{
					Metric: &types.Metric{Namespace: aws.String("Bench"), MetricName: aws.String("Latency"), Dimensions: series(i)},
					Period: aws.Int32(60), Stat: aws.String("Average")}}
			}
			rec := &recorder{}
			cloudWatchClient(rec).GetMetricData(ctx, &cloudwatch.GetMetricDataInput{MetricDataQueries: qs, StartTime: aws.Time(end.Add(-bc.span)), EndTime: aws.Time(end)})
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest("POST", rec.req.URL.Path, bytes.NewReader(rec.body))
				r.Header = rec.req.Header.Clone()
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("GetMetricData: %d %s", w.Code, w.Body)
				}
			}
			b.ReportMetric(float64(size)/(500*240), "stored-bytes/sample")
		})
	}
}

// BenchmarkStateChanges measures small durable state changes through the
// whole front door: CreateLogStream and PutRetentionPolicy in turn, from
// parallel callers, each in a group of its own (the platform issue's
// workload, in process).
func BenchmarkStateChanges(b *testing.B) {
	call := logsCaller(b, devApp(b).Handler())
	var next atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		g := fmt.Sprintf("g%d", next.Add(1))
		call("CreateLogGroup", []byte(`{"logGroupName":"`+g+`"}`))
		for n := 0; pb.Next(); n++ {
			stateChange(call, g, n)
		}
	})
}

// BenchmarkAlarmCycle measures a run of the alarm job that evaluates
// 10,000 metric alarms, each on a series of its own with a datapoint a
// minute (the alarms issue's target: a cycle in under 5 s). One op is
// one cycle; µs/alarm is the cost of one evaluation.
func BenchmarkAlarmCycle(b *testing.B) {
	n := *benchAlarms
	a := devApp(b)
	ctx := context.Background()
	sc := alarms.Scope{Account: "123456789012", Region: "us-east-1"}
	base := a.clock.Now().Truncate(time.Minute)
	data := make([]metrics.Datum, 0, 5*n)
	for s := range n {
		dims := []metrics.Dimension{{Name: "Host", Value: fmt.Sprintf("host-%05d", s)}}
		for m := 1; m <= 5; m++ {
			data = append(data, metrics.Datum{Namespace: "Bench", Name: "CPU", Dimensions: dims,
				Timestamp: base.Add(-time.Duration(m) * time.Minute), Value: float64((s + m) % 100)})
		}
	}
	for len(data) > 0 {
		k := min(len(data), 1000)
		if err := a.metrics.Ingest(ctx, sc.Account, sc.Region, data[:k]); err != nil {
			b.Fatal(err)
		}
		data = data[k:]
	}
	threshold := 50.0
	for s := range n {
		err := a.alarms.PutMetricAlarm(ctx, sc, alarms.PutInput{Name: fmt.Sprintf("cpu-%05d", s), Definition: alarms.Definition{
			Namespace: "Bench", MetricName: "CPU", Dimensions: []alarms.Dimension{{Name: "Host", Value: fmt.Sprintf("host-%05d", s)}},
			Statistic: "Average", Period: 60, EvaluationPeriods: 3, Threshold: &threshold, ComparisonOperator: "GreaterThanThreshold"}})
		if err != nil {
			b.Fatal(err)
		}
	}
	// The first run decides every alarm's first state; the ones measured
	// evaluate all of them again, a minute apart, as the job does.
	if err := a.alarms.Run(ctx, base); err != nil {
		b.Fatal(err)
	}
	i := 0
	cpu := processCPU(b)
	for b.Loop() {
		i++
		if err := a.alarms.Run(ctx, base.Add(time.Duration(i%2)*time.Minute)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/alarm")
	b.ReportMetric(float64((processCPU(b)-cpu).Microseconds())/float64(b.N*n), "cpu-µs/alarm")
}

// benchAlarms is BenchmarkAlarmCycle's number of alarms: the target's
// 10,000 unless -alarms says otherwise (a quick profile).
var benchAlarms = flag.Int("alarms", 10_000, "the number of alarms of BenchmarkAlarmCycle")

// processCPU is the CPU time the process has used, user and system.
func processCPU(b testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
