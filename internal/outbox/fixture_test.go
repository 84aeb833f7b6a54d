package outbox

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/store/embedded/embeddedtest"
)

// t0 is when the tests start; whole milliseconds, as the store keeps them.
var t0 = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

// fixedRand is the jitter draw of every test processor: with Jitter j, a
// wait loses j/2 of itself.
const fixedRand = 0.5

// fixture is a processor on a real embedded store, on a fake clock.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	clock *clock.Fake
	store *recStore
	reg   *prometheus.Registry
	kicks atomic.Int64
	p     *Processor
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st := embeddedtest.Open(t)
	f := &fixture{t: t, ctx: context.Background(), clock: clock.NewFake(t0), store: &recStore{Outbox: st.Outbox()}, reg: prometheus.NewRegistry()}
	f.p = f.newProcessor(f.reg)
	return f
}

// newProcessor returns another processor on the fixture's store (another
// node), whose metrics go to reg (none when nil).
func (f *fixture) newProcessor(reg prometheus.Registerer) *Processor {
	opt := Options{
		Store:  f.store,
		Clock:  f.clock,
		Notify: func() { f.kicks.Add(1) },
		Logger: slog.New(slog.DiscardHandler),
		Rand:   func() float64 { return fixedRand },
	}
	if reg != nil {
		opt.Registerer = reg
	}
	return New(opt)
}

// register registers a recorder of kind on p, delivering with fn (nil:
// success).
func (f *fixture) register(p *Processor, kind string, policy Policy, fn func(context.Context, store.OutboxItem) error) *recorder {
	r := &recorder{fn: fn}
	p.Register(kind, r, policy)
	return r
}

// enqueue adds items, due at t0 and created then unless they say
// otherwise, of version 1 unless they say otherwise.
func (f *fixture) enqueue(items ...store.OutboxItem) {
	f.t.Helper()
	for i := range items {
		if items[i].NextAttempt == 0 {
			items[i].NextAttempt = t0.UnixMilli()
		}
		if items[i].Version == 0 {
			items[i].Version = 1
		}
	}
	if err := f.store.EnqueueOutbox(f.ctx, items); err != nil {
		f.t.Fatal(err)
	}
}

// enqueueN adds n items of kind with targets target-0 … target-(n-1).
func (f *fixture) enqueueN(kind, target string, n int) {
	f.t.Helper()
	items := make([]store.OutboxItem, n)
	for i := range items {
		items[i] = store.OutboxItem{Kind: kind, Target: target}
	}
	f.enqueue(items...)
}

// step runs a step of p at now and fails the test on its error.
func (f *fixture) step(p *Processor, now time.Time) {
	f.t.Helper()
	if err := p.Step(f.ctx, now); err != nil {
		f.t.Fatalf("Step(%v): %v", now.Sub(t0), err)
	}
}

// dead lists the dead letters of kind.
func (f *fixture) dead(kind string) []store.OutboxItem {
	f.t.Helper()
	items, err := f.p.Dead(f.ctx, kind, 0, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	return items
}

// kindHealth returns the health of kind.
func (f *fixture) kindHealth(kind string) KindHealth {
	return f.p.Health(f.ctx).Kinds[kind]
}

// recorder is a deliverer that records what it is given and delivers by
// fn (nil: success).
type recorder struct {
	mu   sync.Mutex
	fn   func(context.Context, store.OutboxItem) error
	seen []store.OutboxItem
}

func (r *recorder) Deliver(ctx context.Context, it store.OutboxItem) error {
	r.mu.Lock()
	r.seen = append(r.seen, it)
	fn := r.fn
	r.mu.Unlock()
	if fn == nil {
		return nil
	}
	return fn(ctx, it)
}

// set changes how r delivers.
func (r *recorder) set(fn func(context.Context, store.OutboxItem) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fn = fn
}

// take returns what r was given, in order, and forgets it.
func (r *recorder) take() []store.OutboxItem {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.seen
	r.seen = nil
	return out
}

// count returns how many attempts r saw.
func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.seen)
}

func ids(items []store.OutboxItem) []int64 {
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

// refuse fails every delivery for good; fail fails it for now.
var (
	errRefused = errors.New("refused")
	errFailed  = errors.New("target unavailable")
)

func refuse(context.Context, store.OutboxItem) error { return Permanent(errRefused) }
func fail(context.Context, store.OutboxItem) error   { return errFailed }

// byTarget delivers "ok" items, fails "fail" items for now and "refuse"
// items for good.
func byTarget(ctx context.Context, it store.OutboxItem) error {
	switch it.Target {
	case "fail":
		return fail(ctx, it)
	case "refuse":
		return refuse(ctx, it)
	}
	return nil
}

// recStore is the real store, recording the settlements and failing the
// calls a test tells it to (or whose ctx ended, for settlements).
type recStore struct {
	store.Outbox
	mu      sync.Mutex
	settles [][]store.OutboxResult
	fail    map[string]error // by method: claim, settle, dead, revive, stats
}

func (s *recStore) failing(method string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fail[method]
}

func (s *recStore) setFail(method string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail == nil {
		s.fail = map[string]error{}
	}
	s.fail[method] = err
}

// lastSettle returns the results of the latest settlement.
func (s *recStore) lastSettle() []store.OutboxResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.settles) == 0 {
		return nil
	}
	return s.settles[len(s.settles)-1]
}

func (s *recStore) takeSettles() [][]store.OutboxResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.settles
	s.settles = nil
	return out
}

func (s *recStore) ClaimOutbox(ctx context.Context, kind string, now, until int64, limit int) ([]store.OutboxItem, error) {
	if err := s.failing("claim"); err != nil {
		return nil, err
	}
	return s.Outbox.ClaimOutbox(ctx, kind, now, until, limit)
}

func (s *recStore) SettleOutbox(ctx context.Context, results []store.OutboxResult) error {
	if err := s.failing("settle"); err != nil {
		return err
	}
	// The real store may or may not refuse a write whose ctx has ended
	// (its writer's queue races ctx); this one always does, so that a
	// settlement made under an ended ctx shows.
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	s.settles = append(s.settles, slices.Clone(results))
	s.mu.Unlock()
	return s.Outbox.SettleOutbox(ctx, results)
}

func (s *recStore) DeadOutbox(ctx context.Context, q store.DeadOutboxQuery) ([]store.OutboxItem, error) {
	if err := s.failing("dead"); err != nil {
		return nil, err
	}
	return s.Outbox.DeadOutbox(ctx, q)
}

func (s *recStore) ReviveOutbox(ctx context.Context, kind string, ids []int64, now int64) (int, error) {
	if err := s.failing("revive"); err != nil {
		return 0, err
	}
	return s.Outbox.ReviveOutbox(ctx, kind, ids, now)
}

func (s *recStore) OutboxStats(ctx context.Context) ([]store.OutboxStats, error) {
	if err := s.failing("stats"); err != nil {
		return nil, err
	}
	return s.Outbox.OutboxStats(ctx)
}
