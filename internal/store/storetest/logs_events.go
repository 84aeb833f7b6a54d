package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

func sequenceNumbers(t *testing.T, open Open) {
	ctx := context.Background()
	l := logsOf(t, fresh(t, open))
	type span struct{ first, n int64 }
	var mu sync.Mutex
	var spans []span
	reserve := func(n int) {
		first, err := l.ReserveSeqs(ctx, n)
		if err != nil {
			t.Errorf("ReserveSeqs(%d): %v", n, err)
			return
		}
		mu.Lock()
		spans = append(spans, span{first, int64(n)})
		mu.Unlock()
	}
	reserve(3)
	reserve(1)
	if spans[0].first <= 0 || spans[1].first < spans[0].first+3 {
		t.Fatalf("ReserveSeqs(3), then (1) = %d, %d; want positive numbers, the second after the first three", spans[0].first, spans[1].first)
	}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() { reserve(1 + i%5) })
	}
	wg.Wait()
	slices.SortFunc(spans, func(a, b span) int { return int(a.first - b.first) })
	for i := 1; i < len(spans); i++ {
		if spans[i].first < spans[i-1].first+spans[i-1].n {
			t.Errorf("concurrent ReserveSeqs gave overlapping ranges %v and %v", spans[i-1], spans[i])
		}
	}
}

func ingestionAndStatistics(t *testing.T, open Open) {
	ctx := context.Background()
	b := fresh(t, open)
	l := logsOf(t, b)
	need(t, b.Outbox != nil, "Outbox")
	g := newGroup(t, l, acct, region, "/a", standard)
	s, u := newStream(t, l, g.ID, "s"), newStream(t, l, g.ID, "u")
	stats := func(name string, first, last, ingestion *int64) {
		t.Helper()
		got := readStream(t, l, g.ID, name)
		if !eqPtr(got.FirstEvent, first) || !eqPtr(got.LastEvent, last) || !eqPtr(got.LastIngestion, ingestion) {
			t.Errorf("stream %s: first event %v, last event %v, last ingestion %v; want %v, %v, %v", name,
				show(got.FirstEvent), show(got.LastEvent), show(got.LastIngestion), show(first), show(last), show(ingestion))
		}
	}
	if err := l.Ingest(ctx, &store.IngestBatch{GroupID: g.ID, StreamID: s.ID, Ingestion: 5}); err != nil {
		t.Errorf("Ingest(no events) = %v; want nil", err)
	}
	stats("s", nil, nil, nil)

	item := store.OutboxItem{Kind: metricKind, Version: 1, Account: acct, Region: region, Target: "metrics", Payload: []byte(`[1]`), NextAttempt: 10_000}
	// Messages are counted in bytes (é is two).
	first := ingest(t, l, s, 10_000, []store.LogEvent{ev(1000, "héllo"), ev(2000, "b"), ev(2000, "c")}, item)
	stats("s", ptr(1000), ptr(2000), ptr(10_000))
	stats("u", nil, nil, nil)
	if got := readGroup(t, l, acct, region, "/a").StoredBytes; got != 8 {
		t.Errorf("StoredBytes = %d; want 8", got)
	}
	// A later batch with older events moves the first event time only.
	second := ingest(t, l, s, 20_000, []store.LogEvent{ev(500, "dd"), ev(800, "eee")})
	stats("s", ptr(500), ptr(2000), ptr(20_000))
	ingest(t, l, u, 30_000, []store.LogEvent{ev(100, "ffff")})
	stats("u", ptr(100), ptr(100), ptr(30_000))
	stats("s", ptr(500), ptr(2000), ptr(20_000))
	if got := readGroup(t, l, acct, region, "/a").StoredBytes; got != 8+5+4 {
		t.Errorf("StoredBytes = %d; want 17", got)
	}
	for _, e := range slices.Concat(first, second) {
		if e.Seq <= 0 {
			t.Fatalf("event %q has sequence number %d", e.Message, e.Seq)
		}
	}

	// Events come back as they were stored, in position order, with
	// their stream's name and their batch's ingestion time.
	got := readEvents(t, l, store.LogEventQuery{GroupID: g.ID, StreamIDs: []int64{s.ID}})
	want := []store.LogEvent{second[0], second[1], first[0], first[1], first[2]}
	if !slices.Equal(got, want) {
		t.Errorf("LogEvents =\n%+v\nwant\n%+v", got, want)
	}

	// The batch's outbox items are enqueued with it.
	items, err := b.Outbox.ClaimOutbox(ctx, metricKind, 10_000, 20_000, 10)
	if err != nil || len(items) != 1 || items[0].ID == 0 || items[0].Target != "metrics" || string(items[0].Payload) != `[1]` || items[0].Account != acct ||
		items[0].Version != 1 || items[0].Created != 10_000 {
		t.Errorf("ClaimOutbox after Ingest = %+v, %v; want the batch's item", items, err)
	}
}

