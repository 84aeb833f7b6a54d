package dashboards

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/vigilhq/vigil/internal/metrics/widget"
)

// Limits of a dashboard body, as CloudWatch has them.
const (
	// MaxWidgets bounds the widgets of a dashboard.
	MaxWidgets = 500
	// maxWidgetMetrics bounds the metrics array of a metric widget.
	maxWidgetMetrics = 500
	gridColumns      = 24
	maxHeight        = 1000
)

// Message is a problem of a dashboard body: where (a JSON Pointer into
// the body, /widgets/0/properties) and what.
type Message struct {
	DataPath, Message string
}

// widgetTypes are the types of a dashboard's widgets, each of which
// requires properties.
var widgetTypes = []string{"alarm", "custom", "explorer", "log", "metric", "text"}

// metricViews are the values of a metric widget's view.
var metricViews = []string{"timeSeries", "singleValue", "gauge", "bar", "pie", "table"}

// Validate checks a dashboard body: a JSON object whose widgets array
// holds at most MaxWidgets widgets, each of a known type, placed on the
// 24-column grid, with the properties its type requires. A body that is
// not a JSON object is refused with InvalidInput and no messages; one
// with errors is refused with InvalidInput carrying them. Otherwise the
// body is accepted, and the returned warnings name what the dashboard
// holds that Vigil would not draw.
func Validate(body string) ([]Message, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &top); err != nil || top == nil {
		return nil, errorf(InvalidInput, "The field DashboardBody must be a valid JSON object")
	}
	v := &validator{}
	v.body(top)
	if len(v.errs) > 0 {
		return nil, v.refusal()
	}
	return v.warns, nil
}

// validator gathers a body's errors and warnings.
type validator struct {
	errs, warns []Message
}

func (v *validator) fail(path, format string, args ...any) {
	v.errs = append(v.errs, Message{DataPath: path, Message: fmt.Sprintf(format, args...)})
}

// refusal is the InvalidInput error that carries the errors, worded as
// CloudWatch words it.
func (v *validator) refusal() *Error {
	var list bytes.Buffer
	enc := json.NewEncoder(&list)
	enc.SetEscapeHTML(false)
	enc.Encode(lowerMessages(v.errs))
	verb, noun := "are", "errors"
	if len(v.errs) == 1 {
		verb, noun = "is", "error"
	}
	e := errorf(InvalidInput, "The dashboard body is invalid, there %s %d validation %s:\n%s", verb, len(v.errs), noun, bytes.TrimSpace(list.Bytes()))
	e.Messages = v.errs
	return e
}

// lowerMessages is how the error's message lists the errors.
func lowerMessages(ms []Message) any {
	type m struct {
		DataPath string `json:"dataPath"`
		Message  string `json:"message"`
	}
	out := make([]m, len(ms))
	for i, x := range ms {
		out[i] = m{x.DataPath, x.Message}
	}
	return out
}

func (v *validator) body(top map[string]json.RawMessage) {
	raw, ok := top["widgets"]
	if !ok {
		v.fail("", "Should have required property 'widgets'")
		return
	}
	var widgets []json.RawMessage
	if json.Unmarshal(raw, &widgets) != nil || kind(raw) != '[' {
		v.fail("/widgets", "Should be array")
		return
	}
	if len(widgets) > MaxWidgets {
		v.fail("/widgets", "Should NOT have more than %d items", MaxWidgets)
		return
	}
	for i, w := range widgets {
		v.widget("/widgets/"+strconv.Itoa(i), w)
	}
	if raw, ok := top["periodOverride"]; ok {
		v.enum("/periodOverride", raw, []string{"auto", "inherit"})
	}
	for _, k := range []string{"start", "end"} {
		if raw, ok := top[k]; ok {
			v.str("/"+k, raw)
		}
	}
}

func (v *validator) widget(path string, raw json.RawMessage) {
	var w map[string]json.RawMessage
	if json.Unmarshal(raw, &w) != nil || kind(raw) != '{' {
		v.fail(path, "Should be object")
		return
	}
	typ := ""
	if raw, ok := w["type"]; !ok {
		v.fail(path, "Should have required property 'type'")
	} else if typ, ok = v.enum(path+"/type", raw, widgetTypes); !ok {
		typ = ""
	}
	width, height := 6, 6
	v.integer(path+"/width", w["width"], 1, gridColumns, &width)
	v.integer(path+"/height", w["height"], 1, maxHeight, &height)
	x := -1
	v.integer(path+"/x", w["x"], 0, gridColumns-1, &x)
	v.integer(path+"/y", w["y"], 0, 1<<31-1, nil)
	if x >= 0 && x+width > gridColumns {
		v.warns = append(v.warns, Message{DataPath: path, Message: fmt.Sprintf(
			"The widget does not fit the %d columns of the grid (x %d, width %d): it is moved to the next row.", gridColumns, x, width)})
	}
	if typ == "" {
		return
	}
	raw, ok := w["properties"]
	if !ok {
		v.fail(path, "Should have required property 'properties'")
		return
	}
	var props map[string]json.RawMessage
	if json.Unmarshal(raw, &props) != nil || kind(raw) != '{' {
		v.fail(path+"/properties", "Should be object")
		return
	}
	v.properties(path+"/properties", typ, props)
}

