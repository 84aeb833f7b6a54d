package mathexpr

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// LabelOptions is what dynamic labels need beyond the series itself.
type LabelOptions struct {
	// Now is the instant the *_RELATIVE values count from.
	Now time.Time
	// Location is the time zone timestamps are shown in; nil is UTC.
	// ParseTimezone reads GetMetricData's LabelOptions.Timezone.
	Location *time.Location
	// Region, AccountID and AccountLabel answer PROP('Region'),
	// PROP('AccountId') and PROP('AccountLabel').
	Region, AccountID, AccountLabel string
}

// ParseTimezone parses GetMetricData's LabelOptions.Timezone: "+" or "-"
// and four digits, hours and minutes ("+0130"); empty is UTC.
func ParseTimezone(tz string) (*time.Location, error) {
	if tz == "" {
		return time.UTC, nil
	}
	if len(tz) != 5 || (tz[0] != '+' && tz[0] != '-') {
		return nil, invalid("The value %s for parameter LabelOptions.Timezone is not valid: use + or - followed by four digits, such as +0130.", tz)
	}
	h, err1 := strconv.Atoi(tz[1:3])
	m, err2 := strconv.Atoi(tz[3:5])
	if err1 != nil || err2 != nil || h > 23 || m > 59 || !isDigit(tz[1]) || !isDigit(tz[3]) {
		return nil, invalid("The value %s for parameter LabelOptions.Timezone is not valid: use + or - followed by four digits, such as +0130.", tz)
	}
	off := h*3600 + m*60
	if tz[0] == '-' {
		off = -off
	}
	return time.FixedZone(tz, off), nil
}

// unavailable stands for a dynamic value that has no answer (the maximum
// of a series with no points, a dimension the metric does not have).
// CloudWatch shows "--" in labels of results without data.
const unavailable = "--"

// ExpandLabel replaces the dynamic values of a label ("Use dynamic
// labels", https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/graph-dynamic-labels.html)
// with their values for the series s: ${AVG}, ${MIN}, ${MAX}, ${SUM},
// ${FIRST}, ${LAST}, ${DATAPOINT_COUNT}, the ranges, the timestamps and
// their *_RELATIVE forms, ${LABEL} (s.Label, the series' default label)
// and ${PROP('…')}. Text that is not a dynamic value is kept as written.
//
// AWS does not specify how values are printed. Numbers are printed with
// up to 15 significant digits (0.3, not 0.30000000000000004), timestamps
// in RFC 3339 in the label time zone, and durations as "1d 2h 3m 4s".
func ExpandLabel(label string, s Series, opts LabelOptions) string {
	if !strings.Contains(label, "${") {
		return label
	}
	var b strings.Builder
	rest := label
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			b.WriteString(rest)
			return b.String()
		}
		b.WriteString(rest[:i])
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			b.WriteString(rest[i:])
			return b.String()
		}
		name := rest[i+2 : i+j]
		if v, ok := dynamicValue(name, s, opts); ok {
			b.WriteString(v)
		} else {
			b.WriteString(rest[i : i+j+1])
		}
		rest = rest[i+j+1:]
	}
}

// dynamicValue returns the value of the dynamic value name (the text
// between "${" and "}") for s.
func dynamicValue(name string, s Series, opts LabelOptions) (string, bool) {
	if arg, ok := strings.CutPrefix(name, "PROP("); ok {
		arg, ok = strings.CutSuffix(arg, ")")
		if !ok || len(arg) < 2 || (arg[0] != '\'' && arg[0] != '"') || arg[len(arg)-1] != arg[0] {
			return "", false
		}
		return propValue(arg[1:len(arg)-1], s, opts)
	}
	if name == "LABEL" {
		return s.Label, true
	}
	if name == "DATAPOINT_COUNT" {
		return strconv.Itoa(s.Len()), true
	}
	st, ok := statsOf(s)
	if !isSeriesValue(name) {
		return "", false
	}
	if !ok {
		return unavailable, true
	}
	tm := func(t int64) string { return formatTime(t, opts) }
	rel := func(t int64) string { return formatDuration(opts.Now.Unix() - t) }
	switch name {
	case "AVG":
		return formatNumber(st.sum / float64(s.Len())), true
	case "MIN":
		return formatNumber(s.Values[st.min]), true
	case "MAX":
		return formatNumber(s.Values[st.max]), true
	case "SUM":
		return formatNumber(st.sum), true
	case "FIRST":
		return formatNumber(s.Values[0]), true
	case "LAST":
		return formatNumber(s.Values[s.Len()-1]), true
	case "FIRST_LAST_RANGE":
		return formatNumber(s.Values[s.Len()-1] - s.Values[0]), true
	case "MIN_MAX_RANGE":
		return formatNumber(s.Values[st.max] - s.Values[st.min]), true
	case "FIRST_TIME":
		return tm(s.Timestamps[0]), true
	case "LAST_TIME":
		return tm(s.Timestamps[s.Len()-1]), true
	case "MIN_TIME":
		return tm(s.Timestamps[st.min]), true
	case "MAX_TIME":
		return tm(s.Timestamps[st.max]), true
	case "FIRST_TIME_RELATIVE":
		return rel(s.Timestamps[0]), true
	case "LAST_TIME_RELATIVE":
		return rel(s.Timestamps[s.Len()-1]), true
	case "MIN_TIME_RELATIVE":
		return rel(s.Timestamps[st.min]), true
	case "MAX_TIME_RELATIVE":
		return rel(s.Timestamps[st.max]), true
	case "FIRST_LAST_TIME_RANGE":
		return formatDuration(s.Timestamps[s.Len()-1] - s.Timestamps[0]), true
	default: // MIN_MAX_TIME_RANGE
		return formatDuration(s.Timestamps[st.max] - s.Timestamps[st.min]), true
	}
}

