// Package outbox makes every delivery Vigil owes once it has accepted a
// request — metric-filter data points, subscription payloads, and, as
// services come, notifications, event-bus targets and trail files — from
// one durable outbox (store.Outbox), at least once.
//
// The composition root registers a Deliverer and a retry Policy per item
// kind, and the scheduler calls Processor.Step every second (Kick asks for
// a step at once, after new items were enqueued). A step claims the due
// items of each kind under a lease, so that two nodes never make the same
// delivery at once, delivers them, and settles each: removed once
// delivered, retried with exponential backoff and jitter after a failure,
// or, past the kind's maximum attempts or age (or after a permanent
// error), kept as a dead letter — counted in Prometheus metrics and the
// health summary, listed by Dead and made pending again by RetryDead.
// Nothing accepted is dropped: an item leaves the outbox only when its
// deliverer reported success.
//
// Payloads are versioned: every item carries the version of its payload's
// encoding, and a deliverer decodes by it, so that a changed encoding
// never misreads the items already waiting; each kind pins its encodings
// with golden-byte tests beside its encoder.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/store"
)

// Deliverer makes the deliveries of one kind.
type Deliverer interface {
	// Deliver makes one delivery: nil once the target has it; an error for
	// which IsPermanent holds when retrying cannot help (a payload it
	// cannot decode, a target that refuses the data for good); any other
	// error to be retried. It decodes the payload by it.Version. A
	// retried delivery carries the same IdempotencyKey, which targets that
	// can deduplicate should use.
	Deliver(ctx context.Context, it store.OutboxItem) error
}

// BatchDeliverer is a Deliverer that can make several deliveries to some
// targets at once (one write for all of them, where the target is one of
// Vigil's own stores). The processor hands it the claimed items of such a
// target, in the order claimed, under one timeout; the items of other
// targets go one by one through Deliver, each under its own.
type BatchDeliverer interface {
	Deliverer
	// Batches reports whether the items to target may go in one
	// DeliverBatch call.
	Batches(target string) bool
	// DeliverBatch makes the deliveries of items, which share their
	// Target, and returns one outcome per item, as Deliver would.
	DeliverBatch(ctx context.Context, items []store.OutboxItem) []error
}

// Batched returns the BatchDeliverer of deliver, a function that makes
// the deliveries of a target's items at once, for the targets batches
// accepts; its Deliver calls deliver with one item.
func Batched(batches func(target string) bool, deliver func(ctx context.Context, items []store.OutboxItem) []error) BatchDeliverer {
	return batched{batches, deliver}
}

type batched struct {
	batches func(string) bool
	deliver func(context.Context, []store.OutboxItem) []error
}

func (b batched) Deliver(ctx context.Context, it store.OutboxItem) error {
	return b.deliver(ctx, []store.OutboxItem{it})[0]
}

func (b batched) Batches(target string) bool { return b.batches(target) }

func (b batched) DeliverBatch(ctx context.Context, items []store.OutboxItem) []error {
	return b.deliver(ctx, items)
}

// DelivererFunc adapts a function to Deliverer.
type DelivererFunc func(ctx context.Context, it store.OutboxItem) error

// Deliver calls f.
func (f DelivererFunc) Deliver(ctx context.Context, it store.OutboxItem) error { return f(ctx, it) }

// IdempotencyKey identifies a delivery across its attempts: the same for
// every retry of an item, different for every item.
func IdempotencyKey(it store.OutboxItem) string {
	return it.Kind + "/" + strconv.FormatInt(it.ID, 10)
}

// permanent marks an error that retrying cannot cure.
type permanent struct{ err error }

func (p permanent) Error() string   { return p.err.Error() }
func (p permanent) Unwrap() error   { return p.err }
func (p permanent) Permanent() bool { return true }

// Permanent marks err as one that retrying cannot cure: the item becomes a
// dead letter at once. It returns nil for nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

// IsPermanent reports whether err, or an error it wraps, has a method
// Permanent() bool that returns true. Packages that need not import this
// one mark their errors so (the dispatcher's refusals, for one).
func IsPermanent(err error) bool {
	var p interface{ Permanent() bool }
	return errors.As(err, &p) && p.Permanent()
}