// properties checks what each type of widget requires of its
// properties.
func (v *validator) properties(path, typ string, p map[string]json.RawMessage) {
	require := func(key string, check func(string, json.RawMessage)) {
		if raw, ok := p[key]; !ok {
			v.fail(path, "Should have required property '%s'", key)
		} else {
			check(path+"/"+key, raw)
		}
	}
	str := func(path string, raw json.RawMessage) { v.str(path, raw) }
	switch typ {
	case "text":
		require("markdown", str)
		if raw, ok := p["background"]; ok {
			v.enum(path+"/background", raw, []string{"solid", "transparent"})
		}
	case "metric":
		v.metricProperties(path, p)
	case "log":
		require("query", str)
		require("region", str)
	case "alarm":
		require("alarms", func(path string, raw json.RawMessage) {
			var arns []string
			if json.Unmarshal(raw, &arns) != nil || kind(raw) != '[' {
				v.fail(path, "Should be array of strings")
			}
		})
	case "custom":
		require("endpoint", str)
	}
}

// metricProperties checks a metric widget: its metrics array, parsed as
// GetMetricWidgetImage parses it, its region and its view, stat and
// period.
func (v *validator) metricProperties(path string, p map[string]json.RawMessage) {
	raw, ok := p["metrics"]
	if !ok {
		// A widget of alarm annotations draws an alarm's metric instead.
		if _, alarm := p["annotations"]; !alarm {
			v.fail(path, "Should have required property 'metrics'")
		}
	} else if err := widget.CheckMetrics(path+"/metrics", raw, maxWidgetMetrics); err != nil {
		var we *widget.Error
		msg := Message{DataPath: path + "/metrics", Message: err.Error()}
		if errors.As(err, &we) {
			msg.Message = we.Message
			if we.Unsupported {
				v.warns = append(v.warns, msg)
				msg.Message = ""
			}
		}
		if msg.Message != "" {
			v.errs = append(v.errs, msg)
		}
	}
	if raw, ok := p["region"]; !ok {
		v.fail(path, "Should have required property 'region'")
	} else {
		v.str(path+"/region", raw)
	}
	if raw, ok := p["view"]; ok {
		v.enum(path+"/view", raw, metricViews)
	}
	if raw, ok := p["stat"]; ok {
		v.str(path+"/stat", raw)
	}
	v.integer(path+"/period", p["period"], 1, 1<<31-1, nil)
}

// str checks that raw is a string.
func (v *validator) str(path string, raw json.RawMessage) (string, bool) {
	var s string
	if kind(raw) != '"' || json.Unmarshal(raw, &s) != nil {
		v.fail(path, "Should be string")
		return "", false
	}
	return s, true
}

// enum checks that raw is one of the strings allowed.
func (v *validator) enum(path string, raw json.RawMessage, allowed []string) (string, bool) {
	s, ok := v.str(path, raw)
	if !ok {
		return "", false
	}
	for _, a := range allowed {
		if s == a {
			return s, true
		}
	}
	v.fail(path, "Should be equal to one of the allowed values: %s", strings.Join(allowed, ", "))
	return "", false
}

// integer checks that raw, when given (non-nil), is an integer from lo
// to hi, and stores it in dst (nil: nowhere).
func (v *validator) integer(path string, raw json.RawMessage, lo, hi int, dst *int) {
	if raw == nil {
		return
	}
	var f float64
	if kind(raw) != '0' || json.Unmarshal(raw, &f) != nil || f != float64(int64(f)) {
		v.fail(path, "Should be integer")
		return
	}
	switch {
	case f < float64(lo):
		v.fail(path, "Should be >= %d", lo)
	case f > float64(hi):
		v.fail(path, "Should be <= %d", hi)
	case dst != nil:
		*dst = int(f)
	}
}

// kind is the kind of a JSON value by its first byte: '{', '[', '"', '0'
// for a number, or the byte (t, f, n).
func kind(raw json.RawMessage) byte {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return 0
	}
	if c := raw[0]; c == '-' || c >= '0' && c <= '9' {
		return '0'
	}
	return raw[0]
}
