package outbox

import (
	"cmp"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilhq/vigil/internal/promtest"
	"github.com/vigilhq/vigil/internal/store"
)

// deadKinds are the kinds of the dead letters newDeadFixture makes, in id
// order.
var deadKinds = []string{"a", "b", "a", "b", "a", "a", "a"}

// newDeadFixture returns a fixture whose kinds a and b refuse every item,
// and the dead letters of deadKinds that a step at t0 made.
func newDeadFixture(t *testing.T) (*fixture, map[string]*recorder, []store.OutboxItem) {
	t.Helper()
	f := newFixture(t)
	recs := map[string]*recorder{"a": f.register(f.p, "a", Policy{}, refuse), "b": f.register(f.p, "b", Policy{}, refuse)}
	for _, kind := range deadKinds {
		f.enqueue(store.OutboxItem{Kind: kind})
	}
	f.step(f.p, t0)
	all := f.dead("")
	if len(all) != len(deadKinds) {
		t.Fatalf("%d dead letters; want %d", len(all), len(deadKinds))
	}
	for _, rec := range recs {
		rec.take()
	}
	return f, recs, all
}

func ofKind(items []store.OutboxItem, kind string) []store.OutboxItem {
	return slices.DeleteFunc(slices.Clone(items), func(it store.OutboxItem) bool { return kind != "" && it.Kind != kind })
}

// TestDeadLetters: Dead lists the dead letters of a kind, or of every
// kind, in id order, page by page.
func TestDeadLetters(t *testing.T) {
	t.Parallel()
	f, _, all := newDeadFixture(t)
	for i, it := range all {
		if it.Kind != deadKinds[i] || it.Attempts != 1 || it.LastError != errRefused.Error() || it.DeadAt != t0.UnixMilli() {
			t.Errorf("dead letter %d = %+v; want of kind %s, 1 attempt, error %q, dead at %d", i, it, deadKinds[i], errRefused, t0.UnixMilli())
		}
	}
	if !slices.IsSorted(ids(all)) {
		t.Errorf("dead letters in order %v; want by id", ids(all))
	}
	cases := []struct {
		kind  string
		limit int
	}{{"a", 2}, {"b", 1}, {"", 3}, {"a", 0}, {"c", 2}}
	for _, c := range cases {
		var got []int64
		after := int64(0)
		for page := 0; ; page++ {
			items, err := f.p.Dead(f.ctx, c.kind, after, c.limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) == 0 {
				break
			}
			if (c.limit > 0 && len(items) > c.limit) || page > len(all) {
				t.Fatalf("Dead(%q, %d, %d) = %d items", c.kind, after, c.limit, len(items))
			}
			got = append(got, ids(items)...)
			after = items[len(items)-1].ID
		}
		if want := ids(ofKind(all, c.kind)); !slices.Equal(got, want) {
			t.Errorf("dead letters of %q in pages of %d = %v; want %v", c.kind, c.limit, got, want)
		}
	}
}

