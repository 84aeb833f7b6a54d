package widget

import (
	"encoding/json"
	"regexp"
	"strconv"
	"time"
	"unicode/utf8"
)

// MaxWidgetBytes bounds the MetricWidget parameter: AWS accepts up to 100
// KB of uncompressed payload.
const MaxWidgetBytes = 100 * 1024

// Limits of the metrics array's strings, as PutMetricData has them.
const (
	maxNameLen       = 255
	maxDimValueLen   = 1024
	maxDimensions    = 30
	maxExpressionLen = 2048
)

// root is the path of the widget in messages.
const root = "MetricWidget"

// unsupportedTop lists the MetricWidget fields that AWS dashboards know and
// Vigil does not draw, with what they do. Sparkline and trend are accepted
// when false, which asks for nothing.
var unsupportedTop = map[string]string{
	"sparkline": "a graph under single values",
	"trend":     "trend arrows of single values",
	"table":     "the table view's options",
	"labels":    "labels on pie slices",
	"accountId": "cross-account metrics",
}

// ParseWidget parses and validates the MetricWidget JSON of
// GetMetricWidgetImage. Invalid input, and options Vigil does not
// implement, yield an *Error whose message names the field.
func ParseWidget(jsonText string) (*Widget, error) {
	if jsonText == "" {
		return nil, missing(root)
	}
	if len(jsonText) > MaxWidgetBytes {
		return nil, invalid("The parameter %s must be at most %d bytes long; it is %d.", root, MaxWidgetBytes, len(jsonText))
	}
	if !json.Valid([]byte(jsonText)) {
		return nil, invalid("The parameter %s is not valid JSON.", root)
	}
	top, err := asObject(root, json.RawMessage(jsonText))
	if err != nil {
		return nil, err
	}
	w := &Widget{
		View:   ViewTimeSeries,
		Width:  DefaultWidth,
		Height: DefaultHeight,
		Period: DefaultPeriod,
		Stat:   DefaultStat,
		Legend: LegendBottom,
		Left:   YAxis{ShowUnits: true},
		Right:  YAxis{ShowUnits: true},
		Theme:  ThemeLight,
	}
	if err := w.parseTop(top); err != nil {
		return nil, err
	}
	return w, nil
}

// parseTop decodes the fields of the widget object.
func (w *Widget) parseTop(o *object) error {
	// Fields AWS has but Vigil does not draw are fine when they ask for
	// nothing.
	for _, k := range []string{"sparkline", "trend"} {
		if v, ok, err := o.boolean(k); err != nil {
			return err
		} else if ok && v {
			return unsupported(CodeInvalidParameterValue, "The parameter %s (%s) is not supported by Vigil.", o.sub(k), unsupportedTop[k])
		}
	}
	var err error
	if w.Width, err = intField(o, "width", 1, MaxSize, DefaultWidth); err != nil {
		return err
	}
	if w.Height, err = intField(o, "height", 1, MaxSize, DefaultHeight); err != nil {
		return err
	}
	if p, ok, err := o.integer("period", 1, 1<<31-1); err != nil {
		return err
	} else if ok {
		if !validPeriod(p) {
			return badPeriod(o.sub("period"), p)
		}
		w.Period = p
	}
	if s, ok, err := o.str("stat"); err != nil {
		return err
	} else if ok {
		if !validStat(s) {
			return badStat(o.sub("stat"), s)
		}
		w.Stat = s
	}
	if w.Title, _, err = o.str("title"); err != nil {
		return err
	}
	if w.Region, _, err = o.str("region"); err != nil {
		return err
	}
	if v, ok, err := o.str("view"); err != nil {
		return err
	} else if ok {
		switch View(v) {
		case ViewTimeSeries, ViewBar, ViewPie, ViewSingleValue:
			w.View = View(v)
		case "gauge", "table":
			return unsupported(CodeInvalidParameterValue, "The view %q of parameter %s is not supported by Vigil.", v, o.sub("view"))
		default:
			return invalid("The value %q for parameter %s is not valid. Valid values: %s.", v, o.sub("view"), quoteList("timeSeries", "bar", "pie", "singleValue"))
		}
	}
	for _, b := range []struct {
		key string
		dst *bool
	}{
		{"stacked", &w.Stacked},
		{"liveData", &w.LiveData},
		{"setPeriodToTimeRange", &w.SetPeriodToTimeRange},
		{"singleValueFullPrecision", &w.SingleValueFullPrecision},
	} {
		if *b.dst, _, err = o.boolean(b.key); err != nil {
			return err
		}
	}
	if v, ok, err := o.str("theme"); err != nil {
		return err
	} else if ok {
		if v != string(ThemeLight) && v != string(ThemeDark) {
			return invalid("The value %q for parameter %s is not valid. Valid values: light, dark.", v, o.sub("theme"))
		}
		w.Theme = Theme(v)
	}
	if err := w.parseTimes(o); err != nil {
		return err
	}
	if raw, ok := o.take("legend"); ok {
		if w.Legend, err = parseLegend(o.sub("legend"), raw); err != nil {
			return err
		}
	}
	if raw, ok := o.take("yAxis"); ok {
		if err := w.parseYAxes(o.sub("yAxis"), raw); err != nil {
			return err
		}
	}
	if raw, ok := o.take("annotations"); ok {
		if err := w.parseAnnotations(o.sub("annotations"), raw); err != nil {
			return err
		}
	}
	raw, ok := o.take("metrics")
	if !ok {
		return missing(o.sub("metrics"))
	}
	if err := w.parseMetrics(o.sub("metrics"), raw, MaxMetrics); err != nil {
		return err
	}
	if err := o.rest(unsupportedTop); err != nil {
		return err
	}
	return w.checkView()
}