// isSeriesValue reports whether name is a dynamic value computed from the
// series' points.
func isSeriesValue(name string) bool {
	switch name {
	case "AVG", "MIN", "MAX", "SUM", "FIRST", "LAST", "FIRST_LAST_RANGE", "MIN_MAX_RANGE",
		"FIRST_TIME", "LAST_TIME", "MIN_TIME", "MAX_TIME",
		"FIRST_TIME_RELATIVE", "LAST_TIME_RELATIVE", "MIN_TIME_RELATIVE", "MAX_TIME_RELATIVE",
		"FIRST_LAST_TIME_RANGE", "MIN_MAX_TIME_RANGE":
		return true
	}
	return false
}

// stats are the summary of a series' points that labels use: the sum and
// the indexes of the first minimum and maximum.
type stats struct {
	sum      float64
	min, max int
}

// statsOf summarizes s; it reports false for a series with no points.
func statsOf(s Series) (stats, bool) {
	if s.Len() == 0 {
		return stats{}, false
	}
	var st stats
	for i, v := range s.Values {
		st.sum += v
		if v < s.Values[st.min] {
			st.min = i
		}
		if v > s.Values[st.max] {
			st.max = i
		}
	}
	return st, true
}

// propValue answers ${PROP('name')}.
func propValue(name string, s Series, opts LabelOptions) (string, bool) {
	orUnavailable := func(v string) (string, bool) {
		if v == "" {
			return unavailable, true
		}
		return v, true
	}
	m := s.Metric
	if m == nil {
		m = &Metric{}
	}
	switch name {
	case "MetricName":
		return orUnavailable(m.Name)
	case "Namespace":
		return orUnavailable(m.Namespace)
	case "Stat":
		return orUnavailable(m.Stat)
	case "Period":
		if s.Period <= 0 {
			return unavailable, true
		}
		return strconv.FormatInt(s.Period, 10), true
	case "Region":
		return orUnavailable(opts.Region)
	case "AccountId":
		return orUnavailable(opts.AccountID)
	case "AccountLabel":
		return orUnavailable(opts.AccountLabel)
	}
	if dim, ok := strings.CutPrefix(name, "Dim."); ok {
		v, ok := m.Dimensions[dim]
		if !ok {
			return unavailable, true
		}
		return v, true
	}
	return "", false
}

// formatNumber prints a label number with up to 15 significant digits and
// no exponent.
func formatNumber(v float64) string {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 15, 64), 64)
	if err != nil {
		r = v
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// formatTime prints a timestamp in the label time zone.
func formatTime(t int64, opts LabelOptions) string {
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	return time.Unix(t, 0).In(loc).Format(time.RFC3339)
}

// formatDuration prints a number of seconds as "1d 2h 3m 4s", omitting
// zero units ("0s" for none).
func formatDuration(sec int64) string {
	if sec < 0 {
		sec = -sec
	}
	if sec == 0 {
		return "0s"
	}
	var parts []string
	for _, u := range []struct {
		n    int64
		name string
	}{{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}} {
		if sec >= u.n {
			parts = append(parts, fmt.Sprintf("%d%s", sec/u.n, u.name))
			sec %= u.n
		}
	}
	return strings.Join(parts, " ")
}

// ResultLabels returns the Label of each series of an expression query's
// result v, given the query's Id and Label:
//
//   - a single time series takes the label, dynamic values expanded, or the
//     Id when the label is empty;
//   - each series of an array takes the label followed by its own label
//     ("Expression-Label Metric-Label": "Filled With 0: Errors"), only its
//     own label when the label is empty, or, when the label holds dynamic
//     values, the label expanded for that series ("[max: ${MAX}]
//     ${PROP('Dim.FunctionName')}").
//
// A series with no label of its own is labeled with the Id.
func ResultLabels(id, label string, v Value, opts LabelOptions) []string {
	out := make([]string, len(v.Series))
	for i, s := range v.Series {
		if s.Label == "" {
			s.Label = id
		}
		switch {
		case !v.Array && label == "":
			out[i] = id
		case !v.Array || strings.Contains(label, "${"):
			out[i] = ExpandLabel(label, s, opts)
		case label == "":
			out[i] = s.Label
		default:
			out[i] = label + " " + s.Label
		}
	}
	return out
}
