// Command trailbench measures CloudTrail's event history: how fast the
// recorder stores API calls, and how long LookupEvents takes over a large
// history.
//
//	trailbench fill -data-dir DIR -n 10000000
//	trailbench -endpoint http://127.0.0.1:4580 lookup -pages 20
//
// fill records n management calls of the last 89 days (one account, one
// region, 40 operations of 4 services, 3 users) through CloudTrail's
// recorder into the data directory of a stopped Vigil, as the audit hook
// hands them over, and reports events/s and CPU per event of the process.
// lookup then asks a Vigil serving that directory, through aws-sdk-go-v2,
// for pages of 50 events: the newest, by event name (a frequent and a
// rare one), by user name, by access key, by event id, and in a one-hour
// window 45 days back, following NextToken; it reports each query's
// first-page and next-page latencies (min, median, p99).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/vigilhq/vigil/bench/internal/benchsdk"
	"github.com/vigilhq/vigil/internal/audit"
	"github.com/vigilhq/vigil/internal/clock"
	cloudtrailengine "github.com/vigilhq/vigil/internal/cloudtrail"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/store/embedded"
)

const account = "123456789012"

// operations are the calls fill records, by service: the first of each
// is ten times as frequent as the others.
var operations = map[string][]string{
	"logs": {"DescribeLogGroups", "CreateLogGroup", "DeleteLogGroup", "PutRetentionPolicy", "PutMetricFilter",
		"DescribeMetricFilters", "PutSubscriptionFilter", "CreateLogStream", "TagResource", "StartQuery"},
	"monitoring": {"DescribeAlarms", "PutMetricAlarm", "DeleteAlarms", "SetAlarmState", "PutDashboard",
		"GetDashboard", "ListDashboards", "EnableAlarmActions", "DisableAlarmActions", "ListMetrics"},
	"sns": {"ListTopics", "CreateTopic", "Subscribe", "Unsubscribe", "SetTopicAttributes",
		"GetTopicAttributes", "DeleteTopic", "ListSubscriptions", "TagResource", "AddPermission"},
	"events": {"ListRules", "PutRule", "PutTargets", "DeleteRule", "DescribeRule",
		"EnableRule", "DisableRule", "CreateEventBus", "ListTargetsByRule", "TagResource"},
}

// requestParameters stands for a call's decoded input.
type requestParameters struct {
	Name   *string           `aws:"name"`
	Limit  *int32            `aws:"limit"`
	Tags   map[string]string `aws:"tags"`
	Prefix *string           `aws:"prefix"`
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "fill" {
		fill(os.Args[2:])
		return
	}
	cfg, cmd, fs := benchsdk.Parse("trailbench fill [flags] | trailbench [-endpoint URL] lookup [flags]")
	pages := fs.Int("pages", 20, "pages read for each query")
	fs.Parse(benchsdk.Args())
	if cmd != "lookup" {
		log.Fatalf("unknown command %q", cmd)
	}
	lookup(context.Background(), cloudtrail.NewFromConfig(cfg), *pages)
}

func fill(args []string) {
	fs := flag.NewFlagSet("fill", flag.ExitOnError)
	dir := fs.String("data-dir", "", "data directory of a stopped Vigil")
	n := fs.Int("n", 1_000_000, "events to record")
	fs.Parse(args)
	if *dir == "" {
		log.Fatal("-data-dir is required")
	}
	ctx := context.Background()
	st, err := embedded.Open(ctx, *dir, embedded.Options{Clock: clock.System{}})
	if err != nil {
		log.Fatal(err)
	}
	svc := cloudtrailengine.New(cloudtrailengine.Options{Store: st.CloudTrail(), Clock: clock.System{}})
	rec := svc.Recorder(nil)
	var services []string
	for s := range operations {
		services = append(services, s)
	}
	slices.Sort(services)
	users := []string{"root", "user/alice", "user/bob"}
	now := time.Now().UTC()
	span := 89 * 24 * time.Hour
	start, cpu0 := time.Now(), cpuTime()
	for i := range *n {
		svcName := services[i%len(services)]
		ops := operations[svcName]
		op := ops[0]
		if i%11 == 10 {
			op = ops[1+(i/11)%(len(ops)-1)]
		}
		who := users[(i/7)%len(users)]
		name := "resource-" + strconv.Itoa(i%5000)
		rec.Record(ctx, &audit.Event{
			Time: now.Add(-span + time.Duration(int64(span)/int64(*n)*int64(i))),
			Principal: request.Principal{Account: account, ARN: "arn:aws:iam::" + account + ":" + who,
				AccessKey: "AKIA" + strconv.Itoa(100000000000+i%3), UserID: account},
			SourceIP: "192.0.2.10", UserAgent: "aws-cli/1.45.11 Python/3.11.7 Linux/6.1 botocore/1.43.11", Region: "us-east-1",
			Service: svcName, EventSource: svcName + ".amazonaws.com", Operation: op,
			Request:   &requestParameters{Name: &name, Limit: aws.Int32(50), Tags: map[string]string{"team": "ops"}},
			RequestID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), ReadOnly: op == ops[0],
		})
		if (i+1)%1_000_000 == 0 {
			log.Printf("%d events", i+1)
		}
	}
	if err := rec.Close(ctx); err != nil {
		log.Fatal(err)
	}
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	if err := st.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("RESULT fill %d events in %.1fs: %.0f events/s, %.1f µs CPU/event (recorder and store, this process)\n",
		*n, elapsed.Seconds(), float64(*n)/elapsed.Seconds(), float64(cpu.Microseconds())/float64(*n))
}

