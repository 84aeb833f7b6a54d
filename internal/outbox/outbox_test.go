package outbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// TestDeliver: a step hands each due item to its kind's deliverer with
// what it was enqueued with, removes it once delivered, and keys it by
// kind and id.
func TestDeliver(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	recs := map[string]*recorder{
		"a": f.register(f.p, "a", Policy{}, nil),
		"b": f.register(f.p, "b", Policy{}, nil),
	}
	in := []store.OutboxItem{
		{Kind: "a", Version: 1, Account: "111111111111", Region: "us-east-1", Target: "arn:one", Payload: []byte("one")},
		{Kind: "b", Version: 3, Account: "222222222222", Region: "eu-west-1", Target: "Namespace", Payload: []byte{0, 1, 2, 255}},
		{Kind: "a", Version: 2, Account: "111111111111", Region: "us-west-2", Target: "arn:two", Payload: []byte("two")},
	}
	f.enqueue(slices.Clone(in)...)
	f.step(f.p, t0)

	keys := map[string]bool{}
	for kind, rec := range recs {
		var want []store.OutboxItem
		for _, it := range in {
			if it.Kind == kind {
				want = append(want, it)
			}
		}
		got := rec.take()
		if len(got) != len(want) {
			t.Fatalf("%s deliverer got %d items; want %d", kind, len(got), len(want))
		}
		// Order is kept per target only: targets are delivered to
		// concurrently.
		byTarget := func(a, b store.OutboxItem) int { return strings.Compare(a.Target, b.Target) }
		slices.SortStableFunc(got, byTarget)
		slices.SortStableFunc(want, byTarget)
		for i, g := range got {
			w := want[i]
			if g.Kind != w.Kind || g.Version != w.Version || g.Account != w.Account || g.Region != w.Region || g.Target != w.Target ||
				!bytes.Equal(g.Payload, w.Payload) || g.Attempts != 0 || g.Created != t0.UnixMilli() {
				t.Errorf("%s deliverer got %+v; want %+v", kind, g, w)
			}
			key := IdempotencyKey(g)
			if want := kind + "/" + strconv.FormatInt(g.ID, 10); key != want {
				t.Errorf("IdempotencyKey = %q; want %q", key, want)
			}
			if keys[key] {
				t.Errorf("IdempotencyKey %q given to two items", key)
			}
			keys[key] = true
		}
	}
	// Delivered items are gone: nothing is delivered again.
	f.step(f.p, t0.Add(time.Hour))
	for kind, rec := range recs {
		if n := rec.count(); n != 0 {
			t.Errorf("%s deliverer got %d items again", kind, n)
		}
		if h := f.kindHealth(kind); h != (KindHealth{Registered: true}) {
			t.Errorf("health of %s after delivery = %+v; want nothing pending", kind, h)
		}
	}
}

// TestKick: Kick calls Notify, and does nothing without one.
func TestKick(t *testing.T) {
	t.Parallel()
	kicks := 0
	p := New(Options{Notify: func() { kicks++ }})
	p.Kick()
	p.Kick()
	if kicks != 2 {
		t.Errorf("Notify called %d times after 2 kicks; want 2", kicks)
	}
	New(Options{}).Kick()
}

