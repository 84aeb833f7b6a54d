package alarms

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Layouts of the times AWS writes in reasons and in reason data.
const (
	reasonTime     = "02/01/06 15:04:05"
	reasonDataTime = "2006-01-02T15:04:05.000-0700"
)

// reason returns the StateReason and StateReasonData of o.
func (e *evaluation) reason(o outcome) (string, []byte) {
	if o.state == StateInsufficientData {
		return e.insufficient(o)
	}
	alarm := o.state == StateAlarm
	short := e.cfg.DatapointsToAlarm == 0
	band := e.cfg.Comparison.Band()
	// The real datapoints that agree with the new state, newest first.
	var agree []Evaluated
	received := 0
	for i := len(o.evaluated) - 1; i >= 0; i-- {
		p := o.evaluated[i]
		if p.Filled {
			continue
		}
		received++
		if p.Breaching == alarm {
			agree = append(agree, p)
		}
	}
	minimum := e.m
	if !alarm {
		minimum = e.n - e.m + 1
	}

	var b strings.Builder
	if band {
		b.WriteString("Thresholds Crossed: ")
	} else {
		b.WriteString("Threshold Crossed: ")
	}
	if k := len(agree); k > 0 {
		if short {
			b.WriteString(count(k, "datapoint"))
		} else {
			b.WriteString(strconv.Itoa(k) + " out of the last " + strconv.Itoa(e.n) + " datapoints")
		}
		b.WriteString(" [")
		for i, p := range agree {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(javaDouble(p.Value) + " (" + p.Timestamp.UTC().Format(reasonTime) + ")")
		}
		b.WriteString("] " + wasWere(k) + " ")
		b.WriteString(e.comparison(alarm, agree))
	} else {
		if received == 0 {
			b.WriteString("no datapoints were")
		} else {
			b.WriteString(count(received, "datapoint") + " " + wasWere(received))
		}
		b.WriteString(" received for " + count(e.n, "period"))
	}
	if o.filled > 0 {
		as := "NonBreaching"
		if e.cfg.treatment() == TreatBreaching {
			as = "Breaching"
		}
		b.WriteString(" and " + count(o.filled, "missing datapoint") + " " + wasWere(o.filled) + " treated as [" + as + "]")
	}
	if !short {
		transition := "OK -> ALARM"
		if !alarm {
			transition = "ALARM -> OK"
		}
		b.WriteString(" (minimum " + count(minimum, "datapoint") + " for " + transition + " transition)")
	}
	b.WriteString(".")

	decided := agree
	if len(decided) > minimum {
		decided = decided[:minimum]
	}
	return b.String(), e.reasonData(o.evaluated, decided)
}

// comparison returns the phrase that says how the datapoints agree compare
// with the threshold, in a reason of a move to ALARM (alarm) or OK.
func (e *evaluation) comparison(alarm bool, agree []Evaluated) string {
	not := ""
	if !alarm {
		not = "not "
	}
	bounds := func(upper bool) string {
		var b strings.Builder
		b.WriteString("[")
		for i, p := range agree {
			if i > 0 {
				b.WriteString(", ")
			}
			v := p.Lower
			if upper {
				v = p.Upper
			}
			b.WriteString(javaDouble(v))
		}
		b.WriteString("]")
		return b.String()
	}
	threshold := "the threshold (" + javaDouble(e.cfg.Threshold) + ")"
	switch e.cfg.Comparison {
	case GreaterThanOrEqualToThreshold:
		return not + "greater than or equal to " + threshold
	case GreaterThanThreshold:
		return not + "greater than " + threshold
	case LessThanThreshold:
		return not + "less than " + threshold
	case LessThanOrEqualToThreshold:
		return not + "less than or equal to " + threshold
	case LessThanLowerOrGreaterThanUpperThreshold:
		return not + "less than the lower thresholds " + bounds(false) + " or " + not + "greater than the upper thresholds " + bounds(true)
	case LessThanLowerThreshold:
		return not + "less than the lower thresholds " + bounds(false)
	case GreaterThanUpperThreshold:
		return not + "greater than the upper thresholds " + bounds(true)
	}
	panic("BUG: alarms: comparison operator " + string(e.cfg.Comparison))
}

// insufficient returns the reason of INSUFFICIENT_DATA: the missing
// periods of the last N, whose timestamps evaluatedDatapoints lists with
// the real datapoints among them.
func (e *evaluation) insufficient(o outcome) (string, []byte) {
	r := len(e.slots)
	var last []Evaluated
	unknown := 0
	for i := r - 1; i >= r-e.n; i-- {
		if p := e.slots[i]; p != nil {
			last = append(last, Evaluated{Datapoint: *p})
		} else {
			unknown++
			last = append(last, Evaluated{Datapoint: Datapoint{Timestamp: e.starts[i]}, Filled: true})
		}
	}
	reason := "Insufficient Data: " + count(unknown, "datapoint") + " " + wasWere(unknown) + " unknown."
	return reason, e.reasonData(o.evaluated, last)
}

