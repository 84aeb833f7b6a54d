package events

import (
	"context"
	"strings"
	"sync"
	"time"
)

// EventBridge's metrics (namespace AWS/Events), counted by the engine as
// events match rules and invocations end, per minute, and published by a
// job (PublishMetrics, every MetricsEvery) to the MetricSink. As on AWS,
// they are best effort: the counts of the minute under way on a node that
// stops are lost. Each node publishes its own; CloudWatch adds them up.
//
//   - MatchedEvents: events that matched at least one rule of a bus.
//   - TriggeredRules: the events a rule matched.
//   - Invocations: a rule's invocations that ended, delivered or failed
//     for good (not those sent to a dead-letter queue).
//   - FailedInvocations: those that failed for good.
//   - DeadLetterInvocations: those sent to the target's dead-letter queue.
//
// The rule metrics have the dimension RuleName, and EventBusName too for
// a custom bus; MatchedEvents has none for the default bus and
// EventBusName for a custom one.

// MetricsEvery is how often the counts of ended minutes are published.
const MetricsEvery = time.Minute

// The metrics' names.
const (
	metricMatchedEvents         = "MatchedEvents"
	metricTriggeredRules        = "TriggeredRules"
	metricInvocations           = "Invocations"
	metricFailedInvocations     = "FailedInvocations"
	metricDeadLetterInvocations = "DeadLetterInvocations"
)

// MetricsNamespace is the namespace of EventBridge's metrics.
const MetricsNamespace = "AWS/Events"

// Count is the sum of a metric over a minute.
type Count struct {
	Name       string
	Dimensions []Dimension
	// Minute is the minute the count is of.
	Minute time.Time
	Value  float64
}

// Dimension is a name/value pair of a metric.
type Dimension struct{ Name, Value string }

// MetricSink stores the counts of an account and region (the metrics
// engine, wired by the composition root).
type MetricSink interface {
	PutCounts(ctx context.Context, account, region string, counts []Count) error
}

// counterKey is what a count is of.
type counterKey struct {
	account, region, name, bus, rule string
	minute                           int64
}

// counters holds the counts not yet published.
type counters struct {
	mu sync.Mutex
	m  map[counterKey]float64
}

// add counts n of a metric at a time; rule is "" for MatchedEvents.
func (c *counters) add(account, region, name, bus, rule string, at time.Time, n float64) {
	k := counterKey{account: account, region: region, name: name, bus: bus, rule: rule, minute: at.Truncate(time.Minute).UnixMilli()}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[counterKey]float64{}
	}
	c.m[k] += n
	c.mu.Unlock()
}

// take removes and returns the counts of the minutes before now's.
func (c *counters) take(now time.Time) map[counterKey]float64 {
	current := now.Truncate(time.Minute).UnixMilli()
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[counterKey]float64{}
	for k, v := range c.m {
		if k.minute < current {
			out[k] = v
			delete(c.m, k)
		}
	}
	return out
}

// ruleOf returns the bus (its name) and the name of a rule's ARN:
// arn:aws:events:REGION:ACCOUNT:rule/NAME on the default bus,
// …:rule/BUS/NAME on another.
func ruleOf(arn string) (bus, name string) {
	_, res, _ := strings.Cut(arn, ":rule/")
	if b, n, ok := strings.Cut(res, "/"); ok {
		return b, n
	}
	return DefaultBus, res
}

// countRule counts a metric of the rule of ruleARN.
func (s *Service) countRule(account, region, name, ruleARN string, at time.Time) {
	bus, rule := ruleOf(ruleARN)
	s.counts.add(account, region, name, bus, rule, at, 1)
}

// PublishMetrics hands the counts of the minutes that have ended to the
// MetricSink; counts it refuses are kept for the next run. The job of
// EventBridge's metrics.
func (s *Service) PublishMetrics(ctx context.Context, now time.Time) error {
	if s.opt.Metrics == nil {
		return nil
	}
	taken := s.counts.take(now)
	type scope struct{ account, region string }
	by := map[scope][]Count{}
	keys := map[scope][]counterKey{}
	for k, v := range taken {
		var dims []Dimension
		if k.bus != DefaultBus {
			dims = append(dims, Dimension{"EventBusName", k.bus})
		}
		if k.rule != "" {
			dims = append(dims, Dimension{"RuleName", k.rule})
		}
		sc := scope{k.account, k.region}
		by[sc] = append(by[sc], Count{Name: k.name, Dimensions: dims, Minute: time.UnixMilli(k.minute).UTC(), Value: v})
		keys[sc] = append(keys[sc], k)
	}
	var first error
	for sc, counts := range by {
		if err := s.opt.Metrics.PutCounts(ctx, sc.account, sc.region, counts); err != nil {
			for _, k := range keys[sc] {
				s.counts.add(k.account, k.region, k.name, k.bus, k.rule, time.UnixMilli(k.minute), taken[k])
			}
			if first == nil {
				first = err
			}
		}
	}
	return first
}
