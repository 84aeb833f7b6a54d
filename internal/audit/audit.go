// Package audit defines the hook every API request passes once its
// response is known, and the sinks that take its events: Async, which
// hands them to another sink from its own goroutine so that recording
// costs a request little; BusSink, which publishes them on the bus of
// service events as CloudTrail records ("AWS API Call via CloudTrail");
// and Multi, which hands each event to several sinks.
package audit

import (
	"context"
	"time"

	"github.com/vigilhq/vigil/internal/request"
)

// Event is one API request as CloudTrail records it.
type Event struct {
	// Time is when the request arrived.
	Time time.Time
	// Principal is who made the request.
	Principal request.Principal
	// SourceIP and UserAgent describe the client.
	SourceIP  string
	UserAgent string
	// Region is the region the request addressed.
	Region string
	// Service is Vigil's service id and EventSource its AWS event source
	// (e.g. "logs.amazonaws.com").
	Service     string
	EventSource string
	// Operation is the operation name; empty when the request named no
	// known operation.
	Operation string
	// Request is the decoded input (a pointer to the generated input
	// struct), nil when the request could not be decoded.
	Request any
	// Response is the handler's output, nil on error.
	Response any
	// ErrorCode and ErrorMessage describe a failed request.
	ErrorCode    string
	ErrorMessage string
	// RequestID is the id sent to the client.
	RequestID string
	// ReadOnly is true for operations that do not change state.
	ReadOnly bool
	// TLS describes the connection of a call made over HTTPS (nil over
	// HTTP).
	TLS *TLSDetails
	// HTTP is what the front door saw of the exchange on the wire (S3's
	// server access logs record it); nil for calls that did not come
	// over HTTP.
	HTTP *HTTPExchange
}

// HTTPExchange describes a request and its response on the wire.
type HTTPExchange struct {
	// Method, URI (as sent, with its query), Proto ("HTTP/1.1"), Host
	// and Referer are the request's.
	Method, URI, Proto, Host, Referer string
	// Status is the response's status and BytesSent the bytes of its
	// body.
	Status    int
	BytesSent int64
	// Total is the time from the request's arrival to the response's
	// end; TurnAround from the request's last byte to the response's
	// first (0 when either is unknown).
	Total, TurnAround time.Duration
	// SignatureVersion is "SigV4" and AuthType "AuthHeader" or
	// "QueryString" (presigned) for a signed request, both empty else.
	SignatureVersion, AuthType string
}

// TLSDetails are a call's TLS version, cipher suite and Host header, as
// CloudTrail's tlsDetails has them.
type TLSDetails struct {
	Version     string `json:"tlsVersion"`
	CipherSuite string `json:"cipherSuite"`
	Host        string `json:"clientProvidedHostHeader"`
}

// Sink receives audit events. Record must not block for long: it runs on
// the request's goroutine after the response is written. A sink may keep
// e, and what it points to, after Record returns (Async does): the caller
// must not change them afterwards.
type Sink interface {
	Record(ctx context.Context, e *Event)
}

// Discard is a Sink that drops every event.
type Discard struct{}

// Record drops e.
func (Discard) Record(context.Context, *Event) {}