// checkView refuses what the chosen view cannot draw: time annotations
// without a time axis, value annotations without a value axis, and the
// right axis in the bar view, which has one axis.
func (w *Widget) checkView() error {
	combo := func(format string, args ...any) error {
		return unsupported(CodeInvalidParameterCombination, format, args...)
	}
	if w.View != ViewTimeSeries && len(w.Vertical) > 0 {
		return combo("Vigil draws the parameter MetricWidget.annotations.vertical only in the timeSeries view; the view is %s.", w.View)
	}
	if (w.View == ViewPie || w.View == ViewSingleValue) && len(w.Horizontal) > 0 {
		return combo("Vigil draws the parameter MetricWidget.annotations.horizontal only in the timeSeries and bar views; the view is %s.", w.View)
	}
	if w.View == ViewBar {
		for i, m := range w.Metrics {
			if m.YAxis == AxisRight && m.Visible {
				return combo("The parameter MetricWidget.metrics[%d] is on the right y-axis, which Vigil's bar view does not have.", i)
			}
		}
		for i, a := range w.Horizontal {
			if a.YAxis == AxisRight && a.Visible {
				return combo("The parameter MetricWidget.annotations.horizontal[%d] is on the right y-axis, which Vigil's bar view does not have.", i)
			}
		}
	}
	return nil
}

// parseTimes decodes start, end and timezone.
func (w *Widget) parseTimes(o *object) error {
	w.Start = TimeRef{raw: "-PT3H", relative: true, clock: 3 * time.Hour}
	w.End = TimeRef{raw: "-PT0H", relative: true}
	for _, f := range []struct {
		key string
		dst *TimeRef
	}{{"start", &w.Start}, {"end", &w.End}} {
		s, ok, err := o.str(f.key)
		if err != nil {
			return err
		}
		if ok {
			if *f.dst, err = parseTimeRef(o.sub(f.key), s); err != nil {
				return err
			}
		}
	}
	// Two absolute ends can be checked now; relative ones in Queries.
	if !w.Start.relative && !w.End.relative && !w.Start.absolute.Before(w.End.absolute) {
		return &Error{Code: CodeInvalidParameterCombination, Message: "The parameter MetricWidget.start must be less than the parameter MetricWidget.end."}
	}
	w.Timezone = time.UTC
	if s, ok, err := o.str("timezone"); err != nil {
		return err
	} else if ok {
		if w.Timezone, err = parseTimezone(o.sub("timezone"), s); err != nil {
			return err
		}
	}
	return nil
}

