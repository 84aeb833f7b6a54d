// Command snsbench measures fan-out to SQS queues, from an SNS topic or
// from an EventBridge rule, against any endpoint that speaks SNS,
// EventBridge and SQS (Vigil, or moto's server for comparison), through
// aws-sdk-go-v2.
//
//	snsbench -endpoint http://127.0.0.1:4580 -server-pid PID fanout -queues 10 -workers 8 -d 20s
//	snsbench -endpoint http://127.0.0.1:4580 -server-pid PID events -queues 1 -workers 8 -d 20s
//	snsbench -endpoint http://127.0.0.1:4580 schedule -n 3
//
// fanout: one standard topic with -queues SQS queues subscribed (raw
// message delivery); -workers workers publish batches of -batch messages
// (PublishBatch, or Publish when -batch is 1) for -d.
//
// events: one rule on the default bus, matching the events the workers
// put, with -queues SQS queues as its targets (at most 5, as AWS allows);
// -workers workers put batches of -batch events (PutEvents) for -d.
//
// Then it waits until every queue holds every message sent (or -wait
// passes). It reports the messages accepted per second while sending,
// and the messages delivered per second: messages × queues over the time
// from the first send until the last delivery arrived.
//
// schedule: a rule firing every minute on the real clock, and how late
// each of -n firings reached its queue.
package main

import (
	"context"
	"fmt"
	"log"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/vigilhq/vigil/bench/internal/benchsdk"
)

func main() {
	cfg, cmd, fs := benchsdk.Parse("snsbench [-endpoint URL] [-server-pid PID] fanout|events|schedule [flags]")
	queues := fs.Int("queues", 10, "SQS queues subscribed to the topic, or targets of the rule")
	workers := fs.Int("workers", 8, "concurrent senders")
	duration := fs.Duration("d", 20*time.Second, "how long to send")
	batch := fs.Int("batch", 10, "messages per PublishBatch (1: Publish) or PutEvents")
	size := fs.Int("size", 200, "message size in bytes")
	wait := fs.Duration("wait", 2*time.Minute, "longest wait for the deliveries after sending")
	firings := fs.Int("n", 3, "schedule: the firings to wait for")
	fs.Parse(benchsdk.Args())
	if *batch < 1 || *batch > 10 {
		log.Fatalf("-batch %d: batches hold 1 to 10 messages", *batch)
	}
	b := &bench{sns: sns.NewFromConfig(cfg), sqs: sqs.NewFromConfig(cfg), events: eventbridge.NewFromConfig(cfg)}
	ctx := context.Background()
	var send sender
	var urls []string
	switch cmd {
	case "fanout":
		send, urls = b.topic(ctx, *queues, *batch, *size)
	case "events":
		if *queues > 5 {
			log.Fatalf("-queues %d: a rule has at most 5 targets", *queues)
		}
		send, urls = b.rule(ctx, *queues, *batch, *size)
	case "schedule":
		b.schedule(ctx, *firings)
		return
	default:
		log.Fatalf("unknown command %q", cmd)
	}
	b.fanout(ctx, send, urls, *workers, *batch, *size, *duration, *wait)
}

