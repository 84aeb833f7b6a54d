package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// The account and region the Logs suites work in, and another of each.
const (
	acct, region             = "111111111111", "us-east-1"
	otherAcct, otherRegion   = "222222222222", "eu-west-1"
	standard, infrequent     = "STANDARD", "INFREQUENT_ACCESS"
	kmsKey                   = "arn:aws:kms:us-east-1:111111111111:key/k"
	metricKind, subscription = "logs.metric", "logs.subscription"
)

// Logs checks the backend's store.Logs, with its Tags (groups and
// destinations are tagged) and Outbox (ingestion enqueues).
func Logs(t *testing.T, open Open) {
	t.Run("log groups", func(t *testing.T) { logGroups(t, open) })
	t.Run("listing log groups", func(t *testing.T) { listLogGroups(t, open) })
	t.Run("retention and KMS key", func(t *testing.T) { retention(t, open) })
	t.Run("log streams", func(t *testing.T) { logStreams(t, open) })
	t.Run("sequence numbers", func(t *testing.T) { sequenceNumbers(t, open) })
	t.Run("ingestion and statistics", func(t *testing.T) { ingestionAndStatistics(t, open) })
	t.Run("concurrent writes", func(t *testing.T) { concurrentWrites(t, open) })
	t.Run("reading events", func(t *testing.T) { readingEvents(t, open) })
	t.Run("expiry", func(t *testing.T) { expiry(t, open) })
	t.Run("metric filters", func(t *testing.T) { metricFilters(t, open) })
	t.Run("subscription filters", func(t *testing.T) { subscriptionFilters(t, open) })
	t.Run("destinations", func(t *testing.T) { destinations(t, open) })
	t.Run("deleting a log stream", func(t *testing.T) { deleteLogStream(t, open) })
	t.Run("deleting a log group", func(t *testing.T) { deleteLogGroup(t, open) })
	t.Run("durable across reopening", func(t *testing.T) { logsReopen(t, open) })
}

func logsOf(t *testing.T, b Backend) store.Logs {
	t.Helper()
	need(t, b.Logs != nil, "Logs")
	return b.Logs
}

// groupARN is the ARN a log group is tagged under.
func groupARN(account, region, name string) string {
	return "arn:aws:logs:" + region + ":" + account + ":log-group:" + name
}

// newGroup creates a log group of the class.
func newGroup(t *testing.T, l store.Logs, account, region, name, class string) *store.LogGroup {
	t.Helper()
	g := &store.LogGroup{Account: account, Region: region, Name: name, Created: 1000, Class: class}
	if err := l.CreateLogGroup(context.Background(), g, groupARN(account, region, name), nil); err != nil {
		t.Fatalf("CreateLogGroup(%s): %v", name, err)
	}
	return g
}

// newStream creates a log stream.
func newStream(t *testing.T, l store.Logs, groupID int64, name string) *store.LogStream {
	t.Helper()
	st := &store.LogStream{GroupID: groupID, Name: name, Created: 2000}
	if err := l.CreateLogStream(context.Background(), st); err != nil {
		t.Fatalf("CreateLogStream(%s): %v", name, err)
	}
	return st
}

// ingest stores events (their timestamps and messages) in a stream as
// one batch at the ingestion time, with the outbox items, and returns the
// events as they were stored.
func ingest(t *testing.T, l store.Logs, st *store.LogStream, ingestion int64, events []store.LogEvent, outbox ...store.OutboxItem) []store.LogEvent {
	t.Helper()
	ctx := context.Background()
	first, err := l.ReserveSeqs(ctx, len(events))
	if err != nil {
		t.Fatalf("ReserveSeqs(%d): %v", len(events), err)
	}
	out := make([]store.LogEvent, len(events))
	for i, e := range events {
		out[i] = store.LogEvent{StreamID: st.ID, Stream: st.Name, Timestamp: e.Timestamp, Ingestion: ingestion, Seq: first + int64(i), Message: e.Message}
	}
	b := &store.IngestBatch{GroupID: st.GroupID, StreamID: st.ID, Ingestion: ingestion, Events: slices.Clone(out), Outbox: outbox}
	if err := l.Ingest(ctx, b); err != nil {
		t.Fatalf("Ingest(%d events): %v", len(events), err)
	}
	return out
}

// ev is an event to ingest.
func ev(ts int64, message string) store.LogEvent {
	return store.LogEvent{Timestamp: ts, Message: message}
}

