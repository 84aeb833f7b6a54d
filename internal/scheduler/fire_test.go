package scheduler

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/store"
)

// TestFiringTimes runs schedules on the fake clock and checks the
// scheduled time of each invocation (the input is
// <aws.scheduler.scheduled-time>): rates from the creation or the
// StartDate, crons and at() in a time zone, across daylight saving time,
// between a StartDate and an EndDate.
func TestFiringTimes(t *testing.T) {
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		name       string
		now        time.Time // the clock at the creation (t0 when zero)
		expr, zone string
		start, end string
		until      string
		want       []string
	}{
		{name: "rate from the creation", expr: "rate(5 minutes)", until: "2025-03-04T05:16:00Z",
			want: []string{"2025-03-04T05:06:00Z", "2025-03-04T05:11:00Z", "2025-03-04T05:16:00Z"}},
		{name: "rate from its StartDate", expr: "rate(1 hour)", start: "2025-03-04T06:36:30Z", until: "2025-03-04T09:00:00Z",
			want: []string{"2025-03-04T06:36:30Z", "2025-03-04T07:36:30Z", "2025-03-04T08:36:30Z"}},
		{name: "a day is 24 hours", expr: "rate(1 day)", zone: "Europe/Paris", now: utc("2025-03-28T10:00:00Z"), until: "2025-04-01T00:00:00Z",
			want: []string{"2025-03-28T10:00:00Z", "2025-03-29T10:00:00Z", "2025-03-30T10:00:00Z", "2025-03-31T10:00:00Z"}},
		{name: "cron between its dates", expr: "cron(0/15 * * * ? *)", start: "2025-03-04T05:20:00Z", end: "2025-03-04T06:15:00Z",
			until: "2025-03-05T00:00:00Z",
			want:  []string{"2025-03-04T05:30:00Z", "2025-03-04T05:45:00Z", "2025-03-04T06:00:00Z", "2025-03-04T06:15:00Z"}},
		{name: "at in its time zone", expr: "at(2025-03-04T12:00:00)", zone: "America/New_York", until: "2026-01-01T00:00:00Z",
			want: []string{"2025-03-04T17:00:00Z"}},
		{name: "spring forward skips the missing time", expr: "cron(30 2 * * ? *)", zone: "America/New_York",
			until: "2025-03-11T12:00:00Z", want: []string{"2025-03-04T07:30:00Z", "2025-03-05T07:30:00Z", "2025-03-06T07:30:00Z", "2025-03-07T07:30:00Z",
				"2025-03-08T07:30:00Z", "2025-03-10T06:30:00Z", "2025-03-11T06:30:00Z"}},
		{name: "fall back runs once", expr: "cron(30 1 * * ? *)", zone: "America/New_York", now: utc("2025-10-31T12:00:00Z"),
			until: "2025-11-03T12:00:00Z", want: []string{"2025-11-01T05:30:00Z", "2025-11-02T05:30:00Z", "2025-11-03T06:30:00Z"}},
		{name: "cron years over", expr: "cron(0 0 1 1 ? 2026)", until: "2030-01-01T00:00:00Z", want: []string{"2026-01-01T00:00:00Z"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			if !c.now.IsZero() {
				f.clock.Set(c.now)
			}
			s := schedule("s", c.expr, 0)
			s.Timezone = c.zone
			if c.start != "" {
				s.StartDate = ptr(utc(c.start))
			}
			if c.end != "" {
				s.EndDate = ptr(utc(c.end))
			}
			arn := f.create(s)
			var got []string
			for _, x := range f.invocations(arn, utc(c.until)) {
				if x.body != x.scheduled.Format(time.RFC3339) || !x.due.Equal(x.scheduled) {
					t.Errorf("invocation %+v: want the scheduled time as its body, made on time", x)
				}
				got = append(got, x.body)
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("invocations:\n%v\nwant:\n%v", got, c.want)
			}
		})
	}
}

// TestFlexibleWindow: an invocation is made within the window after its
// scheduled time, at whole seconds drawn from the schedule and the time
// (the same on every node, spread across schedules); the scheduled times
// that fall in a window still open are all made.
func TestFlexibleWindow(t *testing.T) {
	p := &plan{window: 15 * time.Minute}
	n := t0
	offsets := map[time.Duration]bool{}
	for i := range 200 {
		arn := scheduleARN(scope, DefaultGroup, fmt.Sprint("s", i))
		d := p.due(arn, n).Sub(n)
		if d < 0 || d >= 15*time.Minute || d%time.Second != 0 {
			t.Fatalf("offset of %s = %v; want whole seconds in [0, 15m)", arn, d)
		}
		if again := p.due(arn, n).Sub(n); again != d {
			t.Fatalf("offset of %s drawn twice = %v, %v", arn, d, again)
		}
		offsets[d] = true
	}
	if len(offsets) < 150 {
		t.Fatalf("200 schedules share %d offsets: not spread", len(offsets))
	}
	if (&plan{}).due("x", n) != n {
		t.Fatal("a schedule without a window is due at its time")
	}

	f := newFixture(t)
	arn := f.create(schedule("hourly", "rate(1 hour)", 15))
	got := f.invocations(arn, t0.Add(5*time.Hour))
	if len(got) != 5 {
		t.Fatalf("%d invocations in 5 hours: %+v", len(got), got)
	}
	for i, x := range got {
		if !x.scheduled.Equal(t0.Add(time.Duration(i)*time.Hour)) || x.due.Before(x.scheduled) ||
			!x.due.Before(x.scheduled.Add(15*time.Minute)) || x.body != x.scheduled.Format(time.RFC3339) {
			t.Errorf("invocation %d = %+v", i, x)
		}
	}

	// A minute rate in a 15-minute window: every minute is invoked,
	// however the windows overlap.
	f = newFixture(t)
	arn = f.create(schedule("minutely", "rate(1 minute)", 15))
	got = f.invocations(arn, t0.Add(30*time.Minute))
	for i, x := range got[:15] {
		if want := t0.Add(time.Duration(i) * time.Minute); !x.scheduled.Equal(want) {
			t.Fatalf("invocation %d scheduled at %s; want %s", i, x.scheduled, want)
		}
	}
}

