// Command snsbench measures SNS fan-out to SQS against any endpoint that
// speaks SNS and SQS (Vigil, or moto's server for comparison), through
// aws-sdk-go-v2.
//
//	snsbench -endpoint http://127.0.0.1:4580 -server-pid PID fanout -queues 10 -workers 8 -d 20s
//
// fanout: one standard topic with -queues SQS queues subscribed (raw
// message delivery); -workers workers publish batches of -batch messages
// (PublishBatch, or Publish when -batch is 1) for -d. Then it waits until
// every queue holds every message published (or -wait passes). It
// reports the publishes accepted per second while publishing, and the
// messages delivered per second: publishes × queues over the time from
// the first publish until the last delivery arrived.
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
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/vigilhq/vigil/bench/internal/benchsdk"
)

func main() {
	cfg, cmd, fs := benchsdk.Parse("snsbench [-endpoint URL] [-server-pid PID] fanout [flags]")
	queues := fs.Int("queues", 10, "SQS queues subscribed to the topic")
	workers := fs.Int("workers", 8, "concurrent publishers")
	duration := fs.Duration("d", 20*time.Second, "how long to publish")
	batch := fs.Int("batch", 10, "messages per PublishBatch (1: Publish)")
	size := fs.Int("size", 200, "message size in bytes")
	wait := fs.Duration("wait", 2*time.Minute, "longest wait for the deliveries after publishing")
	fs.Parse(benchsdk.Args())
	if cmd != "fanout" {
		log.Fatalf("unknown command %q", cmd)
	}
	if *batch < 1 || *batch > 10 {
		log.Fatalf("-batch %d: SNS batches hold 1 to 10 messages", *batch)
	}
	b := &bench{sns: sns.NewFromConfig(cfg), sqs: sqs.NewFromConfig(cfg)}
	b.fanout(context.Background(), *queues, *workers, *batch, *size, *duration, *wait)
}

// queuePolicy lets SNS send to the queues, as AWS requires.
const queuePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},` +
	`"Action":"sqs:SendMessage","Resource":"*"}]}`

type bench struct {
	sns *sns.Client
	sqs *sqs.Client
}

// setup creates the topic and the queues, subscribed, and returns the
// topic's ARN and the queues' URLs.
func (b *bench) setup(ctx context.Context, queues int) (string, []string) {
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	topic, err := b.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("snsbench-" + run)})
	if err != nil {
		log.Fatalf("CreateTopic: %v", err)
	}
	urls := make([]string, queues)
	for i := range urls {
		q, err := b.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(fmt.Sprintf("snsbench-%s-%d", run, i)),
			Attributes: map[string]string{"Policy": queuePolicy}})
		if err != nil {
			log.Fatalf("CreateQueue: %v", err)
		}
		urls[i] = aws.ToString(q.QueueUrl)
		attrs, err := b.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
		if err != nil {
			log.Fatalf("GetQueueAttributes: %v", err)
		}
		if _, err := b.sns.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
			Endpoint: aws.String(attrs.Attributes["QueueArn"]), Attributes: map[string]string{"RawMessageDelivery": "true"}}); err != nil {
			log.Fatalf("Subscribe: %v", err)
		}
	}
	return aws.ToString(topic.TopicArn), urls
}

// publish publishes for d from workers and returns how many messages
// were accepted, the publish latencies, and when it began.
func (b *bench) publish(ctx context.Context, topic string, workers, batch, size int, d time.Duration) (int64, []time.Duration, time.Time) {
	body := aws.String(strings.Repeat("x", size))
	var (
		published atomic.Int64
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
			entries := make([]snstypes.PublishBatchRequestEntry, batch)
			for i := range entries {
				entries[i] = snstypes.PublishBatchRequestEntry{Id: aws.String(fmt.Sprintf("m%d", i)), Message: body}
			}
			var mine []time.Duration
			for time.Now().Before(deadline) {
				began := time.Now()
				if batch == 1 {
					if _, err := b.sns.Publish(ctx, &sns.PublishInput{TopicArn: &topic, Message: body}); err != nil {
						log.Fatalf("Publish: %v", err)
					}
				} else {
					out, err := b.sns.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: &topic, PublishBatchRequestEntries: entries})
					if err != nil {
						log.Fatalf("PublishBatch: %v", err)
					}
					if len(out.Failed) > 0 {
						log.Fatalf("PublishBatch: %d entries failed: %s", len(out.Failed), aws.ToString(out.Failed[0].Message))
					}
				}
				mine = append(mine, time.Since(began))
				published.Add(int64(batch))
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return published.Load(), latencies, start
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

func (b *bench) fanout(ctx context.Context, queues, workers, batch, size int, d, wait time.Duration) {
	topic, urls := b.setup(ctx, queues)
	cpu := benchsdk.ServerCPU()
	published, latencies, start := b.publish(ctx, topic, workers, batch, size, d)
	publishing := time.Since(start)
	want := published * int64(queues)
	var got int64
	giveUp := time.Now().Add(wait)
	for got = b.delivered(ctx, urls); got < want && time.Now().Before(giveUp); got = b.delivered(ctx, urls) {
		time.Sleep(250 * time.Millisecond)
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
