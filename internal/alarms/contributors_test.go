package alarms

import (
	"reflect"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// A multi-time-series alarm decides a state per contributor, is in ALARM
// while one is, and writes each contributor's changes in its history.
func TestContributors(t *testing.T) {
	f := newSvcFixture(t, true)
	f.src.hosts = map[string]float64{"web-1": 90, "web-2": 10}
	in := PutInput{Name: "per-host", Definition: Definition{EvaluationPeriods: 1, Threshold: fptr(75),
		ComparisonOperator: string(GreaterThanThreshold), AlarmActions: []string{svcTopic},
		Metrics: []MetricQuery{{ID: "q1", Period: 60, Expression: "SELECT MAX(CPU) FROM App GROUP BY Host"}}}}
	f.put(in)
	f.run()
	a := f.alarm("per-host")
	if a.State != string(StateAlarm) || a.StateReason != "1 contributor of 2 in ALARM." {
		t.Fatalf("alarm %s %q", a.State, a.StateReason)
	}
	if pending, _ := f.pending(); pending != 1 {
		t.Errorf("%d actions pending; want the alarm's one", pending)
	}
	contributors := func() map[string]string {
		t.Helper()
		list, next, err := f.svc.DescribeAlarmContributors(f.ctx, svcScope, "per-host", "")
		if err != nil || next != "" {
			t.Fatalf("DescribeAlarmContributors: %v, %q", err, next)
		}
		out := map[string]string{}
		for _, c := range list {
			out[c.Attributes["Host"]] = c.ID
		}
		return out
	}
	web1 := contributorID(map[string]string{"Host": "web-1"})
	if got := contributors(); !reflect.DeepEqual(got, map[string]string{"web-1": web1}) {
		t.Errorf("contributors in ALARM: %v", got)
	}
	items := f.history(HistoryQuery{AlarmName: "per-host", ItemType: store.HistoryContributorStateUpdate})
	if len(items) != 2 {
		t.Fatalf("%d contributor items; want 2", len(items))
	}
	own := f.history(HistoryQuery{AlarmName: "per-host", ContributorID: web1})
	if len(own) != 1 || own[0].Summary != "Contributor "+web1+" updated from INSUFFICIENT_DATA to ALARM" ||
		own[0].ContributorAttributes != `{"Host":"web-1"}` {
		t.Errorf("web-1's items: %+v", own)
	}

	// web-1 recovers and web-2 stops reporting: the alarm is OK, web-2
	// (OK) is forgotten.
	f.src.hosts = map[string]float64{"web-1": 10}
	f.runAt(svcT0.Add(time.Minute))
	if a := f.alarm("per-host"); a.State != string(StateOK) || a.StateReason != "No contributor in ALARM: 1 contributor in OK." {
		t.Errorf("alarm %s %q", a.State, a.StateReason)
	}
	if got := contributors(); len(got) != 0 {
		t.Errorf("contributors in ALARM: %v", got)
	}
	// web-1 breaches, then stops reporting: missing data takes it out of
	// ALARM and the alarm to INSUFFICIENT_DATA.
	f.src.hosts = map[string]float64{"web-1": 99}
	f.runAt(svcT0.Add(2 * time.Minute))
	f.src.hosts = nil
	f.runAt(svcT0.Add(5 * time.Minute))
	if a := f.alarm("per-host"); a.State != string(StateInsufficientData) {
		t.Errorf("alarm %s %q; want INSUFFICIENT_DATA", a.State, a.StateReason)
	}
	if n := len(f.history(HistoryQuery{AlarmName: "per-host", ContributorID: web1})); n != 4 {
		t.Errorf("%d items of web-1; want 4", n)
	}
}
