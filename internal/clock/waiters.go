package clock

import (
	"container/heap"
	"sync"
	"time"
)

// The timers of Fake and Virtual wait in a heap ordered by deadline (then
// by when they were set); moving the clock pops those that fell due.

// waiter is a timer, ticker or AfterFunc waiting for its deadline.
type waiter struct {
	when   time.Time
	period time.Duration  // > 0 for a ticker
	c      chan time.Time // nil for AfterFunc
	fn     func()
	seq    uint64 // order of arming among equal deadlines
	index  int    // in the heap; -1 when not waiting
}

// waiters is the heap.
type waiters struct {
	h   []*waiter
	seq uint64
}

func (ws *waiters) Len() int { return len(ws.h) }
func (ws *waiters) Less(i, j int) bool {
	a, b := ws.h[i], ws.h[j]
	if !a.when.Equal(b.when) {
		return a.when.Before(b.when)
	}
	return a.seq < b.seq
}
func (ws *waiters) Swap(i, j int) {
	ws.h[i], ws.h[j] = ws.h[j], ws.h[i]
	ws.h[i].index, ws.h[j].index = i, j
}
func (ws *waiters) Push(x any) {
	w := x.(*waiter)
	w.index = len(ws.h)
	ws.h = append(ws.h, w)
}
func (ws *waiters) Pop() any {
	w := ws.h[len(ws.h)-1]
	ws.h[len(ws.h)-1] = nil
	ws.h = ws.h[:len(ws.h)-1]
	w.index = -1
	return w
}

func (ws *waiters) add(w *waiter) {
	ws.seq++
	w.seq = ws.seq
	heap.Push(ws, w)
}

// remove takes w out of the heap and reports whether it was waiting.
func (ws *waiters) remove(w *waiter) bool {
	if w.index < 0 {
		return false
	}
	heap.Remove(ws, w.index)
	return true
}

// popDue returns the earliest waiter due at now, taken out of the heap (a
// ticker is put back at its first tick after now), or nil.
func (ws *waiters) popDue(now time.Time) *waiter {
	if len(ws.h) == 0 || ws.h[0].when.After(now) {
		return nil
	}
	w := heap.Pop(ws).(*waiter)
	if w.period > 0 {
		// The ticks between would be dropped by the channel anyway.
		next := w.when.Add(w.period)
		if !next.After(now) {
			next = w.when.Add((now.Sub(w.when)/w.period + 1) * w.period)
		}
		fired := *w
		w.when = next
		ws.add(w)
		return &fired
	}
	return w
}

// earliest returns the deadline of the first waiter.
func (ws *waiters) earliest() (time.Time, bool) {
	if len(ws.h) == 0 {
		return time.Time{}, false
	}
	return ws.h[0].when, true
}

// send offers t on c without blocking, as the runtime's timers do.
func send(c chan time.Time, t time.Time) {
	select {
	case c <- t:
	default:
	}
}

// drain empties c of a value sent before a Stop or Reset.
func drain(c chan time.Time) {
	if c == nil {
		return
	}
	select {
	case <-c:
	default:
	}
}

// host is the clock a timer of waiters belongs to.
type host struct {
	mu sync.Mutex
	ws waiters
	// now returns the time; changed is called, with mu held, after the
	// heap changed.
	now     func() time.Time
	changed func()
}

func (h *host) newWaiter(d time.Duration, period time.Duration, fn func()) *waiter {
	w := &waiter{period: period, fn: fn, index: -1}
	if fn == nil {
		w.c = make(chan time.Time, 1)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	w.when = h.now().Add(d)
	h.ws.add(w)
	h.changed()
	return w
}

// timer is a Timer or Ticker of a host.
type timer struct {
	h *host
	w *waiter
}

func (t timer) C() <-chan time.Time { return t.w.c }

func (t timer) Stop() bool {
	t.h.mu.Lock()
	defer t.h.mu.Unlock()
	active := t.h.ws.remove(t.w)
	drain(t.w.c)
	if active {
		t.h.changed()
	}
	return active
}

func (t timer) Reset(d time.Duration) bool {
	t.h.mu.Lock()
	defer t.h.mu.Unlock()
	active := t.h.ws.remove(t.w)
	drain(t.w.c)
	t.w.when = t.h.now().Add(d)
	t.h.ws.add(t.w)
	t.h.changed()
	return active
}

// ticker is a Ticker of a host.
type ticker struct{ timer }

func (t ticker) Stop() { t.timer.Stop() }

func (t ticker) Reset(d time.Duration) {
	if d <= 0 {
		panic("clock: non-positive interval for Ticker.Reset")
	}
	t.h.mu.Lock()
	t.w.period = d
	t.h.mu.Unlock()
	t.timer.Reset(d)
}

// The timers of a host's clock.
func (h *host) newTimer(d time.Duration) Timer { return timer{h, h.newWaiter(d, 0, nil)} }

func (h *host) afterFunc(d time.Duration, fn func()) Timer { return timer{h, h.newWaiter(d, 0, fn)} }

func (h *host) newTicker(d time.Duration) Ticker {
	if d <= 0 {
		panic("clock: non-positive interval for NewTicker")
	}
	return ticker{timer{h, h.newWaiter(d, d, nil)}}
}
