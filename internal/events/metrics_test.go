package events

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/outbox"
)

// sink records the counts it is handed, as "Name{Dim=Value,…}" → value.
type sink struct {
	mu     sync.Mutex
	counts map[string]float64
	fail   error
}

func (s *sink) PutCounts(_ context.Context, account, region string, counts []Count) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	for _, c := range counts {
		var dims []string
		for _, d := range c.Dimensions {
			dims = append(dims, d.Name+"="+d.Value)
		}
		s.counts[fmt.Sprintf("%s/%s %s %s{%s}", account, region, c.Minute.Format("15:04"), c.Name, strings.Join(dims, ","))] += c.Value
	}
	return nil
}

// TestMetrics: the AWS/Events counts of matches and invocations, per
// minute, published once their minute has ended, and kept while the sink
// refuses them.
func TestMetrics(t *testing.T) {
	f := newFixture(t)
	s := &sink{counts: map[string]float64{}}
	f.svc.opt.Metrics = s
	if _, err := f.svc.CreateBus(f.ctx, scope, "orders", "", BusSettings{}, nil); err != nil {
		t.Fatal(err)
	}
	failing, dropped := "arn:aws:sqs:us-east-1:123456789012:failing", "arn:aws:sqs:us-east-1:123456789012:dropped"
	f.fail[failing] = outbox.Permanent(errors.New("gone"))
	f.fail[dropped] = outbox.Permanent(errors.New("gone"))
	f.putRule(Rule{Name: "big", Bus: "orders", EventPattern: `{"source":["shop"]}`})
	f.putTargets("orders", "big", Target{ID: "q", ARN: queue})
	f.putRule(Rule{Name: "all", EventPattern: `{"source":["shop"]}`})
	f.putTargets("", "all", Target{ID: "q", ARN: failing})
	f.putRule(Rule{Name: "dl", EventPattern: `{"source":["shop"]}`})
	f.putTargets("", "dl", Target{ID: "q", ARN: dropped, DeadLetterARN: queue})
	f.putRule(Rule{Name: "none", EventPattern: `{"source":["bank"]}`})

	orders := entry("shop", "x", `{}`)
	orders.Bus = "orders"
	f.put(orders, orders, entry("shop", "x", `{}`), entry("elsewhere", "x", `{}`))
	f.step()
	if err := f.svc.PublishMetrics(f.ctx, f.clock.Now()); err != nil || len(s.counts) != 0 {
		t.Fatalf("published during the minute: %v, %v", s.counts, err)
	}
	// A sink that refuses keeps the counts for the next run.
	f.clock.Advance(time.Minute)
	s.fail = errors.New("metrics store down")
	if err := f.svc.PublishMetrics(f.ctx, f.clock.Now()); err == nil {
		t.Fatal("PublishMetrics hid the sink's error")
	}
	s.fail = nil
	if err := f.svc.PublishMetrics(f.ctx, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	p := "123456789012/us-east-1 05:06 "
	want := map[string]float64{
		p + "MatchedEvents{EventBusName=orders}":               2,
		p + "TriggeredRules{EventBusName=orders,RuleName=big}": 2,
		p + "Invocations{EventBusName=orders,RuleName=big}":    2,
		p + "MatchedEvents{}":                                  1,
		p + "TriggeredRules{RuleName=all}":                     1,
		p + "TriggeredRules{RuleName=dl}":                      1,
		p + "Invocations{RuleName=all}":                        1,
		p + "FailedInvocations{RuleName=all}":                  1,
		p + "DeadLetterInvocations{RuleName=dl}":               1,
	}
	if !maps.Equal(s.counts, want) {
		t.Errorf("counts:\n%s\nwant:\n%s", strings.Join(slices.Sorted(maps.Keys(s.counts)), "\n"), strings.Join(slices.Sorted(maps.Keys(want)), "\n"))
	}
	// Published counts are not published again.
	clear(s.counts)
	f.clock.Advance(time.Minute)
	if err := f.svc.PublishMetrics(f.ctx, f.clock.Now()); err != nil || len(s.counts) != 0 {
		t.Fatalf("published again: %v, %v", s.counts, err)
	}
}
