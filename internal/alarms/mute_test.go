package alarms

import (
	"reflect"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// svcT0 is a Monday, 10:00:05 UTC.

func TestPutMuteRuleValidation(t *testing.T) {
	f := newSvcFixture(t, true)
	ok := MuteRule{Expression: "cron(0 2 * * *)", Duration: "PT4H", AlarmNames: []string{"cpu"}}
	with := func(change func(*MuteRule)) MuteRule {
		r := ok
		change(&r)
		return r
	}
	for _, c := range []struct {
		name string
		rule MuteRule
		msg  string
	}{
		{"bad zone", with(func(r *MuteRule) { r.Timezone = "Mars/Olympus" }),
			"The value Mars/Olympus for parameter Rule.Schedule.Timezone is invalid: it must be an IANA time zone such as Europe/Paris."},
		{"dates on at", with(func(r *MuteRule) { r.Expression, r.StartDate = "at(2026-03-03T00:00)", ms(svcT0.Truncate(time.Minute)) }),
			"StartDate and ExpireDate are for recurring (cron) mute rules; an at() rule gives its own time."},
		{"seconds", with(func(r *MuteRule) { r.StartDate = ms(svcT0) }), "The value of StartDate must be a whole minute (its seconds 00)."},
		{"expire before start", with(func(r *MuteRule) {
			r.StartDate, r.ExpireDate = ms(svcT0.Truncate(time.Minute)), ms(svcT0.Truncate(time.Minute))
		}), "ExpireDate must be after StartDate."},
	} {
		err := f.svc.PutMuteRule(f.ctx, svcScope, "r", c.rule, nil)
		wantError(t, err, ValidationError, c.msg)
	}
	// The schedule's own messages, whatever their words: refused, nothing
	// written.
	for _, r := range []MuteRule{
		with(func(r *MuteRule) { r.Expression = "cron(0 2 * *)" }),
		with(func(r *MuteRule) { r.Expression = "rate(5 minutes)" }),
		with(func(r *MuteRule) { r.Duration = "PT30S" }),
		with(func(r *MuteRule) { r.Duration = "P16D" }),
	} {
		err := f.svc.PutMuteRule(f.ctx, svcScope, "r", r, nil)
		if e, isErr := err.(*Error); !isErr || e.Code != ValidationError {
			t.Errorf("PutMuteRule(%s, %s) = %v; want a ValidationError", r.Expression, r.Duration, err)
		}
	}
	if _, err := f.svc.GetMuteRule(f.ctx, svcScope, "r"); err == nil {
		t.Error("a refused rule was written")
	}
}

func TestMuteRuleLifecycle(t *testing.T) {
	f := newSvcFixture(t, true)
	// Every day from 10:30 for an hour, in Paris (UTC+1 in March): 09:30
	// to 10:30 UTC, which holds svcT0.
	daily := MuteRule{Description: "backups", Expression: "cron(30 10 * * *)", Duration: "PT1H", Timezone: "Europe/Paris",
		AlarmNames: []string{"cpu"}}
	once := MuteRule{Expression: "at(2026-03-05T00:00)", Duration: "P1D", AlarmNames: []string{"mem"}}
	if err := f.svc.PutMuteRule(f.ctx, svcScope, "daily", daily, map[string]string{"team": "ops"}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.PutMuteRule(f.ctx, svcScope, "once", once, nil); err != nil {
		t.Fatal(err)
	}
	v, err := f.svc.GetMuteRule(f.ctx, svcScope, "daily")
	if err != nil {
		t.Fatal(err)
	}
	daily.Version = muteRuleVersion
	if v.ARN != "arn:aws:cloudwatch:us-east-1:123456789012:alarm-mute-rule:daily" || v.Type != MuteRecurring ||
		v.Status != MuteActive || !reflect.DeepEqual(v.Rule, daily) || !v.Updated.Equal(svcT0) {
		t.Errorf("GetMuteRule = %+v", v)
	}
	if tags, err := f.svc.Tags(f.ctx, svcScope, v.ARN); err != nil || tags["team"] != "ops" {
		t.Errorf("tags %v, %v", tags, err)
	}
	statuses := func(at time.Time) map[string]string {
		t.Helper()
		f.clock.Set(at)
		list, next, err := f.svc.ListMuteRules(f.ctx, svcScope, "", nil, 0, "")
		if err != nil || next != "" {
			t.Fatalf("ListMuteRules: %v, %q", err, next)
		}
		out := map[string]string{}
		for _, v := range list {
			out[v.Name] = v.Status + " " + v.Type
		}
		return out
	}
	want := map[string]string{"daily": "ACTIVE RECURRING", "once": "SCHEDULED ONE_TIME"}
	if got := statuses(svcT0); !reflect.DeepEqual(got, want) {
		t.Errorf("at %v: %v; want %v", svcT0, got, want)
	}
	// 10:30 UTC: the day's window is over, the next is tomorrow.
	want = map[string]string{"daily": "SCHEDULED RECURRING", "once": "SCHEDULED ONE_TIME"}
	if got := statuses(svcT0.Add(30 * time.Minute)); !reflect.DeepEqual(got, want) {
		t.Errorf("at 10:30: %v; want %v", got, want)
	}
	want = map[string]string{"daily": "SCHEDULED RECURRING", "once": "ACTIVE ONE_TIME"}
	if got := statuses(time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC)); !reflect.DeepEqual(got, want) {
		t.Errorf("on the 5th: %v; want %v", got, want)
	}
	want = map[string]string{"daily": "SCHEDULED RECURRING", "once": "EXPIRED ONE_TIME"}
	if got := statuses(time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC)); !reflect.DeepEqual(got, want) {
		t.Errorf("on the 6th: %v; want %v", got, want)
	}

	// Filters and paging.
	f.clock.Set(svcT0)
	list, _, err := f.svc.ListMuteRules(f.ctx, svcScope, "mem", nil, 0, "")
	if err != nil || len(list) != 1 || list[0].Name != "once" {
		t.Errorf("rules of mem: %+v, %v", list, err)
	}
	list, _, err = f.svc.ListMuteRules(f.ctx, svcScope, "", []string{MuteActive}, 0, "")
	if err != nil || len(list) != 1 || list[0].Name != "daily" {
		t.Errorf("active rules: %+v, %v", list, err)
	}
	list, next, err := f.svc.ListMuteRules(f.ctx, svcScope, "", nil, 1, "")
	if err != nil || len(list) != 1 || list[0].Name != "daily" || next == "" {
		t.Fatalf("first page: %+v, %q, %v", list, next, err)
	}
	list, next, err = f.svc.ListMuteRules(f.ctx, svcScope, "", nil, 1, next)
	if err != nil || len(list) != 1 || list[0].Name != "once" || next != "" {
		t.Errorf("second page: %+v, %q, %v", list, next, err)
	}

	if err := f.svc.DeleteMuteRule(f.ctx, svcScope, "daily"); err != nil {
		t.Fatal(err)
	}
	wantError(t, f.svc.DeleteMuteRule(f.ctx, svcScope, "daily"), ResourceNotFound, "The alarm mute rule daily does not exist.")
	_, err = f.svc.GetMuteRule(f.ctx, svcScope, "daily")
	wantError(t, err, ResourceNotFound, "The alarm mute rule daily does not exist.")
	_, err = f.svc.Tags(f.ctx, svcScope, v.ARN)
	wantError(t, err, ResourceNotFound, "The alarm mute rule daily does not exist.")
}