// Exhausted tells whether an attempt at it that failed with err at now
// ends its retries under a target's own retry policy (AWS's
// MaximumRetryAttempts, counting the first attempt in maxAttempts, and
// MaximumEventAgeInSeconds), which services that send what is given up to
// a dead-letter queue apply: "" and false while it may be retried; true
// with the condition that ran out ("MaximumRetryAttempts" or
// "MaximumEventAgeInSeconds", "" for a permanent error) otherwise.
func Exhausted(it store.OutboxItem, err error, maxAttempts int, maxAge time.Duration, now time.Time) (string, bool) {
	switch {
	case IsPermanent(err):
		return "", true
	case it.Attempts+1 >= maxAttempts:
		return "MaximumRetryAttempts", true
	case now.Sub(time.UnixMilli(it.Created)) >= maxAge:
		return "MaximumEventAgeInSeconds", true
	}
	return "", false
}

// Policy says how a kind's deliveries are retried and when they are given
// up. Zero fields take the values of DefaultPolicy.
type Policy struct {
	// MinBackoff is the wait after the first failure; each failure after
	// it doubles the wait, up to MaxBackoff.
	MinBackoff, MaxBackoff time.Duration
	// Jitter is the fraction of each wait that is taken off at random
	// (0 < Jitter ≤ 1), so that items that failed together are not
	// retried together.
	Jitter float64
	// MaxAttempts gives an item up after that many failed attempts (0:
	// no limit but MaxAge).
	MaxAttempts int
	// MaxAge gives an item up when an attempt fails that long after it
	// was enqueued (every item is attempted at least once).
	MaxAge time.Duration
	// Timeout bounds one delivery.
	Timeout time.Duration
	// Batch is how many items a claim takes.
	Batch int
	// Lease is how long a claim keeps other nodes off its items; a step
	// stops delivering a batch when half of it has passed and gives the
	// rest back.
	Lease time.Duration
}

// DefaultPolicy is the policy of the fields a Policy leaves zero.
var DefaultPolicy = Policy{
	MinBackoff: time.Second,
	MaxBackoff: 5 * time.Minute,
	Jitter:     0.2,
	MaxAge:     24 * time.Hour,
	Timeout:    30 * time.Second,
	Batch:      64,
	Lease:      5 * time.Minute,
}

func (p Policy) withDefaults() Policy {
	d := DefaultPolicy
	set := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	set(&p.MinBackoff, d.MinBackoff)
	set(&p.MaxBackoff, d.MaxBackoff)
	p.MaxBackoff = max(p.MaxBackoff, p.MinBackoff)
	set(&p.MaxAge, d.MaxAge)
	set(&p.Timeout, d.Timeout)
	set(&p.Lease, d.Lease)
	if p.Jitter <= 0 || p.Jitter > 1 {
		p.Jitter = d.Jitter
	}
	if p.Batch <= 0 {
		p.Batch = d.Batch
	}
	return p
}

// backoff returns the wait after an item's attempts-th failure; r in
// [0, 1) draws the jitter.
func (p Policy) backoff(attempts int, r float64) time.Duration {
	d := p.MaxBackoff
	if shift := attempts - 1; shift < 40 && p.MinBackoff<<shift < p.MaxBackoff && p.MinBackoff<<shift > 0 {
		d = p.MinBackoff << shift
	}
	return d - time.Duration(float64(d)*p.Jitter*r)
}

// Options configure a Processor.
type Options struct {
	// Store keeps the items.
	Store store.Outbox
	// Clock tells the time for what a step does not get as an argument:
	// the deadline of a batch within a step, the ages of the health
	// summary, and RetryDead (clock.System{} when nil).
	Clock clock.Clock
	// Notify is what Kick calls: the scheduler's request to run the
	// outbox job now (nil: Kick does nothing, and new items wait for the
	// next step).
	Notify func()
	// Registerer receives the outbox's Prometheus metrics (none when nil).
	Registerer prometheus.Registerer
	// Logger logs failed deliveries and dead letters.
	Logger *slog.Logger
	// Rand draws the jitter of backoffs, in [0, 1) (math/rand/v2's
	// Float64 when nil).
	Rand func() float64
}

// kindState is a registered kind.
type kindState struct {
	name   string
	d      Deliverer
	policy Policy
}

// Processor makes the outbox's deliveries.
type Processor struct {
	opt Options
	m   *metrics

	mu    sync.Mutex // guards kinds and last
	kinds map[string]*kindState
	last  stepStatus

	step sync.Mutex // held by the running Step
}

