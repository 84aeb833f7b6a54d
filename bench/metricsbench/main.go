// Command metricsbench measures CloudWatch metrics workloads against any
// endpoint that speaks the CloudWatch API, through aws-sdk-go-v2 (which
// sends smithy-rpc-v2-cbor).
//
//	metricsbench -endpoint http://127.0.0.1:4580 put -clients 4 -d 20s
//	metricsbench -endpoint http://127.0.0.1:4580 load -series 500 -hours 2
//	metricsbench -endpoint http://127.0.0.1:4580 query
//
// put: concurrent PutMetricData calls of 1,000 datums each, over 20 metric
// names × 50 values of one dimension; reports data points/s. load: puts
// one value a minute for -hours hours into -series series (namespace
// Bench/Query). query: times GetMetricData for 100 series × 2 h at 60 s,
// and for 500 queries at 201 points each (100,500 points), as the client
// sees it (server time plus a loopback round trip).
package main

import (
	"context"
	"fmt"
	"log"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/vigilhq/vigil/bench/internal/benchsdk"
)

func main() {
	cfg, cmd, fs := benchsdk.Parse("metricsbench [-endpoint URL] put|load|query [flags]")
	clients := fs.Int("clients", 4, "concurrent clients")
	duration := fs.Duration("d", 20*time.Second, "put duration")
	series := fs.Int("series", 500, "series to load")
	hours := fs.Int("hours", 2, "hours of one-minute data to load")
	rounds := fs.Int("n", 20, "query repetitions")
	gzip := fs.Bool("gzip", false, "let the SDK gzip PutMetricData bodies (its default; costs the client more CPU than the server spends)")
	fs.Parse(benchsdk.Args())
	c := cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) { o.DisableRequestCompression = !*gzip })
	ctx := context.Background()
	switch cmd {
	case "put":
		put(ctx, c, *clients, *duration)
	case "load":
		load(ctx, c, *series, *hours)
	case "query":
		query(ctx, c, *rounds)
	default:
		log.Fatalf("unknown command %q", cmd)
	}
}

// names are the metric names and host dimensions of the put workload,
// built once: a client that publishes metrics keeps them too.
var names, hosts = func() ([]*string, [][]types.Dimension) {
	var ns []*string
	var hs [][]types.Dimension
	for m := range 20 {
		ns = append(ns, aws.String(fmt.Sprintf("Metric%02d", m)))
	}
	for h := range 50 {
		hs = append(hs, []types.Dimension{{Name: aws.String("Host"), Value: aws.String(fmt.Sprintf("host-%02d", h))}})
	}
	return ns, hs
}()

// batch fills the 1,000 datums of one PutMetricData call: 20 metric
// names × 50 hosts, one value each, at t.
func batch(data []types.MetricDatum, t time.Time, seed int) []types.MetricDatum {
	data = data[:0]
	ts := aws.Time(t)
	for m := range 20 {
		for h := range 50 {
			data = append(data, types.MetricDatum{
				MetricName: names[m], Dimensions: hosts[h], Timestamp: ts,
				Value: aws.Float64(float64((seed + m*h) % 1000)), Unit: types.StandardUnitMilliseconds,
			})
		}
	}
	return data
}

func put(ctx context.Context, c *cloudwatch.Client, clients int, d time.Duration) {
	var points, calls atomic.Int64
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	start, cpu := time.Now(), benchsdk.ServerCPU()
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var data []types.MetricDatum
			for n := 0; time.Now().Before(deadline); n++ {
				data = batch(data, time.Now(), i*1_000_000+n)
				if _, err := c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Bench/Put"), MetricData: data}); err != nil {
					log.Fatal(err)
				}
				points.Add(int64(len(data)))
				calls.Add(1)
			}
		}()
	}
	wg.Wait()
	el := time.Since(start).Seconds()
	fmt.Printf("put: %d clients, %d calls of 1000 datums in %.1fs: %.0f data points/s\n", clients, calls.Load(), el, float64(points.Load())/el)
	if used, ok := cpu(); ok && calls.Load() > 0 {
		fmt.Printf("server CPU: %v, %.2f ms per call\n", used, used.Seconds()*1000/float64(calls.Load()))
	}
}

func seriesName(i int) []types.Dimension {
	return []types.Dimension{{Name: aws.String("Series"), Value: aws.String(fmt.Sprintf("s%04d", i))}}
}

func load(ctx context.Context, c *cloudwatch.Client, series, hours int) {
	end := time.Now().Truncate(time.Minute)
	var data []types.MetricDatum
	flush := func() {
		if len(data) == 0 {
			return
		}
		if _, err := c.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("Bench/Query"), MetricData: data}); err != nil {
			log.Fatal(err)
		}
		data = data[:0]
	}
	for m := 0; m < hours*60; m++ {
		t := end.Add(-time.Duration(m+1) * time.Minute)
		for s := range series {
			data = append(data, types.MetricDatum{MetricName: aws.String("Latency"), Dimensions: seriesName(s), Timestamp: aws.Time(t),
				Value: aws.Float64(float64(100 + (s*7+m*13)%50)), Unit: types.StandardUnitMilliseconds})
			if len(data) == 1000 {
				flush()
			}
		}
	}
	flush()
	fmt.Printf("load: %d series × %d minutes\n", series, hours*60)
}

func query(ctx context.Context, c *cloudwatch.Client, rounds int) {
	end := time.Now().Truncate(time.Minute)
	run := func(name string, n int, span time.Duration) {
		qs := make([]types.MetricDataQuery, n)
		for i := range qs {
			qs[i] = types.MetricDataQuery{Id: aws.String(fmt.Sprintf("m%d", i)), MetricStat: &types.MetricStat{
				Metric: &types.Metric{Namespace: aws.String("Bench/Query"), MetricName: aws.String("Latency"), Dimensions: seriesName(i)},
				Period: aws.Int32(60), Stat: aws.String("Average"),
			}}
		}
		in := &cloudwatch.GetMetricDataInput{MetricDataQueries: qs, StartTime: aws.Time(end.Add(-span)), EndTime: aws.Time(end)}
		var times []time.Duration
		points := 0
		for range rounds {
			start := time.Now()
			out, err := c.GetMetricData(ctx, in)
			if err != nil {
				log.Fatal(err)
			}
			times = append(times, time.Since(start))
			points = 0
			for _, r := range out.MetricDataResults {
				points += len(r.Values)
			}
		}
		slices.Sort(times)
		fmt.Printf("%s: %d queries, %d points: median %v, p90 %v\n", name, n, points, times[len(times)/2].Round(100*time.Microsecond), times[len(times)*9/10].Round(100*time.Microsecond))
	}
	run("100 series × 2 h", 100, 2*time.Hour)
	run("500 queries × 201 points", 500, 201*time.Minute)
}
