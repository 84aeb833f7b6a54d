package main

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Garbage collection. Vigil's Go heap is small, DuckDB keeping its own
// memory, and nearly all that a request allocates is garbage once it is
// answered. Go's default (GOGC=100: collect when the heap has grown by
// what is live) then collects so often that it spent a fifth of
// PutMetricData's CPU: 3.6 ms per 1,000-datum call from boto3 at
// GOGC=100, 2.7 ms at 400. Since a collection's cost follows the live
// heap and their number the allocation rate over the growth allowed, the
// growth is what to raise — within a bound, or a large live heap would
// grow five-fold. tuneGC sets GOGC so that the heap grows by gcHeadroom
// between collections, between one and four times the live heap.
const (
	gcHeadroom = 128 << 20
	gcEvery    = time.Second
)

// gcPercent returns the GOGC for a live heap of live bytes.
func gcPercent(live uint64) int {
	if live == 0 {
		return 400
	}
	return int(min(max(gcHeadroom*100/live, 100), 400))
}

// tuneGC adjusts GOGC to the live heap every gcEvery until ctx ends.
func tuneGC(ctx context.Context) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	t := time.NewTicker(gcEvery)
	defer t.Stop()
	last := 0
	for {
		metrics.Read(sample)
		if p := gcPercent(sample[0].Value.Uint64()); p != last {
			debug.SetGCPercent(p)
			last = p
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