// A mute rule holds back the actions of its alarms while it is active;
// their states change all the same.
func TestMuteRuleMutesActions(t *testing.T) {
	f := newSvcFixture(t, true)
	in := metricInput("cpu")
	in.Definition.AlarmActions = []string{svcTopic}
	in.Definition.OKActions = []string{svcTopic}
	f.put(in)
	// From 10:00 UTC for 30 minutes, every day.
	rule := MuteRule{Expression: "cron(0 10 * * *)", Duration: "PT30M", AlarmNames: []string{"cpu"}}
	if err := f.svc.PutMuteRule(f.ctx, svcScope, "morning", rule, nil); err != nil {
		t.Fatal(err)
	}
	f.src.set("cpu", 90)
	f.run()
	if a := f.alarm("cpu"); a.State != string(StateAlarm) {
		t.Fatalf("state %s; want ALARM while muted", a.State)
	}
	if pending, _ := f.pending(); pending != 0 {
		t.Errorf("%d actions pending while muted", pending)
	}
	// After the window, actions run again.
	f.src.set("cpu", 10)
	f.runAt(svcT0.Add(40 * time.Minute))
	f.step()
	if got := f.takePublished(); len(got) != 1 {
		t.Errorf("%d notifications after the window; want 1", len(got))
	}
	if items := f.historyOf("cpu", store.HistoryAction); len(items) != 1 {
		t.Errorf("%d action items; want 1 (none while muted)", len(items))
	}
}
