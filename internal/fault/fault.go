// Package fault is the error of a request a service refuses: a code,
// which the service's API maps to its modeled exception, and the message
// the client sees. Each service declares its codes.
package fault

import "fmt"

// Code is the kind of a refused request, as a service declares it.
type Code int

// Error is a refused request.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an Error of code with a formatted message.
func Errorf(code Code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