// readingEvents checks LogEvents against a model: the events put,
// filtered and ordered in memory, for queries of every kind.
func readingEvents(t *testing.T, open Open) {
	l := logsOf(t, fresh(t, open))
	g := newGroup(t, l, acct, region, "/a", standard)
	h := newGroup(t, l, acct, region, "/h", standard)
	streams := []*store.LogStream{newStream(t, l, g.ID, "app-1"), newStream(t, l, g.ID, "app-2"), newStream(t, l, g.ID, "web-1")}
	other := newStream(t, l, h.ID, "app-1")
	r := rand.New(rand.NewPCG(7, 11))
	levels := []string{"ERROR", "error", "INFO", "WARN"}
	words := []string{"disk", "Disk", "net"}
	var events []store.LogEvent
	ingestion := int64(1_700_000_000_000)
	for b := range 40 {
		st := streams[r.IntN(len(streams))]
		// Batches interleave in time; within one, events are in order,
		// with bursts of equal timestamps and gaps from a millisecond
		// to days.
		ts := int64(1_700_000_000_000) + r.Int64N(30*86_400_000)
		n := 1 + r.IntN(60)
		batch := make([]store.LogEvent, n)
		for i := range batch {
			switch r.IntN(4) {
			case 0:
			case 1:
				ts += r.Int64N(1000)
			case 2:
				ts += r.Int64N(3_600_000)
			default:
				ts += r.Int64N(2 * 86_400_000)
			}
			batch[i] = ev(ts, fmt.Sprintf("%s %s batch=%d id=%d", levels[r.IntN(len(levels))], words[r.IntN(len(words))], b, i))
		}
		ingestion += 1000
		events = append(events, ingest(t, l, st, ingestion, batch)...)
	}
	ingest(t, l, other, ingestion, []store.LogEvent{ev(events[0].Timestamp, "ERROR disk in another group")})
	slices.SortFunc(events, func(a, b store.LogEvent) int {
		switch {
		case store.Position{Timestamp: a.Timestamp, Seq: a.Seq}.Less(store.Position{Timestamp: b.Timestamp, Seq: b.Seq}):
			return -1
		case a.Seq == b.Seq:
			return 0
		}
		return 1
	})
	names := map[int64]string{}
	for _, st := range streams {
		names[st.ID] = st.Name
	}

	want := func(q store.LogEventQuery) []store.LogEvent {
		var out []store.LogEvent
		for _, e := range events {
			p := store.Position{Timestamp: e.Timestamp, Seq: e.Seq}
			ok := (len(q.StreamIDs) == 0 || slices.Contains(q.StreamIDs, e.StreamID)) &&
				strings.HasPrefix(names[e.StreamID], q.StreamPrefix) &&
				(q.Start == nil || e.Timestamp >= *q.Start) && (q.End == nil || e.Timestamp < *q.End) &&
				(q.After == nil || q.After.Less(p)) && (q.Before == nil || p.Less(*q.Before))
			for _, term := range q.Terms {
				ok = ok && strings.Contains(e.Message, term)
			}
			if ok {
				out = append(out, e)
			}
		}
		if q.Limit > 0 && len(out) > q.Limit {
			if q.Backward {
				out = out[len(out)-q.Limit:]
			} else {
				out = out[:q.Limit]
			}
		}
		return out
	}
	describe := func(q store.LogEventQuery) string {
		var b strings.Builder
		fmt.Fprintf(&b, "streams %v, prefix %q, limit %d, backward %v, terms %q", q.StreamIDs, q.StreamPrefix, q.Limit, q.Backward, q.Terms)
		if q.Start != nil {
			fmt.Fprintf(&b, ", start %d", *q.Start)
		}
		if q.End != nil {
			fmt.Fprintf(&b, ", end %d", *q.End)
		}
		if q.After != nil {
			fmt.Fprintf(&b, ", after %v", *q.After)
		}
		if q.Before != nil {
			fmt.Fprintf(&b, ", before %v", *q.Before)
		}
		return b.String()
	}
	check := func(q store.LogEventQuery) {
		t.Helper()
		q.GroupID = g.ID
		got, w := readEvents(t, l, q), want(q)
		if !slices.Equal(got, w) {
			t.Errorf("LogEvents(%s) = %d events, want %d (or other events, or another order)", describe(q), len(got), len(w))
		}
	}

	// The whole group, and the edges of the data.
	check(store.LogEventQuery{})
	check(store.LogEventQuery{Backward: true})
	check(store.LogEventQuery{Limit: 1})
	check(store.LogEventQuery{Limit: 1, Backward: true})
	check(store.LogEventQuery{Limit: len(events)})
	check(store.LogEventQuery{Limit: len(events) + 1, Backward: true})
	firstTS, lastTS := events[0].Timestamp, events[len(events)-1].Timestamp
	check(store.LogEventQuery{Start: ptr(firstTS), End: ptr(firstTS + 1)})
	check(store.LogEventQuery{Start: ptr(lastTS), End: ptr(lastTS + 1), Limit: 2, Backward: true})
	check(store.LogEventQuery{Start: ptr(lastTS + 1)})
	check(store.LogEventQuery{End: ptr(firstTS), Limit: 5, Backward: true})
	check(store.LogEventQuery{Start: ptr(lastTS), End: ptr(firstTS)})
	check(store.LogEventQuery{StreamPrefix: "zzz", Limit: 5})
	check(store.LogEventQuery{After: &store.Position{Timestamp: lastTS, Seq: 1 << 62}, Limit: 5})
	check(store.LogEventQuery{Before: &store.Position{Timestamp: firstTS, Seq: 0}, Limit: 5, Backward: true})
	if all := readEvents(t, l, store.LogEventQuery{GroupID: g.ID}); len(all) != len(events) {
		t.Fatalf("LogEvents(group) = %d events; want %d", len(all), len(events))
	}

	position := func() *store.Position {
		e := events[r.IntN(len(events))]
		p := store.Position{Timestamp: e.Timestamp, Seq: e.Seq}
		switch r.IntN(3) {
		case 0: // between events of a timestamp
			p.Seq += int64(r.IntN(3)) - 1
		case 1: // before or after every event of a timestamp
			p.Seq = []int64{0, 1 << 62}[r.IntN(2)]
		}
		return &p
	}
	timestamp := func() *int64 {
		return ptr(events[r.IntN(len(events))].Timestamp + int64(r.IntN(3)) - 1)
	}
	terms := [][]string{{"ERROR"}, {"error"}, {"disk"}, {"ERROR", "disk"}, {"id=1"}, {"batch=3 "}, {"no such text"}}
	for range 250 {
		var q store.LogEventQuery
		switch r.IntN(3) {
		case 1:
			for _, st := range streams {
				if r.IntN(2) == 0 {
					q.StreamIDs = append(q.StreamIDs, st.ID)
				}
			}
		case 2:
			q.StreamPrefix = []string{"app-", "app-2", "web", "a"}[r.IntN(4)]
		}
		if r.IntN(2) == 0 {
			q.Start = timestamp()
		}
		if r.IntN(2) == 0 {
			q.End = timestamp()
		}
		switch r.IntN(4) {
		case 0:
			q.After = position()
		case 1:
			q.Before = position()
		case 2:
			q.After, q.Before = position(), position()
		}
		if r.IntN(3) == 0 {
			q.Terms = terms[r.IntN(len(terms))]
		}
		q.Backward = r.IntN(2) == 0
		q.Limit = []int{0, 1, 3, 10, 100, 10_000}[r.IntN(6)]
		check(q)
	}
}

