package insights

import "fmt"

// Error is a query the language rejects, with the position of the fault.
// The API layer answers it as MalformedQueryException with Error() as the
// message.
type Error struct {
	// Line and Column locate the fault (1-based; Column counts characters).
	Line, Column int
	// Msg says what is wrong, without the position.
	Msg string
}

// Error returns the message in AWS's wording: "<what> at line L and
// position P".
func (e *Error) Error() string {
	if e.Line == 0 {
		return e.Msg
	}
	return fmt.Sprintf("%s at line %d and position %d", e.Msg, e.Line, e.Column)
}

// Pos is a position in the query text.
type Pos struct {
	// Offset is the byte offset; Line and Column are 1-based.
	Offset, Line, Column int
}

func errorf(p Pos, format string, args ...any) *Error {
	return &Error{Line: p.Line, Column: p.Column, Msg: fmt.Sprintf(format, args...)}
}