// readGroup returns a log group, failing the test when it is missing.
func readGroup(t *testing.T, l store.Logs, account, region, name string) *store.LogGroup {
	t.Helper()
	// LogGroup resolves a name; the listing carries the statistics.
	if _, err := l.LogGroup(context.Background(), account, region, name); err != nil {
		t.Fatalf("LogGroup(%s, %s, %s): %v", account, region, name, err)
	}
	groups, err := l.LogGroups(context.Background(), store.LogGroupQuery{Account: account, Region: region, Names: []string{name}})
	if err != nil || len(groups) != 1 {
		t.Fatalf("LogGroups(%s, %s, %s) = %v, %v; want the group", account, region, name, groups, err)
	}
	return &groups[0]
}

// readStream returns a log stream, failing the test when it is missing.
func readStream(t *testing.T, l store.Logs, groupID int64, name string) *store.LogStream {
	t.Helper()
	// LogStream resolves a name; the listing carries the statistics.
	if _, err := l.LogStream(context.Background(), groupID, name); err != nil {
		t.Fatalf("LogStream(%d, %s): %v", groupID, name, err)
	}
	streams, err := l.LogStreams(context.Background(), store.LogStreamQuery{GroupID: groupID, Prefix: name})
	if err != nil {
		t.Fatalf("LogStreams(%d, %s): %v", groupID, name, err)
	}
	for i := range streams {
		if streams[i].Name == name {
			return &streams[i]
		}
	}
	t.Fatalf("LogStreams(%d, %s) = %v; want the stream", groupID, name, streams)
	return nil
}

// readEvents returns the events a query selects.
func readEvents(t *testing.T, l store.Logs, q store.LogEventQuery) []store.LogEvent {
	t.Helper()
	events, err := l.LogEvents(context.Background(), q)
	if err != nil {
		t.Fatalf("LogEvents(%+v): %v", q, err)
	}
	return events
}

func messages(events []store.LogEvent) []string {
	var out []string
	for _, e := range events {
		out = append(out, e.Message)
	}
	return out
}

func groupNames(groups []store.LogGroup) []string {
	var out []string
	for _, g := range groups {
		out = append(out, g.Name)
	}
	return out
}

func streamNames(streams []store.LogStream) []string {
	var out []string
	for _, s := range streams {
		out = append(out, s.Name)
	}
	return out
}

func ptr(v int64) *int64 { return &v }

