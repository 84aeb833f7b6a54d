// Command logsbench measures CloudWatch Logs workloads against any
// endpoint that speaks the Logs API (Vigil, or moto's server for
// comparison), through aws-sdk-go-v2.
//
//	logsbench -endpoint http://127.0.0.1:4580 ingest -streams 8 -batch 1000 -d 20s
//	logsbench -endpoint http://127.0.0.1:4580 load -events 10000000
//	logsbench -endpoint http://127.0.0.1:4580 query -pattern '"user=123456"'
//	logsbench -endpoint http://127.0.0.1:4580 state -clients 16 -d 20s [-streams 4]
//
// ingest: concurrent PutLogEvents of ~200-byte lines, one stream per
// client; reports events/s and MB/s. load: fills the group "bench" with
// events (half JSON, half plain text). query: times FilterLogEvents with a
// pattern over the whole group (a rare term measures the scan rate, a
// common one paging) and GetLogEvents' first page. state: small durable
// state changes, each client in a group of its own making CreateLogStream
// and PutRetentionPolicy calls in turn; with -streams > 0, ingestion into
// that many streams runs alongside, to show what each costs the other.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/vigilhq/vigil/bench/internal/benchsdk"
)

func main() {
	cfg, cmd, fs := benchsdk.Parse("logsbench [-endpoint URL] ingest|load|query|state [flags]")
	c := cloudwatchlogs.NewFromConfig(cfg)
	streams := fs.Int("streams", 8, "concurrent clients, one stream each")
	batch := fs.Int("batch", 1000, "events per PutLogEvents")
	duration := fs.Duration("d", 20*time.Second, "ingest duration")
	events := fs.Int("events", 10_000_000, "events to load")
	pattern := fs.String("pattern", "ERROR", "query: the FilterLogEvents pattern")
	clients := fs.Int("clients", 16, "state: concurrent clients, one log group each")
	rate := fs.Int("rate", 0, "state: calls per second in all (0: as fast as they go)")
	fs.Parse(benchsdk.Args())
	ctx := context.Background()
	switch cmd {
	case "ingest":
		ingest(ctx, c, "ingest", *streams, *batch, *duration, 0)
	case "load":
		ingest(ctx, c, "bench", *streams, *batch, 24*time.Hour, *events)
	case "query":
		query(ctx, c, cfg, *pattern)
	case "state":
		var wg sync.WaitGroup
		if isSet(fs, "streams") && *streams > 0 {
			wg.Add(1)
			go func() { defer wg.Done(); ingest(ctx, c, "ingest", *streams, *batch, *duration, 0) }()
		}
		state(ctx, c, *clients, *rate, *duration)
		wg.Wait()
	default:
		log.Fatalf("unknown command %q", cmd)
	}
}

// line returns a ~200-byte log line: JSON for even i, text for odd.
func line(r *rand.Rand, i int) string {
	level := []string{"INFO", "INFO", "WARN", "ERROR"}[r.IntN(4)]
	path := []string{"/api/users", "/api/orders", "/api/items", "/health"}[r.IntN(4)]
	if i%2 == 0 {
		return fmt.Sprintf(`{"level":"%s","path":"%s","latency":%d,"status":%d,"request_id":"%016x","msg":"handled request for user %06d"}`,
			level, path, r.IntN(2000), []int{200, 200, 404, 500}[r.IntN(4)], r.Uint64(), r.IntN(1_000_000))
	}
	return fmt.Sprintf("2026-11-23T10:00:00.%03dZ %s GET %s latency=%dms status=%d request_id=%016x user=%06d bytes=%d agent=curl/8.5.0",
		r.IntN(1000), level, path, r.IntN(2000), []int{200, 200, 404, 500}[r.IntN(4)], r.Uint64(), r.IntN(1_000_000), r.IntN(100_000))
}

