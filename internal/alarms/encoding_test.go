package alarms

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/vigilhq/vigil/internal/golden"
)

// TestStoredEncodingsGolden pins what the service writes that outlives
// the process — the outbox payload of an action, a mute rule, and the
// evaluations of composite and multi-time-series alarms — and checks that
// what was written decodes to the same value.
func TestStoredEncodingsGolden(t *testing.T) {
	for _, c := range []struct {
		name string
		v    any
		// into is a new value of v's type, which the golden bytes
		// decode into.
		into any
	}{
		{"action-payload-v1.json", actionPayload{AlarmName: "cpu", AlarmType: "MetricAlarm", StateUpdated: 1796647988120,
			Message: `{"AlarmName":"cpu","NewStateValue":"ALARM"}`, Subject: `ALARM: "cpu" in US East (N. Virginia)`}, &actionPayload{}},
		{"mute-rule-v1.json", MuteRule{Version: muteRuleVersion, Description: "nightly backups", Expression: "cron(0 2 * * *)",
			Duration: "PT4H", Timezone: "Europe/Paris", AlarmNames: []string{"cpu", "disk"}, StartDate: 1796601600000,
			ExpireDate: 1799193600000}, &MuteRule{}},
		{"composite-evaluation.json", compositeEvaluation{PendingSince: 1796647988120, SuppressorAlarm: 1796647900000,
			SuppressedBy: "WaitPeriod", SuppressedReason: "Actions suppressed by WaitPeriod"}, &compositeEvaluation{}},
		{"contributors-evaluation.json", contributorsEvaluation{Contributors: map[string]*contributorState{
			"0123456789abcdef": {Attributes: map[string]string{"Host": "web-1"}, State: StateAlarm, Reason: "Threshold Crossed",
				ReasonData: `{"version":"1.0"}`, Transitioned: 1796647988120}}}, &contributorsEvaluation{}},
	} {
		b, err := json.Marshal(c.v)
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, "golden/"+c.name, append(b, '\n'))
		if err := json.Unmarshal(b, c.into); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := reflect.ValueOf(c.into).Elem().Interface(); !reflect.DeepEqual(got, c.v) {
			t.Errorf("%s decodes to %+v; want %+v", c.name, got, c.v)
		}
	}
}
