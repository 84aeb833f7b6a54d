package events

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/svcevents"
)

const archiveAll = "arn:aws:events:us-east-1:123456789012:archive/all"

// replayFixture has two rules on the default bus, each with a queue, an
// archive of the bus's events, and the events put at the times given
// (minutes before t0), in that order.
func replayFixture(t *testing.T, minutes ...int) (*fixture, string, string) {
	f := newFixture(t)
	r1 := f.putRule(Rule{Name: "r1", EventPattern: `{"source":["shop"]}`})
	f.putTargets("", "r1", Target{ID: "q", ARN: queue + "-1"})
	r2 := f.putRule(Rule{Name: "r2", EventPattern: `{"source":["shop"]}`})
	f.putTargets("", "r2", Target{ID: "q", ARN: queue + "-2"})
	f.createArchive("all", defaultBusARN, ArchiveSettings{})
	for _, m := range minutes {
		e := entry("shop", "x", fmt.Sprintf(`{"minute":%d}`, m))
		e.Time = ptr(t0.Add(-time.Duration(m) * time.Minute))
		f.put(e)
	}
	f.step()
	f.take()
	return f, r1, r2
}

func (f *fixture) startReplay(name string, filters ...string) Replay {
	f.t.Helper()
	r, err := f.svc.StartReplay(f.ctx, scope, ReplaySettings{Name: name, ArchiveARN: archiveAll, EventStart: t0.Add(-time.Hour),
		EventEnd: t0, Destination: defaultBusARN, FilterARNs: filters})
	if err != nil {
		f.t.Fatalf("StartReplay %s: %v", name, err)
	}
	return r
}

func (f *fixture) describeReplay(name string) Replay {
	f.t.Helper()
	r, err := f.svc.DescribeReplay(f.ctx, scope, name)
	if err != nil {
		f.t.Fatalf("DescribeReplay %s: %v", name, err)
	}
	return r
}