// cpuTime is this process's CPU time, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		log.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// query is one LookupEvents a lookup repeats page after page.
type query struct {
	name  string
	input cloudtrail.LookupEventsInput
}

func lookup(ctx context.Context, c *cloudtrail.Client, pages int) {
	newest, err := c.LookupEvents(ctx, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(1)})
	if err != nil || len(newest.Events) == 0 {
		log.Fatalf("no event to look up: %v", err)
	}
	by := func(key types.LookupAttributeKey, value string) []types.LookupAttribute {
		return []types.LookupAttribute{{AttributeKey: key, AttributeValue: aws.String(value)}}
	}
	mid := aws.ToTime(newest.Events[0].EventTime).Add(-45 * 24 * time.Hour)
	queries := []query{
		{"newest", cloudtrail.LookupEventsInput{}},
		{"EventName frequent (DescribeLogGroups)", cloudtrail.LookupEventsInput{LookupAttributes: by(types.LookupAttributeKeyEventName, "DescribeLogGroups")}},
		{"EventName rare (AddPermission)", cloudtrail.LookupEventsInput{LookupAttributes: by(types.LookupAttributeKeyEventName, "AddPermission")}},
		{"Username alice", cloudtrail.LookupEventsInput{LookupAttributes: by(types.LookupAttributeKeyUsername, "alice")}},
		{"AccessKeyId", cloudtrail.LookupEventsInput{LookupAttributes: by(types.LookupAttributeKeyAccessKeyId, "AKIA100000000001")}},
		{"ReadOnly false", cloudtrail.LookupEventsInput{LookupAttributes: by(types.LookupAttributeKeyReadOnly, "false")}},
		{"EventId", cloudtrail.LookupEventsInput{LookupAttributes: by(types.LookupAttributeKeyEventId, aws.ToString(newest.Events[0].EventId))}},
		{"one hour 45 days back", cloudtrail.LookupEventsInput{StartTime: aws.Time(mid), EndTime: aws.Time(mid.Add(time.Hour))}},
	}
	fmt.Printf("%-40s %8s %10s %10s %10s %10s\n", "query", "events", "first ms", "next min", "next med", "next p99")
	for _, q := range queries {
		in := q.input
		in.MaxResults = aws.Int32(50)
		var first time.Duration
		var next []time.Duration
		events := 0
		for p := 0; p < pages; p++ {
			t0 := time.Now()
			out, err := c.LookupEvents(ctx, &in)
			took := time.Since(t0)
			if err != nil {
				log.Fatalf("%s: %v", q.name, err)
			}
			events += len(out.Events)
			if p == 0 {
				first = took
			} else {
				next = append(next, took)
			}
			if out.NextToken == nil {
				break
			}
			in.NextToken = out.NextToken
		}
		slices.Sort(next)
		at := func(f float64) string {
			if len(next) == 0 {
				return "-"
			}
			return fmt.Sprintf("%.1f", float64(next[int(f*float64(len(next)-1))].Microseconds())/1000)
		}
		fmt.Printf("%-40s %8d %10.1f %10s %10s %10s\n", q.name, events, float64(first.Microseconds())/1000, at(0), at(0.5), at(0.99))
	}
}