func expiry(t *testing.T, open Open) {
	ctx := context.Background()
	l := logsOf(t, fresh(t, open))
	g := newGroup(t, l, acct, region, "/a", standard)
	h := newGroup(t, l, acct, region, "/h", standard)
	s1, s2 := newStream(t, l, g.ID, "s1"), newStream(t, l, g.ID, "s2")
	ingest(t, l, s1, 100_000, []store.LogEvent{ev(1000, "a"), ev(2000, "bb"), ev(2500, "ccc"), ev(5000, "dddd")})
	ingest(t, l, s2, 200_000, []store.LogEvent{ev(2000, "ee"), ev(3000, "fff")})
	ingest(t, l, newStream(t, l, h.ID, "s1"), 100_000, []store.LogEvent{ev(1000, "other")})

	n, err := l.DeleteEventsBefore(ctx, g.ID, 2500)
	if err != nil || n != 3 {
		t.Fatalf("DeleteEventsBefore(2500) = %d, %v; want 3 (those older than 2500)", n, err)
	}
	if got := messages(readEvents(t, l, store.LogEventQuery{GroupID: g.ID})); !slices.Equal(got, []string{"ccc", "fff", "dddd"}) {
		t.Errorf("LogEvents after expiry = %v; want [ccc fff dddd]", got)
	}
	if got := readGroup(t, l, acct, region, "/a").StoredBytes; got != 3+3+4 {
		t.Errorf("StoredBytes after expiry = %d; want 10 (the events left)", got)
	}
	// The newest events are kept, and with them the streams' last event
	// and ingestion times.
	for _, c := range []struct {
		name            string
		last, ingestion int64
	}{{"s1", 5000, 100_000}, {"s2", 3000, 200_000}} {
		if got := readStream(t, l, g.ID, c.name); !eqPtr(got.LastEvent, &c.last) || !eqPtr(got.LastIngestion, &c.ingestion) {
			t.Errorf("stream %s after expiry: last event %v, last ingestion %v; want %d, %d", c.name, show(got.LastEvent), show(got.LastIngestion), c.last, c.ingestion)
		}
	}
	if n, err := l.DeleteEventsBefore(ctx, g.ID, 2500); err != nil || n != 0 {
		t.Errorf("DeleteEventsBefore(2500) again = %d, %v; want 0", n, err)
	}
	if got := readGroup(t, l, acct, region, "/h"); got.StoredBytes != 5 || len(readEvents(t, l, store.LogEventQuery{GroupID: h.ID})) != 1 {
		t.Errorf("the other group after expiry = %+v; want its event kept", got)
	}
	if n, err := l.DeleteEventsBefore(ctx, g.ID, 1<<62); err != nil || n != 3 {
		t.Errorf("DeleteEventsBefore(the end of time) = %d, %v; want 3", n, err)
	}
	if got := readGroup(t, l, acct, region, "/a").StoredBytes; got != 0 {
		t.Errorf("StoredBytes after every event expired = %d; want 0", got)
	}
	if got := readEvents(t, l, store.LogEventQuery{GroupID: g.ID, Limit: 10, Backward: true}); len(got) != 0 {
		t.Errorf("LogEvents after every event expired = %v; want none", messages(got))
	}
	readStream(t, l, g.ID, "s1") // streams outlive their events
}

