package insightsql

import (
	"errors"
	"fmt"
	"strings"
)

// CodeValidationError is the AWS error code of a GetMetricData request
// whose Metrics Insights query CloudWatch refuses; it travels as HTTP 400.
const CodeValidationError = "ValidationError"

// Error is a query that CloudWatch refuses.
//
// AWS does not document the messages of Metrics Insights errors, so
// Message is Vigil's wording: it says where the query is wrong ("line 1,
// column 27") and what was expected, so that a person can fix the query.
// The caller prefixes the query Id as GetMetricData does for metric math
// ("Error in expression 'q1': …").
type Error struct {
	// Code is the AWS error code, CodeValidationError.
	Code string
	// Message is what the client sees.
	Message string
	// Offset is the byte offset in the query where the error was found,
	// or -1 when the error is about the query as a whole.
	Offset int
	// Unsupported marks a feature AWS has and Vigil does not.
	Unsupported bool
}

// Error returns the message the client sees.
func (e *Error) Error() string { return e.Message }

// ErrorCode returns the AWS error code.
func (e *Error) ErrorCode() string { return e.Code }

// IsUnsupported reports whether err is an *Error for a feature that AWS
// has and Vigil does not.
func IsUnsupported(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Unsupported
}

// position returns the 1-based line and column (in bytes) of offset in
// query.
func position(query string, offset int) (line, col int) {
	offset = min(max(offset, 0), len(query))
	before := query[:offset]
	line = strings.Count(before, "\n") + 1
	col = offset - (strings.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// syntaxError returns the error for a query that does not follow the
// grammar, at offset.
func syntaxError(query string, offset int, format string, args ...any) *Error {
	line, col := position(query, offset)
	return &Error{
		Code:    CodeValidationError,
		Message: fmt.Sprintf("Syntax error at line %d, column %d: ", line, col) + fmt.Sprintf(format, args...),
		Offset:  offset,
	}
}

// unsupported returns the error for a feature AWS has and Vigil does not.
func unsupported(query string, offset int, format string, args ...any) *Error {
	line, col := position(query, offset)
	return &Error{
		Code:        CodeValidationError,
		Message:     fmt.Sprintf("Unsupported at line %d, column %d: ", line, col) + fmt.Sprintf(format, args...) + " Vigil does not support it.",
		Offset:      offset,
		Unsupported: true,
	}
}
