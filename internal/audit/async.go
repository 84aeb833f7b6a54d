package audit

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// DefaultQueueSize is the number of events an Async holds by default.
const DefaultQueueSize = 8192

// AsyncOptions configure an Async.
type AsyncOptions struct {
	// QueueSize bounds the events waiting for the next sink
	// (DefaultQueueSize when 0).
	QueueSize int
	// Registerer receives the queue's Prometheus metrics (none when nil).
	Registerer prometheus.Registerer
	// Logger logs the panics of the next sink (discarded when nil).
	Logger *slog.Logger
}

// Async is a Sink that queues events and hands them to the next sink, in
// the order they were recorded, from a goroutine of its own: recording
// costs a request a channel send instead of the next sink's work.
//
// CloudTrail records every call, so Async never drops an event: when the
// queue is full, Record waits until it has room (counted in
// vigil_audit_queue_full_total), which slows the requests down to the
// pace of the next sink instead of losing their records.
//
// The next sink must not record into the Async that feeds it.
type Async struct {
	next  Sink
	log   *slog.Logger
	queue chan queued
	done  chan struct{} // closed once the queue is closed and drained

	// mu is held shared by Record while it sends to the queue, and
	// exclusively by Close to close it, so that no send follows the
	// close.
	mu        sync.RWMutex
	closed    bool
	closeOnce sync.Once

	full, panics prometheus.Counter
	length       prometheus.GaugeFunc

	// testHookFull, when set, runs before Record waits for room.
	testHookFull func()
}

// queued is one recorded event, or a Flush's mark (flushed not nil).
type queued struct {
	ctx     context.Context
	e       *Event
	flushed chan struct{}
}

// NewAsync returns an Async feeding next, and starts its goroutine; Close
// stops it.
func NewAsync(next Sink, opt AsyncOptions) *Async {
	if opt.QueueSize <= 0 {
		opt.QueueSize = DefaultQueueSize
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	a := &Async{
		next: next, log: opt.Logger,
		queue: make(chan queued, opt.QueueSize), done: make(chan struct{}),
		full: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_audit_queue_full_total",
			Help: "Audit events whose request waited because the audit queue was full.",
		}),
		panics: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_audit_panics_total", Help: "Panics of the audit sink, recovered.",
		}),
	}
	a.length = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "vigil_audit_queue_length",
		Help: fmt.Sprintf("Audit events waiting in the audit queue (of at most %d).", opt.QueueSize),
	}, func() float64 { return float64(len(a.queue)) })
	if opt.Registerer != nil {
		opt.Registerer.MustRegister(a.full, a.panics, a.length)
	}
	go a.run()
	return a
}

// Record queues e, waiting for room when the queue is full. The next
// sink gets ctx's values without its cancellation, which ends with the
// request. After Close, Record hands e to the next sink itself, so that
// events of requests that outlive Close are kept too.
func (a *Async) Record(ctx context.Context, e *Event) {
	if ctx.Done() != nil {
		ctx = context.WithoutCancel(ctx)
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.closed {
		a.record(ctx, e)
		return
	}
	select {
	case a.queue <- queued{ctx: ctx, e: e}:
		return
	default:
	}
	a.full.Inc()
	if a.testHookFull != nil {
		a.testHookFull()
	}
	a.queue <- queued{ctx: ctx, e: e}
}

// Flush waits until the events recorded before it have reached the next
// sink, or until ctx ends.
func (a *Async) Flush(ctx context.Context) error {
	mark := make(chan struct{})
	a.mu.RLock()
	if a.closed {
		a.mu.RUnlock()
		return nil
	}
	select {
	case a.queue <- queued{flushed: mark}:
		a.mu.RUnlock()
	case <-ctx.Done():
		a.mu.RUnlock()
		return ctx.Err()
	}
	select {
	case <-mark:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops queuing and waits until the queued events have reached the
// next sink, or until ctx ends; then the events still queued reach it in
// the background. Events recorded after Close go to the next sink at once.
func (a *Async) Close(ctx context.Context) error {
	a.closeOnce.Do(func() {
		// Taking mu waits for the Records under way, which may wait for
		// room: do it aside, so that ctx bounds Close.
		go func() {
			a.mu.Lock()
			defer a.mu.Unlock()
			a.closed = true
			close(a.queue)
		}()
	})
	select {
	case <-a.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("cannot drain the audit queue (%d events left): %w", len(a.queue), ctx.Err())
	}
}

// run hands the queued events to the next sink until the queue is closed
// and empty.
func (a *Async) run() {
	defer close(a.done)
	for q := range a.queue {
		if q.flushed != nil {
			close(q.flushed)
			continue
		}
		a.record(q.ctx, q.e)
	}
}

// record hands e to the next sink, recovering its panic: one broken event
// must not stop the recording of the others.
func (a *Async) record(ctx context.Context, e *Event) {
	defer func() {
		if r := recover(); r != nil {
			a.panics.Inc()
			a.log.Error("audit sink panicked", "request_id", e.RequestID, "service", e.Service, "operation", e.Operation,
				"panic", r, "stack", string(debug.Stack()))
		}
	}()
	a.next.Record(ctx, e)
}
