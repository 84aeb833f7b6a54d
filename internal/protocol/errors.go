package protocol

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
)

// Error is an AWS error that no service model declares: authentication,
// serialization, throttling, unimplemented operations and internal failures.
// Handlers return the generated error types for modeled errors.
type Error struct {
	// Code is the error code of the JSON, CBOR and REST protocols.
	Code string
	// QueryCode is the awsQuery code (and x-amzn-query-error code) when it
	// differs from Code.
	QueryCode string
	// Message is what the client sees.
	Message string
	// Namespace prefixes Code in the __type of JSON 1.0 and CBOR errors;
	// empty means AWS's framework namespace, com.amazon.coral.service.
	Namespace string
	// Status is the HTTP status.
	Status int
	// Server marks server faults (awsQuery Type Receiver).
	Server bool
	// Fields are extra elements some errors carry (S3's RequestTime, …),
	// in order.
	Fields []Field
	// Cause is logged and never shown to the client.
	Cause error
}

// Field is one extra member of an error.
type Field struct {
	Name, Value string
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return e.Code + ": " + e.Message + ": " + e.Cause.Error()
	}
	return e.Code + ": " + e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// ErrorCode returns the error code.
func (e *Error) ErrorCode() string { return e.Code }

// queryCode returns the code awsQuery clients see.
func (e *Error) queryCode() string {
	if e.QueryCode != "" {
		return e.QueryCode
	}
	return e.Code
}

// NewError returns an Error with a formatted message.
func NewError(status int, code, format string, args ...any) *Error {
	return &Error{Code: code, Status: status, Message: fmt.Sprintf(format, args...)}
}

// NotImplemented is the answer of a modeled operation that Vigil does not
// implement yet.
func NotImplemented(svc *Service, op string) *Error {
	return &Error{
		Code:      "NotImplemented",
		QueryCode: "NotImplemented",
		Status:    http.StatusNotImplemented,
		Server:    true,
		Message:   fmt.Sprintf("The operation %s of service %s is not implemented by Vigil yet.", op, svc.ServiceID),
	}
}

// InternalFailure hides cause from the client, which sees AWS's generic
// internal error; the cause is logged.
func InternalFailure(cause error) *Error {
	return &Error{
		Code:    "InternalFailure",
		Status:  http.StatusInternalServerError,
		Server:  true,
		Message: "The request processing has failed because of an unknown error, exception or failure.",
		Cause:   cause,
	}
}

// SerializationError reports a body the protocol cannot decode.
func SerializationError(format string, args ...any) *Error {
	return &Error{Code: "SerializationException", Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

// resolved is an error as the encoders write it.
type resolved struct {
	code, queryCode, message string
	namespace                string
	status                   int
	server                   bool
	fields                   []Field
	shape                    reflect.Value // the modeled error struct, if any
	info                     *typeInfo
}

// resolve turns any error a handler or the front door returned into what
// the client sees. Unknown errors become InternalFailure.
func resolve(svc *Service, err error) *resolved {
	var pe *Error
	if errors.As(err, &pe) {
		ns := pe.Namespace
		if ns == "" {
			ns = "com.amazon.coral.service"
		}
		return &resolved{code: pe.Code, queryCode: pe.queryCode(), namespace: ns, message: pe.Message, status: pe.Status, server: pe.Server, fields: pe.Fields}
	}
	var me ModeledError
	if errors.As(err, &me) && svc != nil {
		if shape, ok := svc.Errors[me.ErrorCode()]; ok {
			v := reflect.ValueOf(me)
			if v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Type() == shape.Type {
				r := &resolved{code: shape.Name, queryCode: shape.Name, namespace: svc.Namespace, status: shape.Status, server: shape.Server}
				if shape.QueryCode != "" {
					r.queryCode = shape.QueryCode
				}
				r.shape = v.Elem()
				r.info = infoOf(shape.Type)
				r.message = messageOf(r.shape, r.info)
				return r
			}
		}
	}
	return resolve(svc, InternalFailure(err))
}

// messageOf returns the message member of a modeled error.
func messageOf(v reflect.Value, ti *typeInfo) string {
	for _, f := range ti.st.fields {
		if f.path == "message" && f.t.kind == kString {
			fv := v.Field(f.index)
			if f.t.present(fv) {
				return f.t.value(fv).String()
			}
		}
	}
	return ""
}

// Cause returns what the log should say of err: its internal cause, or
// nil when it has none. unexpected reports that the client sees err as an
// InternalFailure — a plain error or an unmodeled one from a handler, or
// an explicit InternalFailure — which the operator must see with its
// cause; the other causes are detail of errors the client was told about.
func Cause(svc *Service, err error) (cause error, unexpected bool) {
	var pe *Error
	if errors.As(err, &pe) {
		if pe.Code == "InternalFailure" {
			if pe.Cause != nil {
				return pe.Cause, true
			}
			return err, true
		}
		return pe.Cause, false
	}
	if resolve(svc, err).code == "InternalFailure" {
		return err, true
	}
	return nil, false
}
