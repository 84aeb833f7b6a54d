package svcevents

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilhq/vigil/internal/promtest"
)

// fixture is a bus with a registry and a captured log.
type fixture struct {
	bus *Bus
	reg *prometheus.Registry
	log *syncBuffer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{reg: prometheus.NewRegistry(), log: &syncBuffer{}}
	n := 0
	f.bus = New(Options{Registerer: f.reg, Logger: slog.New(slog.NewTextHandler(f.log, nil)), NewID: func() string {
		n++
		return "id-" + strconv.Itoa(n)
	}})
	return f
}

// counter returns a subscriber's counter, or a bus counter when
// subscriber is empty; 0 when it was never set.
func (f *fixture) counter(t *testing.T, name, subscriber string) float64 {
	t.Helper()
	var labels []string
	if subscriber != "" {
		labels = []string{"subscriber", subscriber}
	}
	v, _ := promtest.Value(t, f.reg, name, labels...)
	return v
}

// collector records the ids of the events it handles.
type collector struct {
	mu  sync.Mutex
	ids []string
}

func (c *collector) handle(_ context.Context, e *Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ids = append(c.ids, e.ID)
}

func (c *collector) got() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.ids)
}

func event(source string) *Event {
	return &Event{DetailType: DetailTypeAPICall, Source: source, Account: "123456789012", Region: "us-east-1",
		Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func TestFanOutAndFilter(t *testing.T) {
	f := newFixture(t)
	var all, logs collector
	f.bus.Subscribe("all", nil, all.handle)
	f.bus.Subscribe("logs", func(e *Event) bool { return e.Source == "aws.logs" }, logs.handle)
	for _, src := range []string{"aws.logs", "aws.cloudwatch", "aws.logs"} {
		f.bus.Publish(context.Background(), event(src))
	}
	check := func(name string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s got %v; want %v", name, got, want)
		}
	}
	check("all", all.got(), []string{"id-1", "id-2", "id-3"})
	check("logs", logs.got(), []string{"id-1", "id-3"})
	for _, tt := range []struct {
		name, sub string
		want      float64
	}{
		{"vigil_svcevents_published_total", "", 3},
		{"vigil_svcevents_delivered_total", "all", 3},
		{"vigil_svcevents_delivered_total", "logs", 2},
	} {
		if got := f.counter(t, tt.name, tt.sub); got != tt.want {
			t.Errorf("%s{subscriber=%q} = %v; want %v", tt.name, tt.sub, got, tt.want)
		}
	}
}

func TestPublishKeepsID(t *testing.T) {
	f := newFixture(t)
	var c collector
	f.bus.Subscribe("c", nil, c.handle)
	e := event("aws.logs")
	e.ID = "given"
	f.bus.Publish(context.Background(), e)
	if got := c.got(); !slices.Equal(got, []string{"given"}) {
		t.Errorf("got %v; want [given]", got)
	}
}

func TestUnsubscribe(t *testing.T) {
	f := newFixture(t)
	var a, b collector
	unsubA := f.bus.Subscribe("a", nil, a.handle)
	f.bus.Subscribe("b", nil, b.handle)
	f.bus.Publish(context.Background(), event("aws.logs"))
	unsubA()
	unsubA() // a second call does nothing
	f.bus.Publish(context.Background(), event("aws.logs"))
	if got := a.got(); !slices.Equal(got, []string{"id-1"}) {
		t.Errorf("a got %v; want [id-1]", got)
	}
	if got := b.got(); !slices.Equal(got, []string{"id-1", "id-2"}) {
		t.Errorf("b got %v; want [id-1 id-2]", got)
	}
	// The name is free again.
	var again collector
	f.bus.Subscribe("a", nil, again.handle)
	f.bus.Publish(context.Background(), event("aws.logs"))
	if got := again.got(); !slices.Equal(got, []string{"id-3"}) {
		t.Errorf("a, subscribed again, got %v; want [id-3]", got)
	}
}

func TestUnsubscribeFromHandler(t *testing.T) {
	f := newFixture(t)
	var c collector
	var unsub func()
	unsub = f.bus.Subscribe("once", nil, func(ctx context.Context, e *Event) {
		c.handle(ctx, e)
		unsub()
	})
	f.bus.Publish(context.Background(), event("aws.logs"))
	f.bus.Publish(context.Background(), event("aws.logs"))
	if got := c.got(); !slices.Equal(got, []string{"id-1"}) {
		t.Errorf("got %v; want [id-1]", got)
	}
	if f.bus.HasSubscribers() {
		t.Error("HasSubscribers = true after the only subscriber left")
	}
}

func TestHasSubscribers(t *testing.T) {
	f := newFixture(t)
	if f.bus.HasSubscribers() {
		t.Error("a new bus has subscribers")
	}
	unsub := f.bus.Subscribe("a", nil, func(context.Context, *Event) {})
	if !f.bus.HasSubscribers() {
		t.Error("HasSubscribers = false with one subscriber")
	}
	unsub()
	if f.bus.HasSubscribers() {
		t.Error("HasSubscribers = true after unsubscribing")
	}
}

func TestPanicIsolation(t *testing.T) {
	f := newFixture(t)
	var before, after collector
	f.bus.Subscribe("before", nil, before.handle)
	f.bus.Subscribe("handler", nil, func(context.Context, *Event) { panic("handler broke") })
	f.bus.Subscribe("filter", func(*Event) bool { panic("filter broke") }, after.handle)
	f.bus.Subscribe("after", nil, after.handle)
	f.bus.Publish(context.Background(), event("aws.logs"))
	f.bus.Publish(context.Background(), event("aws.logs"))
	if got := before.got(); len(got) != 2 {
		t.Errorf("before got %v; want 2 events", got)
	}
	if got := after.got(); len(got) != 2 {
		t.Errorf("after got %v; want 2 events", got)
	}
	for _, tt := range []struct {
		name, sub string
		want      float64
	}{
		{"vigil_svcevents_panics_total", "handler", 2},
		{"vigil_svcevents_panics_total", "filter", 2},
		{"vigil_svcevents_delivered_total", "handler", 0},
		{"vigil_svcevents_delivered_total", "after", 2},
	} {
		if got := f.counter(t, tt.name, tt.sub); got != tt.want {
			t.Errorf("%s{subscriber=%q} = %v; want %v", tt.name, tt.sub, got, tt.want)
		}
	}
	for _, want := range []string{"subscriber=handler", "handler broke", "subscriber=filter", "filter broke"} {
		if !strings.Contains(f.log.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, f.log.String())
		}
	}
}