// reasonData returns StateReasonData: evaluated are the datapoints of the
// evaluation (oldest first), decided those that decided the state (newest
// first); a filled datapoint of decided is written as a bare timestamp.
func (e *evaluation) reasonData(evaluated, decided []Evaluated) []byte {
	var real []Evaluated
	for _, p := range evaluated {
		if !p.Filled {
			real = append(real, p)
		}
	}
	w := jsonWriter{}
	w.raw(`{"version":"1.0"`)
	w.str("queryDate", e.now.UTC().Format(reasonDataTime))
	if len(real) > 0 {
		w.str("startDate", real[0].Timestamp.UTC().Format(reasonDataTime))
	}
	if e.cfg.Unit != "" {
		w.str("unit", e.cfg.Unit)
	}
	if e.cfg.Statistic != "" {
		w.str("statistic", e.cfg.Statistic)
	}
	w.key("period")
	w.raw(strconv.FormatInt(int64(e.cfg.Period/time.Second), 10))
	list := func(name string, f func(Evaluated) float64) {
		w.key(name)
		w.raw("[")
		for i, p := range real {
			if i > 0 {
				w.raw(",")
			}
			w.raw(javaDouble(f(p)))
		}
		w.raw("]")
	}
	list("recentDatapoints", func(p Evaluated) float64 { return p.Value })
	op := e.cfg.Comparison
	lower := op == LessThanLowerThreshold || op == LessThanLowerOrGreaterThanUpperThreshold
	upper := op == GreaterThanUpperThreshold || op == LessThanLowerOrGreaterThanUpperThreshold
	if lower {
		list("recentLowerThresholds", func(p Evaluated) float64 { return p.Lower })
	}
	if upper {
		list("recentUpperThresholds", func(p Evaluated) float64 { return p.Upper })
	}
	if !op.Band() {
		w.key("threshold")
		w.raw(javaDouble(e.cfg.Threshold))
	}
	if len(decided) > 0 {
		w.key("evaluatedDatapoints")
		w.raw("[")
		for i, p := range decided {
			if i > 0 {
				w.raw(",")
			}
			w.raw("{")
			w.first = true
			w.str("timestamp", p.Timestamp.UTC().Format(reasonDataTime))
			if !p.Filled {
				if p.SampleCount > 0 && finite(p.SampleCount) {
					w.key("sampleCount")
					w.raw(javaDouble(p.SampleCount))
				}
				w.key("value")
				w.raw(javaDouble(p.Value))
				switch {
				case lower && upper:
					w.key("lowerThreshold")
					w.raw(javaDouble(p.Lower))
					w.key("upperThreshold")
					w.raw(javaDouble(p.Upper))
				case lower:
					w.key("threshold")
					w.raw(javaDouble(p.Lower))
				case upper:
					w.key("threshold")
					w.raw(javaDouble(p.Upper))
				}
			}
			w.raw("}")
			w.first = false
		}
		w.raw("]")
	}
	w.raw("}")
	return w.b
}

// jsonWriter writes a JSON object with its keys in a fixed order, as
// AWS's reason data has them.
type jsonWriter struct {
	b     []byte
	first bool
}

func (w *jsonWriter) raw(s string) { w.b = append(w.b, s...) }

func (w *jsonWriter) key(k string) {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
	w.b = strconv.AppendQuote(w.b, k)
	w.b = append(w.b, ':')
}

func (w *jsonWriter) str(k, v string) {
	w.key(k)
	w.b = appendJSONString(w.b, v)
}

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
		default:
			b = append(b, string(r)...)
		}
	}
	return append(b, '"')
}

// count returns "1 datapoint" or "2 datapoints".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func wasWere(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

// javaDouble formats f as Java's Double.toString, which AWS's reasons and
// reason data use: the shortest decimal that reads back as f, plain with
// at least one fractional digit from 10^-3 up to 10^7 (21.0, 0.005),
// else in scientific notation with an E (8.3714617344E10, 1.0E-4).
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	if a := math.Abs(f); a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'e', -1, 64)
	mant, exp, _ := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	neg := strings.HasPrefix(exp, "-")
	exp = strings.TrimLeft(exp, "+-")
	exp = strings.TrimLeft(exp, "0")
	if neg {
		exp = "-" + exp
	}
	return mant + "E" + exp
}