// TestRetryBackoff: a failed delivery is retried after MinBackoff,
// doubling after each failure up to MaxBackoff, less the jitter drawn by
// Rand; it is not due before, it is due then, and it carries its attempts,
// its last error and the same idempotency key.
func TestRetryBackoff(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	rec := f.register(f.p, "k", Policy{MinBackoff: time.Second, MaxBackoff: 10 * time.Second, Jitter: 0.5},
		func(_ context.Context, it store.OutboxItem) error { return fmt.Errorf("failure %d", it.Attempts+1) })
	f.enqueue(store.OutboxItem{Kind: "k"})

	// Rand draws 0.5 and Jitter is 0.5: each wait loses a quarter.
	waits := []time.Duration{750 * time.Millisecond, 1500 * time.Millisecond, 3 * time.Second, 6 * time.Second, 7500 * time.Millisecond, 7500 * time.Millisecond}
	now := t0
	var key string
	for i, wait := range waits {
		f.step(f.p, now)
		got := rec.take()
		if len(got) != 1 {
			t.Fatalf("attempt %d at %v: deliverer got %d items; want 1", i+1, now.Sub(t0), len(got))
		}
		it := got[0]
		if it.Attempts != i {
			t.Errorf("attempt %d: Attempts = %d; want %d", i+1, it.Attempts, i)
		}
		if want := fmt.Sprintf("failure %d", i); i > 0 && it.LastError != want {
			t.Errorf("attempt %d: LastError = %q; want %q", i+1, it.LastError, want)
		}
		if i == 0 {
			key = IdempotencyKey(it)
		} else if k := IdempotencyKey(it); k != key {
			t.Errorf("attempt %d: IdempotencyKey = %q; want %q as at the first", i+1, k, key)
		}
		next := now.Add(wait)
		f.step(f.p, next.Add(-time.Millisecond))
		if n := rec.count(); n != 0 {
			t.Fatalf("after failure %d: attempted again %v later; want not before %v", i+1, wait-time.Millisecond, wait)
		}
		now = next
	}
	if h := f.kindHealth("k"); h.Pending != 1 || h.Retrying != 1 || h.Dead != 0 {
		t.Errorf("health = %+v; want 1 pending, retrying", h)
	}
}

// refusal is a permanent error of another package.
type refusal struct{ permanent bool }

func (r refusal) Error() string   { return "refusal" }
func (r refusal) Permanent() bool { return r.permanent }

// TestGiveUp: an item is kept as a dead letter once its kind's maximum
// attempts are spent, once an attempt fails MaxAge after it was enqueued,
// or at once after a permanent error.
func TestGiveUp(t *testing.T) {
	t.Parallel()
	// With the default Jitter (0.2) and Rand 0.5, MinBackoff 4s waits 3.6s
	// then 7.2s: the third attempt fails 10.8s after the item was enqueued.
	ageing := Policy{MinBackoff: 4 * time.Second, MaxBackoff: time.Hour}
	withMaxAge := func(d time.Duration) Policy { p := ageing; p.MaxAge = d; return p }
	cases := []struct {
		name         string
		policy       Policy
		deliver      func(context.Context, store.OutboxItem) error
		wantAttempts int
		wantError    string
	}{
		{"max attempts", Policy{MinBackoff: time.Second, MaxAttempts: 3}, fail, 3, errFailed.Error()},
		{"max age reached", withMaxAge(10800 * time.Millisecond), fail, 3, errFailed.Error()},
		{"max age not quite reached", withMaxAge(10801 * time.Millisecond), fail, 4, errFailed.Error()},
		{"permanent error", Policy{MaxAttempts: 5}, refuse, 1, errRefused.Error()},
		{"wrapped permanent error", Policy{}, func(context.Context, store.OutboxItem) error {
			return fmt.Errorf("put: %w", Permanent(errRefused))
		}, 1, "put: refused"},
		{"permanent error of another package", Policy{}, func(context.Context, store.OutboxItem) error {
			return refusal{permanent: true}
		}, 1, "refusal"},
		{"timeouts", Policy{Timeout: time.Millisecond, MaxAttempts: 2}, func(ctx context.Context, _ store.OutboxItem) error {
			<-ctx.Done()
			return ctx.Err()
		}, 2, context.DeadlineExceeded.Error()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			rec := f.register(f.p, "k", c.policy, c.deliver)
			f.enqueue(store.OutboxItem{Kind: "k"})
			now := t0
			for attempt := 1; ; attempt++ {
				f.step(f.p, now)
				rs := f.store.lastSettle()
				if len(rs) != 1 {
					t.Fatalf("attempt %d settled %+v; want one result", attempt, rs)
				}
				r := rs[0]
				if r.Outcome == store.Dead {
					if attempt != c.wantAttempts || r.At != now.UnixMilli() {
						t.Fatalf("given up at attempt %d, at %d; want attempt %d, at %d", attempt, r.At, c.wantAttempts, now.UnixMilli())
					}
					break
				}
				if r.Outcome != store.Retry || attempt >= c.wantAttempts {
					t.Fatalf("attempt %d settled %+v; want it given up at attempt %d", attempt, r, c.wantAttempts)
				}
				now = time.UnixMilli(r.Next)
			}
			dead := f.dead("k")
			if len(dead) != 1 || dead[0].Attempts != c.wantAttempts || dead[0].LastError != c.wantError || dead[0].DeadAt != now.UnixMilli() {
				t.Fatalf("dead letters = %+v; want one of %d attempts, error %q, dead at %d", dead, c.wantAttempts, c.wantError, now.UnixMilli())
			}
			// A dead letter is not attempted again.
			rec.take()
			f.step(f.p, now.Add(48*time.Hour))
			if n := rec.count(); n != 0 {
				t.Errorf("dead letter attempted %d times", n)
			}
		})
	}
}

