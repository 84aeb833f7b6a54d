package duckdb

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// benchGroup opens a store with one group and stream.
func benchGroup(b *testing.B) (LogEvents, *store.LogGroup, *store.LogStream) {
	s := openTest(b, b.TempDir())
	b.Cleanup(func() { s.Close() })
	g, st := logFixture(b, s)
	return s.Logs(), g, st
}

// BenchmarkIngest measures storing a 1,000-event batch of ~200-byte
// messages: appender, statistics and a durable acknowledgement.
func BenchmarkIngest(b *testing.B) {
	l, g, st := benchGroup(b)
	ctx := context.Background()
	events := make([]store.LogEvent, 1000)
	for i := range events {
		events[i] = store.LogEvent{Timestamp: time.Now().UnixMilli(), Message: fmt.Sprintf(`{"level":"INFO","path":"/api/users","latency":%d,"status":200,"request_id":"%016x","msg":"handled request for user %06d"}`, i, i*7919, i)}
	}
	b.ResetTimer()
	for b.Loop() {
		first, err := l.ReserveSeqs(ctx, len(events))
		if err != nil {
			b.Fatal(err)
		}
		for i := range events {
			events[i].Seq = first + int64(i)
		}
		if err := l.Ingest(ctx, &store.IngestBatch{GroupID: g.ID, StreamID: st.ID, Ingestion: 1, Events: events}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "events/s")
}
