package mathexpr

import (
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/metrics/series"
)

func TestResultLabels(t *testing.T) {
	errs := Series{Series: series.Series{Label: "Errors", Timestamps: []int64{0, 60}, Values: []float64{1, 5}}}
	faults := Series{Series: series.Series{Label: "Faults"}}
	arr := ArrayValue([]Series{errs, faults})
	one := SeriesValue(errs)
	f := func(id, label string, v Value, want ...string) {
		t.Helper()
		got := ResultLabels(id, label, v, LabelOptions{})
		if len(got) != len(want) {
			t.Fatalf("ResultLabels(%q, %q) = %q, want %q", id, label, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("ResultLabels(%q, %q)[%d] = %q, want %q", id, label, i, got[i], want[i])
			}
		}
	}
	// "one line in the legend would be Filled With 0: Errors"; an empty
	// expression label leaves the metric labels.
	f("e1", "Filled With 0:", arr, "Filled With 0: Errors", "Filled With 0: Faults")
	f("e1", "", arr, "Errors", "Faults")
	f("e1", "[max: ${MAX}] ${LABEL}", arr, "[max: 5] Errors", "[max: --] Faults")
	f("e1", "Error rate", one, "Error rate")
	f("e1", "", one, "e1")
	f("e1", "${LABEL} (${SUM})", SeriesValue(Series{Series: series.Series{Values: []float64{2}, Timestamps: []int64{0}}}), "e1 (2)")
	f("e1", "x", ArrayValue([]Series{{}}), "x e1")
}

func TestExpandLabel(t *testing.T) {
	s := Series{
		Series: series.Series{
			Label:      "my-function",
			Timestamps: []int64{1622505600, 1622505660, 1622505720, 1622505780},
			Values:     []float64{3, 9, 0.1, 0.2},
		},
		Period: 60,
		Metric: &Metric{Namespace: "AWS/Lambda", Name: "Errors", Stat: "Sum", Dimensions: map[string]string{"FunctionName": "my-function"}},
	}
	loc, err := ParseTimezone("+0130")
	if err != nil {
		t.Fatal(err)
	}
	opts := LabelOptions{Now: time.Unix(1622509200, 0), Location: loc, Region: "us-east-1", AccountID: "123456789012"}
	for label, want := range map[string]string{
		// The example of "Use dynamic labels".
		"[max: ${MAX} Errors for Function Name ${LABEL}]":                          "[max: 9 Errors for Function Name my-function]",
		"${AVG} ${MIN} ${SUM} ${DATAPOINT_COUNT}":                                  "3.075 0.1 12.3 4",
		"${FIRST} ${LAST} ${FIRST_LAST_RANGE} ${MIN_MAX_RANGE}":                    "3 0.2 -2.8 8.9",
		"${FIRST_TIME} ${LAST_TIME}":                                               "2021-06-01T01:30:00+01:30 2021-06-01T01:33:00+01:30",
		"${MIN_TIME} ${MAX_TIME}":                                                  "2021-06-01T01:32:00+01:30 2021-06-01T01:31:00+01:30",
		"${FIRST_TIME_RELATIVE} / ${LAST_TIME_RELATIVE}":                           "1h / 57m",
		"${MIN_TIME_RELATIVE} ${MAX_TIME_RELATIVE}":                                "58m 59m",
		"${FIRST_LAST_TIME_RANGE} ${MIN_MAX_TIME_RANGE}":                           "3m 1m",
		"${PROP('Dim.FunctionName')} ${PROP('MetricName')} ${PROP('Namespace')}":   "my-function Errors AWS/Lambda",
		`${PROP("Stat")} ${PROP('Period')} ${PROP('Region')} ${PROP('AccountId')}`: "Sum 60 us-east-1 123456789012",
		"${PROP('AccountLabel')} ${PROP('Dim.Missing')}":                           "-- --",
		"${UNKNOWN} ${PROP('Nope')} ${PROP(Stat)} ${MAX":                           "${UNKNOWN} ${PROP('Nope')} ${PROP(Stat)} ${MAX",
		"plain":    "plain",
		"$${MAX}}": "$9}",
	} {
		if got := ExpandLabel(label, s, opts); got != want {
			t.Errorf("ExpandLabel(%q) = %q, want %q", label, got, want)
		}
	}
}

func TestParseTimezone(t *testing.T) {
	for tz, off := range map[string]int{"": 0, "+0000": 0, "+0130": 5400, "-0800": -28800, "+2359": 86340} {
		loc, err := ParseTimezone(tz)
		if err != nil {
			t.Errorf("ParseTimezone(%q): %v", tz, err)
			continue
		}
		if _, got := time.Unix(0, 0).In(loc).Zone(); got != off {
			t.Errorf("ParseTimezone(%q) offset %d, want %d", tz, got, off)
		}
	}
	for _, tz := range []string{"0130", "+130", "+2400", "+0160", "UTC", "+01:30", "++100", "+-100"} {
		if _, err := ParseTimezone(tz); err == nil {
			t.Errorf("ParseTimezone(%q) succeeded", tz)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for sec, want := range map[int64]string{0: "0s", 59: "59s", 3600: "1h", 93784: "1d 2h 3m 4s", -60: "1m"} {
		if got := formatDuration(sec); got != want {
			t.Errorf("formatDuration(%d) = %q, want %q", sec, got, want)
		}
	}
}