// TestPanic: a deliverer's panic makes its item a dead letter at once;
// the rest of the batch is delivered.
func TestPanic(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	rec := f.register(f.p, "k", Policy{MaxAttempts: 5}, func(_ context.Context, it store.OutboxItem) error {
		if it.Target == "panic" {
			panic("boom")
		}
		return nil
	})
	f.enqueue(store.OutboxItem{Kind: "k", Target: "ok"}, store.OutboxItem{Kind: "k", Target: "panic"}, store.OutboxItem{Kind: "k", Target: "ok"})
	f.step(f.p, t0)
	if n := rec.count(); n != 3 {
		t.Errorf("deliverer got %d items; want 3", n)
	}
	dead := f.dead("k")
	if len(dead) != 1 || dead[0].Target != "panic" || dead[0].Attempts != 1 ||
		!strings.Contains(dead[0].LastError, "panic") || !strings.Contains(dead[0].LastError, "boom") {
		t.Errorf("dead letters = %+v; want the panicking item, after 1 attempt, with the panic as error", dead)
	}
	if h := f.kindHealth("k"); h.Pending != 0 || h.Dead != 1 {
		t.Errorf("health = %+v; want the others delivered", h)
	}
}

// TestBatching: a step delivers up to maxBatchesPerStep batches of each
// kind, and kicks for another step when a kind has more; a backlog of one
// kind does not hold the others up.
func TestBatching(t *testing.T) {
	t.Parallel()
	const batch = 4
	perStep := batch * maxBatchesPerStep
	cases := []struct {
		name      string
		items     int
		wantFirst int
		wantKick  bool
	}{
		{"less than a batch", batch - 1, batch - 1, false},
		{"more than a batch", batch + 1, batch + 1, false},
		{"almost a step's worth", perStep - 1, perStep - 1, false},
		{"more than a step's worth", perStep + 5, perStep, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			a := f.register(f.p, "a", Policy{Batch: batch}, nil)
			b := f.register(f.p, "b", Policy{Batch: batch}, nil)
			f.enqueueN("a", "backlog", c.items)
			f.enqueueN("b", "other", 1)

			f.step(f.p, t0)
			first := ids(a.take())
			if len(first) != c.wantFirst || !slices.IsSorted(first) {
				t.Errorf("first step delivered %d items of a (ids %v); want %d, oldest first", len(first), first, c.wantFirst)
			}
			if n := b.count(); n != 1 {
				t.Errorf("first step delivered %d items of b; want 1", n)
			}
			wantKicks := int64(0)
			if c.wantKick {
				wantKicks = 1
			}
			if n := f.kicks.Load(); n != wantKicks {
				t.Errorf("first step kicked %d times; want %d", n, wantKicks)
			}

			f.step(f.p, t0)
			rest := ids(a.take())
			if len(rest) != c.items-c.wantFirst {
				t.Errorf("second step delivered %d items of a; want %d", len(rest), c.items-c.wantFirst)
			}
			if n := f.kicks.Load(); n != wantKicks {
				t.Errorf("second step kicked; kicks = %d, want still %d", n, wantKicks)
			}
			all := slices.Concat(first, rest)
			slices.Sort(all)
			if len(slices.Compact(all)) != c.items {
				t.Errorf("items delivered twice: %v then %v", first, rest)
			}
		})
	}
}

