package alarms

import (
	"encoding/json"
	"math"
	"testing"
	"time"
)

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02T15:04:05.000Z", s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestReasons pins StateReason and StateReasonData against what AWS wrote
// in the DescribeAlarms output, SNS notifications and EventBridge events
// the comments cite (found by their text on GitHub); a data of "" is not
// checked. Where AWS evaluated at a time Vigil's range would not reach the
// same datapoints, the evaluation time is moved and the queryDate with it.
func TestReasons(t *testing.T) {
	tests := []struct {
		name   string
		cfg    Config
		from   State
		now    time.Time
		points []Datapoint
		state  State
		reason string
		data   string
	}{
		{
			// DynamoDB target-tracking alarm (overmindtech/aws-source): DatapointsToAlarm unset.
			name: "short form, OK",
			cfg:  Config{Period: time.Minute, EvaluationPeriods: 2, Threshold: 42, Comparison: GreaterThanThreshold, Statistic: "Sum"},
			from: StateAlarm, now: at("2023-01-09T14:03:25.504Z"),
			points: []Datapoint{
				{Timestamp: at("2023-01-09T14:01:00.000Z"), Value: 1, SampleCount: 1},
				{Timestamp: at("2023-01-09T14:02:00.000Z"), Value: 0, SampleCount: 1},
			},
			state:  StateOK,
			reason: "Threshold Crossed: 2 datapoints [0.0 (09/01/23 14:02:00), 1.0 (09/01/23 14:01:00)] were not greater than the threshold (42.0).",
			data:   `{"version":"1.0","queryDate":"2023-01-09T14:03:25.504+0000","startDate":"2023-01-09T14:01:00.000+0000","statistic":"Sum","period":60,"recentDatapoints":[1.0,0.0],"threshold":42.0,"evaluatedDatapoints":[{"timestamp":"2023-01-09T14:02:00.000+0000","sampleCount":1.0,"value":0.0}]}`,
		},
		{
			// EC2 StatusCheckFailed_System alarm with a Unit.
			name: "short form, one datapoint, unit",
			cfg: Config{Period: time.Minute, EvaluationPeriods: 1, Threshold: 1, Comparison: GreaterThanOrEqualToThreshold,
				Statistic: "Minimum", Unit: "Count"},
			from: StateInsufficientData, now: at("2023-04-07T09:09:15.917Z"),
			points: []Datapoint{{Timestamp: at("2023-04-07T09:08:00.000Z"), Value: 0, SampleCount: 1}},
			state:  StateOK,
			reason: "Threshold Crossed: 1 datapoint [0.0 (07/04/23 09:08:00)] was not greater than or equal to the threshold (1.0).",
			data:   `{"version":"1.0","queryDate":"2023-04-07T09:09:15.917+0000","startDate":"2023-04-07T09:08:00.000+0000","unit":"Count","statistic":"Minimum","period":60,"recentDatapoints":[0.0],"threshold":1.0,"evaluatedDatapoints":[{"timestamp":"2023-04-07T09:08:00.000+0000","sampleCount":1.0,"value":0.0}]}`,
		},
		{
			// ECS CPU alarm of an EventBridge event, 2 out of 2, to ALARM.
			name: "M of N, ALARM",
			cfg: Config{Period: time.Minute, EvaluationPeriods: 2, DatapointsToAlarm: 2, Threshold: 40,
				Comparison: LessThanThreshold, Statistic: "Average"},
			from: StateOK, now: at("2021-04-13T15:46:16.506Z"),
			points: []Datapoint{
				{Timestamp: at("2021-04-13T15:43:00.000Z"), Value: 0.017077552154660225, SampleCount: 1},
				{Timestamp: at("2021-04-13T15:44:00.000Z"), Value: 0.017910949885845184, SampleCount: 1},
			},
			state:  StateAlarm,
			reason: "Threshold Crossed: 2 out of the last 2 datapoints [0.017910949885845184 (13/04/21 15:44:00), 0.017077552154660225 (13/04/21 15:43:00)] were less than the threshold (40.0) (minimum 2 datapoints for OK -> ALARM transition).",
			data:   `{"version":"1.0","queryDate":"2021-04-13T15:46:16.506+0000","startDate":"2021-04-13T15:43:00.000+0000","statistic":"Average","period":60,"recentDatapoints":[0.017077552154660225,0.017910949885845184],"threshold":40.0,"evaluatedDatapoints":[{"timestamp":"2021-04-13T15:44:00.000+0000","sampleCount":1.0,"value":0.017910949885845184},{"timestamp":"2021-04-13T15:43:00.000+0000","sampleCount":1.0,"value":0.017077552154660225}]}`,
		},
		{
			// The same alarm's return to OK: N-M+1 = 1 datapoint decides.
			name: "M of N, OK",
			cfg: Config{Period: time.Minute, EvaluationPeriods: 2, DatapointsToAlarm: 2, Threshold: 40,
				Comparison: GreaterThanThreshold, Statistic: "Average"},
			from: StateAlarm, now: at("2021-04-13T16:06:38.066Z"),
			points: []Datapoint{
				{Timestamp: at("2021-04-13T16:03:00.000Z"), Value: 0.01575357001274824, SampleCount: 1},
				{Timestamp: at("2021-04-13T16:04:00.000Z"), Value: 0.01758096118768056, SampleCount: 1},
			},
			state:  StateOK,
			reason: "Threshold Crossed: 2 out of the last 2 datapoints [0.01758096118768056 (13/04/21 16:04:00), 0.01575357001274824 (13/04/21 16:03:00)] were not greater than the threshold (40.0) (minimum 1 datapoint for ALARM -> OK transition).",
			data:   `{"version":"1.0","queryDate":"2021-04-13T16:06:38.066+0000","startDate":"2021-04-13T16:03:00.000+0000","statistic":"Average","period":60,"recentDatapoints":[0.01575357001274824,0.01758096118768056],"threshold":40.0,"evaluatedDatapoints":[{"timestamp":"2021-04-13T16:04:00.000+0000","sampleCount":1.0,"value":0.01758096118768056}]}`,
		},
		{
			// A DMS task alarm's Lambda payload.
			name: "short form, filled",
			cfg: Config{Period: time.Minute, EvaluationPeriods: 2, Threshold: 1, Comparison: LessThanThreshold,
				TreatMissing: TreatBreaching, Statistic: "Maximum"},
			from: StateOK, now: at("2026-04-20T18:46:10.000Z"),
			points: []Datapoint{{Timestamp: at("2026-04-20T18:45:00.000Z"), Value: 0, SampleCount: 1}},
			state:  StateAlarm,
			reason: "Threshold Crossed: 1 datapoint [0.0 (20/04/26 18:45:00)] was less than the threshold (1.0) and 1 missing datapoint was treated as [Breaching].",
		},
		{
			// An EC2 DiskReadOps alarm read with boto3.
			name: "nothing received, breaching",
			cfg:  Config{Period: 5 * time.Minute, EvaluationPeriods: 1, Threshold: 0.1, Comparison: GreaterThanOrEqualToThreshold, TreatMissing: TreatBreaching, Statistic: "Average"},
			from: StateInsufficientData, now: at("2019-07-03T08:01:28.393Z"),
			state:  StateAlarm,
			reason: "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [Breaching].",
			data:   `{"version":"1.0","queryDate":"2019-07-03T08:01:28.393+0000","statistic":"Average","period":300,"recentDatapoints":[],"threshold":0.1}`,
		},
		{
			name: "nothing received, not breaching",
			cfg:  Config{Period: time.Minute, EvaluationPeriods: 3, Threshold: 1, Comparison: GreaterThanThreshold, TreatMissing: TreatNotBreaching},
			from: StateAlarm, now: at("2023-12-30T07:48:51.322Z"),
			state:  StateOK,
			reason: "Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [NonBreaching].",
		},
		{
			// A WAF rate-rule alarm's SNS notification, 1 out of 20.
			name: "M of N, filled",
			cfg: Config{Period: time.Minute, EvaluationPeriods: 20, DatapointsToAlarm: 1, Threshold: 1,
				Comparison: GreaterThanOrEqualToThreshold, TreatMissing: TreatNotBreaching, Statistic: "Sum"},
			from: StateOK, now: at("2024-03-16T12:16:45.770Z"),
			points: []Datapoint{{Timestamp: at("2024-03-16T12:15:00.000Z"), Value: 613, SampleCount: 1}},
			state:  StateAlarm,
			reason: "Threshold Crossed: 1 out of the last 20 datapoints [613.0 (16/03/24 12:15:00)] was greater than or equal to the threshold (1.0) and 19 missing datapoints were treated as [NonBreaching] (minimum 1 datapoint for OK -> ALARM transition).",
		},
		{
			// A Lambda alarm action's event: all missing, 5 periods.
			name: "insufficient data",
			cfg:  Config{Period: time.Minute, EvaluationPeriods: 5, Threshold: 5, Comparison: GreaterThanThreshold, Statistic: "Average"},
			from: StateOK, now: at("2023-08-04T12:31:29.591Z"),
			state:  StateInsufficientData,
			reason: "Insufficient Data: 5 datapoints were unknown.",
			data:   `{"version":"1.0","queryDate":"2023-08-04T12:31:29.591+0000","statistic":"Average","period":60,"recentDatapoints":[],"threshold":5.0,"evaluatedDatapoints":[{"timestamp":"2023-08-04T12:30:00.000+0000"},{"timestamp":"2023-08-04T12:29:00.000+0000"},{"timestamp":"2023-08-04T12:28:00.000+0000"},{"timestamp":"2023-08-04T12:27:00.000+0000"},{"timestamp":"2023-08-04T12:26:00.000+0000"}]}`,
		},
		{
			name: "insufficient data, one period",
			cfg:  Config{Period: time.Minute, EvaluationPeriods: 1, Threshold: 5, Comparison: GreaterThanThreshold},
			from: StateOK, now: at("2024-10-26T18:38:52.499Z"),
			state:  StateInsufficientData,
			reason: "Insufficient Data: 1 datapoint was unknown.",
		},
		{
			// A metric-math anomaly alarm's Lambda event.
			name: "upper band, ALARM",
			cfg:  Config{Period: time.Minute, EvaluationPeriods: 1, DatapointsToAlarm: 1, Comparison: GreaterThanUpperThreshold},
			from: StateOK, now: at("2024-07-25T07:22:32.386Z"),
			points: []Datapoint{{Timestamp: at("2024-07-25T07:21:00.000Z"), Value: 239, Lower: 100, Upper: 225.71426732099445}},
			state:  StateAlarm,
			reason: "Thresholds Crossed: 1 out of the last 1 datapoints [239.0 (25/07/24 07:21:00)] was greater than the upper thresholds [225.71426732099445] (minimum 1 datapoint for OK -> ALARM transition).",
			data:   `{"version":"1.0","queryDate":"2024-07-25T07:22:32.386+0000","startDate":"2024-07-25T07:21:00.000+0000","period":60,"recentDatapoints":[239.0],"recentUpperThresholds":[225.71426732099445],"evaluatedDatapoints":[{"timestamp":"2024-07-25T07:21:00.000+0000","value":239.0,"threshold":225.71426732099445}]}`,
		},
		{
			name: "upper band, OK",
			cfg:  Config{Period: time.Minute, EvaluationPeriods: 1, DatapointsToAlarm: 1, Comparison: GreaterThanUpperThreshold},
			from: StateAlarm, now: at("2024-07-25T07:00:44.734Z"),
			points: []Datapoint{{Timestamp: at("2024-07-25T06:59:00.000Z"), Value: 209, Upper: 330.3191408914422}},
			state:  StateOK,
			reason: "Thresholds Crossed: 1 out of the last 1 datapoints [209.0 (25/07/24 06:59:00)] was not greater than the upper thresholds [330.3191408914422] (minimum 1 datapoint for ALARM -> OK transition).",
			data:   `{"version":"1.0","queryDate":"2024-07-25T07:00:44.734+0000","startDate":"2024-07-25T06:59:00.000+0000","period":60,"recentDatapoints":[209.0],"recentUpperThresholds":[330.3191408914422],"evaluatedDatapoints":[{"timestamp":"2024-07-25T06:59:00.000+0000","value":209.0,"threshold":330.3191408914422}]}`,
		},
		{
			// A Container Insights alarm's SNS notification.
			name: "two-sided band, OK",
			cfg:  Config{Period: time.Minute, EvaluationPeriods: 1, DatapointsToAlarm: 1, Comparison: LessThanLowerOrGreaterThanUpperThreshold},
			from: StateAlarm, now: at("2021-06-27T13:53:39.351Z"),
			points: []Datapoint{{Timestamp: at("2021-06-27T13:52:00.000Z"), Value: 0.46522264287069004,
				Lower: 0.4129373661576242, Upper: 0.4700330400585261}},
			state:  StateOK,
			reason: "Thresholds Crossed: 1 out of the last 1 datapoints [0.46522264287069004 (27/06/21 13:52:00)] was not less than the lower thresholds [0.4129373661576242] or not greater than the upper thresholds [0.4700330400585261] (minimum 1 datapoint for ALARM -> OK transition).",
		},
		{
			// A 2 sigma band alarm's SNS notification, period 300.
			name: "two-sided band, ALARM",
			cfg:  Config{Period: 5 * time.Minute, EvaluationPeriods: 2, DatapointsToAlarm: 2, Comparison: LessThanLowerOrGreaterThanUpperThreshold},
			from: StateOK, now: at("2019-11-22T01:02:17.570Z"),
			points: []Datapoint{
				{Timestamp: at("2019-11-22T00:52:00.000Z"), Value: 27.035814838199848, Lower: 31.317673764600034, Upper: 32.68864166862828},
				{Timestamp: at("2019-11-22T00:57:00.000Z"), Value: 28.244242980188464, Lower: 31.723549397187316, Upper: 33.09242087209403},
			},
			state:  StateAlarm,
			reason: "Thresholds Crossed: 2 out of the last 2 datapoints [28.244242980188464 (22/11/19 00:57:00), 27.035814838199848 (22/11/19 00:52:00)] were less than the lower thresholds [31.723549397187316, 31.317673764600034] or greater than the upper thresholds [33.09242087209403, 32.68864166862828] (minimum 2 datapoints for OK -> ALARM transition).",
		},
		{
			// A WAF alarm's reason quoted in a Terraform comment.
			name: "received but none agrees",
			cfg: Config{Period: time.Minute, EvaluationPeriods: 3, DatapointsToAlarm: 2, Threshold: 0,
				Comparison: GreaterThanThreshold, TreatMissing: TreatBreaching},
			from: StateOK, now: at("2026-09-05T10:00:30.000Z"),
			points: []Datapoint{{Timestamp: at("2026-09-05T09:56:00.000Z"), Value: 0}},
			state:  StateAlarm,
			reason: "Threshold Crossed: 1 datapoint was received for 3 periods and 2 missing datapoints were treated as [Breaching] (minimum 2 datapoints for OK -> ALARM transition).",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Evaluate(tt.cfg, tt.from, tt.now, tt.points)
			if got.State != tt.state || !got.Changed {
				t.Errorf("state %s (changed %v); want %s", got.State, got.Changed, tt.state)
			}
			if got.Reason != tt.reason {
				t.Errorf("reason\n got %s\nwant %s", got.Reason, tt.reason)
			}
			if tt.data != "" && string(got.ReasonData) != tt.data {
				t.Errorf("reason data\n got %s\nwant %s", got.ReasonData, tt.data)
			}
			if !json.Valid(got.ReasonData) {
				t.Errorf("reason data is not JSON: %s", got.ReasonData)
			}
		})
	}
}

