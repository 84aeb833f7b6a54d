package logs

import (
	"encoding/json"
	"testing"

	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/outbox"
)

// TestLogEventsDelivery: a service's log events (a trail's) go into the
// stream they name, which the delivery creates, and through the group's
// metric filters as PutLogEvents' do; a payload of an unknown version is
// refused for good.
func TestLogEventsDelivery(t *testing.T) {
	f := newFixture(t)
	f.setup(t, "CloudTrail/logs")
	must(t, f.PutMetricFilter(f.ctx, sc, MetricFilter{Group: "CloudTrail/logs", Name: "trails", Pattern: `{ $.eventName = "*Trail" }`,
		Transformation: Transformation{MetricName: "TrailChanges", MetricNamespace: "CloudTrailMetrics", MetricValue: "1"}}))
	target := "arn:aws:logs:us-east-1:" + sc.Account + ":log-group:CloudTrail/logs:*"
	payload, _ := json.Marshal(dispatch.LogEvents{Stream: sc.Account + "_CloudTrail_us-east-1", Events: []dispatch.LogEvent{
		{Timestamp: t0.UnixMilli(), Message: `{"eventName":"CreateTrail"}`},
		{Timestamp: t0.UnixMilli() + 5, Message: `{"eventName":"StartLogging"}`},
	}})
	m := dispatch.Message{ID: "1", Kind: dispatch.LogEventsKind, Version: 1, Target: target, Payload: payload,
		Source: dispatch.Source{Service: "cloudtrail", Account: sc.Account, Region: sc.Region}}
	must(t, f.opt.Dispatcher.Dispatch(f.ctx, m))
	page, err := f.GetLogEvents(f.ctx, sc, GetQuery{Group: "CloudTrail/logs", Stream: sc.Account + "_CloudTrail_us-east-1", StartFromHead: true})
	if err != nil || len(page.Events) != 2 || page.Events[1].Message != `{"eventName":"StartLogging"}` || page.Events[0].Timestamp != t0.UnixMilli() {
		t.Fatalf("GetLogEvents = %+v, %v", page, err)
	}
	if n := f.deliver(t); n != 1 {
		t.Errorf("outbox items delivered = %d; want the metric filter's", n)
	}
	if got := f.metrics.got(); len(got) != 1 || got[0].Name != "TrailChanges" || got[0].Value != 1 {
		t.Errorf("metric data = %+v; want one TrailChanges point", got)
	}
	m.Version = 2
	if err := f.opt.Dispatcher.Dispatch(f.ctx, m); !outbox.IsPermanent(err) {
		t.Errorf("a version 2 payload = %v; want a permanent refusal", err)
	}
}