// TestCancel: a step whose ctx ends mid-batch gives the items it did not
// attempt back, and the one whose attempt the end interrupted: they are
// due again at once, with no attempt counted.
func TestCancel(t *testing.T) {
	t.Parallel()
	for _, batch := range []int{4, 10} { // the items fill the batch, or not
		t.Run("batch "+strconv.Itoa(batch), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			ctx, cancel := context.WithCancel(f.ctx)
			defer cancel()
			// One target: its items are attempted one after another.
			rec := f.register(f.p, "k", Policy{Batch: batch}, func(dctx context.Context, it store.OutboxItem) error {
				if string(it.Payload) == "stop" {
					cancel()
					return dctx.Err()
				}
				return nil
			})
			f.enqueue(store.OutboxItem{Kind: "k", Target: "t", Payload: []byte("ok")}, store.OutboxItem{Kind: "k", Target: "t", Payload: []byte("stop")},
				store.OutboxItem{Kind: "k", Target: "t", Payload: []byte("ok")}, store.OutboxItem{Kind: "k", Target: "t", Payload: []byte("ok")})
			if err := f.p.Step(ctx, t0); err != nil {
				t.Errorf("cancelled step = %v; want nil (stopped, not failed)", err)
			}
			first := rec.take()
			if len(first) != 2 || string(first[0].Payload) != "ok" || string(first[1].Payload) != "stop" {
				t.Fatalf("cancelled step attempted %+v; want the first two items", first)
			}
			var outcomes []store.Outcome
			for _, r := range f.store.lastSettle() {
				outcomes = append(outcomes, r.Outcome)
			}
			if want := []store.Outcome{store.Delivered, store.Release, store.Release, store.Release}; !slices.Equal(outcomes, want) {
				t.Errorf("cancelled step settled %v; want %v", outcomes, want)
			}
			if h := f.kindHealth("k"); h.Pending != 3 || h.Retrying != 0 {
				t.Errorf("health after the cancelled step = %+v; want 3 pending, none retrying", h)
			}

			rec.set(nil)
			f.step(f.p, t0)
			again := rec.take()
			if want := ids(first[1:]); len(again) != 3 || again[0].ID != want[0] {
				t.Fatalf("next step delivered %v; want the 3 left, from %v", ids(again), want)
			}
			for _, it := range again {
				if it.Attempts != 0 {
					t.Errorf("item %d: Attempts = %d after a release; want 0", it.ID, it.Attempts)
				}
			}
		})
	}
}

// TestCancelNoKick: a step that its ctx ended does not kick for another,
// even when it stopped with items left.
func TestCancelNoKick(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	delivered := 0
	f.register(f.p, "k", Policy{Batch: 1}, func(context.Context, store.OutboxItem) error {
		if delivered++; delivered == maxBatchesPerStep {
			cancel() // during the step's last batch, which is full
		}
		return nil
	})
	f.enqueueN("k", "t", maxBatchesPerStep+1)
	if err := f.p.Step(ctx, t0); err != nil {
		t.Logf("cancelled step: %v", err)
	}
	if delivered != maxBatchesPerStep || f.kicks.Load() != 0 {
		t.Errorf("cancelled step delivered %d items and kicked %d times; want %d, no kick", delivered, f.kicks.Load(), maxBatchesPerStep)
	}
}

