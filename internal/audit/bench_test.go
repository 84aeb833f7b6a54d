package audit

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilhq/vigil/internal/svcevents"
)

// benchEvent is a PutLogEvents call of 10 events of 120 bytes, a typical
// agent batch.
func benchEvent() *Event {
	in := &putLogEventsInput{LogGroupName: ptr("/app/web"), LogStreamName: ptr("i-0123456789abcdef0")}
	for i := range 10 {
		in.LogEvents = append(in.LogEvents, inputLogEvent{
			Timestamp: ptr(int64(1772600767000 + i)),
			Message:   ptr(`{"level":"info","msg":"GET /api/items 200",` + strings.Repeat("x", 70) + `}`),
		})
	}
	return &Event{
		Time: t0, Principal: root, SourceIP: "192.0.2.10", UserAgent: "aws-sdk-go-v2/1.30.0", Region: "us-east-1",
		Service: "logs", EventSource: "logs.amazonaws.com", Operation: "PutLogEvents",
		Request: in, Response: &putLogEventsOutput{NextSequenceToken: ptr("49590302")},
		RequestID: "c1a2b3c4-0000-4000-8000-000000000001",
	}
}

// busSink returns a BusSink with one subscriber, which keeps the last
// event as an outbox enqueue would read it.
func busSink() Sink {
	bus := svcevents.New(svcevents.Options{})
	var last atomic.Pointer[svcevents.Event]
	bus.Subscribe("bench", nil, func(_ context.Context, e *svcevents.Event) { last.Store(e) })
	return NewBusSink(bus, BusSinkOptions{})
}

// BenchmarkRecord measures what the audit hook costs a request's
// goroutine: nothing (discard), encoding the CloudTrail record and
// publishing it on the request's goroutine (sync), or queuing the event
// for an Async that does that work (async, with a queue that holds the
// whole run; async-parallel, from every CPU at once). async-saturated
// records faster than the sync sink can follow, with the default queue:
// Record then waits for room, at the pace of the sync sink. full/op is
// the share of Records that found the queue full.
func BenchmarkRecord(b *testing.B) {
	e := benchEvent()
	ctx := context.Background()
	b.Run("discard", func(b *testing.B) {
		var s Sink = Discard{}
		b.ReportAllocs()
		for b.Loop() {
			s.Record(ctx, e)
		}
	})
	b.Run("sync", func(b *testing.B) {
		s := busSink()
		b.ReportAllocs()
		for b.Loop() {
			s.Record(ctx, e)
		}
	})
	async := func(b *testing.B, queue int, parallel bool) {
		reg := prometheus.NewRegistry()
		a := NewAsync(busSink(), AsyncOptions{QueueSize: queue, Registerer: reg})
		b.ReportAllocs()
		b.ResetTimer()
		if parallel {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					a.Record(ctx, e)
				}
			})
		} else {
			for range b.N {
				a.Record(ctx, e)
			}
		}
		b.StopTimer()
		if err := a.Close(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(gauge(b, reg, "vigil_audit_queue_full_total")/float64(b.N), "full/op")
	}
	// A queue for the whole run, up to 2M events (48 MiB of queue): pick
	// -benchtime=1000000x or less to stay within it.
	const maxQueue = 1 << 21
	b.Run("async", func(b *testing.B) { async(b, min(b.N, maxQueue), false) })
	b.Run("async-parallel", func(b *testing.B) { async(b, min(b.N, maxQueue), true) })
	b.Run("async-saturated", func(b *testing.B) { async(b, DefaultQueueSize, false) })
}

// BenchmarkTrailRecord measures building and encoding one CloudTrail
// record, the work of BusSink.
func BenchmarkTrailRecord(b *testing.B) {
	e := benchEvent()
	b.Run("params", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Params(e.Request)
		}
	})
	b.Run("record", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			NewTrailRecord(e, "d2c3b4a5-1111-4111-8111-111111111111").AppendJSON(nil)
		}
	})
}
