package logs

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPutLogEventsRules(t *testing.T) {
	f := newFixture(t)
	f.setup(t, "g", "s")
	put := func(events ...InputEvent) (*Rejected, error) {
		p, err := f.PutLogEvents(f.ctx, sc, "g", "", "s", events)
		return p.Rejected, err
	}
	at := func(d time.Duration, msg string) InputEvent {
		return InputEvent{Timestamp: t0.Add(d).UnixMilli(), Message: msg}
	}

	_, err := put(at(time.Second, "b"), at(0, "a"))
	wantCode(t, err, InvalidParameter, "Log events in a single PutLogEvents request must be in chronological order.")
	_, err = put(at(-25*time.Hour, "a"), at(0, "b"))
	wantCode(t, err, InvalidParameter, "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	_, err = put(at(0, strings.Repeat("x", maxBatchBytes)))
	wantCode(t, err, InvalidParameter, fmt.Sprintf("Upload too large: %d bytes exceeds limit of 1048576", maxBatchBytes+26))
	_, err = f.PutLogEvents(f.ctx, sc, "g", "", "missing", []InputEvent{at(0, "x")})
	wantCode(t, err, ResourceNotFound, "The specified log stream does not exist.")

	// Exactly at the limit is accepted.
	rej, err := put(at(0, strings.Repeat("x", maxBatchBytes-eventOverhead)))
	if err != nil || rej != nil {
		t.Fatalf("batch of exactly 1,048,576 bytes = %v, %v; want accepted", rej, err)
	}

	rej, err = put(at(-15*24*time.Hour, "too old"), at(-14*24*time.Hour+time.Hour, "ok1"), at(0, "ok2"), at(3*time.Hour, "too new"))
	if err == nil {
		// The span rule applies first: this batch spans 15 days.
		t.Fatal("a batch spanning 15 days was accepted")
	}
	rej, err = put(at(-14*24*time.Hour-time.Hour, "too old"), at(-14*24*time.Hour+time.Hour, "ok"))
	must(t, err)
	if rej == nil || rej.TooOldEnd != 1 || rej.TooNewStart != -1 || rej.ExpiredEnd != -1 {
		t.Errorf("rejected = %+v; want tooOldLogEventEndIndex 1", rej)
	}
	rej, err = put(at(time.Hour, "ok"), at(2*time.Hour+time.Minute, "too new"), at(3*time.Hour, "too new 2"))
	must(t, err)
	if rej == nil || rej.TooNewStart != 1 || rej.TooOldEnd != -1 {
		t.Errorf("rejected = %+v; want tooNewLogEventStartIndex 1", rej)
	}
	must(t, f.PutRetentionPolicy(f.ctx, sc, "g", 1))
	rej, err = put(at(-24*time.Hour-30*time.Minute, "expired"), at(-time.Hour, "ok"))
	must(t, err)
	if rej == nil || rej.ExpiredEnd != 1 || rej.TooOldEnd != -1 {
		t.Errorf("rejected = %+v; want expiredLogEventEndIndex 1", rej)
	}
	page, err := f.FilterLogEvents(f.ctx, sc, FilterQuery{Group: "g", Pattern: "?ok ?too ?expired"})
	must(t, err)
	if got := messages(page); !slices.Equal(got, []string{"ok", "ok", "ok"}) {
		t.Errorf("stored events = %v; want only the accepted ones", got)
	}
	head, err := f.GetLogEvents(f.ctx, sc, GetQuery{Group: "g", Stream: "s", StartFromHead: true})
	must(t, err)
	if got := messages(head); !slices.Equal(got, []string{"ok", "ok"}) {
		t.Errorf("first page = %v; want it to stop before the 1 MB event", got)
	}
}

// stream fills stream s of group g with n events one second apart.
func (f *fixture) stream(t *testing.T, g, s string, n int, msg func(i int) string) {
	t.Helper()
	var events []InputEvent
	for i := range n {
		events = append(events, InputEvent{Timestamp: t0.Add(time.Duration(i) * time.Second).UnixMilli(), Message: msg(i)})
	}
	_, err := f.PutLogEvents(f.ctx, sc, g, "", s, events)
	must(t, err)
}

func messages(p *Page) []string {
	out := make([]string, len(p.Events))
	for i, e := range p.Events {
		out[i] = e.Message
	}
	return out
}

func TestGetLogEvents(t *testing.T) {
	f := newFixture(t)
	f.setup(t, "g", "s", "empty")
	f.stream(t, "g", "s", 10, func(i int) string { return fmt.Sprint("e", i) })
	get := func(q GetQuery) *Page {
		t.Helper()
		q.Group, q.Stream = "g", "s"
		p, err := f.GetLogEvents(f.ctx, sc, q)
		must(t, err)
		return p
	}
	latest := get(GetQuery{Limit: 3})
	if got := messages(latest); !slices.Equal(got, []string{"e7", "e8", "e9"}) {
		t.Errorf("latest page = %v", got)
	}
	older := get(GetQuery{Limit: 3, Token: latest.BackwardToken})
	if got := messages(older); !slices.Equal(got, []string{"e4", "e5", "e6"}) {
		t.Errorf("backward page = %v", got)
	}
	head := get(GetQuery{Limit: 4, StartFromHead: true})
	next := get(GetQuery{Limit: 4, Token: head.ForwardToken})
	if got := append(messages(head), messages(next)...); !slices.Equal(got, []string{"e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7"}) {
		t.Errorf("forward pages = %v", got)
	}
	end := get(GetQuery{Token: latest.ForwardToken})
	if len(end.Events) != 0 || end.ForwardToken != latest.ForwardToken {
		t.Errorf("end of stream = %v, token %q; want no events and the same forward token %q", messages(end), end.ForwardToken, latest.ForwardToken)
	}
	start, stop := t0.Add(2*time.Second).UnixMilli(), t0.Add(5*time.Second).UnixMilli()
	if got := messages(get(GetQuery{Start: &start, End: &stop, StartFromHead: true})); !slices.Equal(got, []string{"e2", "e3", "e4"}) {
		t.Errorf("time range = %v; want [start, end)", got)
	}
	empty, err := f.GetLogEvents(f.ctx, sc, GetQuery{Group: "g", Stream: "empty"})
	must(t, err)
	if len(empty.Events) != 0 || empty.ForwardToken == "" || empty.BackwardToken == "" {
		t.Errorf("empty stream page = %+v; want both tokens", empty)
	}
	_, err = f.GetLogEvents(f.ctx, sc, GetQuery{Group: "g", Stream: "s", Token: "x/123"})
	wantCode(t, err, InvalidParameter, "The specified nextToken is invalid.")
}

func TestFilterLogEvents(t *testing.T) {
	f := newFixture(t)
	f.setup(t, "g", "web-1", "web-2", "db")
	f.stream(t, "g", "web-1", 50, func(i int) string { return fmt.Sprintf("GET /x %d ERROR", i) })
	f.stream(t, "g", "web-2", 50, func(i int) string { return fmt.Sprintf("GET /y %d INFO", i) })
	f.stream(t, "g", "db", 50, func(i int) string { return fmt.Sprintf(`{"level":"ERROR","n":%d}`, i) })

	all := func(q FilterQuery) ([]string, int) {
		t.Helper()
		q.Group = "g"
		var out []string
		pages := 0
		seen := map[string]bool{}
		for {
			p, err := f.FilterLogEvents(f.ctx, sc, q)
			must(t, err)
			pages++
			for _, e := range p.Events {
				id := EventID(e.Seq)
				if seen[id] {
					t.Fatalf("event %s returned twice", id)
				}
				seen[id] = true
				out = append(out, e.Stream+":"+e.Message)
			}
			if p.NextToken == "" {
				return out, pages
			}
			if p.NextToken == q.Token {
				t.Fatal("the same nextToken came back twice")
			}
			q.Token = p.NextToken
		}
	}
	got, pages := all(FilterQuery{Pattern: "ERROR", Limit: 7})
	if len(got) != 100 || pages != 15 {
		t.Errorf("ERROR: %d events in %d pages; want 100 in 15", len(got), pages)
	}
	for i := 1; i < len(got); i++ {
		// Interleaved in time order: web-1 and db events alternate.
		if strings.HasPrefix(got[i], "web-1") == strings.HasPrefix(got[i-1], "web-1") {
			t.Fatalf("events not interleaved by time at %d: %v", i, got[i-1:i+1])
		}
	}
	if got, _ := all(FilterQuery{Pattern: `{ $.level = "ERROR" && $.n > 47 }`}); len(got) != 2 {
		t.Errorf("JSON pattern = %v", got)
	}
	if got, _ := all(FilterQuery{StreamPrefix: "web", Pattern: "INFO"}); len(got) != 50 {
		t.Errorf("prefix web + INFO = %d events", len(got))
	}
	if got, _ := all(FilterQuery{StreamNames: []string{"web-2", "nope"}, Pattern: "?ERROR ?INFO"}); len(got) != 50 {
		t.Errorf("stream names = %d events", len(got))
	}
	start, end := t0.Add(10*time.Second).UnixMilli(), t0.Add(12*time.Second).UnixMilli()
	if got, _ := all(FilterQuery{Start: &start, End: &end}); len(got) != 9 {
		t.Errorf("time range [10s, 12s] inclusive = %d events; want 9", len(got))
	}
	_, err := f.FilterLogEvents(f.ctx, sc, FilterQuery{Group: "g", Pattern: "{ $.a = "})
	wantCode(t, err, InvalidParameter, "")
	_, err = f.FilterLogEvents(f.ctx, sc, FilterQuery{Group: "g", Pattern: "x", Token: encodeToken("filter", filterCursor{Query: "other"})})
	wantCode(t, err, InvalidParameter, "The specified nextToken is invalid.")
}

func TestRetention(t *testing.T) {
	f := newFixture(t)
	f.setup(t, "g", "s")
	f.stream(t, "g", "s", 3, func(i int) string { return "0123456789" })
	must(t, f.PutRetentionPolicy(f.ctx, sc, "g", 1))
	groups, _, _ := f.DescribeLogGroups(f.ctx, sc, GroupQuery{})
	if groups[0].StoredBytes != 30 {
		t.Errorf("stored bytes = %d; want 30", groups[0].StoredBytes)
	}
	f.clock.Advance(24*time.Hour + 1500*time.Millisecond)
	n, err := f.ExpireEvents(f.ctx, f.clock.Now())
	must(t, err)
	if n != 2 {
		t.Errorf("expired %d events; want the 2 older than a day", n)
	}
	groups, _, _ = f.DescribeLogGroups(f.ctx, sc, GroupQuery{})
	if groups[0].StoredBytes != 10 {
		t.Errorf("stored bytes after retention = %d; want 10", groups[0].StoredBytes)
	}
}
