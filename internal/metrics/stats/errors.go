package stats

import "fmt"

// Error codes of refused statistic parameters. They are CloudWatch's
// awsQuery codes; the service maps them onto its wire errors.
const (
	// CodeInvalidParameterValue: a statistic is malformed or not supported.
	CodeInvalidParameterValue = "InvalidParameterValue"
	// CodeInvalidParameterCombination: parameters that cannot go together,
	// or none of a required pair.
	CodeInvalidParameterCombination = "InvalidParameterCombination"
	// CodeValidationError: GetMetricData's code for an invalid
	// MetricStat.Stat.
	CodeValidationError = "ValidationError"
)

// API limits on the statistics of one GetMetricStatistics call, from the
// API reference (Statistics: 1 to 5 items, ExtendedStatistics: 1 to 10).
const (
	MaxStatistics         = 5
	MaxExtendedStatistics = 10
)

// APIError is a statistic parameter that an operation refuses, with the
// AWS error code and message the client sees.
type APIError struct {
	// Code is one of the Code constants.
	Code string
	// Message is worded as AWS words it.
	Message string
}

// Error returns the code and the message.
func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// ErrorCode returns the AWS error code.
func (e *APIError) ErrorCode() string { return e.Code }

func apiErrorf(code, format string, args ...any) *APIError {
	return &APIError{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ParseGetMetricStatistics validates the Statistics and ExtendedStatistics
// parameters of GetMetricStatistics and returns the statistics of the one
// list given, in request order. The messages are AWS's:
//
//   - neither list: InvalidParameterCombination "Must specify either
//     Statistics or ExtendedStatistics";
//   - both lists: InvalidParameterCombination, as the API reference says
//     "you must specify either Statistics or ExtendedStatistics, but not
//     both";
//   - a Statistics member outside the enum: InvalidParameterValue "The
//     parameter Statistics.member.1.<list element> must be a value in the
//     set [SampleCount, Average, Sum, Minimum, Maximum]." (the 2023 wording;
//     older endpoints left out "<list element>");
//   - an ExtendedStatistics member that is not an extended statistic:
//     InvalidParameterValue "The value p101 for parameter
//     ExtendedStatistics.member.1 is not supported.", the wording
//     PutMetricAlarm uses for its ExtendedStatistic.
//
// The reference documents percentiles for ExtendedStatistics; every
// extended statistic of Parse is accepted there, as GetMetricData accepts
// them.
func ParseGetMetricStatistics(statistics, extended []string) ([]Statistic, error) {
	switch {
	case len(statistics) == 0 && len(extended) == 0:
		return nil, apiErrorf(CodeInvalidParameterCombination, "Must specify either Statistics or ExtendedStatistics")
	case len(statistics) > 0 && len(extended) > 0:
		return nil, apiErrorf(CodeInvalidParameterCombination,
			"The parameters Statistics and ExtendedStatistics are mutually exclusive and you have specified both.")
	case len(statistics) > MaxStatistics:
		return nil, apiErrorf(CodeInvalidParameterValue, "The collection Statistics must not have a size greater than %d.", MaxStatistics)
	case len(extended) > MaxExtendedStatistics:
		return nil, apiErrorf(CodeInvalidParameterValue, "The collection ExtendedStatistics must not have a size greater than %d.", MaxExtendedStatistics)
	}
	out := make([]Statistic, 0, len(statistics)+len(extended))
	for i, s := range statistics {
		k, ok := simple[s]
		if !ok {
			return nil, apiErrorf(CodeInvalidParameterValue,
				"The parameter Statistics.member.%d.<list element> must be a value in the set [SampleCount, Average, Sum, Minimum, Maximum].", i+1)
		}
		out = append(out, Statistic{kind: k, text: s})
	}
	for i, s := range extended {
		st, err := Parse(s)
		if err != nil || !st.Extended() {
			return nil, apiErrorf(CodeInvalidParameterValue, "The value %s for parameter ExtendedStatistics.member.%d is not supported.", s, i+1)
		}
		out = append(out, st)
	}
	return out, nil
}

// ParseStat validates the Stat of a MetricStat (GetMetricData, and the
// Metrics of PutMetricAlarm), which takes any statistic, simple or
// extended. param is the parameter's path for the message, as
// MetricDataQueries.member.3.MetricStat.Stat; a refused statistic is a
// ValidationError "The value X for parameter P is not a valid statistic."
// GetMetricData reports every refused query at once, one message per line.
func ParseStat(stat, param string) (Statistic, error) {
	st, err := Parse(stat)
	if err != nil {
		return Statistic{}, apiErrorf(CodeValidationError, "The value %s for parameter %s is not a valid statistic.", stat, param)
	}
	return st, nil
}

// ParseExtendedStatistic validates PutMetricAlarm's ExtendedStatistic: an
// extended statistic, refused with InvalidParameterValue "The value X for
// parameter ExtendedStatistic is not supported."
func ParseExtendedStatistic(s string) (Statistic, error) {
	st, err := Parse(s)
	if err != nil || !st.Extended() {
		return Statistic{}, apiErrorf(CodeInvalidParameterValue, "The value %s for parameter ExtendedStatistic is not supported.", s)
	}
	return st, nil
}
