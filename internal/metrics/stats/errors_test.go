package stats

import (
	"errors"
	"testing"
)

func TestParseGetMetricStatistics(t *testing.T) {
	tests := []struct {
		name                 string
		statistics, extended []string
		want                 []string
		code, message        string
	}{
		{name: "simple", statistics: []string{"Average", "Maximum"}, want: []string{"Average", "Maximum"}},
		{name: "extended", extended: []string{"p99", "tm90", "IQM"}, want: []string{"p99", "tm90", "IQM"}},
		{
			name: "neither", code: CodeInvalidParameterCombination,
			message: "Must specify either Statistics or ExtendedStatistics",
		},
		{
			name: "both", statistics: []string{"Sum"}, extended: []string{"p99"}, code: CodeInvalidParameterCombination,
			message: "The parameters Statistics and ExtendedStatistics are mutually exclusive and you have specified both.",
		},
		{
			name: "percentile in Statistics", statistics: []string{"Sum", "p99"}, code: CodeInvalidParameterValue,
			message: "The parameter Statistics.member.2.<list element> must be a value in the set [SampleCount, Average, Sum, Minimum, Maximum].",
		},
		{
			name: "bad extended", extended: []string{"p99", "p101"}, code: CodeInvalidParameterValue,
			message: "The value p101 for parameter ExtendedStatistics.member.2 is not supported.",
		},
		{
			name: "simple in ExtendedStatistics", extended: []string{"Average"}, code: CodeInvalidParameterValue,
			message: "The value Average for parameter ExtendedStatistics.member.1 is not supported.",
		},
		{
			name: "too many", statistics: []string{"Sum", "Sum", "Sum", "Sum", "Sum", "Sum"}, code: CodeInvalidParameterValue,
			message: "The collection Statistics must not have a size greater than 5.",
		},
		{
			name:     "too many extended",
			extended: []string{"p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "p10", "p11"},
			code:     CodeInvalidParameterValue,
			message:  "The collection ExtendedStatistics must not have a size greater than 10.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseGetMetricStatistics(tt.statistics, tt.extended)
			checkAPIError(t, err, tt.code, tt.message)
			if err != nil {
				return
			}
			var names []string
			for _, st := range got {
				names = append(names, st.String())
			}
			if len(names) != len(tt.want) {
				t.Fatalf("got %q, want %q", names, tt.want)
			}
			for i := range names {
				if names[i] != tt.want[i] {
					t.Fatalf("got %q, want %q", names, tt.want)
				}
			}
		})
	}
}

func TestParseStat(t *testing.T) {
	param := "MetricDataQueries.member.3.MetricStat.Stat"
	if st, err := ParseStat("TM(10%:90%)", param); err != nil || st.Kind() != TrimmedMean {
		t.Errorf("ParseStat(TM(10%%:90%%)) = %v, %v", st.Kind(), err)
	}
	if st, err := ParseStat("Sum", param); err != nil || st.Kind() != Sum {
		t.Errorf("ParseStat(Sum) = %v, %v", st.Kind(), err)
	}
	_, err := ParseStat("None", param)
	checkAPIError(t, err, CodeValidationError,
		"The value None for parameter MetricDataQueries.member.3.MetricStat.Stat is not a valid statistic.")
}

func TestParseExtendedStatistic(t *testing.T) {
	if st, err := ParseExtendedStatistic("p99.9"); err != nil || st.P() != 99.9 {
		t.Errorf("ParseExtendedStatistic(p99.9) = %+v, %v", st, err)
	}
	for _, in := range []string{"90", "p101", "Average"} {
		_, err := ParseExtendedStatistic(in)
		checkAPIError(t, err, CodeInvalidParameterValue, "The value "+in+" for parameter ExtendedStatistic is not supported.")
	}
}

func checkAPIError(t *testing.T, err error, code, message string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("error %v, want none", err)
		}
		return
	}
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v, want an *APIError", err)
	}
	if ae.Code != code || ae.Message != message || ae.ErrorCode() != code {
		t.Fatalf("error %s: %s\nwant  %s: %s", ae.Code, ae.Message, code, message)
	}
	if ae.Error() != code+": "+message {
		t.Fatalf("Error() = %q", ae.Error())
	}
}
