package audit

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilhq/vigil/internal/promtest"
)

// recorder is a Sink that keeps the request ids of the events it gets,
// and waits, before each, for gate to be open (closed) when it is set.
type recorder struct {
	gate    chan struct{}
	entered chan string // receives each request id before waiting, when set

	mu   sync.Mutex
	ids  []string
	ctxs []context.Context
}

func (r *recorder) Record(ctx context.Context, e *Event) {
	if r.entered != nil {
		r.entered <- e.RequestID
	}
	if r.gate != nil {
		<-r.gate
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ids = append(r.ids, e.RequestID)
	r.ctxs = append(r.ctxs, ctx)
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.ids)
}

func ev(id string) *Event { return &Event{RequestID: id, Operation: "PutLogEvents"} }

func ids(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, strconv.Itoa(i))
	}
	return out
}

// gauge returns a metric's value in reg, counter or gauge.
func gauge(t testing.TB, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	v, ok := promtest.Value(t, reg, name)
	if !ok {
		t.Fatalf("no %s in the registry", name)
	}
	return v
}

func TestAsyncKeepsOrder(t *testing.T) {
	next := &recorder{}
	a := NewAsync(next, AsyncOptions{QueueSize: 4})
	for _, id := range ids(1, 100) {
		a.Record(context.Background(), ev(id))
	}
	if err := a.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := next.got(), ids(1, 100); !slices.Equal(got, want) {
		t.Errorf("next got %v; want %v", got, want)
	}
}

// TestAsyncBackpressure fills the queue while the next sink is stuck: the
// Record that finds it full waits, and is counted, and nothing is lost.
func TestAsyncBackpressure(t *testing.T) {
	next := &recorder{gate: make(chan struct{}), entered: make(chan string, 10)}
	reg := prometheus.NewRegistry()
	a := NewAsync(next, AsyncOptions{QueueSize: 1, Registerer: reg})
	waiting := make(chan struct{})
	a.testHookFull = func() { close(waiting) }

	a.Record(context.Background(), ev("1"))
	if id := <-next.entered; id != "1" {
		t.Fatalf("next entered %s first; want 1", id)
	}
	a.Record(context.Background(), ev("2")) // fills the queue
	if got := gauge(t, reg, "vigil_audit_queue_length"); got != 1 {
		t.Errorf("queue length = %v; want 1", got)
	}
	recorded := make(chan struct{})
	go func() {
		a.Record(context.Background(), ev("3"))
		close(recorded)
	}()
	<-waiting
	select {
	case <-recorded:
		t.Fatal("Record returned while the queue was full")
	default:
	}
	if got := gauge(t, reg, "vigil_audit_queue_full_total"); got != 1 {
		t.Errorf("vigil_audit_queue_full_total = %v; want 1", got)
	}
	close(next.gate)
	<-recorded
	if err := a.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := next.got(), ids(1, 3); !slices.Equal(got, want) {
		t.Errorf("next got %v; want %v", got, want)
	}
	if got := gauge(t, reg, "vigil_audit_queue_length"); got != 0 {
		t.Errorf("queue length after Close = %v; want 0", got)
	}
}

func TestAsyncCloseDrains(t *testing.T) {
	next := &recorder{gate: make(chan struct{})}
	a := NewAsync(next, AsyncOptions{QueueSize: 100})
	for _, id := range ids(1, 50) {
		a.Record(context.Background(), ev(id))
	}
	// The next sink is stuck: Close gives up when its context ends…
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := a.Close(ctx)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "events left") {
		t.Errorf("Close with a cancelled context = %v; want the events left and context.Canceled", err)
	}
	// …and the events still reach it once it moves.
	close(next.gate)
	if err := a.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, want := next.got(), ids(1, 50); !slices.Equal(got, want) {
		t.Errorf("next got %v; want %v", got, want)
	}
}