// stepStatus is what the last step saw, for the health summary.
type stepStatus struct {
	at  time.Time
	err error
}

// New returns a processor with no kinds.
func New(opt Options) *Processor {
	if opt.Clock == nil {
		opt.Clock = clock.System{}
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Rand == nil {
		opt.Rand = rand.Float64
	}
	p := &Processor{opt: opt, kinds: map[string]*kindState{}}
	p.m = newMetrics(p)
	if opt.Registerer != nil {
		opt.Registerer.MustRegister(p.m)
	}
	return p
}

// Register makes d the deliverer of kind's items, retried by policy. A
// kind is registered once; items of kinds nobody registered stay pending
// (and are shown in the health summary).
func (p *Processor) Register(kind string, d Deliverer, policy Policy) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.kinds[kind]; ok {
		panic(fmt.Sprintf("BUG: outbox kind %q registered twice", kind))
	}
	p.kinds[kind] = &kindState{name: kind, d: d, policy: policy.withDefaults()}
}

// Kick asks for a step soon, after items were enqueued; it never blocks.
func (p *Processor) Kick() {
	if p.opt.Notify != nil {
		p.opt.Notify()
	}
}

// registered returns the registered kinds by name.
func (p *Processor) registered() []*kindState {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*kindState, 0, len(p.kinds))
	for _, k := range p.kinds {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b *kindState) int { return strings.Compare(a.name, b.name) })
	return out
}

// maxBatchesPerStep bounds the batches of one kind a step delivers, so
// that a backlog of one kind does not hold the others up; a step that
// stops short asks for another at once (Kick).
const maxBatchesPerStep = 16

// Step makes the deliveries of every registered kind due at now. Steps
// run one at a time; one that ends early (ctx ends) gives the claims it
// did not use back. It returns the errors of reading or settling the
// outbox; failed deliveries are not errors of the step (they are retried
// or kept as dead letters, logged and counted).
func (p *Processor) Step(ctx context.Context, now time.Time) error {
	p.step.Lock()
	defer p.step.Unlock()
	var errs []error
	more := false
	for _, k := range p.registered() {
		if ctx.Err() != nil {
			break // stopped, not failed
		}
		left, err := p.drain(ctx, k, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("cannot deliver %s items: %w", k.name, err))
		}
		more = more || left
	}
	err := errors.Join(errs...)
	p.mu.Lock()
	p.last = stepStatus{at: now, err: err}
	p.mu.Unlock()
	if more && ctx.Err() == nil {
		p.Kick()
	}
	return err
}

// maxParallel bounds the targets a batch delivers to at once.
const maxParallel = 16

// claim is a batch of a kind's items claimed, and when the claim is half
// over.
type claim struct {
	items    []store.OutboxItem
	deadline time.Time
	err      error
}

// claim claims up to a batch of a kind's items due at now.
func (p *Processor) claim(ctx context.Context, k *kindState, now time.Time) claim {
	// Items due at the step's time are claimed from the clock's present
	// (a step may run late, or a batch after a slow one): the claims last
	// until then+Lease, and past half of it the rest is given back.
	claimed := now
	if c := p.opt.Clock.Now(); c.After(now) {
		claimed = c
	}
	items, err := p.opt.Store.ClaimOutbox(ctx, k.name, now.UnixMilli(), claimed.Add(k.policy.Lease).UnixMilli(), k.policy.Batch)
	return claim{items, claimed.Add(k.policy.Lease / 2), err}
}

