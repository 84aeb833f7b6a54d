package widget

import "fmt"

// Error codes a refused MetricWidget carries. They are CloudWatch's awsQuery
// codes; GetMetricWidgetImage models no errors of its own, so the service
// sends them as client errors (HTTP 400).
const (
	// CodeInvalidParameterValue: a value is malformed, out of range or not
	// supported.
	CodeInvalidParameterValue = "InvalidParameterValue"
	// CodeInvalidParameterCombination: values that cannot go together.
	CodeInvalidParameterCombination = "InvalidParameterCombination"
	// CodeMissingParameter: a required value is absent.
	CodeMissingParameter = "MissingParameter"
)

// Error is a MetricWidget (or output format) that GetMetricWidgetImage
// refuses. Message is worded for the client, in AWS's style, and names the
// offending field by its path (MetricWidget.metrics[2][1]).
type Error struct {
	// Code is one of the Code constants.
	Code string
	// Message is what the client sees.
	Message string
	// Unsupported marks a field or value that AWS accepts but Vigil does
	// not implement, as opposed to one that is invalid everywhere.
	Unsupported bool
}

// Error returns the code and the message.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// ErrorCode returns the AWS error code.
func (e *Error) ErrorCode() string { return e.Code }

// invalid returns an InvalidParameterValue error.
func invalid(format string, args ...any) *Error {
	return &Error{Code: CodeInvalidParameterValue, Message: fmt.Sprintf(format, args...)}
}

// missing returns a MissingParameter error for a required field.
func missing(path string) *Error {
	return &Error{Code: CodeMissingParameter, Message: fmt.Sprintf("The parameter %s is required.", path)}
}

// unsupported returns the error for a field or value that Vigil does not
// implement.
func unsupported(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Unsupported: true}
}
