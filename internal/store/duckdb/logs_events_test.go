package duckdb

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// TestWindowedLogEvents checks pages of the windowed, two-step search
// against the events put, in both directions, from time ranges and from
// positions, for limits that end inside a window, on a window's edge and
// past the data.
func TestWindowedLogEvents(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	ctx := context.Background()
	l := LogEvents{s}
	g, st := logFixture(t, s)
	// Bursts of events with equal timestamps, gaps from a millisecond to
	// days, and events exactly on window edges from the first one.
	r := rand.New(rand.NewPCG(1, 2))
	ts := int64(1_700_000_000_000)
	var events []store.LogEvent
	for i := range 3000 {
		switch r.IntN(4) {
		case 0:
		case 1:
			ts += r.Int64N(1000)
		case 2:
			ts += firstWindow
		default:
			ts += r.Int64N(3 * 86_400_000)
		}
		events = append(events, store.LogEvent{Timestamp: ts, Message: string(rune('a' + i%26))})
	}
	first, err := l.ReserveSeqs(ctx, len(events))
	if err != nil {
		t.Fatal(err)
	}
	for i := range events {
		events[i].Seq = first + int64(i)
	}
	if err := l.Ingest(ctx, &store.IngestBatch{GroupID: g.ID, StreamID: st.ID, Ingestion: 1, Events: events}); err != nil {
		t.Fatal(err)
	}
	lo, hi := events[0].Timestamp, ts+1
	spans := [][2]int64{{lo, hi}, {lo + 12345, hi - 98765}, {lo - 1e9, hi + 1e9}}
	// Ranges that put events on the first and second windows' edges.
	for _, k := range []int{100, 1500, 2900} {
		e := events[k].Timestamp
		spans = append(spans, [2]int64{e - firstWindow, e + firstWindow},
			[2]int64{e - firstWindow*(1+windowGrowth), hi}, [2]int64{lo, e + firstWindow*(1+windowGrowth)})
	}
	// Positions among events with equal timestamps, and at the ends.
	positions := []int{0, len(events) - 1}
	for k := 1; k < len(events)-1 && len(positions) < 8; k++ {
		if events[k-1].Timestamp == events[k].Timestamp && events[k].Timestamp == events[k+1].Timestamp {
			positions = append(positions, k)
		}
	}
	// want computes the answer from the events put.
	want := func(q store.LogEventQuery) []int64 {
		var seqs []int64
		for _, e := range events {
			p := store.Position{Timestamp: e.Timestamp, Seq: e.Seq}
			if (q.Start == nil || e.Timestamp >= *q.Start) && (q.End == nil || e.Timestamp < *q.End) &&
				(q.After == nil || before(*q.After, p)) && (q.Before == nil || before(p, *q.Before)) {
				seqs = append(seqs, e.Seq)
			}
		}
		if len(seqs) > q.Limit {
			if q.Backward {
				seqs = seqs[len(seqs)-q.Limit:]
			} else {
				seqs = seqs[:q.Limit]
			}
		}
		return seqs
	}
	check := func(q store.LogEventQuery) {
		t.Helper()
		got, err := l.LogEvents(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var seqs []int64
		for _, e := range got {
			seqs = append(seqs, e.Seq)
		}
		w := want(q)
		if !slices.Equal(seqs, w) {
			t.Errorf("%s: got %d events, want %d (or another order)", describe(q), len(seqs), len(w))
		}
		if len(w) == 0 && q.After == nil && q.Before == nil {
			t.Errorf("%s: no events; the test checks nothing", describe(q))
		}
	}
	for _, backward := range []bool{false, true} {
		for _, limit := range []int{1, 7, 100, 1000, 2999, 3000, 5000} {
			check(store.LogEventQuery{GroupID: g.ID, StreamIDs: []int64{st.ID}, Limit: limit, Backward: backward})
			for _, span := range spans {
				check(store.LogEventQuery{GroupID: g.ID, StreamIDs: []int64{st.ID}, Start: &span[0], End: &span[1], Limit: limit, Backward: backward})
			}
			for _, k := range positions {
				p := store.Position{Timestamp: events[k].Timestamp, Seq: events[k].Seq}
				q := store.LogEventQuery{GroupID: g.ID, Limit: limit, Backward: backward}
				if backward {
					q.Before = &p
				} else {
					q.After = &p
				}
				check(q)
			}
		}
	}
}

// before orders positions.
func before(a, b store.Position) bool {
	return a.Timestamp < b.Timestamp || a.Timestamp == b.Timestamp && a.Seq < b.Seq
}

func describe(q store.LogEventQuery) string {
	s := fmt.Sprintf("backward %v, limit %d", q.Backward, q.Limit)
	if q.Start != nil {
		s += fmt.Sprintf(", range [%d, %d)", *q.Start, *q.End)
	}
	if q.After != nil {
		s += fmt.Sprintf(", after %v", *q.After)
	}
	if q.Before != nil {
		s += fmt.Sprintf(", before %v", *q.Before)
	}
	return s
}