// drain delivers up to maxBatchesPerStep batches of a kind's items due at
// now, and reports whether it stopped at that bound with more due. The
// batches overlap where order allows: the next batch is claimed while one
// is delivered, and a batch is settled while the next is delivered; the
// deliveries of two batches never overlap, so a target gets its items in
// the order claimed. A batch that gave items back (its time ran out, or
// ctx ended) gives back the batch claimed after it too, so that those
// items keep their place.
func (p *Processor) drain(ctx context.Context, k *kindState, now time.Time) (bool, error) {
	var (
		mu       sync.Mutex
		errs     []error
		settling sync.WaitGroup
	)
	failed := func(err error) bool {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs = append(errs, err)
		}
		return len(errs) > 0
	}
	settle := func(results []store.OutboxResult) {
		defer settling.Done()
		failed(p.settle(ctx, k, results))
	}
	c := p.claim(ctx, k, now)
	more := false
	for i := 0; c.err == nil && len(c.items) > 0; i++ {
		if failed(nil) {
			// A settle failed: its items stay claimed until their lease
			// ends. Claim no more; give this batch back.
			settling.Add(1)
			settle(releaseAll(c.items))
			c = claim{}
			break
		}
		full, last := len(c.items) == k.policy.Batch, i+1 >= maxBatchesPerStep
		var next chan claim
		if full && !last && ctx.Err() == nil {
			next = make(chan claim, 1)
			go func() { next <- p.claim(ctx, k, now) }()
		}
		results := p.deliverClaim(ctx, k, c, now)
		settling.Add(1)
		if !slices.ContainsFunc(results, func(r store.OutboxResult) bool { return r.Outcome == store.Release }) {
			go settle(results)
			if next == nil {
				more = full && last
				break
			}
			c = <-next
			continue
		}
		// The batch claimed ahead is given back after it is claimed (it
		// holds none of this batch's items) and before this batch's are.
		if next != nil {
			ahead := <-next
			if len(ahead.items) > 0 {
				settling.Add(1)
				settle(releaseAll(ahead.items))
			}
			if ctx.Err() == nil {
				failed(ahead.err)
			}
		}
		settle(results)
		if ctx.Err() != nil || last {
			more = last
			c = claim{}
			break
		}
		c = p.claim(ctx, k, now)
	}
	settling.Wait()
	if ctx.Err() == nil {
		failed(c.err)
	}
	return more && ctx.Err() == nil, errors.Join(errs...)
}

// releaseAll returns the outcomes that give claimed items back.
func releaseAll(items []store.OutboxItem) []store.OutboxResult {
	out := make([]store.OutboxResult, len(items))
	for i, it := range items {
		out[i] = store.OutboxResult{ID: it.ID, Claim: it.Claim, Outcome: store.Release}
	}
	return out
}

// settle settles a batch's outcomes in one write and counts them. The
// outcomes are settled even when ctx ended: deliveries made must not be
// made again.
func (p *Processor) settle(ctx context.Context, k *kindState, results []store.OutboxResult) error {
	if err := p.opt.Store.SettleOutbox(context.WithoutCancel(ctx), results); err != nil {
		return err
	}
	for _, r := range results {
		switch r.Outcome {
		case store.Delivered:
			p.m.delivered.WithLabelValues(k.name).Inc()
		case store.Retry:
			p.m.retried.WithLabelValues(k.name).Inc()
		case store.Dead:
			p.m.dead.WithLabelValues(k.name).Inc()
		}
	}
	return nil
}

// deliverClaim delivers a batch claimed and returns the outcomes.
func (p *Processor) deliverClaim(ctx context.Context, k *kindState, c claim, now time.Time) []store.OutboxResult {
	items, deadline := c.items, c.deadline
	results := make([]store.OutboxResult, len(items))
	// Items to one target are delivered one after another, in the order
	// claimed (a FIFO queue's messages keep their order); items to
	// different targets at once, up to maxParallel: each waits on its own
	// target, and writes to Vigil's own stores share their commits.
	byTarget := map[string][]int{}
	var targets []string
	for i, it := range items {
		if _, ok := byTarget[it.Target]; !ok {
			targets = append(targets, it.Target)
		}
		byTarget[it.Target] = append(byTarget[it.Target], i)
	}
	next := make(chan []int)
	var wg sync.WaitGroup
	for range min(len(targets), maxParallel) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for idx := range next {
				if bd, ok := k.d.(BatchDeliverer); ok && len(idx) > 1 && bd.Batches(items[idx[0]].Target) {
					p.attemptBatch(ctx, k, bd, items, idx, results, now, deadline)
					continue
				}
				for _, i := range idx {
					it := items[i]
					r := store.OutboxResult{ID: it.ID, Claim: it.Claim, Outcome: store.Release}
					if ctx.Err() == nil && p.opt.Clock.Now().Before(deadline) {
						r = p.attempt(ctx, k, it, now)
					}
					results[i] = r
				}
			}
		}()
	}
	for _, t := range targets {
		next <- byTarget[t]
	}
	close(next)
	wg.Wait()
	return results
}

