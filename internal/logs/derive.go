package logs

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/vigilhq/vigil/internal/store"
)

// compiledFilters are a group's metric and subscription filters, compiled
// once and cached (Engine.compiled) until a filter of the group changes
// here, or for cacheTTL, within which a change another node makes shows.
type compiledFilters struct {
	metric []*compiledMetricFilter
	subs   []*compiledSubscription
}

// filters returns the compiled filters of a group.
func (e *Engine) filters(ctx context.Context, g *store.LogGroup) (*compiledFilters, error) {
	if cf, ok := e.compiled.Get(g.ID, e.opt.Clock.Now()); ok {
		return cf, nil
	}
	cf := &compiledFilters{}
	mfs, err := e.opt.Store.MetricFilters(ctx, g.Account, g.Region, g.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range mfs {
		p, err := parsePattern(m.Pattern)
		if err != nil {
			return nil, fmt.Errorf("BUG: stored metric filter %s has an invalid pattern: %w", m.Name, err)
		}
		var t Transformation
		if err := json.Unmarshal([]byte(m.Transformation), &t); err != nil {
			return nil, fmt.Errorf("stored metric filter %s is damaged: %w", m.Name, err)
		}
		cf.metric = append(cf.metric, &compiledMetricFilter{name: m.Name, pattern: p, t: t})
	}
	sfs, err := e.opt.Store.SubscriptionFilters(ctx, g.ID)
	if err != nil {
		return nil, err
	}
	for _, s := range sfs {
		p, err := parsePattern(s.Pattern)
		if err != nil {
			return nil, fmt.Errorf("BUG: stored subscription filter %s has an invalid pattern: %w", s.Name, err)
		}
		cf.subs = append(cf.subs, &compiledSubscription{name: s.Name, pattern: p, destination: s.DestinationARN})
	}
	e.compiled.Put(g.ID, cf, e.opt.Clock.Now())
	return cf, nil
}

// forgetFilters drops a group's cached filters after they changed.
func (e *Engine) forgetFilters(groupID int64) {
	e.compiled.Forget(groupID)
}

// derive computes what a batch of accepted events sets off: the data
// points of metric filters and of embedded-metric-format events, and the
// payloads of subscription filters, as outbox items committed with the
// events.
func (e *Engine) derive(sc Scope, g *store.LogGroup, s *store.LogStream, cf *compiledFilters, b *store.IngestBatch) ([]store.OutboxItem, error) {
	var data []Datum
	for _, f := range cf.metric {
		matched := false
		for _, ev := range b.Events {
			fields, ok := f.pattern.Extract(ev.Message)
			if !ok {
				continue
			}
			matched = true
			if d, ok := f.datum(fields, ev.Timestamp); ok {
				data = append(data, d)
			}
		}
		if !matched && f.t.DefaultValue != nil {
			// The default value is reported for a period in which events
			// arrived and none matched.
			d := f.base(b.Events[len(b.Events)-1].Timestamp)
			d.Value = *f.t.DefaultValue
			data = append(data, d)
		}
	}
	for _, ev := range b.Events {
		data = append(data, emfData(ev.Message)...)
	}
	var out []store.OutboxItem
	now := b.Ingestion
	if len(data) > 0 {
		payload, err := encodeMetrics(data)
		if err != nil {
			return nil, err
		}
		out = append(out, store.OutboxItem{Kind: KindMetric, Version: metricPayloadVersion, Account: sc.Account, Region: sc.Region, Target: "metrics",
			Payload: payload, Created: now, NextAttempt: now})
	}
	for _, sub := range cf.subs {
		var matched []store.LogEvent
		for _, ev := range b.Events {
			if sub.pattern.Match(ev.Message) {
				matched = append(matched, ev)
			}
		}
		if len(matched) == 0 {
			continue
		}
		payload, err := dataMessage(sc.Account, g.Name, s.Name, sub.name, matched)
		if err != nil {
			return nil, err
		}
		out = append(out, store.OutboxItem{Kind: KindSubscription, Version: subscriptionPayloadVersion, Account: sc.Account, Region: sc.Region,
			Target: sub.destination, Payload: payload, Created: now, NextAttempt: now})
	}
	return out, nil
}
