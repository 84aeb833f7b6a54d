// Command sqsbench measures SQS message throughput against any endpoint
// that speaks SQS (Vigil, or moto's server for comparison), through
// aws-sdk-go-v2 (awsJson 1.0, with the SDK's MD5 checks on).
//
//	sqsbench -endpoint http://127.0.0.1:4580 -server-pid PID cycle -workers 8 -d 20s
//
// cycle: each worker, in a loop, sends a batch of -batch messages
// (SendMessageBatch), receives up to -batch (ReceiveMessage, no wait)
// and deletes what it received (DeleteMessageBatch), on one standard
// queue that all workers share. A message counts once it has been sent,
// received and deleted; msgs/s is that count over the elapsed time. What
// is left in the queue at the end (sent, not yet received) is reported.
package main

import (
	"context"
	"fmt"
	"log"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/vigilhq/vigil/bench/internal/benchsdk"
)

func main() {
	cfg, cmd, fs := benchsdk.Parse("sqsbench [-endpoint URL] [-server-pid PID] cycle [flags]")
	workers := fs.Int("workers", 8, "concurrent workers")
	duration := fs.Duration("d", 20*time.Second, "duration")
	batch := fs.Int("batch", 10, "messages per SendMessageBatch, ReceiveMessage and DeleteMessageBatch (1-10)")
	size := fs.Int("size", 200, "message body size in bytes")
	queue := fs.String("queue", fmt.Sprintf("sqsbench-%d", time.Now().UnixNano()), "queue name (created)")
	fs.Parse(benchsdk.Args())
	if cmd != "cycle" {
		log.Fatalf("unknown command %q", cmd)
	}
	if *batch < 1 || *batch > 10 {
		log.Fatalf("-batch %d: SQS batches hold 1 to 10 messages", *batch)
	}
	cycle(context.Background(), sqs.NewFromConfig(cfg), *queue, *workers, *batch, *size, *duration)
}

// counts are the messages each step has handled.
type counts struct {
	sent, received, deleted, emptyReceives, calls atomic.Int64
}

func cycle(ctx context.Context, c *sqs.Client, name string, workers, batch, size int, d time.Duration) {
	created, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: &name})
	if err != nil {
		log.Fatalf("cannot create queue %s: %v", name, err)
	}
	queue := created.QueueUrl
	body := aws.String(strings.Repeat("x", size))
	var n counts
	var latMu sync.Mutex
	var latencies []time.Duration
	deadline := time.Now().Add(d)
	start, cpu := time.Now(), benchsdk.ServerCPU()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			entries := make([]types.SendMessageBatchRequestEntry, batch)
			for i := range entries {
				entries[i] = types.SendMessageBatchRequestEntry{Id: aws.String(fmt.Sprintf("m%d", i)), MessageBody: body,
					MessageAttributes: map[string]types.MessageAttributeValue{
						"worker": {DataType: aws.String("Number"), StringValue: aws.String(fmt.Sprint(w))},
					}}
			}
			var mine []time.Duration
			for time.Now().Before(deadline) {
				began := time.Now()
				sent, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: queue, Entries: entries})
				if err != nil {
					log.Fatalf("SendMessageBatch: %v", err)
				}
				if len(sent.Failed) > 0 {
					log.Fatalf("SendMessageBatch: %d entries failed: %s", len(sent.Failed), aws.ToString(sent.Failed[0].Message))
				}
				n.sent.Add(int64(len(sent.Successful)))
				got, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: queue, MaxNumberOfMessages: int32(batch),
					MessageAttributeNames: []string{"All"}})
				if err != nil {
					log.Fatalf("ReceiveMessage: %v", err)
				}
				n.calls.Add(2)
				if len(got.Messages) == 0 {
					n.emptyReceives.Add(1)
					continue
				}
				n.received.Add(int64(len(got.Messages)))
				del := make([]types.DeleteMessageBatchRequestEntry, len(got.Messages))
				for i, m := range got.Messages {
					del[i] = types.DeleteMessageBatchRequestEntry{Id: aws.String(fmt.Sprintf("d%d", i)), ReceiptHandle: m.ReceiptHandle}
				}
				deleted, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: queue, Entries: del})
				if err != nil {
					log.Fatalf("DeleteMessageBatch: %v", err)
				}
				if len(deleted.Failed) > 0 {
					log.Fatalf("DeleteMessageBatch: %d entries failed: %s", len(deleted.Failed), aws.ToString(deleted.Failed[0].Message))
				}
				n.deleted.Add(int64(len(deleted.Successful)))
				n.calls.Add(1)
				mine = append(mine, time.Since(began))
			}
			latMu.Lock()
			latencies = append(latencies, mine...)
			latMu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	used, cpuOK := cpu()
	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: queue,
		AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages, types.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	left := "?"
	if err == nil {
		left = attrs.Attributes["ApproximateNumberOfMessages"] + " visible, " + attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] + " in flight"
	}
	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))].Round(10 * time.Microsecond)
	}
	rate := float64(n.deleted.Load()) / elapsed.Seconds()
	fmt.Printf("workers %d, batches of %d, %d-byte bodies, %v: sent %d, received %d, deleted %d; %d empty receives; left in the queue: %s\n",
		workers, batch, size, elapsed.Round(time.Millisecond), n.sent.Load(), n.received.Load(), n.deleted.Load(), n.emptyReceives.Load(), left)
	fmt.Printf("send+receive+delete cycle latency p50 %v p99 %v; %.0f calls/s\n", pct(0.50), pct(0.99), float64(n.calls.Load())/elapsed.Seconds())
	if cpuOK {
		fmt.Printf("server CPU %.2f s (%.0f%% of one core; %.1f µs per message)\n", used.Seconds(), 100*used.Seconds()/elapsed.Seconds(),
			float64(used.Microseconds())/float64(max(n.deleted.Load(), 1)))
	}
	fmt.Printf("RESULT msgs/s %.0f\n", rate)
}