// TestCompletion: a schedule with no invocation left completes: kept,
// invoking nothing more, or deleted after its last invocation.
func TestCompletion(t *testing.T) {
	f := newFixture(t)
	keep := f.create(schedule("keep", "at(2025-03-04T05:10:00)", 0))
	once := schedule("once", "at(2025-03-04T05:10:00)", 0)
	once.ActionAfterCompletion = ActionDelete
	gone := f.create(once)
	ending := schedule("ending", "rate(1 hour)", 0)
	ending.ActionAfterCompletion, ending.EndDate = ActionDelete, ptr(t0.Add(150*time.Minute))
	ended := f.create(ending)

	f.clock.Set(time.Date(2025, 3, 4, 5, 10, 0, 0, time.UTC))
	f.fire()
	if got := f.take(); len(got) != 3 {
		t.Fatalf("at 05:10: %d invocations; want 3 (the two at(), the rate's first)", len(got))
	}
	if r := f.stored(keep); r.Due != 0 || r.NextFire != 0 {
		t.Fatalf("a completed schedule is due: %+v", r)
	}
	s, err := f.svc.GetSchedule(f.ctx, scope, "", "keep")
	if err != nil || s.State != StateEnabled {
		t.Fatalf("completed schedule = %+v, %v; want it kept, enabled", s, err)
	}
	_, err = f.svc.GetSchedule(f.ctx, scope, "", "once")
	wantErr(t, err, ResourceNotFound, "Schedule once does not exist.")
	if _, err := f.store.Schedules().Schedule(f.ctx, gone); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a completed DELETE schedule is stored: %v", err)
	}
	// The rate makes its invocations up to its EndDate, then is deleted.
	if got := f.invocations(ended, t0.Add(24*time.Hour)); len(got) != 2 {
		t.Fatalf("the ending rate made %d more invocations; want 2 (06:06, 07:06)", len(got))
	}
	_, err = f.svc.GetSchedule(f.ctx, scope, "", "ending")
	wantErr(t, err, ResourceNotFound, "Schedule ending does not exist.")
	f.clock.Advance(48 * time.Hour)
	f.fire()
	if got := f.take(); len(got) != 0 {
		t.Fatalf("completed schedules invoked again: %+v", got)
	}
}

// TestDisabled: a disabled schedule invokes nothing; enabled again, a
// rate goes on from its creation.
func TestDisabled(t *testing.T) {
	f := newFixture(t)
	s := schedule("s", "rate(5 minutes)", 0)
	s.State = StateDisabled
	arn := f.create(s)
	f.clock.Advance(12 * time.Minute)
	f.fire()
	if got := f.take(); len(got) != 0 {
		t.Fatalf("a disabled schedule invoked its target: %+v", got)
	}
	s.State = StateEnabled
	if _, err := f.svc.UpdateSchedule(f.ctx, scope, s, ""); err != nil {
		t.Fatal(err)
	}
	got := f.invocations(arn, t0.Add(20*time.Minute))
	if len(got) != 2 || got[0].body != "2025-03-04T05:21:00Z" || got[1].body != "2025-03-04T05:26:00Z" {
		t.Fatalf("enabled again: %+v; want 05:21 and 05:26", got)
	}
}

// TestOneNodeFires: nodes firing at once make each invocation once.
func TestOneNodeFires(t *testing.T) {
	f := newFixture(t)
	for i := range 20 {
		f.create(schedule(fmt.Sprint("s", i), "rate(1 hour)", 0))
	}
	nodes := []*Service{f.svc, f.node(dispatch.New(dispatch.Options{Clock: f.clock})), f.node(dispatch.New(dispatch.Options{Clock: f.clock}))}
	for round := range 3 {
		var wg sync.WaitGroup
		for _, n := range nodes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := n.FireSchedules(f.ctx, f.clock.Now()); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		f.step()
		if got := f.take(); len(got) != 20 {
			t.Fatalf("round %d: %d invocations of 20 schedules", round, len(got))
		}
		f.clock.Advance(time.Hour)
	}
}