func ingest(ctx context.Context, c *cloudwatchlogs.Client, group string, streams, batch int, d time.Duration, total int) {
	if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: &group}); err != nil {
		log.Printf("create group: %v (continuing)", err)
	}
	var events, bytes atomic.Int64
	deadline := time.Now().Add(d)
	start, cpu := time.Now(), benchsdk.ServerCPU()
	var wg sync.WaitGroup
	for s := range streams {
		name := fmt.Sprintf("stream-%d-%d", s, start.UnixNano())
		if _, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: &group, LogStreamName: &name}); err != nil {
			log.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(s), 7))
			for i := 0; time.Now().Before(deadline) && (total == 0 || events.Load() < int64(total)); i++ {
				batchEvents := make([]types.InputLogEvent, batch)
				ts := time.Now().UnixMilli()
				n := 0
				for j := range batchEvents {
					m := line(r, i*batch+j)
					n += len(m)
					batchEvents[j] = types.InputLogEvent{Timestamp: aws.Int64(ts), Message: aws.String(m)}
				}
				_, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: &group, LogStreamName: &name, LogEvents: batchEvents})
				if err != nil {
					log.Fatal(err)
				}
				events.Add(int64(batch))
				bytes.Add(int64(n))
			}
		}()
	}
	wg.Wait()
	el := time.Since(start).Seconds()
	fmt.Printf("ingest: %d events, %.1f MB in %.1fs: %.0f events/s, %.1f MB/s (streams=%d batch=%d)\n",
		events.Load(), float64(bytes.Load())/1e6, el, float64(events.Load())/el, float64(bytes.Load())/1e6/el, streams, batch)
	if used, ok := cpu(); ok && events.Load() > 0 {
		fmt.Printf("server CPU: %v, %.2f µs per event\n", used, used.Seconds()*1e6/float64(events.Load()))
	}
}

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// state makes small durable state changes: each client creates a group,
// then alternates CreateLogStream (a new stream each time) and
// PutRetentionPolicy on it until the duration has passed, at most rate
// calls a second in all when rate > 0.
func state(ctx context.Context, c *cloudwatchlogs.Client, clients, rate int, d time.Duration) {
	run := time.Now().UnixNano()
	groups := make([]string, clients)
	for i := range groups {
		groups[i] = fmt.Sprintf("state-%d-%d", run, i)
		if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: &groups[i]}); err != nil {
			log.Fatal(err)
		}
	}
	var calls atomic.Int64
	lat := make([][]time.Duration, clients)
	deadline := time.Now().Add(d)
	var tokens <-chan time.Time
	if rate > 0 {
		t := time.NewTicker(time.Second / time.Duration(rate))
		defer t.Stop()
		tokens = t.C
	}
	start, cpu := time.Now(), benchsdk.ServerCPU()
	var wg sync.WaitGroup
	for i, g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			days := []int32{1, 3, 5, 7}
			for n := 0; time.Now().Before(deadline); n++ {
				if tokens != nil {
					<-tokens
				}
				t := time.Now()
				var err error
				if n%2 == 0 {
					_, err = c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: &g, LogStreamName: aws.String(fmt.Sprintf("s-%d", n))})
				} else {
					_, err = c.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: &g, RetentionInDays: &days[n/2%4]})
				}
				if err != nil {
					log.Fatal(err)
				}
				lat[i] = append(lat[i], time.Since(t))
				calls.Add(1)
			}
		}()
	}
	wg.Wait()
	el := time.Since(start).Seconds()
	all := slices.Concat(lat...)
	slices.Sort(all)
	fmt.Printf("state: %d calls in %.1fs: %.0f calls/s (clients=%d, rate cap %d); latency p50 %s p99 %s\n", calls.Load(), el, float64(calls.Load())/el, clients, rate,
		all[len(all)/2].Round(10*time.Microsecond), all[len(all)*99/100].Round(10*time.Microsecond))
	if used, ok := cpu(); ok && calls.Load() > 0 {
		fmt.Printf("server CPU: %v, %.0f µs per call (all work the server did meanwhile)\n", used, used.Seconds()*1e6/float64(calls.Load()))
	}
}

func query(ctx context.Context, c *cloudwatchlogs.Client, cfg aws.Config, pattern string) {
	group := aws.String("bench")
	g, err := c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: group})
	if err != nil || len(g.LogGroups) == 0 {
		log.Fatalf("no bench group (run load first): %v", err)
	}
	stored := aws.ToInt64(g.LogGroups[0].StoredBytes)
	t0 := time.Now()
	var matched int
	pager := cloudwatchlogs.NewFilterLogEventsPaginator(c, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: group, FilterPattern: aws.String(pattern)})
	first := time.Duration(0)
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			log.Fatal(err)
		}
		if first == 0 {
			first = time.Since(t0)
		}
		matched += len(page.Events)
		if time.Since(t0) > 2*time.Minute {
			break
		}
	}
	el := time.Since(t0)
	fmt.Printf("filter %s: first page in %s; all %d matches in %s; %.2f GB/s of %.2f GB raw message text\n",
		pattern, first.Round(time.Millisecond), matched, el.Round(time.Millisecond), float64(stored)/1e9/el.Seconds(), float64(stored)/1e9)
	streams, err := c.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: group, Limit: aws.Int32(1)})
	if err != nil || len(streams.LogStreams) == 0 {
		log.Fatal(err)
	}
	for _, head := range []bool{false, true} {
		t1 := time.Now()
		out, err := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: group, LogStreamName: streams.LogStreams[0].LogStreamName, StartFromHead: &head})
		if err != nil {
			log.Fatal(err)
		}
		sdk := time.Since(t1)
		var times []time.Duration
		var size int64
		for range 11 {
			d, n := rawGetLogEvents(ctx, cfg, *group, *streams.LogStreams[0].LogStreamName, head)
			times, size = append(times, d), n
		}
		slices.Sort(times)
		fmt.Printf("get-log-events first page (startFromHead=%v): %d events; through the SDK %s; HTTP round trip of the %d-byte response, median of 11: %s\n",
			head, len(out.Events), sdk.Round(time.Millisecond), size, times[5].Round(100*time.Microsecond))
	}
}

// rawGetLogEvents times GetLogEvents as a signed HTTP request whose
// response is read but not decoded: the server's time and the transfer,
// without the SDK's decoding of a megabyte of JSON.
func rawGetLogEvents(ctx context.Context, cfg aws.Config, group, stream string, head bool) (time.Duration, int64) {
	body, _ := json.Marshal(map[string]any{"logGroupName": group, "logStreamName": stream, "startFromHead": head})
	req, err := http.NewRequestWithContext(ctx, "POST", *cfg.BaseEndpoint+"/", bytes.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Logs_20140328.GetLogEvents")
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		log.Fatal(err)
	}
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "logs", cfg.Region, time.Now()); err != nil {
		log.Fatal(err)
	}
	t := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		log.Fatalf("GetLogEvents: %d %v", resp.StatusCode, err)
	}
	return time.Since(t), n
}