// TestHalfLease: a batch stops delivering once half its lease has passed
// and gives the rest back, which the step claims again.
func TestHalfLease(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// One target, so the batch delivers its items in order: the first
	// takes more than half the lease.
	first := true
	rec := f.register(f.p, "k", Policy{Batch: 3, Lease: 10 * time.Minute}, func(context.Context, store.OutboxItem) error {
		if first {
			first = false
			f.clock.Advance(6 * time.Minute)
		}
		return nil
	})
	f.enqueueN("k", "t", 3)
	f.step(f.p, t0)
	var got [][]store.Outcome
	for _, rs := range f.store.takeSettles() {
		var os []store.Outcome
		for _, r := range rs {
			os = append(os, r.Outcome)
		}
		got = append(got, os)
	}
	want := [][]store.Outcome{{store.Delivered, store.Release, store.Release}, {store.Delivered, store.Delivered}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("settlements = %v; want %v", got, want)
	}
	if n := rec.count(); n != 3 {
		t.Errorf("deliverer got %d items; want 3", n)
	}
}

// TestClaimsConcurrent: two nodes stepping at once, round after round,
// deliver every item exactly once.
func TestClaimsConcurrent(t *testing.T) {
	t.Parallel()
	const items = 300
	f := newFixture(t)
	var mu sync.Mutex
	deliveries := map[int64]int{}
	byNode := make([]int, 2)
	nodes := []*Processor{f.p, f.newProcessor(nil)}
	for i, p := range nodes {
		p.Register("k", DelivererFunc(func(_ context.Context, it store.OutboxItem) error {
			mu.Lock()
			defer mu.Unlock()
			deliveries[it.ID]++
			byNode[i]++
			return nil
		}), Policy{Batch: 7})
	}
	f.enqueueN("k", "t", items)
	for round := 0; round < 20; round++ {
		var wg sync.WaitGroup
		for _, p := range nodes {
			wg.Go(func() {
				if err := p.Step(f.ctx, t0); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if f.kindHealth("k").Pending == 0 {
			break
		}
	}
	if len(deliveries) != items {
		t.Errorf("%d items delivered; want %d", len(deliveries), items)
	}
	for id, n := range deliveries {
		if n != 1 {
			t.Errorf("item %d delivered %d times", id, n)
		}
	}
	// Which node delivers how many is up to the race: both claim the
	// oldest items first, and a node whose claim the other beat ends its
	// step.
	t.Logf("deliveries by node: %v", byNode)
}

// TestClaimsLease: a node does not take the items another node claimed
// until the lease ends; then it does, and the other's late settlement
// does not bring a delivered item back.
func TestClaimsLease(t *testing.T) {
	t.Parallel()
	const lease = time.Minute
	cases := []struct {
		name      string
		otherAt   time.Duration // when the other node steps, during the first's attempt
		firstErr  error         // the first node's outcome
		wantOther int
		want      KindHealth
	}{
		{"claimed", 0, nil, 0, KindHealth{Registered: true}},
		{"claimed until the lease ends", lease - time.Millisecond, errFailed, 0, KindHealth{Pending: 1, Retrying: 1, Registered: true}},
		{"lease ended", lease, errFailed, 1, KindHealth{Registered: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			other := f.newProcessor(nil)
			otherRec := f.register(other, "k", Policy{Lease: lease}, nil)
			f.register(f.p, "k", Policy{Lease: lease}, func(context.Context, store.OutboxItem) error {
				f.step(other, t0.Add(c.otherAt))
				return c.firstErr
			})
			f.enqueue(store.OutboxItem{Kind: "k"})
			f.step(f.p, t0)
			if n := otherRec.count(); n != c.wantOther {
				t.Errorf("the other node delivered %d items; want %d", n, c.wantOther)
			}
			if h := f.kindHealth("k"); h != c.want {
				t.Errorf("health = %+v; want %+v", h, c.want)
			}
		})
	}
}

// TestLateStepClaimsFromTheClock: a step that runs late (its time is a
// lease behind the clock) claims its items from the clock's present, so
// that another node cannot take them while it delivers.
func TestLateStepClaimsFromTheClock(t *testing.T) {
	t.Parallel()
	const lease = time.Minute
	f := newFixture(t)
	other := f.newProcessor(nil)
	otherRec := f.register(other, "k", Policy{Lease: lease}, nil)
	rec := f.register(f.p, "k", Policy{Lease: lease}, func(context.Context, store.OutboxItem) error {
		f.step(other, t0.Add(2*lease-time.Millisecond))
		return nil
	})
	f.enqueue(store.OutboxItem{Kind: "k"})
	f.clock.Set(t0.Add(lease))
	f.step(f.p, t0)
	if n := rec.count(); n != 1 {
		t.Errorf("the late step delivered %d items; want 1", n)
	}
	if n := otherRec.count(); n != 0 {
		t.Errorf("the other node delivered %d items claimed by a late step; want 0", n)
	}
}

// TestRegisterTwice: registering a kind twice panics.
func TestRegisterTwice(t *testing.T) {
	t.Parallel()
	p := New(Options{})
	p.Register("k", &recorder{}, Policy{})
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(fmt.Sprint(r), `"k"`) {
			t.Errorf("second Register recovered %v; want a panic naming the kind", r)
		}
	}()
	p.Register("k", &recorder{}, Policy{Batch: 1})
}

// TestPermanent: Permanent marks errors that IsPermanent recognizes,
// wrapped or not, and those of types with a Permanent method.
func TestPermanent(t *testing.T) {
	t.Parallel()
	if err := Permanent(nil); err != nil {
		t.Errorf("Permanent(nil) = %v; want nil", err)
	}
	p := Permanent(errRefused)
	if !errors.Is(p, errRefused) || p.Error() != errRefused.Error() {
		t.Errorf("Permanent(%v) = %v, which does not wrap it", errRefused, p)
	}
	cases := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errFailed, false},
		{p, true},
		{fmt.Errorf("put: %w", p), true},
		{refusal{permanent: true}, true},
		{fmt.Errorf("put: %w", refusal{permanent: true}), true},
		{refusal{permanent: false}, false},
	}
	for _, c := range cases {
		if got := IsPermanent(c.err); got != c.want {
			t.Errorf("IsPermanent(%v) = %v; want %v", c.err, got, c.want)
		}
	}
}