// logsReopen checks that what Logs acknowledged is there after reopening,
// and that numbers handed out before are not handed out again.
func logsReopen(t *testing.T, open Open) {
	ctx := context.Background()
	arn := groupARN(acct, region, "/app")
	dest := store.LogDestination{Account: acct, Region: region, Name: "d", TargetARN: "arn:t", RoleARN: "arn:r", AccessPolicy: "{}", Created: 5}
	mf := store.MetricFilter{Name: "m", Pattern: "ERROR", Transformation: "{}", Created: 6}
	sf := store.SubscriptionFilter{Name: "s", Pattern: "", DestinationARN: "arn:d", Distribution: "ByLogStream", Created: 7}
	var (
		group    store.LogGroup
		stream   store.LogStream
		stored   []store.LogEvent
		reserved int64 // the last sequence number reserved
	)
	b := reopen(t, open, func(t *testing.T, b Backend) {
		l := logsOf(t, b)
		need(t, b.Tags != nil && b.Outbox != nil, "Tags and Outbox")
		g := &store.LogGroup{Account: acct, Region: region, Name: "/app", Created: 1234, Class: standard}
		if err := l.CreateLogGroup(ctx, g, arn, map[string]string{"team": "a"}); err != nil {
			t.Fatal(err)
		}
		if err := l.SetRetention(ctx, g.ID, 30); err != nil {
			t.Fatal(err)
		}
		if err := l.SetKMSKey(ctx, g.ID, kmsKey); err != nil {
			t.Fatal(err)
		}
		st := newStream(t, l, g.ID, "s")
		item := store.OutboxItem{Kind: subscription, Version: 1, Account: acct, Region: region, Target: "arn:d", Payload: []byte("p"), NextAttempt: 1}
		stored = ingest(t, l, st, 10_000, []store.LogEvent{ev(1000, "one"), ev(1000, "two"), ev(3000, "three")}, item)
		gone := newStream(t, l, g.ID, "gone")
		ingest(t, l, gone, 10_000, []store.LogEvent{ev(2000, "gone")})
		if err := l.DeleteLogStream(ctx, gone.ID); err != nil {
			t.Fatal(err)
		}
		mf.GroupID, sf.GroupID = g.ID, g.ID
		if err := l.PutMetricFilter(ctx, mf); err != nil {
			t.Fatal(err)
		}
		if err := l.PutSubscriptionFilter(ctx, sf); err != nil {
			t.Fatal(err)
		}
		if err := l.PutLogDestination(ctx, dest, "arn:dest", map[string]string{"k": "v"}); err != nil {
			t.Fatal(err)
		}
		// Numbers reserved and not used by events (PutLogEvents'
		// tokens) are not handed out again either.
		first, err := l.ReserveSeqs(ctx, 5)
		if err != nil {
			t.Fatal(err)
		}
		reserved = first + 4
		group, stream = *readGroup(t, l, acct, region, "/app"), *readStream(t, l, g.ID, "s")
	})
	l := logsOf(t, b)
	if got := readGroup(t, l, acct, region, "/app"); *got != group || got.RetentionDays != 30 || got.KMSKeyID != kmsKey || got.MetricFilterCount != 1 ||
		got.StoredBytes != int64(len("onetwothree")) {
		t.Errorf("LogGroup after reopening = %+v; want %+v", *got, group)
	}
	if got := readStream(t, l, group.ID, "s"); *got.FirstEvent != 1000 || *got.LastEvent != 3000 || *got.LastIngestion != 10_000 || got.ID != stream.ID {
		t.Errorf("LogStream after reopening = %+v; want its event times", got)
	}
	if _, err := l.LogStream(ctx, group.ID, "gone"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LogStream(deleted before reopening) = %v; want ErrNotFound", err)
	}
	if got := readEvents(t, l, store.LogEventQuery{GroupID: group.ID}); !slices.Equal(got, stored) {
		t.Errorf("LogEvents after reopening =\n%+v\nwant\n%+v", got, stored)
	}
	if got, err := l.MetricFilters(ctx, acct, region, group.ID); err != nil || len(got) != 1 || got[0] != mf {
		t.Errorf("MetricFilters after reopening = %+v, %v; want %+v", got, err, mf)
	}
	if got, err := l.SubscriptionFilters(ctx, group.ID); err != nil || len(got) != 1 || got[0] != sf {
		t.Errorf("SubscriptionFilters after reopening = %+v, %v; want %+v", got, err, sf)
	}
	if got, err := l.LogDestination(ctx, acct, region, "d"); err != nil || *got != dest {
		t.Errorf("LogDestination after reopening = %+v, %v; want %+v", got, err, dest)
	}
	if got, err := l.LogGroupsWithRetention(ctx); err != nil || len(got) != 1 || got[0].ID != group.ID {
		t.Errorf("LogGroupsWithRetention after reopening = %+v, %v; want /app", got, err)
	}
	for _, a := range []string{arn, "arn:dest"} {
		if tags, err := b.Tags.ResourceTags(ctx, a); err != nil || len(tags) != 1 {
			t.Errorf("ResourceTags(%s) after reopening = %v, %v; want its tag", a, tags, err)
		}
	}
	if items, err := b.Outbox.ClaimOutbox(ctx, subscription, 1, 2, 10); err != nil || len(items) != 1 || string(items[0].Payload) != "p" {
		t.Errorf("ClaimOutbox after reopening = %+v, %v; want the ingested batch's item", items, err)
	}

	first, err := l.ReserveSeqs(ctx, 1)
	if err != nil || first <= reserved {
		t.Fatalf("ReserveSeqs after reopening = %d, %v; want a number after %d, the last reserved before", first, err, reserved)
	}
	// New events come after the old ones at the same timestamp: sequence
	// numbers keep increasing in ingestion order.
	st := readStream(t, l, group.ID, "s")
	more := ingest(t, l, st, 20_000, []store.LogEvent{ev(1000, "four")})
	want := []store.LogEvent{stored[0], stored[1], more[0], stored[2]}
	if got := readEvents(t, l, store.LogEventQuery{GroupID: group.ID}); !slices.Equal(got, want) {
		t.Errorf("LogEvents after ingesting again = %v; want %v", messages(got), messages(want))
	}
	if err := l.CreateLogGroup(ctx, &store.LogGroup{Account: acct, Region: region, Name: "/app", Class: standard}, arn, nil); !errors.Is(err, store.ErrExists) {
		t.Errorf("CreateLogGroup(existing) after reopening = %v; want ErrExists", err)
	}
	if err := l.CreateLogStream(ctx, &store.LogStream{GroupID: group.ID, Name: "s"}); !errors.Is(err, store.ErrExists) {
		t.Errorf("CreateLogStream(existing) after reopening = %v; want ErrExists", err)
	}
	if g := newGroup(t, l, acct, region, "/new", standard); g.ID == group.ID {
		t.Errorf("a group created after reopening has the id of an existing one, %d", g.ID)
	}
	if s := newStream(t, l, group.ID, "new"); s.ID == stream.ID {
		t.Errorf("a stream created after reopening has the id of an existing one, %d", s.ID)
	}
}

