package clock

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// ErrBackwards is the error of moving a Virtual clock back.
var ErrBackwards = errors.New("the clock cannot go back")

// Virtual is a base clock (the real one) plus an offset that only grows:
// it keeps running at the base clock's speed, and Set and Advance move it
// forward, firing at once the timers that the move made due. It is Vigil's
// clock in --dev mode, which /_vigil/clock moves. Time never goes back:
// stored data (ingestion times, roll-ups, expired events) relies on it.
type Virtual struct {
	h      host
	base   Clock
	offset atomic.Int64 // nanoseconds
	// wake is a timer of the base clock armed at the earliest deadline
	// (nil until there is one).
	wake Timer
}

// NewVirtual returns a clock that shows base's time until it is moved.
func NewVirtual(base Clock) *Virtual {
	v := &Virtual{base: base}
	v.h.now = v.Now
	v.h.changed = v.rearm
	return v
}

// Now returns the base clock's time plus the offset.
func (v *Virtual) Now() time.Time { return v.base.Now().Add(v.Offset()) }

// Offset returns how far the clock is ahead of its base.
func (v *Virtual) Offset() time.Duration { return time.Duration(v.offset.Load()) }

// NewTimer returns a timer that fires when the clock reaches now+d.
func (v *Virtual) NewTimer(d time.Duration) Timer { return v.h.newTimer(d) }

// AfterFunc calls fn in its own goroutine when the clock reaches now+d; a
// move that makes it due returns once fn has.
func (v *Virtual) AfterFunc(d time.Duration, fn func()) Timer { return v.h.afterFunc(d, fn) }

// NewTicker returns a ticker that ticks every d of the clock's time.
func (v *Virtual) NewTicker(d time.Duration) Ticker { return v.h.newTicker(d) }

// Advance moves the clock forward by d (d >= 0) and fires the timers due
// by then, returning once the AfterFunc functions it fired have returned.
func (v *Virtual) Advance(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("%w: cannot advance it by %s", ErrBackwards, d)
	}
	v.h.mu.Lock()
	v.offset.Add(int64(d))
	v.h.mu.Unlock()
	v.fire()
	return nil
}

// Set moves the clock forward to t and fires the timers due by then, as
// Advance does; a t before the clock's time is refused with ErrBackwards.
func (v *Virtual) Set(t time.Time) error {
	v.h.mu.Lock()
	now := v.Now()
	if t.Before(now) {
		v.h.mu.Unlock()
		return fmt.Errorf("%w: it is %s, and %s is earlier", ErrBackwards,
			now.UTC().Format(time.RFC3339Nano), t.UTC().Format(time.RFC3339Nano))
	}
	// The wall-clock difference: t carries no monotonic reading.
	v.offset.Add(int64(t.Sub(now)))
	v.h.mu.Unlock()
	v.fire()
	return nil
}

// fire fires every timer due now, in order of their deadlines, and arms
// the wake-up for the next. It returns once the AfterFunc functions it
// started have returned, so that what a move made due has begun when Set
// and Advance return.
func (v *Virtual) fire() {
	var started sync.WaitGroup
	defer started.Wait()
	for {
		v.h.mu.Lock()
		now := v.Now()
		w := v.h.ws.popDue(now)
		if w == nil {
			v.rearm()
			v.h.mu.Unlock()
			return
		}
		v.h.mu.Unlock()
		if w.fn != nil {
			started.Go(w.fn)
		} else {
			send(w.c, now)
		}
	}
}

// rearm sets the wake-up at the earliest deadline, in the base clock's
// time. It is called with the heap's lock held.
func (v *Virtual) rearm() {
	when, ok := v.h.ws.earliest()
	if !ok {
		if v.wake != nil {
			v.wake.Stop()
		}
		return
	}
	d := when.Sub(v.Now())
	if v.wake == nil {
		v.wake = v.base.AfterFunc(d, v.fire)
		return
	}
	v.wake.Reset(d)
}