// queuePolicy lets SNS and EventBridge send to the queues, as AWS
// requires.
const queuePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["sns.amazonaws.com","events.amazonaws.com"]},` +
	`"Action":"sqs:SendMessage","Resource":"*"}]}`

type bench struct {
	sns    *sns.Client
	sqs    *sqs.Client
	events *eventbridge.Client
}

// sender sends one batch (a worker's own sender: it keeps its request).
type sender func(ctx context.Context) func() error

// queues creates n queues and returns their URLs and ARNs.
func (b *bench) queues(ctx context.Context, run string, n int) (urls, arns []string) {
	for i := range n {
		q, err := b.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(fmt.Sprintf("snsbench-%s-%d", run, i)),
			Attributes: map[string]string{"Policy": queuePolicy}})
		if err != nil {
			log.Fatalf("CreateQueue: %v", err)
		}
		attrs, err := b.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
		if err != nil {
			log.Fatalf("GetQueueAttributes: %v", err)
		}
		urls, arns = append(urls, aws.ToString(q.QueueUrl)), append(arns, attrs.Attributes["QueueArn"])
	}
	return urls, arns
}

// topic creates a topic with n queues subscribed (raw delivery) and
// returns its sender and the queues' URLs.
func (b *bench) topic(ctx context.Context, n, batch, size int) (sender, []string) {
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	topic, err := b.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("snsbench-" + run)})
	if err != nil {
		log.Fatalf("CreateTopic: %v", err)
	}
	urls, arns := b.queues(ctx, run, n)
	for _, arn := range arns {
		if _, err := b.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
			Endpoint: aws.String(arn), Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
			log.Fatalf("Subscribe: %v", err)
		}
	}
	body := aws.String(strings.Repeat("x", size))
	return func(ctx context.Context) func() error {
		if batch == 1 {
			in := &sns.PublishInput{TopicArn: topic.TopicArn, Message: body}
			return func() error { _, err := b.sns.Publish(ctx, in); return err }
		}
		in := &sns.PublishBatchInput{TopicArn: topic.TopicArn}
		for i := range batch {
			in.PublishBatchRequestEntries = append(in.PublishBatchRequestEntries,
				snstypes.PublishBatchRequestEntry{Id: aws.String(fmt.Sprintf("m%d", i)), Message: body})
		}
		return func() error {
			out, err := b.sns.PublishBatch(ctx, in)
			if err == nil && len(out.Failed) > 0 {
				err = fmt.Errorf("%d entries failed: %s", len(out.Failed), aws.ToString(out.Failed[0].Message))
			}
			return err
		}
	}, urls
}

// rule creates a rule on the default bus with n queues as its targets
// and returns the sender of its events and the queues' URLs.
func (b *bench) rule(ctx context.Context, n, batch, size int) (sender, []string) {
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	source := "snsbench." + run
	name := aws.String("snsbench-" + run)
	if _, err := b.events.PutRule(ctx, &eventbridge.PutRuleInput{Name: name,
		EventPattern: aws.String(`{"source":["` + source + `"]}`)}); err != nil {
		log.Fatalf("PutRule: %v", err)
	}
	urls, arns := b.queues(ctx, run, n)
	var targets []ebtypes.Target
	for i, arn := range arns {
		targets = append(targets, ebtypes.Target{Id: aws.String(strconv.Itoa(i)), Arn: aws.String(arn)})
	}
	if out, err := b.events.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: name, Targets: targets}); err != nil || out.FailedEntryCount > 0 {
		log.Fatalf("PutTargets: %v (%d failed)", err, out.FailedEntryCount)
	}
	detail := aws.String(`{"data":"` + strings.Repeat("x", max(size-11, 0)) + `"}`)
	return func(ctx context.Context) func() error {
		in := &eventbridge.PutEventsInput{}
		for range batch {
			in.Entries = append(in.Entries, ebtypes.PutEventsRequestEntry{Source: aws.String(source), DetailType: aws.String("bench"), Detail: detail})
		}
		return func() error {
			out, err := b.events.PutEvents(ctx, in)
			if err == nil && out.FailedEntryCount > 0 {
				err = fmt.Errorf("%d entries failed: %s", out.FailedEntryCount, aws.ToString(out.Entries[0].ErrorMessage))
			}
			return err
		}
	}, urls
}

// send sends for d from workers and returns how many messages were
// accepted, the call latencies, and when it began.
func (b *bench) send(ctx context.Context, send sender, workers, batch int, d time.Duration) (int64, []time.Duration, time.Time) {
	var (
		sent      atomic.Int64
		mu        sync.Mutex
		latencies []time.Duration
		wg        sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			call := send(ctx)
			var mine []time.Duration
			for time.Now().Before(deadline) {
				began := time.Now()
				if err := call(); err != nil {
					log.Fatalf("send: %v", err)
				}
				mine = append(mine, time.Since(began))
				sent.Add(int64(batch))
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return sent.Load(), latencies, start
}

// delivered counts the messages in the queues.
func (b *bench) delivered(ctx context.Context, urls []string) int64 {
	var n int64
	for _, u := range urls {
		attrs, err := b.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(u),
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}})
		if err != nil {
			log.Fatalf("GetQueueAttributes: %v", err)
		}
		c, _ := strconv.ParseInt(attrs.Attributes["ApproximateNumberOfMessages"], 10, 64)
		n += c
	}
	return n
}

func (b *bench) fanout(ctx context.Context, send sender, urls []string, workers, batch, size int, d, wait time.Duration) {
	queues := len(urls)
	cpu := benchsdk.ServerCPU()
	published, latencies, start := b.send(ctx, send, workers, batch, d)
	publishing := time.Since(start)
	want := published * int64(queues)
	var got int64
	giveUp := time.Now().Add(wait)
	for got = b.delivered(ctx, urls); got < want && time.Now().Before(giveUp); got = b.delivered(ctx, urls) {
		// Counting a queue's messages costs the server a read of them
		// all: far from the end a count a second, near it ten, so that
		// the last delivery is seen within 100 ms.
		pause := time.Second
		if got >= want*9/10 {
			pause = 100 * time.Millisecond
		}
		time.Sleep(pause)
	}
	elapsed := time.Since(start)
	used, cpuOK := cpu()
	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))].Round(10 * time.Microsecond)
	}
	fmt.Printf("%d queues, %d workers, batches of %d, %d-byte messages: published %d in %v (%.0f/s; call p50 %v p99 %v)\n",
		queues, workers, batch, size, published, publishing.Round(time.Millisecond), float64(published)/publishing.Seconds(), pct(0.5), pct(0.99))
	fmt.Printf("delivered %d of %d in %v: %.0f deliveries/s, %.0f publishes/s fanned out\n", got, want, elapsed.Round(time.Millisecond),
		float64(got)/elapsed.Seconds(), float64(got)/float64(queues)/elapsed.Seconds())
	if cpuOK {
		fmt.Printf("server CPU %.2f s (%.0f%% of one core; %.1f µs per delivery)\n", used.Seconds(), 100*used.Seconds()/elapsed.Seconds(),
			float64(used.Microseconds())/float64(max(got, 1)))
	}
	if got < want {
		fmt.Printf("INCOMPLETE: %d deliveries missing after waiting %v\n", want-got, wait)
	}
	fmt.Printf("RESULT publishes/s %.0f\n", float64(got)/float64(queues)/elapsed.Seconds())
}