// TestBackoff: the wait after a failure.
func TestBackoff(t *testing.T) {
	t.Parallel()
	p := Policy{MinBackoff: time.Second, MaxBackoff: 10 * time.Second, Jitter: 0.5}
	huge := Policy{MinBackoff: 1 << 62, MaxBackoff: math.MaxInt64, Jitter: 0.5}
	cases := []struct {
		p        Policy
		attempts int
		r        float64
		want     time.Duration
	}{
		{p, 1, 0, time.Second},
		{p, 2, 0, 2 * time.Second},
		{p, 4, 0, 8 * time.Second},
		{p, 5, 0, 10 * time.Second},
		{p, 1, 0.5, 750 * time.Millisecond},
		{p, 5, 0.5, 7500 * time.Millisecond},
		{p, 3, 0.75, 2500 * time.Millisecond},
		{p, 64, 0, 10 * time.Second},
		{p, 1000, 0, 10 * time.Second},
		{huge, 1, 0, 1 << 62},
		{huge, 2, 0, math.MaxInt64}, // MinBackoff doubled overflows
	}
	for _, c := range cases {
		if got := c.p.backoff(c.attempts, c.r); got != c.want {
			t.Errorf("backoff(%d, %v) of %+v = %v; want %v", c.attempts, c.r, c.p, got, c.want)
		}
	}
}

