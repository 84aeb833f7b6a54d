package clock

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// received returns what c holds, without waiting.
func received(c <-chan time.Time) (time.Time, bool) {
	select {
	case t := <-c:
		return t, true
	default:
		return time.Time{}, false
	}
}

func wantTick(t *testing.T, c <-chan time.Time, want time.Time) {
	t.Helper()
	got, ok := received(c)
	if !ok || !got.Equal(want) {
		t.Fatalf("received %v, %v; want %v", got, ok, want)
	}
}

func wantNone(t *testing.T, c <-chan time.Time) {
	t.Helper()
	if got, ok := received(c); ok {
		t.Fatalf("received %v; want nothing", got)
	}
}

func TestFakeFiresInDeadlineOrder(t *testing.T) {
	f := NewFake(t0)
	var order []string
	var seen []time.Time
	at := func(name string) func() {
		return func() { order = append(order, name); seen = append(seen, f.Now()) }
	}
	f.AfterFunc(3*time.Second, at("c"))
	f.AfterFunc(time.Second, at("a"))
	f.AfterFunc(2*time.Second, at("b1"))
	f.AfterFunc(2*time.Second, at("b2")) // same deadline: in the order set
	f.AfterFunc(10*time.Second, at("late"))
	f.Advance(5 * time.Second)
	if want := []string{"a", "b1", "b2", "c"}; !slices.Equal(order, want) {
		t.Fatalf("fired %v; want %v", order, want)
	}
	for i, want := range []time.Duration{1, 2, 2, 3} {
		if !seen[i].Equal(t0.Add(want * time.Second)) {
			t.Errorf("%s saw the clock at %v; want its deadline %v", order[i], seen[i], t0.Add(want*time.Second))
		}
	}
	if got := f.Now(); !got.Equal(t0.Add(5 * time.Second)) {
		t.Errorf("Now = %v after Advance(5s); want %v", got, t0.Add(5*time.Second))
	}
	if f.Waiters() != 1 {
		t.Errorf("Waiters = %d; want 1", f.Waiters())
	}
}

func TestFakeTimer(t *testing.T) {
	f := NewFake(t0)
	tm := f.NewTimer(time.Minute)
	f.Advance(59 * time.Second)
	wantNone(t, tm.C())
	f.Advance(time.Second)
	wantTick(t, tm.C(), t0.Add(time.Minute))
	if tm.Stop() {
		t.Error("Stop of a fired timer = true")
	}

	// Reset re-arms from now and drops a value not received; Stop
	// prevents the firing and drops one too.
	if tm.Reset(time.Minute) {
		t.Error("Reset of a fired timer = true")
	}
	f.Advance(time.Minute)
	if tm.Reset(time.Second) {
		t.Error("Reset of a fired timer = true")
	}
	wantNone(t, tm.C())
	f.Advance(time.Second)
	tm.Stop()
	wantNone(t, tm.C())

	stopped := f.NewTimer(time.Second)
	if !stopped.Stop() {
		t.Error("Stop of an active timer = false")
	}
	f.Advance(time.Hour)
	wantNone(t, stopped.C())
}

func TestFakeTicker(t *testing.T) {
	f := NewFake(t0)
	tk := f.NewTicker(10 * time.Second)
	f.Advance(10 * time.Second)
	wantTick(t, tk.C(), t0.Add(10*time.Second))
	// A move past several ticks sends one, the first.
	f.Advance(35 * time.Second)
	wantTick(t, tk.C(), t0.Add(20*time.Second))
	wantNone(t, tk.C())
	// The next tick is the first multiple after the move.
	f.Advance(4 * time.Second)
	wantNone(t, tk.C())
	f.Advance(time.Second)
	wantTick(t, tk.C(), t0.Add(50*time.Second))
	tk.Reset(time.Minute)
	f.Advance(59 * time.Second)
	wantNone(t, tk.C())
	f.Advance(time.Second)
	wantTick(t, tk.C(), t0.Add(110*time.Second))
	tk.Stop()
	f.Advance(time.Hour)
	wantNone(t, tk.C())
}

func TestFakeSetBackFiresNothing(t *testing.T) {
	f := NewFake(t0)
	tm := f.NewTimer(time.Second)
	f.Set(t0.Add(-time.Hour))
	wantNone(t, tm.C())
	if !f.Now().Equal(t0.Add(-time.Hour)) {
		t.Errorf("Now = %v; want %v", f.Now(), t0.Add(-time.Hour))
	}
	f.Set(t0.Add(time.Second))
	wantTick(t, tm.C(), t0.Add(time.Second))
}

func TestFakeBlockUntil(t *testing.T) {
	f := NewFake(t0)
	armed := make(chan Timer)
	go func() { armed <- f.NewTimer(time.Second) }()
	f.BlockUntil(1)
	f.Advance(time.Second)
	wantTick(t, (<-armed).C(), t0.Add(time.Second))
}

