package svcevents

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// Options configure a Bus.
type Options struct {
	// Registerer receives the bus's Prometheus metrics (none when nil).
	Registerer prometheus.Registerer
	// Logger logs the panics of subscribers (discarded when nil).
	Logger *slog.Logger
	// NewID returns the ids Publish gives events without one (NewID when
	// nil).
	NewID func() string
}

// Bus fans service events out to the subscribers of one node. Its
// methods may be called from any goroutine.
type Bus struct {
	opt Options

	mu   sync.Mutex                    // serializes changes of subs
	subs atomic.Pointer[[]*subscriber] // replaced, never modified, so Publish reads it without locking

	published         prometheus.Counter
	delivered, panics *prometheus.CounterVec
}

// subscriber is one Subscribe call.
type subscriber struct {
	name              string
	filter            func(*Event) bool
	handle            func(context.Context, *Event)
	delivered, panics prometheus.Counter
}

// New returns a bus with no subscribers.
func New(opt Options) *Bus {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.NewID == nil {
		opt.NewID = NewID
	}
	b := &Bus{
		opt: opt,
		published: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_svcevents_published_total", Help: "Service events published on this node's bus.",
		}),
		delivered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_svcevents_delivered_total", Help: "Service events each subscriber handled.",
		}, []string{"subscriber"}),
		panics: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_svcevents_panics_total", Help: "Panics of each subscriber's filter or handler, recovered.",
		}, []string{"subscriber"}),
	}
	b.subs.Store(&[]*subscriber{})
	if opt.Registerer != nil {
		opt.Registerer.MustRegister(b.published, b.delivered, b.panics)
	}
	return b
}

// Subscribe calls handle with every event published from now on that
// filter accepts (every event when filter is nil), until unsubscribe is
// called. name identifies the subscriber in metrics and logs; two
// subscribers never share one.
//
// filter and handle run in the publisher's goroutine, one event at a time
// per publisher but concurrently for concurrent publishers; they must be
// quick and must not change the event, which every subscriber shares. A
// handler that must deliver durably enqueues an outbox item. A panic in
// either is recovered, logged and counted; the other subscribers still
// get the event.
//
// Once unsubscribe returns, Publish calls that start later no longer call
// handle; calls under way may still. unsubscribe may be called more than
// once, and from a handler.
func (b *Bus) Subscribe(name string, filter func(*Event) bool, handle func(ctx context.Context, e *Event)) (unsubscribe func()) {
	if handle == nil {
		panic(fmt.Sprintf("BUG: svcevents: subscriber %q has no handler", name))
	}
	s := &subscriber{
		name: name, filter: filter, handle: handle,
		delivered: b.delivered.WithLabelValues(name), panics: b.panics.WithLabelValues(name),
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	old := *b.subs.Load()
	if slices.ContainsFunc(old, func(o *subscriber) bool { return o.name == name }) {
		panic(fmt.Sprintf("BUG: svcevents: subscriber %q subscribed twice", name))
	}
	subs := append(slices.Clip(old), s)
	b.subs.Store(&subs)
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			subs := slices.DeleteFunc(slices.Clone(*b.subs.Load()), func(o *subscriber) bool { return o == s })
			b.subs.Store(&subs)
		})
	}
}

// HasSubscribers reports whether any subscriber listens, so that a
// producer may skip building events nobody reads.
func (b *Bus) HasSubscribers() bool {
	return len(*b.subs.Load()) > 0
}

// Publish hands e to every subscriber whose filter accepts it, in the
// order they subscribed, and returns when they all have. It gives e an id
// when it has none; e must not change afterwards, since subscribers may
// keep it. ctx is handed to the handlers.
func (b *Bus) Publish(ctx context.Context, e *Event) {
	if e.Source == "" || e.DetailType == "" {
		panic(fmt.Sprintf("BUG: svcevents: event with source %q and detail type %q", e.Source, e.DetailType))
	}
	if e.ID == "" {
		e.ID = b.opt.NewID()
	}
	b.published.Inc()
	for _, s := range *b.subs.Load() {
		b.deliver(ctx, s, e)
	}
}

// deliver hands e to s if its filter accepts it, recovering a panic of
// either.
func (b *Bus) deliver(ctx context.Context, s *subscriber, e *Event) {
	defer func() {
		if r := recover(); r != nil {
			s.panics.Inc()
			b.opt.Logger.Error("service event subscriber panicked", "subscriber", s.name, "id", e.ID,
				"source", e.Source, "detail_type", e.DetailType, "panic", r, "stack", string(debug.Stack()))
		}
	}()
	if s.filter != nil && !s.filter(e) {
		return
	}
	s.handle(ctx, e)
	s.delivered.Inc()
}