func TestAsyncRecordAfterClose(t *testing.T) {
	next := &recorder{}
	a := NewAsync(next, AsyncOptions{})
	a.Record(context.Background(), ev("1"))
	if err := a.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	a.Record(context.Background(), ev("2")) // synchronous
	if got := next.got(); !slices.Equal(got, []string{"1", "2"}) {
		t.Errorf("next got %v; want [1 2]", got)
	}
}

// TestAsyncContext checks that the next sink gets the request's values
// but not its end.
func TestAsyncContext(t *testing.T) {
	type key struct{}
	next := &recorder{}
	a := NewAsync(next, AsyncOptions{})
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "v"))
	cancel()
	a.Record(ctx, ev("1"))
	if err := a.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := next.ctxs[0]
	if got.Err() != nil || got.Done() != nil {
		t.Errorf("next's context is cancelled (%v)", got.Err())
	}
	if v := got.Value(key{}); v != "v" {
		t.Errorf("next's context value = %v; want v", v)
	}
}

type panicky struct{ next Sink }

func (p panicky) Record(ctx context.Context, e *Event) {
	if e.RequestID == "boom" {
		panic("sink broke")
	}
	p.next.Record(ctx, e)
}

func TestAsyncRecoversPanics(t *testing.T) {
	next := &recorder{}
	reg := prometheus.NewRegistry()
	var log bytes.Buffer
	a := NewAsync(panicky{next}, AsyncOptions{Registerer: reg, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	for _, id := range []string{"1", "boom", "2"} {
		a.Record(context.Background(), ev(id))
	}
	if err := a.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := next.got(); !slices.Equal(got, []string{"1", "2"}) {
		t.Errorf("next got %v; want [1 2]", got)
	}
	if got := gauge(t, reg, "vigil_audit_panics_total"); got != 1 {
		t.Errorf("vigil_audit_panics_total = %v; want 1", got)
	}
	if !strings.Contains(log.String(), "sink broke") || !strings.Contains(log.String(), "request_id=boom") {
		t.Errorf("log lacks the panic:\n%s", log.String())
	}
}

// TestAsyncConcurrentClose records from many goroutines while Close
// runs: every event reaches the next sink once, queued or after Close.
// Run it with -race.
func TestAsyncConcurrentClose(t *testing.T) {
	next := &recorder{}
	a := NewAsync(next, AsyncOptions{QueueSize: 8})
	const writers, each = 8, 200
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				a.Record(context.Background(), ev(strconv.Itoa(w*each+i)))
			}
		})
	}
	wg.Go(func() {
		if err := a.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	wg.Wait()
	got := next.got()
	slices.SortFunc(got, func(x, y string) int {
		a, _ := strconv.Atoi(x)
		b, _ := strconv.Atoi(y)
		return a - b
	})
	if want := ids(0, writers*each-1); !slices.Equal(got, want) {
		t.Errorf("next got %d events; want each of %d once", len(got), len(want))
	}
}

func TestMulti(t *testing.T) {
	a, b := &recorder{}, &recorder{}
	sinks := []Sink{a, b}
	m := Multi(sinks...)
	sinks[1] = Discard{} // Multi keeps its own list
	m.Record(context.Background(), ev("1"))
	if !slices.Equal(a.got(), []string{"1"}) || !slices.Equal(b.got(), []string{"1"}) {
		t.Errorf("sinks got %v and %v; want [1] each", a.got(), b.got())
	}
}

// TestAsyncFlush: Flush returns once the events recorded before it have
// reached the next sink, and at once after Close.
func TestAsyncFlush(t *testing.T) {
	gate := make(chan struct{})
	r := &recorder{gate: gate}
	a := NewAsync(r, AsyncOptions{})
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		a.Record(ctx, ev(strconv.Itoa(i)))
	}
	flushed := make(chan error)
	go func() { flushed <- a.Flush(ctx) }()
	close(gate)
	if err := <-flushed; err != nil {
		t.Fatal(err)
	}
	if got := r.got(); !slices.Equal(got, ids(1, 3)) {
		t.Errorf("after Flush the sink had %v; want 1 to 3", got)
	}
	if err := a.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Flush(ctx); err != nil {
		t.Errorf("Flush after Close = %v", err)
	}
}