// attempt delivers one item and decides its outcome.
func (p *Processor) attempt(ctx context.Context, k *kindState, it store.OutboxItem, now time.Time) store.OutboxResult {
	// A delivery's timeout is the wall clock's: it bounds waiting for a
	// target, which virtual time does not speed up.
	dctx, cancel := context.WithTimeout(ctx, k.policy.Timeout)
	err := deliver(dctx, k.d, it)
	cancel()
	return p.outcome(ctx, k, it, err, now)
}

// attemptBatch delivers the items at idx, which share their target, in
// one call of the kind's BatchDeliverer, and puts their outcomes in
// results; past the batch's deadline it gives them back.
func (p *Processor) attemptBatch(ctx context.Context, k *kindState, bd BatchDeliverer, items []store.OutboxItem, idx []int,
	results []store.OutboxResult, now, deadline time.Time) {
	batch := make([]store.OutboxItem, len(idx))
	for j, i := range idx {
		batch[j] = items[i]
		results[i] = store.OutboxResult{ID: items[i].ID, Claim: items[i].Claim, Outcome: store.Release}
	}
	if ctx.Err() != nil || !p.opt.Clock.Now().Before(deadline) {
		return
	}
	dctx, cancel := context.WithTimeout(ctx, k.policy.Timeout)
	errs := deliverBatch(dctx, bd, batch)
	cancel()
	for j, i := range idx {
		results[i] = p.outcome(ctx, k, batch[j], errs[j], now)
	}
}

// outcome decides what becomes of an item after an attempt that ended
// with err.
func (p *Processor) outcome(ctx context.Context, k *kindState, it store.OutboxItem, err error, now time.Time) store.OutboxResult {
	r := store.OutboxResult{ID: it.ID, Claim: it.Claim}
	switch {
	case err == nil:
		r.Outcome = store.Delivered
		return r
	case ctx.Err() != nil:
		// Stopped, not failed: the attempt does not count.
		r.Outcome = store.Release
		return r
	}
	attempts := it.Attempts + 1
	r.Error = err.Error()
	age := now.Sub(time.UnixMilli(it.Created))
	var why string
	switch {
	case IsPermanent(err):
		why = "permanent error"
	case k.policy.MaxAttempts > 0 && attempts >= k.policy.MaxAttempts:
		why = fmt.Sprintf("%d attempts", attempts)
	case age >= k.policy.MaxAge:
		why = fmt.Sprintf("older than %v", k.policy.MaxAge)
	}
	if why != "" {
		r.Outcome, r.At = store.Dead, now.UnixMilli()
		p.opt.Logger.Error("delivery given up; kept as a dead letter", "kind", it.Kind, "id", it.ID, "target", it.Target,
			"account", it.Account, "attempts", attempts, "reason", why, "error", err)
		return r
	}
	wait := k.policy.backoff(attempts, p.opt.Rand())
	r.Outcome, r.Next = store.Retry, now.Add(wait).UnixMilli()
	p.opt.Logger.Warn("delivery failed; will retry", "kind", it.Kind, "id", it.ID, "target", it.Target,
		"attempt", attempts, "retry_in", wait, "error", err)
	return r
}

// deliver calls a deliverer, turning a panic into a permanent error so
// that one bad item cannot stop the others.
func deliver(ctx context.Context, d Deliverer, it store.OutboxItem) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = Permanent(fmt.Errorf("BUG: panic delivering %s item %d: %v", it.Kind, it.ID, r))
		}
	}()
	return d.Deliver(ctx, it)
}

// deliverBatch calls a batch deliverer as deliver calls a deliverer; it
// holds it to one outcome per item. A batch that panics, or answers the
// wrong number of outcomes, is delivered again item by item, so that the
// one bad item alone fails (the others may be delivered twice: at least
// once).
func deliverBatch(ctx context.Context, d BatchDeliverer, items []store.OutboxItem) (errs []error) {
	defer func() {
		if r := recover(); r != nil {
			errs = deliverEach(ctx, d, items)
		}
	}()
	if errs = d.DeliverBatch(ctx, items); len(errs) != len(items) {
		errs = deliverEach(ctx, d, items)
	}
	return errs
}

// deliverEach delivers items one by one.
func deliverEach(ctx context.Context, d Deliverer, items []store.OutboxItem) []error {
	errs := make([]error, len(items))
	for i, it := range items {
		errs[i] = deliver(ctx, d, it)
	}
	return errs
}
