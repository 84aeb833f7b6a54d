package mathexpr

import (
	"errors"
	"fmt"
)

// CodeValidationError is the AWS error code of a request whose queries or
// expressions CloudWatch refuses; it travels as HTTP 400.
const CodeValidationError = "ValidationError"

// ArithmeticError is the code, and ArithmeticErrorMessage the text, of the
// MessageData that GetMetricData attaches to a result from which points
// were dropped because they were not finite numbers (Value.ArithmeticError).
// AWS's wording, as clients such as Grafana match it.
const (
	ArithmeticError        = "ArithmeticError"
	ArithmeticErrorMessage = "One or more data-points have been dropped due to non-numeric values (NaN, -Infinite, +Infinite)"
)

// Error is an expression or a set of queries that CloudWatch refuses.
//
// Message is worded for the client in AWS's style. Once the query is known
// (PlanQueries, Step.Eval) ID is set and Error reads
// "Error in expression 'e1': Invalid syntax", as AWS answers.
type Error struct {
	// Code is the AWS error code, CodeValidationError.
	Code string
	// ID is the Id of the query whose expression is at fault; empty for
	// errors about the request as a whole.
	ID string
	// Message is what the client sees.
	Message string
	// Detail says more for logs and tests (where a syntax error is); the
	// client does not see it.
	Detail string
	// Unsupported marks a function or feature AWS has but Vigil does not.
	Unsupported bool
}

// Error returns the message the client sees, prefixed by the query Id when
// it is known.
func (e *Error) Error() string {
	if e.ID != "" {
		return fmt.Sprintf("Error in expression '%s': %s", e.ID, e.Message)
	}
	return e.Message
}

// ErrorCode returns the AWS error code.
func (e *Error) ErrorCode() string { return e.Code }

// withID returns err with the query Id set, if it is an *Error.
func withID(err error, id string) error {
	var me *Error
	if errors.As(err, &me) {
		c := *me
		c.ID = id
		return &c
	}
	return err
}

// syntaxError is AWS's answer to an expression it cannot parse: "Invalid
// syntax" (seen in real ValidationError responses), with the position in
// Detail.
func syntaxError(pos int, format string, args ...any) *Error {
	return &Error{
		Code:    CodeValidationError,
		Message: "Invalid syntax",
		Detail:  fmt.Sprintf("offset %d: ", pos) + fmt.Sprintf(format, args...),
	}
}

// invalid returns a validation error with the given message.
func invalid(format string, args ...any) *Error {
	return &Error{Code: CodeValidationError, Message: fmt.Sprintf(format, args...)}
}

// unknownFunction is AWS's answer to a function name it does not know:
// "Function 'ANOMALY_DETECTOR' not found" (seen in real responses).
func unknownFunction(name string) *Error {
	return invalid("Function '%s' not found", name)
}

// unsupported returns the error for a function or feature that AWS has and
// Vigil does not implement.
func unsupported(format string, args ...any) *Error {
	return &Error{
		Code:        CodeValidationError,
		Message:     fmt.Sprintf(format, args...) + " Vigil does not support it.",
		Unsupported: true,
	}
}
