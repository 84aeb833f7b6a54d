package schedexpr

import (
	"fmt"
	"strings"
)

// Dialect is the service whose syntax an expression is read in.
type Dialect int

const (
	// Mute is the Expression of a CloudWatch alarm mute rule's Schedule.
	Mute Dialect = iota + 1
	// Rule is the ScheduleExpression of an EventBridge rule.
	Rule
	// Scheduler is the ScheduleExpression of an EventBridge Scheduler
	// schedule.
	Scheduler
)

// String names the dialect's service.
func (d Dialect) String() string {
	switch d {
	case Mute:
		return "CloudWatch alarm mute rule"
	case Rule:
		return "EventBridge rule"
	case Scheduler:
		return "EventBridge Scheduler"
	}
	return fmt.Sprintf("Dialect(%d)", int(d))
}

// Error reports an expression or a duration that does not parse.
type Error struct {
	// Dialect is the syntax the input was read in; it is zero for a
	// duration.
	Dialect Dialect
	// Input is the text that was parsed.
	Input string
	// Field names the part at fault ("Day-of-week", "rate unit",
	// "Duration"), or is empty when the fault is the input's shape.
	Field string
	// Message is what to answer a client, in a ValidationException: the
	// service's own words where they are known, else a sentence that
	// names the field and the fault.
	Message string
	// Reason says exactly what is wrong, naming the field. It is the
	// detail behind a generic Message, for logs and tests.
	Reason string
}

// Error returns the Message, followed by the Reason when the Message
// does not already say it.
func (e *Error) Error() string {
	if e.Reason == "" || strings.Contains(e.Message, strings.TrimPrefix(e.Reason, e.Field+": ")) {
		return e.Message
	}
	return e.Message + " (" + e.Reason + ")"
}

// Messages of the services, where AWS's wording is known.
const (
	// ruleMessage is what PutRule answers for any invalid
	// ScheduleExpression.
	ruleMessage = "Parameter ScheduleExpression is not valid."
	// schedulerMessage starts what CreateSchedule answers; the expression
	// follows.
	schedulerMessage = "Invalid Schedule Expression "
	// muteAtMessage is what PutAlarmMuteRule answers for an at()
	// expression that is not a valid date (quoted by the AWS CDK, which
	// drops seconds to avoid it).
	muteAtMessage = "At expressions must be a valid date in 'yyyy-MM-ddThh:mm' format"
)

// exprError returns the *Error for an expression of dialect d whose
// field is at fault for reason.
func exprError(d Dialect, input, field, reason string) *Error {
	e := &Error{Dialect: d, Input: input, Field: field, Reason: reason}
	switch d {
	case Rule:
		e.Message = ruleMessage
	case Scheduler:
		e.Message = schedulerMessage + input
	default:
		e.Message = "Invalid schedule expression: " + reason
	}
	return e
}

// fieldError is exprError with a reason of the form "Field: problem".
func fieldError(d Dialect, input, field, format string, args ...any) *Error {
	reason := fmt.Sprintf(format, args...)
	if field != "" {
		reason = field + ": " + reason
	}
	return exprError(d, input, field, reason)
}
