package sqlite

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// BenchmarkSQSSendReceiveDelete measures an SQS queue's throughput: each
// iteration sends a batch of 10 messages to one queue, receives a batch
// and deletes what it received (three durable writes), by one client
// (serial) and by 8 at once (parallel, sharing commits). msgs/s counts
// messages sent.
func BenchmarkSQSSendReceiveDelete(b *testing.B) {
	const batch = 10
	for _, c := range []struct {
		name    string
		clients int
	}{{"serial", 1}, {"parallel", 8}} {
		b.Run(c.name, func(b *testing.B) {
			s := open(b, b.TempDir())
			ctx := context.Background()
			q := store.Queue{Account: "123456789012", Region: "us-east-1", Name: "q", ARN: "arn:aws:sqs:us-east-1:123456789012:q",
				Attributes: []byte(`{}`), Created: 1, Updated: 1}
			if _, _, err := s.SQS().CreateQueue(ctx, q); err != nil {
				b.Fatal(err)
			}
			var ids atomic.Int64
			body := string(make([]byte, 256))
			attributes := []byte(`{"trace":{"DataType":"String","StringValue":"0123456789abcdef"}}`)
			receipt := func(m *store.QueueMessage) string { return fmt.Sprint(m.ID, ":", m.ReceiveCount) }
			// cycle sends a batch, receives one and deletes it.
			cycle := func(msgs []store.QueueMessage) {
				now := int64(1000)
				for i := range msgs {
					msgs[i] = store.QueueMessage{ID: fmt.Sprint("m", ids.Add(1)), Body: body, Attributes: attributes,
						Sent: now, VisibleAt: now, Expires: now + 4*24*3600*1000}
				}
				if _, err := s.SQS().SendMessages(ctx, q.ARN, msgs, 0); err != nil {
					b.Fatal(err)
				}
				got, err := s.SQS().ReceiveMessages(ctx, store.ReceiveRequest{QueueARN: q.ARN, Now: now, VisibleUntil: now + 30000,
					Max: batch, Receipt: receipt})
				if err != nil {
					b.Fatal(err)
				}
				del := make([]string, len(got))
				for i, m := range got {
					del[i] = m.ID
				}
				if err := s.SQS().DeleteMessages(ctx, q.ARN, del); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			if c.clients == 1 {
				msgs := make([]store.QueueMessage, batch)
				for b.Loop() {
					cycle(msgs)
				}
			} else {
				b.SetParallelism((c.clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
				b.RunParallel(func(pb *testing.PB) {
					msgs := make([]store.QueueMessage, batch)
					for pb.Next() {
						cycle(msgs)
					}
				})
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "msgs/s")
			st := s.CommitStats()
			b.ReportMetric(float64(st.Writes)/float64(max(st.Commits, 1)), "writes/commit")
		})
	}
}