// parseLegend decodes the legend object.
func parseLegend(path string, raw json.RawMessage) (LegendPosition, error) {
	o, err := asObject(path, raw)
	if err != nil {
		return "", err
	}
	pos := LegendBottom
	if v, ok, err := o.str("position"); err != nil {
		return "", err
	} else if ok {
		switch LegendPosition(v) {
		case LegendBottom, LegendRight, LegendHidden:
			pos = LegendPosition(v)
		default:
			return "", invalid("The value %q for parameter %s is not valid. Valid values: bottom, right, hidden.", v, o.sub("position"))
		}
	}
	return pos, o.rest(nil)
}

// parseYAxes decodes the yAxis object.
func (w *Widget) parseYAxes(path string, raw json.RawMessage) error {
	o, err := asObject(path, raw)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		key string
		dst *YAxis
	}{{"left", &w.Left}, {"right", &w.Right}} {
		raw, ok := o.take(f.key)
		if !ok {
			continue
		}
		if err := parseYAxis(o.sub(f.key), raw, f.dst); err != nil {
			return err
		}
	}
	return o.rest(nil)
}

// parseYAxis decodes one axis.
func parseYAxis(path string, raw json.RawMessage, a *YAxis) error {
	o, err := asObject(path, raw)
	if err != nil {
		return err
	}
	if v, ok, err := o.number("min"); err != nil {
		return err
	} else if ok {
		a.Min = &v
	}
	if v, ok, err := o.number("max"); err != nil {
		return err
	} else if ok {
		a.Max = &v
	}
	if a.Min != nil && a.Max != nil && *a.Min >= *a.Max {
		return &Error{Code: CodeInvalidParameterCombination, Message: "The parameter " + path + ".min must be less than the parameter " + path + ".max."}
	}
	if a.Label, _, err = o.str("label"); err != nil {
		return err
	}
	if v, ok, err := o.boolean("showUnits"); err != nil {
		return err
	} else if ok {
		a.ShowUnits = v
	}
	return o.rest(nil)
}

// intField takes an optional integer field with a default.
func intField(o *object, key string, lo, hi, def int) (int, error) {
	v, ok, err := o.integer(key, lo, hi)
	if err != nil || !ok {
		return def, err
	}
	return v, nil
}

var (
	idPattern    = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)
	colorPattern = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
)

// parseColor validates an optional color field.
func parseColor(o *object, key string) (string, error) {
	c, ok, err := o.str(key)
	if err != nil || !ok {
		return "", err
	}
	if !colorPattern.MatchString(c) {
		return "", invalid("The value %q for parameter %s is not valid. It must be a six-digit HTML hex color code such as #1f77b4.", c, o.sub(key))
	}
	return c, nil
}

// parseAxisName validates an optional yAxis field naming an axis.
func parseAxisName(o *object, key string) (Axis, error) {
	v, ok, err := o.str(key)
	if err != nil || !ok {
		return AxisLeft, err
	}
	if v != string(AxisLeft) && v != string(AxisRight) {
		return "", invalid("The value %q for parameter %s is not valid. Valid values: left, right.", v, o.sub(key))
	}
	return Axis(v), nil
}

func badPeriod(path string, p int) error {
	return invalid("The value %d for parameter %s is not valid. The period must be 1, 5, 10, 30 or a multiple of 60.", p, path)
}

func badStat(path, s string) error {
	return invalid("The value %q for parameter %s is not a valid statistic.", s, path)
}

// checkName validates a namespace, metric or dimension name.
func checkName(path, s string, maxLen int) error {
	if s == "" {
		return invalid("The parameter %s must not be empty.", path)
	}
	if utf8.RuneCountInString(s) > maxLen {
		return invalid("The parameter %s must be at most %d characters long.", path, maxLen)
	}
	return nil
}

// rowPath is the path of element j of metrics row i.
func rowPath(path string, i, j int) string {
	return path + "[" + strconv.Itoa(i) + "][" + strconv.Itoa(j) + "]"
}