func TestFakeAfterFuncMayArmTimers(t *testing.T) {
	// A periodic job re-arms itself from its callback.
	f := NewFake(t0)
	var runs []time.Time
	var tick func()
	tick = func() {
		runs = append(runs, f.Now())
		f.AfterFunc(time.Minute, tick)
	}
	f.AfterFunc(time.Minute, tick)
	f.Advance(3*time.Minute + time.Second)
	want := []time.Time{t0.Add(time.Minute), t0.Add(2 * time.Minute), t0.Add(3 * time.Minute)}
	if !slices.EqualFunc(runs, want, time.Time.Equal) {
		t.Errorf("runs at %v; want %v", runs, want)
	}
}

func TestWithTimeout(t *testing.T) {
	f := NewFake(t0)
	ctx, cancel := WithTimeout(context.Background(), f, time.Hour)
	defer cancel()
	f.Advance(59 * time.Minute)
	if ctx.Err() != nil {
		t.Fatalf("ended early: %v", ctx.Err())
	}
	f.Advance(time.Minute)
	if !errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
		t.Errorf("Cause = %v; want DeadlineExceeded", context.Cause(ctx))
	}

	ctx, cancel = WithTimeout(context.Background(), f, time.Hour)
	cancel()
	if !errors.Is(context.Cause(ctx), context.Canceled) {
		t.Errorf("Cause after cancel = %v; want Canceled", context.Cause(ctx))
	}
	if f.Waiters() != 0 {
		t.Errorf("cancel left %d timers", f.Waiters())
	}
}

func TestVirtual(t *testing.T) {
	base := NewFake(t0)
	v := NewVirtual(base)
	if !v.Now().Equal(t0) || v.Offset() != 0 {
		t.Fatalf("Now = %v, Offset = %v; want %v, 0", v.Now(), v.Offset(), t0)
	}
	soon, later := v.NewTimer(time.Minute), v.NewTimer(time.Hour)
	done := make(chan time.Time, 1)
	v.AfterFunc(30*time.Minute, func() { done <- v.Now() })

	// It runs with its base.
	base.Advance(time.Minute)
	wantTick(t, soon.C(), t0.Add(time.Minute))
	wantNone(t, later.C())

	// Advancing it fires what fell due, at once.
	if err := v.Advance(2 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := v.Now(); !got.Equal(t0.Add(2*time.Hour + time.Minute)) {
		t.Errorf("Now = %v; want %v", got, t0.Add(2*time.Hour+time.Minute))
	}
	wantTick(t, later.C(), t0.Add(2*time.Hour+time.Minute))
	// The AfterFunc has run by the time Advance returns.
	select {
	case got := <-done:
		if !got.Equal(t0.Add(2*time.Hour + time.Minute)) {
			t.Errorf("AfterFunc saw %v", got)
		}
	default:
		t.Error("Advance returned before the AfterFunc it fired had run")
	}

	// A timer set after the move fires by the moved clock, through the
	// base's.
	next := v.NewTimer(time.Minute)
	base.Advance(time.Minute)
	wantTick(t, next.C(), t0.Add(2*time.Hour+2*time.Minute))

	// Set moves it forward; never back.
	target := t0.Add(48 * time.Hour)
	if err := v.Set(target); err != nil {
		t.Fatal(err)
	}
	if !v.Now().Equal(target) || v.Offset() != 48*time.Hour-2*time.Minute {
		t.Errorf("after Set: Now = %v, Offset = %v", v.Now(), v.Offset())
	}
	if err := v.Set(target.Add(-time.Second)); !errors.Is(err, ErrBackwards) {
		t.Errorf("Set back: %v; want ErrBackwards", err)
	}
	if err := v.Advance(-time.Second); !errors.Is(err, ErrBackwards) {
		t.Errorf("Advance(-1s): %v; want ErrBackwards", err)
	}
	if !v.Now().Equal(target) {
		t.Errorf("a refused move moved the clock to %v", v.Now())
	}
}

func TestVirtualTicker(t *testing.T) {
	base := NewFake(t0)
	v := NewVirtual(base)
	tk := v.NewTicker(time.Second)
	base.Advance(time.Second)
	wantTick(t, tk.C(), t0.Add(time.Second))
	// Two days at once: one tick, and the next a second later.
	if err := v.Advance(48 * time.Hour); err != nil {
		t.Fatal(err)
	}
	wantTick(t, tk.C(), t0.Add(48*time.Hour+time.Second))
	wantNone(t, tk.C())
	base.Advance(time.Second)
	wantTick(t, tk.C(), t0.Add(48*time.Hour+2*time.Second))
	tk.Stop()
	base.Advance(time.Hour)
	wantNone(t, tk.C())
	if base.Waiters() != 0 {
		t.Errorf("the base clock holds %d timers with none armed", base.Waiters())
	}
}

func TestVirtualOnSystemClock(t *testing.T) {
	v := NewVirtual(System{})
	tm := v.NewTimer(time.Hour)
	if err := v.Advance(time.Hour); err != nil {
		t.Fatal(err)
	}
	select {
	case <-tm.C():
	case <-time.After(10 * time.Second):
		t.Fatal("a timer due after Advance did not fire")
	}
	if d := v.Now().Sub(time.Now()); d < time.Hour-time.Minute || d > time.Hour+time.Minute {
		t.Errorf("virtual time is %v ahead of the system's; want an hour", d)
	}
}
