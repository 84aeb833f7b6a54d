package clock

import (
	"sync"
	"time"
)

// Fake is a clock that moves only when told to: Set and Advance fire, in
// the calling goroutine and in order of their deadlines, the timers that
// fall due on the way, each with the clock showing its deadline. Nothing
// sleeps. It is safe for concurrent use; an AfterFunc function must not
// move the clock itself.
type Fake struct {
	h    host
	now  time.Time
	cond *sync.Cond // signalled when the heap changes (BlockUntil)
	move sync.Mutex // held while the clock moves
}

// NewFake returns a fake clock set to t.
func NewFake(t time.Time) *Fake {
	f := &Fake{now: t}
	f.h.now = func() time.Time { return f.now }
	f.cond = sync.NewCond(&f.h.mu)
	f.h.changed = f.cond.Broadcast
	return f
}

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.h.mu.Lock()
	defer f.h.mu.Unlock()
	return f.now
}

// NewTimer returns a timer that fires when the clock reaches now+d.
func (f *Fake) NewTimer(d time.Duration) Timer { return f.h.newTimer(d) }

// AfterFunc calls fn when the clock reaches now+d, in the goroutine that
// moves it there.
func (f *Fake) AfterFunc(d time.Duration, fn func()) Timer { return f.h.afterFunc(d, fn) }

// NewTicker returns a ticker that ticks each time the clock passes a
// multiple of d from now; a move past several sends one tick.
func (f *Fake) NewTicker(d time.Duration) Ticker { return f.h.newTicker(d) }

// Set moves the clock to t, firing the timers due by then in order of
// their deadlines. Moving it back fires nothing.
func (f *Fake) Set(t time.Time) {
	f.move.Lock()
	defer f.move.Unlock()
	f.set(t)
}

// Advance moves the clock forward by d, as Set.
func (f *Fake) Advance(d time.Duration) {
	f.move.Lock()
	defer f.move.Unlock()
	f.set(f.Now().Add(d))
}

func (f *Fake) set(t time.Time) {
	for {
		f.h.mu.Lock()
		w := f.h.ws.popDue(t)
		if w == nil {
			f.now = t
			f.h.changed()
			f.h.mu.Unlock()
			return
		}
		if w.when.After(f.now) {
			f.now = w.when
		}
		at := f.now
		f.h.changed()
		f.h.mu.Unlock()
		if w.fn != nil {
			w.fn()
		} else {
			send(w.c, at)
		}
	}
}

// Waiters returns the number of timers, tickers and AfterFunc calls
// waiting for their deadline.
func (f *Fake) Waiters() int {
	f.h.mu.Lock()
	defer f.h.mu.Unlock()
	return f.h.ws.Len()
}

// BlockUntil waits until n timers, tickers or AfterFunc calls wait for
// their deadline, so that a test moves the clock only once the code under
// test has armed what it should.
func (f *Fake) BlockUntil(n int) {
	f.h.mu.Lock()
	defer f.h.mu.Unlock()
	for f.h.ws.Len() != n {
		f.cond.Wait()
	}
}