// TestPrematureReason pins the reasons of the guide's premature rows, for
// which no AWS example was found (see the package documentation).
func TestPrematureReason(t *testing.T) {
	cfg := Config{Period: 5 * time.Minute, EvaluationPeriods: 3, DatapointsToAlarm: 3, Threshold: 21, Comparison: GreaterThanThreshold, Statistic: "Average"}
	n := time.Date(2026, 7, 12, 10, 26, 5, 0, time.UTC)
	start, _ := Window(cfg, n)
	x := Datapoint{Timestamp: start.Add(10 * time.Minute), Value: 21.5, SampleCount: 3}
	got := Evaluate(cfg, StateInsufficientData, n, []Datapoint{x}) // - - X - -
	want := "Threshold Crossed: 1 out of the last 3 datapoints [21.5 (12/07/26 10:11:00)] was greater than the threshold (21.0) (minimum 3 datapoints for OK -> ALARM transition)."
	if got.State != StateAlarm || got.Reason != want {
		t.Errorf("- - X - -: %s %q; want ALARM %q", got.State, got.Reason, want)
	}
	x.Timestamp = start.Add(20 * time.Minute) // - - - - X
	got = Evaluate(cfg, StateOK, n, []Datapoint{x})
	want = "Insufficient Data: 2 datapoints were unknown."
	if got.State != StateInsufficientData || got.Reason != want {
		t.Errorf("- - - - X: %s %q; want INSUFFICIENT_DATA %q", got.State, got.Reason, want)
	}
	wantData := `{"version":"1.0","queryDate":"2026-07-12T10:26:05.000+0000","startDate":"2026-07-12T10:21:00.000+0000","statistic":"Average","period":300,"recentDatapoints":[21.5],"threshold":21.0,"evaluatedDatapoints":[{"timestamp":"2026-07-12T10:21:00.000+0000","sampleCount":3.0,"value":21.5},{"timestamp":"2026-07-12T10:16:00.000+0000"},{"timestamp":"2026-07-12T10:11:00.000+0000"}]}`
	if string(got.ReasonData) != wantData {
		t.Errorf("- - - - X data\n got %s\nwant %s", got.ReasonData, wantData)
	}
}

func TestJavaDouble(t *testing.T) {
	tests := map[float64]string{
		0: "0.0", math.Copysign(0, -1): "-0.0", 1: "1.0", 21: "21.0", 21.5: "21.5", -3: "-3.0",
		0.005: "0.005", 0.001: "0.001", 0.0009: "9.0E-4", 1.5e-7: "1.5E-7",
		9999999: "9999999.0", 1e7: "1.0E7", 20000: "20000.0",
		8.3714617344e10: "8.3714617344E10", 2.147483648e10: "2.147483648E10", 1.0e100: "1.0E100",
		3.4666088898518357: "3.4666088898518357", 0.1: "0.1",
		math.NaN(): "NaN", math.Inf(1): "Infinity", math.Inf(-1): "-Infinity",
	}
	for f, want := range tests {
		if got := javaDouble(f); got != want {
			t.Errorf("javaDouble(%v) = %q; want %q", f, got, want)
		}
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"Count", `a"b\c`, "\x01\n", "Bytes/Second", "é"} {
		var back string
		if err := json.Unmarshal(appendJSONString(nil, s), &back); err != nil || back != s {
			t.Errorf("appendJSONString(%q) reads back as %q, %v", s, back, err)
		}
	}
}
