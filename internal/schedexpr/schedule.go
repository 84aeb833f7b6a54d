package schedexpr

import (
	"strings"
	"time"
)

// Schedule is a parsed schedule expression: a *CronSchedule, a
// *RateSchedule or an *AtSchedule. Schedules do not change once parsed,
// and are safe for concurrent use.
type Schedule interface {
	// Next returns the first activation strictly after t, and false when
	// there is none (an at() in the past, a cron whose years are over).
	Next(t time.Time) (time.Time, bool)
	// String is the expression in canonical form.
	String() string
}

// maxLength is the longest expression AWS takes: "The expression must be
// between 1 and 256 characters in length" (mute rules), and the
// ScheduleExpression of PutRule and CreateSchedule is at most 256
// characters.
const maxLength = 256

// ParseMuteSchedule parses the Expression of a CloudWatch alarm mute
// rule's Schedule: cron() with five fields or at(yyyy-MM-ddThh:mm), read
// in loc, the rule's Timezone (UTC when nil).
func ParseMuteSchedule(expr string, loc *time.Location) (Schedule, error) {
	return parse(Mute, expr, loc)
}

// ParseRuleSchedule parses the ScheduleExpression of an EventBridge rule:
// rate(value unit) or cron() with six fields, in UTC. A rate is anchored
// at the Unix epoch; anchor it at the rule's creation with Anchor.
func ParseRuleSchedule(expr string) (Schedule, error) {
	return parse(Rule, expr, time.UTC)
}

// ParseSchedulerSchedule parses the ScheduleExpression of an EventBridge
// Scheduler schedule: at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron()
// with six fields, read in loc, its ScheduleExpressionTimezone (UTC when
// nil). A rate is anchored at the Unix epoch; anchor it at the schedule's
// StartDate, or creation, with Anchor.
func ParseSchedulerSchedule(expr string, loc *time.Location) (Schedule, error) {
	return parse(Scheduler, expr, loc)
}

// parse parses expr in dialect d.
func parse(d Dialect, expr string, loc *time.Location) (Schedule, error) {
	if loc == nil {
		loc = time.UTC
	}
	if expr == "" {
		return nil, fieldError(d, expr, "", "the expression is empty")
	}
	if len(expr) > maxLength {
		return nil, fieldError(d, expr, "", "the expression is %d characters long; at most %d are allowed", len(expr), maxLength)
	}
	for _, c := range expr {
		if c >= 0x7f || c < ' ' && !strings.ContainsRune("\t\n\v\f\r", c) {
			return nil, fieldError(d, expr, "", "the expression has a character %q that no expression takes", c)
		}
	}
	kind, body, ok := strings.Cut(expr, "(")
	if !ok || !strings.HasSuffix(body, ")") || strings.ContainsAny(body[:len(body)-1], "()") {
		return nil, fieldError(d, expr, "", "want %s", forms(d))
	}
	body = body[:len(body)-1]
	switch {
	case kind == "cron":
		spec, err := parseCron(d, expr, body)
		if err != nil {
			return nil, err
		}
		return &CronSchedule{spec: spec, loc: loc}, nil
	case kind == "rate" && d != Mute:
		s, err := parseRate(d, expr, body, loc)
		if err != nil {
			return nil, err
		}
		return s, nil
	case kind == "at" && d != Rule:
		s, err := parseAt(d, expr, body, loc)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	return nil, fieldError(d, expr, "", "%s expressions take %s", d, forms(d))
}

// forms lists the expressions a dialect takes.
func forms(d Dialect) string {
	switch d {
	case Mute:
		return "cron(Minutes Hours Day-of-month Month Day-of-week) or at(yyyy-MM-ddThh:mm)"
	case Rule:
		return "rate(value unit) or cron(Minutes Hours Day-of-month Month Day-of-week Year)"
	}
	return "at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(Minutes Hours Day-of-month Month Day-of-week Year)"
}

// Anchor returns s counted from start if it is a rate, and s itself
// otherwise: cron and at schedules do not depend on when they began.
func Anchor(s Schedule, start time.Time) Schedule {
	if r, ok := s.(*RateSchedule); ok {
		return r.Anchored(start)
	}
	return s
}

// ActiveAt reports whether t falls in a window of length d opened by an
// activation of s, as a mute rule mutes its alarms for its Duration from
// each activation, and returns the earliest activation whose window
// holds t. That activation is the first after t-d, if it is not after t.
func ActiveAt(s Schedule, d time.Duration, t time.Time) (time.Time, bool) {
	a, ok := s.Next(t.Add(-d))
	if !ok || a.After(t) {
		return time.Time{}, false
	}
	return a, true
}