// TestRetryDead: RetryDead makes dead letters, of ids or of a kind,
// pending again, due now with no attempts, and kicks a step, which
// delivers them.
func TestRetryDead(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		kind string
		ids  func(all []store.OutboxItem) []int64
		want func(all []store.OutboxItem) []store.OutboxItem
	}{
		{"by ids", "", func(all []store.OutboxItem) []int64 { return ids(all[:2]) },
			func(all []store.OutboxItem) []store.OutboxItem { return all[:2] }},
		{"by ids, whatever the kind", "b", func(all []store.OutboxItem) []int64 { return ids(all[4:5]) },
			func(all []store.OutboxItem) []store.OutboxItem { return all[4:5] }},
		{"by kind", "b", nil, func(all []store.OutboxItem) []store.OutboxItem { return ofKind(all, "b") }},
		{"every kind", "", nil, func(all []store.OutboxItem) []store.OutboxItem { return all }},
		{"unknown id", "", func([]store.OutboxItem) []int64 { return []int64{1 << 40} }, func([]store.OutboxItem) []store.OutboxItem { return nil }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f, recs, all := newDeadFixture(t)
			var sel []int64
			if c.ids != nil {
				sel = c.ids(all)
			}
			want := ids(c.want(all))
			f.clock.Advance(time.Minute)
			revived := f.clock.Now()
			n, err := f.p.RetryDead(f.ctx, c.kind, sel)
			if err != nil || n != len(want) {
				t.Fatalf("RetryDead(%q, %v) = %d, %v; want %d", c.kind, sel, n, err, len(want))
			}
			if k, wantKicks := f.kicks.Load(), min(n, 1); k != int64(wantKicks) {
				t.Errorf("RetryDead of %d kicked %d times; want %d", n, k, wantKicks)
			}
			left := slices.DeleteFunc(slices.Clone(all), func(it store.OutboxItem) bool { return slices.Contains(want, it.ID) })
			if got := f.dead(""); !slices.Equal(ids(got), ids(left)) {
				t.Errorf("dead letters left = %v; want %v", ids(got), ids(left))
			}

			for _, rec := range recs {
				rec.set(nil)
			}
			delivered := func(now time.Time) []store.OutboxItem {
				f.step(f.p, now)
				var out []store.OutboxItem
				for _, kind := range slices.Sorted(maps.Keys(recs)) {
					out = append(out, recs[kind].take()...)
				}
				slices.SortFunc(out, func(a, b store.OutboxItem) int { return cmp.Compare(a.ID, b.ID) })
				return out
			}
			if early := delivered(revived.Add(-time.Millisecond)); len(early) != 0 {
				t.Errorf("revived items delivered before they were revived: %v", ids(early))
			}
			got := delivered(revived)
			if !slices.Equal(ids(got), want) {
				t.Errorf("delivered %v after RetryDead; want %v", ids(got), want)
			}
			for _, it := range got {
				if it.Attempts != 0 || it.Created != revived.UnixMilli() || it.DeadAt != 0 {
					t.Errorf("revived item = %+v; want no attempts, created at %d", it, revived.UnixMilli())
				}
			}
		})
	}
}

// TestHealth: the health summary counts each kind's items and is degraded
// by dead letters and items of kinds nobody registered.
func TestHealth(t *testing.T) {
	t.Parallel()
	type item struct {
		kind, target string
		due          time.Duration
	}
	cases := []struct {
		name       string
		items      []item
		wantStatus string
		wantKinds  map[string]KindHealth
	}{
		{"nothing", nil, "ok", map[string]KindHealth{"a": {Registered: true}}},
		{"delivered", []item{{"a", "ok", 0}}, "ok", map[string]KindHealth{"a": {Registered: true}}},
		{"retrying", []item{{"a", "ok", 0}, {"a", "fail", 0}, {"a", "fail", 0}}, "ok",
			map[string]KindHealth{"a": {Pending: 2, Retrying: 2, OldestPendingSeconds: 90, Registered: true}}},
		{"not due yet", []item{{"a", "ok", time.Hour}}, "ok",
			map[string]KindHealth{"a": {Pending: 1, OldestPendingSeconds: 90, Registered: true}}},
		{"dead letter", []item{{"a", "refuse", 0}, {"a", "ok", 0}}, "degraded",
			map[string]KindHealth{"a": {Dead: 1, Registered: true}}},
		{"unregistered kind", []item{{"z", "ok", 0}}, "degraded",
			map[string]KindHealth{"a": {Registered: true}, "z": {Pending: 1, OldestPendingSeconds: 90}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.register(f.p, "a", Policy{}, byTarget)
			if h := f.p.Health(f.ctx); h.LastStep != nil {
				t.Errorf("LastStep = %v before any step", h.LastStep)
			}
			for _, it := range c.items {
				f.enqueue(store.OutboxItem{Kind: it.kind, Target: it.target, Created: t0.UnixMilli(), NextAttempt: t0.Add(it.due).UnixMilli()})
			}
			f.step(f.p, t0)
			f.clock.Advance(90 * time.Second)
			h := f.p.Health(f.ctx)
			if h.Status != c.wantStatus || h.LastError != "" || h.LastStep == nil || !h.LastStep.Equal(t0) {
				t.Errorf("health = %s, last step %v, error %q; want %s, last step at t0, no error", h.Status, h.LastStep, h.LastError, c.wantStatus)
			}
			if !maps.Equal(h.Kinds, c.wantKinds) {
				t.Errorf("kinds = %+v; want %+v", h.Kinds, c.wantKinds)
			}
		})
	}
}

var errBoom = errors.New("boom")