// concurrentWrites checks creations racing for one name (subscription
// deliveries create their target stream so, and take ErrExists for the
// other's success) and concurrent ingestion into the same streams.
func concurrentWrites(t *testing.T, open Open) {
	ctx := context.Background()
	l := logsOf(t, fresh(t, open))
	const n = 16
	race := func(what string, create func() error) {
		t.Helper()
		errs := make(chan error, n)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() { errs <- create() })
		}
		wg.Wait()
		close(errs)
		created := 0
		for err := range errs {
			switch {
			case err == nil:
				created++
			case !errors.Is(err, store.ErrExists):
				t.Errorf("concurrent %s = %v; want nil or ErrExists", what, err)
			}
		}
		if created != 1 {
			t.Errorf("%d concurrent %s created %d; want 1", n, what, created)
		}
	}
	race("CreateLogGroup", func() error {
		return l.CreateLogGroup(ctx, &store.LogGroup{Account: acct, Region: region, Name: "/a", Class: standard}, groupARN(acct, region, "/a"), nil)
	})
	g := readGroup(t, l, acct, region, "/a")
	race("CreateLogStream", func() error { return l.CreateLogStream(ctx, &store.LogStream{GroupID: g.ID, Name: "s"}) })
	streams := []*store.LogStream{readStream(t, l, g.ID, "s"), newStream(t, l, g.ID, "u")}

	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			st := streams[w%2]
			for i := range 10 {
				first, err := l.ReserveSeqs(ctx, 3)
				if err != nil {
					t.Error(err)
					return
				}
				ts := int64(1000 + w*100 + i)
				events := []store.LogEvent{
					{Timestamp: ts, Seq: first, Message: "ab"}, {Timestamp: ts, Seq: first + 1, Message: "cd"}, {Timestamp: ts + 1, Seq: first + 2, Message: "ef"},
				}
				if err := l.Ingest(ctx, &store.IngestBatch{GroupID: g.ID, StreamID: st.ID, Ingestion: ts, Events: events}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	events := readEvents(t, l, store.LogEventQuery{GroupID: g.ID})
	seqs := map[int64]bool{}
	for _, e := range events {
		seqs[e.Seq] = true
	}
	if len(events) != 8*10*3 || len(seqs) != len(events) {
		t.Errorf("after concurrent ingestion: %d events, %d sequence numbers; want 240 of each", len(events), len(seqs))
	}
	if got := readGroup(t, l, acct, region, "/a").StoredBytes; got != 8*10*3*2 {
		t.Errorf("StoredBytes after concurrent ingestion = %d; want 480", got)
	}
	// Stream s has the even writers' events (w 0..6), u the odd ones'.
	for i, want := range [][3]int64{{1000, 1610, 1609}, {1100, 1710, 1709}} {
		got := readStream(t, l, g.ID, streams[i].Name)
		if !eqPtr(got.FirstEvent, &want[0]) || !eqPtr(got.LastEvent, &want[1]) || !eqPtr(got.LastIngestion, &want[2]) {
			t.Errorf("stream %s after concurrent ingestion: first %v, last %v, ingestion %v; want %v", got.Name,
				show(got.FirstEvent), show(got.LastEvent), show(got.LastIngestion), want)
		}
	}
}
