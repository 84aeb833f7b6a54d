package cloudtrail

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// writes returns n write calls of CreateLogGroup at minute m.
func writes(m time.Time, n int) []store.TrailEvent {
	events := make([]store.TrailEvent, n)
	for i := range events {
		events[i] = store.TrailEvent{Account: acct, Region: "us-east-1", Time: ms(m) + int64(i), ID: m.String() + string(rune('a'+i%26)),
			Name: "CreateLogGroup", Source: "logs.amazonaws.com", Username: "root", Category: "Management", Record: []byte(`{}`)}
	}
	return events
}

// analyse stores events and runs the insight job at m.
func (w *world) analyse(t *testing.T, events []store.TrailEvent, m time.Time) {
	t.Helper()
	if err := w.store.AppendEvents(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	w.clk.Set(m)
	if err := w.svc.Insights(context.Background(), m); err != nil {
		t.Fatal(err)
	}
}

// TestInsights: after 36 hours of 2 calls a minute, 60 calls a minute
// start an ApiCallRateInsight, and the first ordinary minute ends it;
// both events are in LookupEvents (EventCategory insight) and delivered
// in a CloudTrail-Insight file, not in the digest.
func TestInsights(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	var e *Error
	if _, err := w.svc.PutInsightSelectors(ctx, acct, "us-east-1", "nope", []string{"ApiCallRateInsight"}); !errors.As(err, &e) || e.Code != TrailNotFound {
		t.Errorf("PutInsightSelectors(absent trail) = %v", err)
	}
	startTrail(t, w, "insights", nil)
	if _, err := w.svc.PutInsightSelectors(ctx, acct, "us-east-1", "insights", []string{"ApiCallVolume"}); !errors.As(err, &e) || e.Code != InvalidInsightSelectors {
		t.Errorf("PutInsightSelectors(bad type) = %v", err)
	}
	if _, err := w.svc.PutInsightSelectors(ctx, acct, "us-east-1", "insights", []string{"ApiCallRateInsight", "ApiErrorRateInsight"}); err != nil {
		t.Fatal(err)
	}
	start := w.clk.Now().Truncate(time.Minute).Add(time.Minute)
	m := start
	var hour []store.TrailEvent
	for ; m.Before(start.Add(37 * time.Hour)); m = m.Add(time.Minute) {
		if m.Minute() == 0 {
			w.analyse(t, hour, m)
			hour = nil
		}
		hour = append(hour, writes(m, 2)...)
	}
	w.analyse(t, hour, m)
	spike := m
	for i := range 5 {
		n := 2
		if i < 3 {
			n = 60
		}
		w.analyse(t, writes(m, n), m.Add(time.Minute))
		m = m.Add(time.Minute)
	}
	got, _, err := w.svc.LookupEvents(ctx, Lookup{Account: acct, Region: "us-east-1", Insight: true, From: start})
	if err != nil || len(got) != 2 {
		t.Fatalf("Insights events = %d, %v; want a start and an end", len(got), err)
	}
	var end, begin insightRecord
	json.Unmarshal(got[0].Record, &end)
	json.Unmarshal(got[1].Record, &begin)
	if begin.InsightDetails.State != "Start" || begin.EventTime != spike.Format(time.RFC3339) || begin.InsightDetails.InsightType != "ApiCallRateInsight" ||
		begin.InsightDetails.EventName != "CreateLogGroup" || begin.EventCategory != "Insight" || begin.SharedEventID != end.SharedEventID {
		t.Errorf("start event = %+v", begin)
	}
	if st := end.InsightDetails.InsightContext.Statistics; end.InsightDetails.State != "End" || st.Insight == nil || st.Insight.Average != 60 ||
		*st.InsightDuration != 3 || st.Baseline.Average < 1.9 || st.Baseline.Average > 2.1 || st.BaselineDuration < 36*60 {
		t.Errorf("end event = %+v, statistics %+v", end, st)
	}
	if ordinary, _, _ := w.svc.LookupEvents(ctx, Lookup{Account: acct, Region: "us-east-1", Attribute: "EventName", Value: "CreateLogGroup", Limit: 1}); len(ordinary) != 1 || ordinary[0].Category != "Management" {
		t.Errorf("LookupEvents without EventCategory = %+v; want management events only", ordinary)
	}
	w.tick(t)
	files := w.buckets.keys("AWSLogs/" + acct + "/CloudTrail-Insight/us-east-1/")
	if len(files) != 1 || !strings.Contains(string(gunzip(t, w.buckets.objects[files[0]].Body)), `"sharedEventID"`) {
		t.Fatalf("Insights files = %v", files)
	}
}