// TestPolicyDefaults: zero (and invalid) fields take the default's.
func TestPolicyDefaults(t *testing.T) {
	t.Parallel()
	with := func(change func(*Policy)) Policy { p := DefaultPolicy; change(&p); return p }
	custom := Policy{MinBackoff: 2 * time.Second, MaxBackoff: time.Minute, Jitter: 1, MaxAttempts: 7, MaxAge: time.Hour,
		Timeout: time.Second, Batch: 3, Lease: time.Minute}
	cases := []struct {
		name string
		in   Policy
		want Policy
	}{
		{"zero", Policy{}, DefaultPolicy},
		{"custom", custom, custom},
		{"jitter above 1", Policy{Jitter: 1.5}, DefaultPolicy},
		{"negative", Policy{MinBackoff: -1, Batch: -1, Timeout: -1}, DefaultPolicy},
		{"min above the default max", Policy{MinBackoff: 10 * time.Minute}, with(func(p *Policy) {
			p.MinBackoff, p.MaxBackoff = 10*time.Minute, 10*time.Minute
		})},
		{"max attempts", Policy{MaxAttempts: 2}, with(func(p *Policy) { p.MaxAttempts = 2 })},
	}
	for _, c := range cases {
		if got := c.in.withDefaults(); got != c.want {
			t.Errorf("%s: withDefaults() = %+v; want %+v", c.name, got, c.want)
		}
	}
}

// TestTargetsAtOnce: a batch delivers to different targets at once, and
// to one target in the order of its items.
func TestTargetsAtOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const targets, each = 4, 5
	var (
		mu      sync.Mutex
		order   = map[string][]string{}
		waiting atomic.Int32
		release = make(chan struct{})
	)
	f.register(f.p, "k", Policy{Batch: targets * each}, func(_ context.Context, it store.OutboxItem) error {
		// The first item of each target waits until every target has
		// one under way: they can only all get there at once.
		mu.Lock()
		first := len(order[it.Target]) == 0
		order[it.Target] = append(order[it.Target], string(it.Payload))
		mu.Unlock()
		if first && waiting.Add(1) == targets {
			close(release)
		}
		<-release
		return nil
	})
	var items []store.OutboxItem
	for i := range each {
		for tg := range targets {
			items = append(items, store.OutboxItem{Kind: "k", Target: strconv.Itoa(tg), Payload: []byte(strconv.Itoa(i))})
		}
	}
	f.enqueue(items...)
	f.step(f.p, t0)
	for tg := range targets {
		if got := order[strconv.Itoa(tg)]; !slices.Equal(got, []string{"0", "1", "2", "3", "4"}) {
			t.Errorf("target %d got its items in the order %v", tg, got)
		}
	}
}

// TestExhausted: a target's retry policy ends at its attempts or its
// age, whichever comes first, and at once for a permanent error.
func TestExhausted(t *testing.T) {
	created := t0.UnixMilli()
	for _, c := range []struct {
		attempts int
		err      error
		at       time.Time
		why      string
		over     bool
	}{
		{0, errors.New("down"), t0, "", false},
		{1, errors.New("down"), t0.Add(59 * time.Second), "", false},
		{2, errors.New("down"), t0, "MaximumRetryAttempts", true},
		{0, errors.New("down"), t0.Add(time.Minute), "MaximumEventAgeInSeconds", true},
		{0, Permanent(errors.New("gone")), t0, "", true},
	} {
		it := store.OutboxItem{Attempts: c.attempts, Created: created}
		if why, over := Exhausted(it, c.err, 3, time.Minute, c.at); why != c.why || over != c.over {
			t.Errorf("Exhausted(attempts %d, %v, at +%v) = %q, %v; want %q, %v", c.attempts, c.err, c.at.Sub(t0), why, over, c.why, c.over)
		}
	}
}