// eqPtr reports whether two optional times are equal.
func eqPtr(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func show(p *int64) any {
	if p == nil {
		return "nil"
	}
	return *p
}

func logGroups(t *testing.T, open Open) {
	ctx := context.Background()
	b := fresh(t, open)
	l := logsOf(t, b)
	need(t, b.Tags != nil, "Tags")
	if got, err := l.LogGroups(ctx, store.LogGroupQuery{Account: acct, Region: region}); err != nil || len(got) != 0 {
		t.Fatalf("LogGroups on an empty store = %+v, %v; want none", got, err)
	}
	if _, err := l.LogGroup(ctx, acct, region, "/app"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LogGroup(missing) = %v; want ErrNotFound", err)
	}
	g := &store.LogGroup{Account: acct, Region: region, Name: "/app", Created: 1234, RetentionDays: 7, KMSKeyID: kmsKey,
		Class: infrequent, DeletionProtection: true}
	arn := groupARN(acct, region, "/app")
	if err := l.CreateLogGroup(ctx, g, arn, map[string]string{"team": "a"}); err != nil {
		t.Fatal(err)
	}
	if g.ID == 0 {
		t.Fatal("CreateLogGroup did not assign an id")
	}
	got := readGroup(t, l, acct, region, "/app")
	want := *g
	if *got != want {
		t.Errorf("LogGroup = %+v; want %+v", *got, want)
	}
	if tags, err := b.Tags.ResourceTags(ctx, arn); err != nil || len(tags) != 1 || tags["team"] != "a" {
		t.Errorf("ResourceTags(new group) = %v, %v; want the tags it was created with", tags, err)
	}
	dup := &store.LogGroup{Account: acct, Region: region, Name: "/app", Created: 1, Class: standard}
	if err := l.CreateLogGroup(ctx, dup, arn, map[string]string{"team": "b"}); !errors.Is(err, store.ErrExists) {
		t.Errorf("CreateLogGroup(existing) = %v; want ErrExists", err)
	}
	if got := readGroup(t, l, acct, region, "/app"); *got != want {
		t.Errorf("LogGroup after a failed create = %+v; want %+v", *got, want)
	}
	if tags, err := b.Tags.ResourceTags(ctx, arn); err != nil || tags["team"] != "a" {
		t.Errorf("ResourceTags after a failed create = %v, %v; want the first tags", tags, err)
	}
	// The same name in another account or region is another group.
	ids := map[int64]bool{g.ID: true}
	for _, scope := range [][2]string{{otherAcct, region}, {acct, otherRegion}} {
		o := newGroup(t, l, scope[0], scope[1], "/app", standard)
		if ids[o.ID] {
			t.Errorf("CreateLogGroup(%v) assigned id %d again", scope, o.ID)
		}
		ids[o.ID] = true
		if got := readGroup(t, l, scope[0], scope[1], "/app"); got.ID != o.ID || got.Class != standard || got.RetentionDays != 0 {
			t.Errorf("LogGroup(%v) = %+v; want its own group", scope, got)
		}
	}
	if _, err := l.LogGroup(ctx, otherAcct, otherRegion, "/app"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LogGroup(other account, other region) = %v; want ErrNotFound", err)
	}
	if got := readGroup(t, l, acct, region, "/app"); *got != want {
		t.Errorf("LogGroup after creating others = %+v; want %+v", *got, want)
	}
}

func listLogGroups(t *testing.T, open Open) {
	ctx := context.Background()
	l := logsOf(t, fresh(t, open))
	// Names whose byte order differs from a case-insensitive or a
	// locale's order.
	names := []string{"/b", "/B", "/a-z", "/a_z", "/a.b", "/aws/lambda/f", "/App/x", "/app/y", "#1"}
	classes := map[string]string{"/B": infrequent, "/app/y": infrequent}
	for _, n := range names {
		class := classes[n]
		if class == "" {
			class = standard
		}
		newGroup(t, l, acct, region, n, class)
	}
	newGroup(t, l, otherAcct, region, "/b", standard)
	newGroup(t, l, acct, otherRegion, "/c", standard)
	sorted := slices.Sorted(slices.Values(names))
	list := func(q store.LogGroupQuery) []string {
		t.Helper()
		q.Account, q.Region = acct, region
		got, err := l.LogGroups(ctx, q)
		if err != nil {
			t.Fatalf("LogGroups(%+v): %v", q, err)
		}
		return groupNames(got)
	}
	keep := func(f func(string) bool) []string {
		var out []string
		for _, n := range sorted {
			if f(n) {
				out = append(out, n)
			}
		}
		return out
	}
	for _, c := range []struct {
		name string
		q    store.LogGroupQuery
		want []string
	}{
		{"all, by name in byte order", store.LogGroupQuery{}, sorted},
		{"prefix (case-sensitive)", store.LogGroupQuery{Prefix: "/a"}, []string{"/a-z", "/a.b", "/a_z", "/app/y", "/aws/lambda/f"}},
		{"contains (case-insensitive)", store.LogGroupQuery{Contains: "APP"}, []string{"/App/x", "/app/y"}},
		{"names", store.LogGroupQuery{Names: []string{"/b", "/missing", "/a.b"}}, []string{"/a.b", "/b"}},
		{"class", store.LogGroupQuery{Class: infrequent}, []string{"/B", "/app/y"}},
		{"after", store.LogGroupQuery{After: "/a_z"}, keep(func(n string) bool { return n > "/a_z" })},
		{"after a missing name", store.LogGroupQuery{After: "/aa"}, keep(func(n string) bool { return n > "/aa" })},
		{"limit", store.LogGroupQuery{Limit: 3}, sorted[:3]},
		{"prefix, after and limit", store.LogGroupQuery{Prefix: "/a", After: "/a.b", Limit: 2}, []string{"/a_z", "/app/y"}},
		{"contains and class", store.LogGroupQuery{Contains: "a", Class: standard}, []string{"/App/x", "/a-z", "/a.b", "/a_z", "/aws/lambda/f"}},
		{"nothing matches", store.LogGroupQuery{Prefix: "/zzz"}, nil},
	} {
		if got := list(c.q); !slices.Equal(got, c.want) {
			t.Errorf("LogGroups(%s) = %v; want %v", c.name, got, c.want)
		}
	}
	// Pages of every size, each after the last name of the previous,
	// make up the whole list.
	for size := 1; size <= len(names); size++ {
		var all []string
		after := ""
		for range len(names) + 1 {
			page := list(store.LogGroupQuery{After: after, Limit: size})
			all = append(all, page...)
			if len(page) < size {
				break
			}
			after = page[len(page)-1]
		}
		if !slices.Equal(all, sorted) {
			t.Errorf("LogGroups in pages of %d = %v; want %v", size, all, sorted)
		}
	}
	if got, err := l.LogGroups(ctx, store.LogGroupQuery{Account: otherAcct, Region: region}); err != nil || !slices.Equal(groupNames(got), []string{"/b"}) {
		t.Errorf("LogGroups(other account) = %v, %v; want [/b]", groupNames(got), err)
	}
	if got, err := l.LogGroups(ctx, store.LogGroupQuery{Account: acct, Region: otherRegion}); err != nil || !slices.Equal(groupNames(got), []string{"/c"}) {
		t.Errorf("LogGroups(other region) = %v, %v; want [/c]", groupNames(got), err)
	}
}

func retention(t *testing.T, open Open) {
	ctx := context.Background()
	l := logsOf(t, fresh(t, open))
	g := newGroup(t, l, acct, region, "/a", standard)
	o := newGroup(t, l, otherAcct, otherRegion, "/b", standard)
	newGroup(t, l, acct, region, "/forever", standard)
	withRetention := func() map[int64]int {
		t.Helper()
		groups, err := l.LogGroupsWithRetention(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]int{}
		for _, g := range groups {
			out[g.ID] = g.RetentionDays
		}
		return out
	}
	if got := withRetention(); len(got) != 0 {
		t.Errorf("LogGroupsWithRetention without retention = %v; want none", got)
	}
	if err := l.SetRetention(ctx, g.ID, 30); err != nil {
		t.Fatal(err)
	}
	if err := l.SetRetention(ctx, o.ID, 1); err != nil {
		t.Fatal(err)
	}
	if got := readGroup(t, l, acct, region, "/a"); got.RetentionDays != 30 {
		t.Errorf("RetentionDays = %d; want 30", got.RetentionDays)
	}
	// Every account's and region's groups: retention runs for all.
	if got := withRetention(); len(got) != 2 || got[g.ID] != 30 || got[o.ID] != 1 {
		t.Errorf("LogGroupsWithRetention = %v (id: days); want %d: 30 and %d: 1", got, g.ID, o.ID)
	}
	if err := l.SetRetention(ctx, g.ID, 0); err != nil {
		t.Fatal(err)
	}
	if got := readGroup(t, l, acct, region, "/a"); got.RetentionDays != 0 {
		t.Errorf("RetentionDays after removing it = %d; want 0", got.RetentionDays)
	}
	if got := withRetention(); len(got) != 1 || got[o.ID] != 1 {
		t.Errorf("LogGroupsWithRetention after removing one = %v; want only %d", got, o.ID)
	}

	if err := l.SetKMSKey(ctx, g.ID, kmsKey); err != nil {
		t.Fatal(err)
	}
	if got := readGroup(t, l, acct, region, "/a"); got.KMSKeyID != kmsKey {
		t.Errorf("KMSKeyID = %q; want %q", got.KMSKeyID, kmsKey)
	}
	if got := readGroup(t, l, otherAcct, otherRegion, "/b"); got.KMSKeyID != "" || got.RetentionDays != 1 {
		t.Errorf("other group = %+v; want no KMS key and its own retention", got)
	}
	if err := l.SetKMSKey(ctx, g.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got := readGroup(t, l, acct, region, "/a"); got.KMSKeyID != "" {
		t.Errorf("KMSKeyID after clearing it = %q; want none", got.KMSKeyID)
	}
}

func logStreams(t *testing.T, open Open) {
	ctx := context.Background()
	l := logsOf(t, fresh(t, open))
	g := newGroup(t, l, acct, region, "/a", standard)
	h := newGroup(t, l, acct, region, "/h", standard)
	if got, err := l.LogStreams(ctx, store.LogStreamQuery{GroupID: g.ID}); err != nil || len(got) != 0 {
		t.Fatalf("LogStreams of a group without streams = %+v, %v; want none", got, err)
	}
	names := []string{"b", "B", "a-1", "a_1", "a.1", "c"}
	streams := map[string]*store.LogStream{}
	for _, n := range names {
		streams[n] = newStream(t, l, g.ID, n)
	}
	if err := l.CreateLogStream(ctx, &store.LogStream{GroupID: g.ID, Name: "b", Created: 1}); !errors.Is(err, store.ErrExists) {
		t.Errorf("CreateLogStream(existing) = %v; want ErrExists", err)
	}
	hb := newStream(t, l, h.ID, "b") // the same name in another group
	if hb.ID == streams["b"].ID {
		t.Errorf("streams of two groups share id %d", hb.ID)
	}
	got := readStream(t, l, g.ID, "b")
	if got.ID != streams["b"].ID || got.GroupID != g.ID || got.Name != "b" || got.Created != 2000 ||
		got.FirstEvent != nil || got.LastEvent != nil || got.LastIngestion != nil {
		t.Errorf("LogStream = %+v; want the stream, without event times", got)
	}
	if _, err := l.LogStream(ctx, g.ID, "zzz"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LogStream(missing) = %v; want ErrNotFound", err)
	}
	if _, err := l.LogStream(ctx, h.ID, "c"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LogStream(another group's stream) = %v; want ErrNotFound", err)
	}

	// Events give c, a-1 and B a last event time; a-1 and B share one.
	ingest(t, l, streams["c"], 9000, []store.LogEvent{ev(5000, "x")})
	ingest(t, l, streams["a-1"], 9000, []store.LogEvent{ev(1000, "x"), ev(3000, "x")})
	ingest(t, l, streams["B"], 9000, []store.LogEvent{ev(3000, "x")})
	ingest(t, l, hb, 9000, []store.LogEvent{ev(9999, "x")})

	list := func(q store.LogStreamQuery) []store.LogStream {
		t.Helper()
		q.GroupID = g.ID
		got, err := l.LogStreams(ctx, q)
		if err != nil {
			t.Fatalf("LogStreams(%+v): %v", q, err)
		}
		return got
	}
	byName := slices.Sorted(slices.Values(names))
	// Streams without events sort as if their last event were at 0; ties
	// by name.
	byLast := []string{"a.1", "a_1", "b", "B", "a-1", "c"}
	desc := func(s []string) []string {
		s = slices.Clone(s)
		slices.Reverse(s)
		return s
	}
	for _, c := range []struct {
		name string
		q    store.LogStreamQuery
		want []string
	}{
		{"by name in byte order", store.LogStreamQuery{}, byName},
		{"by name, descending", store.LogStreamQuery{Descending: true}, desc(byName)},
		{"prefix", store.LogStreamQuery{Prefix: "a"}, []string{"a-1", "a.1", "a_1"}},
		{"limit", store.LogStreamQuery{Limit: 2}, byName[:2]},
		{"after", store.LogStreamQuery{After: &store.LogStream{Name: "a.1"}}, []string{"a_1", "b", "c"}},
		{"after, descending", store.LogStreamQuery{Descending: true, After: &store.LogStream{Name: "a.1"}}, []string{"a-1", "B"}},
		{"prefix and limit", store.LogStreamQuery{Prefix: "a", Limit: 1, After: &store.LogStream{Name: "a-1"}}, []string{"a.1"}},
		{"by last event", store.LogStreamQuery{ByLastEvent: true}, byLast},
		{"by last event, descending", store.LogStreamQuery{ByLastEvent: true, Descending: true}, desc(byLast)},
		{"by last event, after", store.LogStreamQuery{ByLastEvent: true, After: &store.LogStream{Name: "B", LastEvent: ptr(3000)}}, []string{"a-1", "c"}},
		{"by last event, after one without events", store.LogStreamQuery{ByLastEvent: true, After: &store.LogStream{Name: "a_1"}}, []string{"b", "B", "a-1", "c"}},
		{"by last event, descending, after", store.LogStreamQuery{ByLastEvent: true, Descending: true, After: &store.LogStream{Name: "a-1", LastEvent: ptr(3000)}},
			[]string{"B", "b", "a_1", "a.1"}},
	} {
		if got := streamNames(list(c.q)); !slices.Equal(got, c.want) {
			t.Errorf("LogStreams(%s) = %v; want %v", c.name, got, c.want)
		}
	}
	// Pages of every size, each after the last stream of the previous
	// (as DescribeLogStreams' token keeps it: name and last event time),
	// make up the whole list, in all four orders.
	for _, order := range []struct {
		byLast, desc bool
		want         []string
	}{{false, false, byName}, {false, true, desc(byName)}, {true, false, byLast}, {true, true, desc(byLast)}} {
		for size := 1; size <= len(names); size++ {
			var all []string
			var after *store.LogStream
			for range len(names) + 1 {
				page := list(store.LogStreamQuery{ByLastEvent: order.byLast, Descending: order.desc, After: after, Limit: size})
				all = append(all, streamNames(page)...)
				if len(page) < size {
					break
				}
				last := page[len(page)-1]
				after = &store.LogStream{Name: last.Name, LastEvent: last.LastEvent}
			}
			if !slices.Equal(all, order.want) {
				t.Errorf("LogStreams(by last event %v, descending %v) in pages of %d = %v; want %v", order.byLast, order.desc, size, all, order.want)
			}
		}
	}
	if got, err := l.LogStreams(ctx, store.LogStreamQuery{GroupID: h.ID}); err != nil || !slices.Equal(streamNames(got), []string{"b"}) {
		t.Errorf("LogStreams(other group) = %v, %v; want [b]", streamNames(got), err)
	}
}

func deleteLogStream(t *testing.T, open Open) {
	ctx := context.Background()
	l := logsOf(t, fresh(t, open))
	g := newGroup(t, l, acct, region, "/a", standard)
	s1, s2 := newStream(t, l, g.ID, "s1"), newStream(t, l, g.ID, "s2")
	ingest(t, l, s1, 10, []store.LogEvent{ev(1, "one"), ev(2, "two")})
	ingest(t, l, s2, 10, []store.LogEvent{ev(3, "three")})
	if err := l.DeleteLogStream(ctx, s1.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := l.LogStream(ctx, g.ID, "s1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LogStream(deleted) = %v; want ErrNotFound", err)
	}
	if got := messages(readEvents(t, l, store.LogEventQuery{GroupID: g.ID})); !slices.Equal(got, []string{"three"}) {
		t.Errorf("LogEvents after deleting a stream = %v; want [three]", got)
	}
	if got := readGroup(t, l, acct, region, "/a").StoredBytes; got != 5 {
		t.Errorf("StoredBytes after deleting a stream = %d; want 5 (the other stream's)", got)
	}
	if got := readStream(t, l, g.ID, "s2"); !eqPtr(got.LastEvent, ptr(3)) {
		t.Errorf("the other stream = %+v; want it kept", got)
	}
	// A stream made again under the name starts empty.
	again := newStream(t, l, g.ID, "s1")
	if got := readStream(t, l, g.ID, "s1"); got.ID != again.ID || got.FirstEvent != nil || got.LastEvent != nil || got.LastIngestion != nil {
		t.Errorf("LogStream(made again) = %+v; want a new stream without events", got)
	}
	if got := readEvents(t, l, store.LogEventQuery{GroupID: g.ID, StreamIDs: []int64{again.ID}}); len(got) != 0 {
		t.Errorf("LogEvents(stream made again) = %v; want none", messages(got))
	}
}

func deleteLogGroup(t *testing.T, open Open) {
	ctx := context.Background()
	b := fresh(t, open)
	l := logsOf(t, b)
	need(t, b.Tags != nil, "Tags")
	fill := func(name string) (*store.LogGroup, string) {
		arn := groupARN(acct, region, name)
		g := &store.LogGroup{Account: acct, Region: region, Name: name, Created: 1, Class: standard}
		if err := l.CreateLogGroup(ctx, g, arn, map[string]string{"team": name}); err != nil {
			t.Fatal(err)
		}
		if err := b.Tags.TagResource(ctx, arn, map[string]string{"added": "later"}, nil, 50); err != nil {
			t.Fatal(err)
		}
		if err := l.SetRetention(ctx, g.ID, 7); err != nil {
			t.Fatal(err)
		}
		for _, sn := range []string{"s1", "s2"} {
			ingest(t, l, newStream(t, l, g.ID, sn), 10, []store.LogEvent{ev(1, name+" "+sn)})
		}
		if err := l.PutMetricFilter(ctx, store.MetricFilter{GroupID: g.ID, Name: "m", Pattern: "ERROR", Transformation: "{}", Created: 1}); err != nil {
			t.Fatal(err)
		}
		if err := l.PutSubscriptionFilter(ctx, store.SubscriptionFilter{GroupID: g.ID, Name: "s", Pattern: "", DestinationARN: "arn:d", Distribution: "ByLogStream", Created: 1}); err != nil {
			t.Fatal(err)
		}
		return g, arn
	}
	g, arn := fill("/gone")
	h, harn := fill("/kept")
	if err := l.DeleteLogGroup(ctx, g.ID, arn); err != nil {
		t.Fatal(err)
	}

	if _, err := l.LogGroup(ctx, acct, region, "/gone"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LogGroup(deleted) = %v; want ErrNotFound", err)
	}
	if got, err := l.LogGroups(ctx, store.LogGroupQuery{Account: acct, Region: region}); err != nil || !slices.Equal(groupNames(got), []string{"/kept"}) {
		t.Errorf("LogGroups after deleting /gone = %v, %v; want [/kept]", groupNames(got), err)
	}
	if got, err := l.LogGroupsWithRetention(ctx); err != nil || len(got) != 1 || got[0].ID != h.ID {
		t.Errorf("LogGroupsWithRetention after deleting /gone = %+v, %v; want /kept only", got, err)
	}
	if _, err := l.LogStream(ctx, g.ID, "s1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LogStream(of the deleted group) = %v; want ErrNotFound", err)
	}
	if got, err := l.LogStreams(ctx, store.LogStreamQuery{GroupID: g.ID}); err != nil || len(got) != 0 {
		t.Errorf("LogStreams(deleted group) = %v, %v; want none", streamNames(got), err)
	}
	if got := readEvents(t, l, store.LogEventQuery{GroupID: g.ID}); len(got) != 0 {
		t.Errorf("LogEvents(deleted group) = %v; want none", messages(got))
	}
	if got, err := l.MetricFilters(ctx, acct, region, 0); err != nil || len(got) != 1 || got[0].GroupID != h.ID {
		t.Errorf("MetricFilters after deleting /gone = %+v, %v; want /kept's only", got, err)
	}
	if got, err := l.SubscriptionFilters(ctx, g.ID); err != nil || len(got) != 0 {
		t.Errorf("SubscriptionFilters(deleted group) = %+v, %v; want none", got, err)
	}
	if tags, err := b.Tags.ResourceTags(ctx, arn); err != nil || len(tags) != 0 {
		t.Errorf("ResourceTags(deleted group) = %v, %v; want none", tags, err)
	}

	// The other group keeps everything.
	kept := readGroup(t, l, acct, region, "/kept")
	if kept.StoredBytes != int64(2*len("/kept s1")) || kept.MetricFilterCount != 1 || kept.RetentionDays != 7 {
		t.Errorf("LogGroup(/kept) = %+v; want its bytes, filter and retention", kept)
	}
	if got := messages(readEvents(t, l, store.LogEventQuery{GroupID: h.ID})); len(got) != 2 {
		t.Errorf("LogEvents(/kept) = %v; want its 2 events", got)
	}
	if got, err := l.SubscriptionFilters(ctx, h.ID); err != nil || len(got) != 1 {
		t.Errorf("SubscriptionFilters(/kept) = %+v, %v; want its filter", got, err)
	}
	if tags, err := b.Tags.ResourceTags(ctx, harn); err != nil || len(tags) != 2 {
		t.Errorf("ResourceTags(/kept) = %v, %v; want its 2 tags", tags, err)
	}

	// A group made again under the name starts empty.
	again := newGroup(t, l, acct, region, "/gone", standard)
	got := readGroup(t, l, acct, region, "/gone")
	if got.ID != again.ID || got.StoredBytes != 0 || got.MetricFilterCount != 0 || got.RetentionDays != 0 {
		t.Errorf("LogGroup(made again) = %+v; want a new, empty group", got)
	}
	if got, err := l.LogStreams(ctx, store.LogStreamQuery{GroupID: again.ID}); err != nil || len(got) != 0 {
		t.Errorf("LogStreams(group made again) = %v, %v; want none", streamNames(got), err)
	}
	if got := readEvents(t, l, store.LogEventQuery{GroupID: again.ID}); len(got) != 0 {
		t.Errorf("LogEvents(group made again) = %v; want none", messages(got))
	}
	if got, err := l.SubscriptionFilters(ctx, again.ID); err != nil || len(got) != 0 {
		t.Errorf("SubscriptionFilters(group made again) = %+v, %v; want none", got, err)
	}
}