func TestSubscribeTwicePanics(t *testing.T) {
	f := newFixture(t)
	f.bus.Subscribe("a", nil, func(context.Context, *Event) {})
	defer func() {
		if r := recover(); r == nil {
			t.Error("a second subscriber named a did not panic")
		}
	}()
	f.bus.Subscribe("a", nil, func(context.Context, *Event) {})
}

func TestPublishWithoutSourcePanics(t *testing.T) {
	f := newFixture(t)
	defer func() {
		if r := recover(); r == nil {
			t.Error("an event without a source did not panic")
		}
	}()
	f.bus.Publish(context.Background(), &Event{DetailType: DetailTypeAPICall})
}

func TestPublishPassesContext(t *testing.T) {
	f := newFixture(t)
	type key struct{}
	var got any
	f.bus.Subscribe("a", nil, func(ctx context.Context, _ *Event) { got = ctx.Value(key{}) })
	f.bus.Publish(context.WithValue(context.Background(), key{}, "v"), event("aws.logs"))
	if got != "v" {
		t.Errorf("handler's context value = %v; want v", got)
	}
}

// TestConcurrent publishes, subscribes and unsubscribes at once; run it
// with -race.
func TestConcurrent(t *testing.T) {
	bus := New(Options{})
	var steady collector
	bus.Subscribe("steady", nil, steady.handle)
	const publishers, each = 8, 200
	var wg sync.WaitGroup
	for range publishers {
		wg.Go(func() {
			for range each {
				bus.Publish(context.Background(), event("aws.logs"))
			}
		})
	}
	for i := range 4 {
		wg.Go(func() {
			for range 50 {
				var c collector
				unsub := bus.Subscribe("churn-"+strconv.Itoa(i), func(e *Event) bool { return e.Source != "" }, c.handle)
				unsub()
			}
		})
	}
	wg.Wait()
	if got := len(steady.got()); got != publishers*each {
		t.Errorf("steady subscriber got %d events; want %d", got, publishers*each)
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