// runReplays runs the replay job and the outbox, and returns what was
// delivered, "TARGET minute replay-name" for each event, in the order
// each target received them (the outbox keeps no order between
// targets).
func (f *fixture) runReplays(s *Service) []string {
	f.t.Helper()
	if err := s.RunReplays(f.ctx, f.clock.Now()); err != nil {
		f.t.Fatalf("RunReplays: %v", err)
	}
	f.step()
	var got []string
	for _, m := range f.take() {
		var evt struct {
			ReplayName string `json:"replay-name"`
			Detail     struct{ Minute int }
		}
		if err := json.Unmarshal(m.Payload, &evt); err != nil {
			f.t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %d %s", strings.TrimPrefix(m.Target, queue), evt.Detail.Minute, evt.ReplayName))
	}
	slices.SortStableFunc(got, func(a, b string) int { return strings.Compare(strings.Fields(a)[0], strings.Fields(b)[0]) })
	return got
}

func TestReplay(t *testing.T) {
	f, _, _ := replayFixture(t, 2, 3, 1, 70)
	r := f.startReplay("again")
	if r.ARN != "arn:aws:events:us-east-1:123456789012:replay/again" || r.State != "STARTING" || !r.ReplayStart.Equal(t0) ||
		!r.ReplayEnd.IsZero() || !r.EventLastReplayed.IsZero() {
		t.Fatalf("StartReplay = %+v", r)
	}
	f.clock.Advance(time.Second)
	// In the order of the events' times; the event of 70 minutes ago is
	// before the range.
	want := []string{"-1 3 again", "-1 2 again", "-1 1 again", "-2 3 again", "-2 2 again", "-2 1 again"}
	if got := f.runReplays(f.svc); !slices.Equal(got, want) {
		t.Fatalf("replayed %v; want %v", got, want)
	}
	d := f.describeReplay("again")
	if d.State != "COMPLETED" || !d.ReplayEnd.Equal(t0.Add(time.Second)) || !d.EventLastReplayed.Equal(t0.Add(-time.Minute)) ||
		d.Destination != defaultBusARN || d.ArchiveARN != archiveAll {
		t.Fatalf("DescribeReplay after it ran = %+v", d)
	}
	// Replayed events are never archived again, and a finished replay
	// sends nothing more.
	if n := f.describeArchive("all").EventCount; n != 4 {
		t.Fatalf("the archive has %d events after the replay; want 4", n)
	}
	if got := f.runReplays(f.svc); len(got) != 0 {
		t.Fatalf("a completed replay sent %v", got)
	}
}

func TestReplayEnvelope(t *testing.T) {
	f, r1, _ := replayFixture(t, 1)
	evs, err := f.store.Events().ArchivedEvents(f.ctx, archiveAll, 0, 0, 1<<62, 10)
	if err != nil || len(evs) != 1 {
		t.Fatalf("archived = %+v, %v", evs, err)
	}
	var original svcevents.Event
	if err := json.Unmarshal(evs[0].Event, &original); err != nil {
		t.Fatal(err)
	}
	f.startReplay("env", r1)
	if err := f.svc.RunReplays(f.ctx, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	f.step()
	got := f.take()
	if len(got) != 1 || got[0].Target != queue+"-1" {
		t.Fatalf("a replay filtered to r1 delivered %+v", got)
	}
	// The envelope AWS sends a replayed event: a new id, the original
	// account, time, region and detail, replay-name after region.
	replayed := replayEventID("arn:aws:events:us-east-1:123456789012:replay/env", evs[0].Seq)
	want := `{"version":"0","id":"` + replayed + `","detail-type":"x","source":"shop","account":"123456789012",` +
		`"time":"2025-03-04T05:05:00Z","region":"us-east-1","replay-name":"env","resources":[],"detail":{"minute":1}}`
	if string(got[0].Payload) != want || replayed == original.ID || got[0].Header["EventId"] != replayed {
		t.Fatalf("replayed event =\n%s\nwant\n%s (original id %s)", got[0].Payload, want, original.ID)
	}
}

func TestReplayInBatchesAcrossRestart(t *testing.T) {
	var minutes []int
	for m := 1; m <= replayBatch+5; m++ {
		minutes = append(minutes, m%50+1)
	}
	f, r1, _ := replayFixture(t, minutes...)
	f.startReplay("long", r1)
	if got := f.runReplays(f.svc); len(got) != replayBatch {
		t.Fatalf("the first run replayed %d events; want %d", len(got), replayBatch)
	}
	if d := f.describeReplay("long"); d.State != "RUNNING" || d.EventLastReplayed.IsZero() {
		t.Fatalf("after a first batch: %+v", d)
	}
	// Another Service over the same store (Vigil restarted) goes on from
	// where the first stopped.
	restarted := New(Options{Store: f.store.Events(), Tags: f.store.Tags(), Clock: f.clock})
	if got := f.runReplays(restarted); len(got) != 5 {
		t.Fatalf("after a restart the replay sent %d events; want the 5 left", len(got))
	}
	if d := f.describeReplay("long"); d.State != "COMPLETED" || !d.EventLastReplayed.Equal(t0.Add(-time.Minute)) {
		t.Fatalf("after the last batch: %+v", d)
	}
}

func TestReplayCancelAndFail(t *testing.T) {
	f, _, _ := replayFixture(t, 1)
	f.startReplay("cancelled")
	r, err := f.svc.CancelReplay(f.ctx, scope, "cancelled")
	if err != nil || r.State != "CANCELLING" {
		t.Fatalf("CancelReplay = %+v, %v", r, err)
	}
	f.clock.Advance(time.Second)
	if got := f.runReplays(f.svc); len(got) != 0 {
		t.Fatalf("a cancelled replay sent %v", got)
	}
	if d := f.describeReplay("cancelled"); d.State != "CANCELLED" || !d.ReplayEnd.Equal(t0.Add(time.Second)) {
		t.Fatalf("after cancelling: %+v", d)
	}
	_, err = f.svc.CancelReplay(f.ctx, scope, "cancelled")
	wantErr(t, "CancelReplay of a cancelled replay", err, IllegalStatus, "Replay cancelled is not in a valid state for this operation.")
	_, err = f.svc.CancelReplay(f.ctx, scope, "none")
	wantErr(t, "CancelReplay of none", err, ResourceNotFound, "Replay none does not exist.")

	f.startReplay("orphan")
	if err := f.svc.DeleteArchive(f.ctx, scope, "all"); err != nil {
		t.Fatal(err)
	}
	if got := f.runReplays(f.svc); len(got) != 0 {
		t.Fatalf("a replay of a deleted archive sent %v", got)
	}
	if d := f.describeReplay("orphan"); d.State != "FAILED" || d.StateReason != "Archive all does not exist." || d.ReplayEnd.IsZero() {
		t.Fatalf("a replay of a deleted archive: %+v", d)
	}
}

func TestStartReplayRefused(t *testing.T) {
	f, _, _ := replayFixture(t)
	f.createBus("orders")
	f.createArchive("orders", ordersBusARN, ArchiveSettings{})
	ok := ReplaySettings{Name: "x", ArchiveARN: archiveAll, EventStart: t0.Add(-time.Hour), EventEnd: t0, Destination: defaultBusARN}
	with := func(change func(s *ReplaySettings)) ReplaySettings {
		s := ok
		change(&s)
		return s
	}
	for _, c := range []struct {
		set  ReplaySettings
		code Code
		msg  string
	}{
		{with(func(s *ReplaySettings) { s.Destination = "default" }), Validation,
			"Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN."},
		{with(func(s *ReplaySettings) {
			s.Destination, s.ArchiveARN = "arn:aws:events:us-east-1:123456789012:event-bus/none", s.ArchiveARN+"-none"
		}), ResourceNotFound, "Event bus none does not exist."},
		{with(func(s *ReplaySettings) { s.ArchiveARN += "-none" }), Validation,
			"Parameter EventSourceArn is not valid. Reason: Archive all-none does not exist."},
		{with(func(s *ReplaySettings) { s.ArchiveARN = "arn:aws:events:us-east-1:210987654321:archive/all" }), Validation,
			"Parameter EventSourceArn is not valid. Reason: Archive all does not exist."},
		{with(func(s *ReplaySettings) { s.Destination = ordersBusARN }), Validation,
			"Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted."},
		{with(func(s *ReplaySettings) { s.EventEnd = s.EventStart }), Validation,
			"Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime."},
	} {
		_, err := f.svc.StartReplay(f.ctx, scope, c.set)
		wantErr(t, fmt.Sprintf("StartReplay(%+v)", c.set), err, c.code, c.msg)
	}
	f.startReplay("x")
	_, err := f.svc.StartReplay(f.ctx, scope, ok)
	wantErr(t, "StartReplay twice", err, ResourceAlreadyExists, "Replay x already exists.")
	for i := 1; i < maxActiveReplays; i++ {
		f.startReplay(fmt.Sprint("more-", i))
	}
	_, err = f.svc.StartReplay(f.ctx, scope, with(func(s *ReplaySettings) { s.Name = "eleventh" }))
	wantErr(t, "an eleventh replay under way", err, LimitExceeded, "The requested resource exceeds the maximum number allowed.")
	_, err = f.svc.DescribeReplay(f.ctx, scope, "none")
	wantErr(t, "DescribeReplay of none", err, ResourceNotFound, "Replay none does not exist.")
	// Once they have run, there is room again.
	f.runReplays(f.svc)
	if _, err := f.svc.StartReplay(f.ctx, scope, with(func(s *ReplaySettings) { s.Name = "eleventh" })); err != nil {
		t.Fatalf("a replay after the others completed: %v", err)
	}
}

func TestListReplays(t *testing.T) {
	f, _, _ := replayFixture(t, 1)
	f.createBus("orders")
	f.createArchive("orders", ordersBusARN, ArchiveSettings{})
	f.startReplay("a-done")
	f.runReplays(f.svc)
	f.startReplay("b-started")
	if _, err := f.svc.StartReplay(f.ctx, scope, ReplaySettings{Name: "c-orders", ArchiveARN: "arn:aws:events:us-east-1:123456789012:archive/orders",
		EventStart: t0.Add(-time.Hour), EventEnd: t0, Destination: ordersBusARN}); err != nil {
		t.Fatal(err)
	}
	list := func(prefix, archive, state, token string, limit int) ([]string, string) {
		t.Helper()
		rs, next, err := f.svc.ListReplays(f.ctx, scope, prefix, archive, state, token, limit)
		if err != nil {
			t.Fatalf("ListReplays: %v", err)
		}
		var names []string
		for _, r := range rs {
			names = append(names, r.Name+" "+r.State)
		}
		return names, next
	}
	for _, c := range []struct {
		prefix, archive, state string
		want                   []string
	}{
		{"", "", "", []string{"a-done COMPLETED", "b-started STARTING", "c-orders STARTING"}},
		{"b", "", "", []string{"b-started STARTING"}},
		{"", archiveAll, "", []string{"a-done COMPLETED", "b-started STARTING"}},
		{"", "", "COMPLETED", []string{"a-done COMPLETED"}},
	} {
		if got, _ := list(c.prefix, c.archive, c.state, "", 0); !slices.Equal(got, c.want) {
			t.Errorf("ListReplays(%q, %q, %q) = %v; want %v", c.prefix, c.archive, c.state, got, c.want)
		}
	}
	first, next := list("", "", "", "", 2)
	rest, last := list("", "", "", next, 2)
	if len(first) != 2 || !slices.Equal(rest, []string{"c-orders STARTING"}) || last != "" {
		t.Errorf("ListReplays by 2 = %v, %v (next %q)", first, rest, last)
	}
	_, _, err := f.svc.ListReplays(f.ctx, scope, "a", archiveAll, "", "", 0)
	wantErr(t, "ListReplays with two filters", err, Validation,
		"At most one filter is allowed for ListReplays. Use either : State, EventSourceArn, or NamePrefix.")
}
