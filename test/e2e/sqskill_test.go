package e2e

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// TestKill9SQS sends and deletes SQS messages from several clients, kills
// the Vigil process with SIGKILL mid-stream, restarts it and checks that
// no send a success acknowledged was lost and no delete a success
// acknowledged came back.
func TestKill9SQS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	d := newDevBinary(t)
	proc := d.start()
	v := &vigil{endpoint: d.endpoint}
	c := sqs.NewFromConfig(v.devConfig(devAccount))
	ctx := context.Background()
	queue, _ := createQueue(t, c, "durable", nil)

	var (
		mu               sync.Mutex
		sent, deleted    = map[string]bool{}, map[string]bool{}
		unanswered       = map[string]bool{} // in a delete the kill cut off
		enough           = make(chan struct{})
		once             sync.Once
		wg               sync.WaitGroup
		stop             = make(chan struct{})
		ackedSendsToKill = 3000
	)
	record := func(set map[string]bool, bodies ...string) {
		mu.Lock()
		defer mu.Unlock()
		for _, b := range bodies {
			set[b] = true
		}
		if len(sent) >= ackedSendsToKill && len(deleted) > 0 {
			once.Do(func() { close(enough) })
		}
	}
	stopped := func() bool {
		select {
		case <-stop:
			return true
		default:
			return false
		}
	}
	for w := range 3 {
		wg.Go(func() { // a sender
			for b := 0; !stopped(); b++ {
				var entries []sqstypes.SendMessageBatchRequestEntry
				var bodies []string
				for i := range 10 {
					body := fmt.Sprintf("w%d-b%d-m%d", w, b, i)
					entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(body)})
					bodies = append(bodies, body)
				}
				out, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &queue, Entries: entries})
				if err != nil {
					return // the server died under us
				}
				for _, ok := range out.Successful {
					i, _ := strconv.Atoi(aws.ToString(ok.Id))
					record(sent, bodies[i])
				}
			}
		})
	}
	wg.Go(func() { // a consumer, which deletes what it receives
		for !stopped() {
			out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &queue, MaxNumberOfMessages: 10, VisibilityTimeout: 600,
				WaitTimeSeconds: 1})
			if err != nil {
				return
			}
			if len(out.Messages) == 0 {
				continue
			}
			var entries []sqstypes.DeleteMessageBatchRequestEntry
			for i, m := range out.Messages {
				entries = append(entries, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
			}
			res, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &queue, Entries: entries})
			if err != nil {
				// The kill came during the delete: it may have been made
				// without its answer reaching us.
				for _, m := range out.Messages {
					record(unanswered, aws.ToString(m.Body))
				}
				return
			}
			for _, ok := range res.Successful {
				i, _ := strconv.Atoi(aws.ToString(ok.Id))
				record(deleted, aws.ToString(out.Messages[i].Body))
			}
		}
	})
	<-enough
	proc.Process.Signal(syscall.SIGKILL)
	proc.Wait()
	close(stop)
	wg.Wait()

	proc = d.start()
	defer func() { proc.Process.Signal(syscall.SIGTERM); proc.Wait() }()
	// What was in flight at the kill shows again past its visibility
	// timeout.
	v.moveClock(t, `{"advance": "11m"}`)
	stored := map[string]bool{}
	for {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &queue, MaxNumberOfMessages: 10, VisibilityTimeout: 3600})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			break
		}
		for _, m := range out.Messages {
			stored[aws.ToString(m.Body)] = true
		}
	}
	lost, resurrected := 0, 0
	for b := range sent {
		if !deleted[b] && !unanswered[b] && !stored[b] {
			lost++
		}
	}
	for b := range deleted {
		if stored[b] {
			resurrected++
		}
	}
	t.Logf("%d sends and %d deletes acknowledged before kill -9; %d messages in the queue after the restart",
		len(sent), len(deleted), len(stored))
	if lost > 0 || resurrected > 0 {
		t.Errorf("after kill -9: %d acknowledged sends lost, %d acknowledged deletes undone", lost, resurrected)
	}
}
