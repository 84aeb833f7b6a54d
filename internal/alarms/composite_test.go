package alarms

import (
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

func TestPutCompositeAlarmValidation(t *testing.T) {
	f := newSvcFixture(t, true)
	f.put(metricInput("a"))
	f.putComposite("c1", "ALARM(a)")
	f.putComposite("c2", "ALARM(c1) OR OK(a)")
	for _, c := range []struct {
		name string
		in   PutInput
		msg  string
	}{
		{"missing child", PutInput{Name: "x", Definition: Definition{AlarmRule: "ALARM(a) AND ALARM(nope)"}},
			"Could not save the composite alarm as alarms [nope] in the alarm rule do not exist"},
		{"cycle", PutInput{Name: "c1", Definition: Definition{AlarmRule: "ALARM(c2)"}},
			"The alarm rule of c1 creates a cycle: one of its children depends on it."},
		{"self", PutInput{Name: "x", Definition: Definition{AlarmRule: "ALARM(x)"}},
			"Could not save the composite alarm as alarms [x] in the alarm rule do not exist"},
		{"other region", PutInput{Name: "x", Definition: Definition{AlarmRule: `ALARM("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a")`}},
			"The alarm arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a is not in this account and region: Vigil's composite alarms read the alarms of their own account and region."},
		{"missing suppressor", PutInput{Name: "x", Definition: Definition{AlarmRule: "ALARM(a)", ActionsSuppressor: "nope"}},
			"The ActionsSuppressor alarm nope does not exist."},
		{"periods without suppressor", PutInput{Name: "x", Definition: Definition{AlarmRule: "ALARM(a)", ActionsSuppressorWaitPeriod: 60}},
			"ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod are only for a composite alarm with an ActionsSuppressor."},
	} {
		err := f.svc.PutCompositeAlarm(f.ctx, svcScope, c.in)
		wantError(t, err, ValidationError, c.msg)
	}
	// A rule that does not parse answers the parser's message.
	err := f.svc.PutCompositeAlarm(f.ctx, svcScope, PutInput{Name: "x", Definition: Definition{AlarmRule: "ALARM(a) AND"}})
	if e, ok := err.(*Error); !ok || e.Code != ValidationError || !strings.HasPrefix(e.Message, "Error in AlarmRule [") {
		t.Errorf("malformed rule: %v", err)
	}
	if f.exists("x") {
		t.Error("a refused composite alarm was written")
	}
	// An ARN of the alarm's own scope names a child.
	f.putComposite("by-arn", `ALARM("`+ARN(svcScope, "a")+`")`)
}

// A composite alarm follows its rule on its children's states, a chain
// of composites settling in one run, with the child that decided in its
// reason.
func TestCompositeEvaluation(t *testing.T) {
	f := newSvcFixture(t, true)
	f.put(metricInput("cpu"))
	f.put(metricInput("mem"))
	f.putComposite("either", "ALARM(cpu) OR ALARM(mem)")
	f.putComposite("calm", "NOT ALARM(either)")
	f.src.set("cpu", 10)
	f.src.set("mem", 10)
	f.run()
	if e, c := f.alarm("either"), f.alarm("calm"); e.State != "OK" || c.State != "ALARM" {
		t.Fatalf("either %s, calm %s; want OK, ALARM", e.State, c.State)
	}
	f.src.set("mem", 90)
	f.runAt(svcT0.Add(time.Minute))
	e, c := f.alarm("either"), f.alarm("calm")
	if e.State != "ALARM" || c.State != "OK" {
		t.Fatalf("either %s, calm %s; want ALARM, OK in the same run", e.State, c.State)
	}
	wantReason := ARN(svcScope, "mem") + " transitioned to ALARM at Monday 02 March, 2026 10:01:05 UTC"
	if e.StateReason != wantReason {
		t.Errorf("reason %q; want %q", e.StateReason, wantReason)
	}
	data := decodeJSON(t, e.StateReasonData)
	if jsonAt(data, "triggeringAlarms", 0, "arn") != ARN(svcScope, "mem") || jsonAt(data, "triggeringAlarms", 0, "state", "value") != "ALARM" {
		t.Errorf("reason data %s", e.StateReasonData)
	}
	if items := f.historyOf("either", store.HistoryStateUpdate); len(items) != 2 {
		t.Errorf("%d state items of either; want 2", len(items))
	}
}

// With an actions suppressor, a composite alarm's actions wait for the
// wait period, do not run while the suppressor is in ALARM, nor for the
// extension period after.
func TestCompositeSuppression(t *testing.T) {
	f := newSvcFixture(t, true)
	f.put(metricInput("cpu"))
	f.put(metricInput("maint"))
	in := PutInput{Name: "web", Definition: Definition{AlarmRule: "ALARM(cpu)", AlarmActions: []string{svcTopic}, OKActions: []string{svcTopic},
		ActionsSuppressor: "maint", ActionsSuppressorWaitPeriod: 120, ActionsSuppressorExtensionPeriod: 180}}
	if err := f.svc.PutCompositeAlarm(f.ctx, svcScope, in); err != nil {
		t.Fatal(err)
	}
	suppressed := func(want string) {
		t.Helper()
		if by, _ := CompositeSuppression(f.alarm("web")); by != want {
			t.Errorf("ActionsSuppressedBy %q; want %q", by, want)
		}
	}
	notified := func(want int) {
		t.Helper()
		f.step()
		if got := f.takePublished(); len(got) != want {
			t.Errorf("%d notifications; want %d", len(got), want)
		}
	}
	f.src.set("maint", 10)
	f.src.set("cpu", 10)
	f.run()
	notified(1) // INSUFFICIENT_DATA -> OK
	// cpu goes into ALARM: the actions wait for the suppressor.
	f.src.set("cpu", 90)
	f.runAt(svcT0.Add(time.Minute))
	if f.alarm("web").State != "ALARM" {
		t.Fatal("web not in ALARM")
	}
	suppressed("WaitPeriod")
	notified(0)
	// The wait period ends without the suppressor in ALARM: they run.
	f.runAt(svcT0.Add(3*time.Minute + time.Second))
	suppressed("")
	notified(1)

	// Maintenance: the suppressor in ALARM holds back the actions of the
	// change back to OK, and for the extension period after it.
	f.src.set("maint", 90)
	f.runAt(svcT0.Add(4 * time.Minute))
	f.src.set("cpu", 10)
	f.runAt(svcT0.Add(5 * time.Minute))
	suppressed("Alarm")
	notified(0)
	f.src.set("maint", 10)
	f.src.set("cpu", 90)
	f.runAt(svcT0.Add(6 * time.Minute))
	if f.alarm("web").State != "ALARM" {
		t.Fatal("web not in ALARM")
	}
	suppressed("ExtensionPeriod")
	notified(0)
	// After the extension, changes run their actions again.
	f.src.set("cpu", 10)
	f.runAt(svcT0.Add(9 * time.Minute))
	suppressed("")
	notified(1)
}
