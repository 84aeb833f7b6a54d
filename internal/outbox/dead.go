package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilhq/vigil/internal/store"
)

// Dead lists dead letters of a kind ("": of every kind) with ids after
// after, in id order, at most limit (0: all).
func (p *Processor) Dead(ctx context.Context, kind string, after int64, limit int) ([]store.OutboxItem, error) {
	items, err := p.opt.Store.DeadOutbox(ctx, store.DeadOutboxQuery{Kind: kind, After: after, Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("cannot list dead deliveries: %w", err)
	}
	return items, nil
}

// RetryDead makes dead letters pending again, due now with no attempts
// and their age counted from now: those of ids, or, when ids is empty,
// every dead letter of kind ("": of every kind). It returns how many, and
// kicks a step.
func (p *Processor) RetryDead(ctx context.Context, kind string, ids []int64) (int, error) {
	n, err := p.opt.Store.ReviveOutbox(ctx, kind, ids, p.opt.Clock.Now().UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("cannot retry dead deliveries: %w", err)
	}
	if n > 0 {
		p.opt.Logger.Info("dead deliveries retried", "kind", kind, "items", n)
		p.Kick()
	}
	return n, nil
}

// KindHealth is the state of one kind's deliveries.
type KindHealth struct {
	// Pending counts the items waiting, of which Retrying failed at
	// least once; Dead the dead letters.
	Pending  int64 `json:"pending"`
	Retrying int64 `json:"retrying"`
	Dead     int64 `json:"dead"`
	// OldestPendingSeconds is the age of the oldest pending item.
	OldestPendingSeconds float64 `json:"oldest_pending_seconds,omitempty"`
	// Registered is false for a kind no deliverer serves: its items wait
	// for a build that has one.
	Registered bool `json:"registered"`
}

// Health is the outbox's summary for /_vigil/health.
type Health struct {
	// Status is "ok", or "degraded" when there are dead letters, items
	// of unregistered kinds, or the last step failed.
	Status string `json:"status"`
	// Kinds are by kind, registered or holding items.
	Kinds map[string]KindHealth `json:"kinds"`
	// LastStep is the time of the last step, and LastError its error.
	LastStep  *time.Time `json:"last_step,omitempty"`
	LastError string     `json:"last_error,omitempty"`
}

// Health reads the outbox's counts and sums them up.
func (p *Processor) Health(ctx context.Context) Health {
	h := Health{Status: "ok", Kinds: map[string]KindHealth{}}
	for _, k := range p.registered() {
		h.Kinds[k.name] = KindHealth{Registered: true}
	}
	p.mu.Lock()
	last := p.last
	p.mu.Unlock()
	if !last.at.IsZero() {
		h.LastStep = &last.at
	}
	if last.err != nil {
		h.Status, h.LastError = "degraded", last.err.Error()
	}
	stats, err := p.opt.Store.OutboxStats(ctx)
	if err != nil {
		h.Status, h.LastError = "degraded", fmt.Sprintf("cannot count the outbox: %v", err)
		return h
	}
	now := p.opt.Clock.Now()
	for _, st := range stats {
		kh := h.Kinds[st.Kind]
		kh.Pending, kh.Retrying, kh.Dead = st.Pending, st.Retrying, st.Dead
		if st.Pending > 0 {
			kh.OldestPendingSeconds = max(0, now.Sub(time.UnixMilli(st.OldestPending)).Seconds())
		}
		h.Kinds[st.Kind] = kh
		if kh.Dead > 0 || !kh.Registered {
			h.Status = "degraded"
		}
	}
	return h
}

// metrics are the outbox's Prometheus metrics: counters of outcomes, and
// gauges read from the store when they are collected.
type metrics struct {
	p                        *Processor
	delivered, retried, dead *prometheus.CounterVec
	pending, deadNow, oldest *prometheus.Desc
}

func newMetrics(p *Processor) *metrics {
	counter := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{"kind"})
	}
	return &metrics{
		p:         p,
		delivered: counter("vigil_outbox_delivered_total", "Outbox items delivered, by kind."),
		retried:   counter("vigil_outbox_retried_total", "Failed delivery attempts rescheduled with backoff, by kind."),
		dead:      counter("vigil_outbox_dead_total", "Outbox items given up and kept as dead letters, by kind."),
		pending:   prometheus.NewDesc("vigil_outbox_pending", "Outbox items waiting for delivery, by kind.", []string{"kind"}, nil),
		deadNow:   prometheus.NewDesc("vigil_outbox_dead", "Dead letters in the outbox, by kind.", []string{"kind"}, nil),
		oldest:    prometheus.NewDesc("vigil_outbox_oldest_pending_seconds", "Age of the oldest pending outbox item, by kind.", []string{"kind"}, nil),
	}
}

// Describe sends the metrics' descriptions.
func (m *metrics) Describe(ch chan<- *prometheus.Desc) {
	m.delivered.Describe(ch)
	m.retried.Describe(ch)
	m.dead.Describe(ch)
	ch <- m.pending
	ch <- m.deadNow
	ch <- m.oldest
}

// collectTimeout bounds the store read of a scrape.
const collectTimeout = 5 * time.Second

// Collect sends the counters and the gauges of every kind registered or
// holding items.
func (m *metrics) Collect(ch chan<- prometheus.Metric) {
	m.delivered.Collect(ch)
	m.retried.Collect(ch)
	m.dead.Collect(ch)
	ctx, cancel := context.WithTimeout(context.Background(), collectTimeout)
	defer cancel()
	h := m.p.Health(ctx)
	for kind, kh := range h.Kinds {
		ch <- prometheus.MustNewConstMetric(m.pending, prometheus.GaugeValue, float64(kh.Pending), kind)
		ch <- prometheus.MustNewConstMetric(m.deadNow, prometheus.GaugeValue, float64(kh.Dead), kind)
		ch <- prometheus.MustNewConstMetric(m.oldest, prometheus.GaugeValue, kh.OldestPendingSeconds, kind)
	}
}