// TestHealthLastStep: a step that cannot read the outbox fails, and the
// health summary is degraded until a step succeeds.
func TestHealthLastStep(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.register(f.p, "a", Policy{}, nil)
	f.store.setFail("claim", errBoom)
	if err := f.p.Step(f.ctx, t0); !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "a items") {
		t.Errorf("Step = %v; want the store's error, for kind a", err)
	}
	if h := f.p.Health(f.ctx); h.Status != "degraded" || !strings.Contains(h.LastError, errBoom.Error()) || h.LastStep == nil || !h.LastStep.Equal(t0) {
		t.Errorf("health after a failed step = %+v; want degraded, with its error", h)
	}
	f.store.setFail("claim", nil)
	f.step(f.p, t0.Add(time.Second))
	if h := f.p.Health(f.ctx); h.Status != "ok" || h.LastError != "" || h.LastStep == nil || !h.LastStep.Equal(t0.Add(time.Second)) {
		t.Errorf("health after a good step = %+v; want ok", h)
	}
}

// TestStoreErrors: the store's errors come out of every method.
func TestStoreErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		method string
		call   func(f *fixture) error
	}{
		{"claim", func(f *fixture) error { return f.p.Step(f.ctx, t0) }},
		{"settle", func(f *fixture) error { return f.p.Step(f.ctx, t0) }},
		{"dead", func(f *fixture) error { _, err := f.p.Dead(f.ctx, "", 0, 0); return err }},
		{"revive", func(f *fixture) error {
			n, err := f.p.RetryDead(f.ctx, "", nil)
			if n != 0 || f.kicks.Load() != 0 {
				f.t.Errorf("failed RetryDead = %d, kicked %d times; want 0, no kick", n, f.kicks.Load())
			}
			return err
		}},
		{"stats", func(f *fixture) error {
			h := f.p.Health(f.ctx)
			if h.Status != "degraded" || !strings.HasPrefix(h.LastError, "cannot count the outbox") {
				f.t.Errorf("health = %+v; want degraded, unable to count", h)
			}
			return errors.New(h.LastError)
		}},
	}
	for _, c := range cases {
		t.Run(c.method, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.register(f.p, "a", Policy{}, nil)
			f.enqueue(store.OutboxItem{Kind: "a"})
			f.store.setFail(c.method, errBoom)
			if err := c.call(f); err == nil || !strings.Contains(err.Error(), errBoom.Error()) {
				t.Errorf("error = %v; want the store's", err)
			}
		})
	}
}

// metricValue returns the value of a counter or gauge of kind.
func metricValue(t *testing.T, reg *prometheus.Registry, name, kind string) (float64, bool) {
	t.Helper()
	return promtest.Value(t, reg, name, "kind", kind)
}

// TestMetrics: the outbox counts outcomes by kind, and gauges what is
// pending and dead.
func TestMetrics(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.register(f.p, "a", Policy{MinBackoff: time.Second}, byTarget)
	f.enqueue(store.OutboxItem{Kind: "a", Target: "ok"}, store.OutboxItem{Kind: "a", Target: "ok"},
		store.OutboxItem{Kind: "a", Target: "fail"}, store.OutboxItem{Kind: "a", Target: "refuse"}, store.OutboxItem{Kind: "z"})
	f.step(f.p, t0)
	f.clock.Advance(30 * time.Second)
	f.step(f.p, f.clock.Now()) // the failing item fails again
	type want struct {
		name, kind string
		value      float64
	}
	for _, w := range []want{
		{"vigil_outbox_delivered_total", "a", 2},
		{"vigil_outbox_retried_total", "a", 2},
		{"vigil_outbox_dead_total", "a", 1},
		{"vigil_outbox_pending", "a", 1},
		{"vigil_outbox_dead", "a", 1},
		{"vigil_outbox_oldest_pending_seconds", "a", 30},
		{"vigil_outbox_pending", "z", 1},
		{"vigil_outbox_dead", "z", 0},
		{"vigil_outbox_oldest_pending_seconds", "z", 30},
	} {
		if got, ok := metricValue(t, f.reg, w.name, w.kind); !ok || got != w.value {
			t.Errorf("%s{kind=%q} = %v (present: %v); want %v", w.name, w.kind, got, ok, w.value)
		}
	}
}
