// Package clock gives Vigil its notion of time, so that tests and users
// can drive alarms, schedules and retention deterministically: nothing
// outside cmd/ reads the wall clock or starts a timer except through a
// Clock.
//
// Three clocks implement it: System, the real clock; Fake, which moves
// only when a test sets or advances it and fires the timers that fall due
// on the way, in order of their deadlines; and Virtual, the real clock
// plus an offset that a user moves forward (Vigil's --dev mode, through
// /_vigil/clock), firing the timers that the move made due at once.
package clock

import (
	"context"
	"time"
)

// Clock tells the time and makes timers that fire by it.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// NewTimer returns a timer that sends the time on its channel once d
	// has passed.
	NewTimer(d time.Duration) Timer
	// AfterFunc calls f in its own goroutine once d has passed (Fake
	// calls it in the goroutine that moves the clock) and returns a timer
	// whose Stop cancels the call.
	AfterFunc(d time.Duration, f func()) Timer
	// NewTicker returns a ticker that sends the time on its channel every
	// d (d > 0), dropping ticks for a slow receiver as time.Ticker does.
	NewTicker(d time.Duration) Ticker
}

// Timer is a single event, as time.Timer.
type Timer interface {
	// C returns the channel the time is sent on (nil for AfterFunc).
	C() <-chan time.Time
	// Stop prevents the timer from firing; it reports whether it
	// stopped it (false: it had fired or been stopped). No value is
	// received from C after Stop returns.
	Stop() bool
	// Reset makes the timer fire d from now; it reports whether the
	// timer had been active. No stale value is received from C after it.
	Reset(d time.Duration) bool
}

// Ticker sends the time at intervals, as time.Ticker.
type Ticker interface {
	// C returns the channel the ticks are sent on.
	C() <-chan time.Time
	// Stop turns the ticker off.
	Stop()
	// Reset stops the ticker and makes it tick every d from now.
	Reset(d time.Duration)
}

// WithTimeout returns a copy of parent that ends d after c's present time
// (or when parent ends, or when cancel is called). Its Err is
// context.Canceled however it ended; context.Cause tells a timeout
// (context.DeadlineExceeded) from a cancellation. It has no Deadline:
// the deadline is in c's time, which need not be the wall clock's.
func WithTimeout(parent context.Context, c Clock, d time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	t := c.AfterFunc(d, func() { cancel(context.DeadlineExceeded) })
	return ctx, func() {
		t.Stop()
		cancel(context.Canceled)
	}
}

// System is the real clock.
type System struct{}

// Now returns time.Now().
func (System) Now() time.Time { return time.Now() }

// NewTimer returns time.NewTimer(d).
func (System) NewTimer(d time.Duration) Timer { return sysTimer{time.NewTimer(d)} }

// AfterFunc returns time.AfterFunc(d, f).
func (System) AfterFunc(d time.Duration, f func()) Timer { return sysTimer{time.AfterFunc(d, f)} }

// NewTicker returns time.NewTicker(d).
func (System) NewTicker(d time.Duration) Ticker { return sysTicker{time.NewTicker(d)} }

type sysTimer struct{ t *time.Timer }

func (t sysTimer) C() <-chan time.Time        { return t.t.C }
func (t sysTimer) Stop() bool                 { return t.t.Stop() }
func (t sysTimer) Reset(d time.Duration) bool { return t.t.Reset(d) }

type sysTicker struct{ t *time.Ticker }

func (t sysTicker) C() <-chan time.Time   { return t.t.C }
func (t sysTicker) Stop()                 { t.t.Stop() }
func (t sysTicker) Reset(d time.Duration) { t.t.Reset(d) }
