// Package protocol implements the six AWS wire protocols Vigil speaks —
// awsJson1.0, awsJson1.1, awsQuery, smithy-rpc-v2-cbor, restJson1 and
// restXml — generically, driven by the metadata that tools/apigen generates
// from the AWS service models.
//
// The package knows no service: it finds the operation a request names,
// decodes the body into the operation's generated Go input type, validates
// it against the model's constraints, and encodes the handler's output or
// error exactly as the protocol's clients parse it. Generated types describe
// their wire form in `aws:"…"` struct tags (see typeinfo.go).
package protocol

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"sync"
)

// Kind names a wire protocol.
type Kind string

// The wire protocols, named as in the AWS service models' metadata.
const (
	AWSJSON10 Kind = "awsJson1_0"
	AWSJSON11 Kind = "awsJson1_1"
	AWSQuery  Kind = "awsQuery"
	RPCv2CBOR Kind = "rpcv2Cbor"
	RESTJSON  Kind = "restJson1"
	RESTXML   Kind = "restXml"
)

// Handler runs one operation: in is a pointer to the operation's generated
// input struct, and the result is a pointer to its output struct.
type Handler func(ctx context.Context, in any) (any, error)

// Service is the generated description of one AWS service API.
type Service struct {
	// ID is Vigil's short name for the service, the name of its package
	// under internal/api (for example "logs" or "cloudwatch").
	ID string
	// ServiceID is the model's serviceId, for example "CloudWatch Logs".
	ServiceID string
	// SigningName is the SigV4 service name clients sign with.
	SigningName string
	// EndpointPrefix is the model's endpoint prefix (host label on AWS);
	// CloudTrail names the service <EndpointPrefix>.amazonaws.com.
	EndpointPrefix string
	// IAMPrefix is the service prefix of its IAM actions ("logs" in
	// logs:PutLogEvents).
	IAMPrefix string
	// APIVersion is the model's API version, sent as Version= in awsQuery.
	APIVersion string
	// TargetPrefix is the X-Amz-Target prefix of the JSON protocols.
	TargetPrefix string
	// XMLNamespace is the namespace of awsQuery responses.
	XMLNamespace string
	// Namespace is the smithy namespace used in JSON 1.0 and CBOR error types.
	Namespace string
	// Protocols lists the protocols the service answers, preferred first.
	Protocols []Kind
	// QueryCompatible marks services that moved from awsQuery to JSON or
	// CBOR and still report awsQuery error codes in x-amzn-query-error.
	QueryCompatible bool
	// ValidationError is the error code the service answers when a request
	// breaks a model constraint, and ValidationQueryCode its awsQuery code
	// when different.
	ValidationError     string
	ValidationQueryCode string
	// MissingParameterError names the modeled error a service answers for
	// missing required members when it reports them apart, in awsQuery
	// terms ("The parameter Namespace is required."), as CloudWatch does.
	MissingParameterError string
	// Source says which model file the API was generated from.
	Source string
	// Operations holds every operation of the model by name.
	Operations map[string]*Operation
	// Errors holds the modeled error shapes by name.
	Errors map[string]*ErrorShape
	// Patterns are the model's regular expressions (Java syntax, as the
	// validation messages quote them), referenced by index from the pat=
	// options of struct tags.
	Patterns []string

	once     sync.Once
	compiled []*regexp.Regexp
}

// Operation is the generated description of one operation.
type Operation struct {
	// Name is the operation name, for example "PutLogEvents".
	Name string
	// Method and RequestURI are the REST binding (POST / for RPC protocols).
	Method     string
	RequestURI string
	// ResponseCode is the HTTP status of a successful response.
	ResponseCode int
	// Input and Output are the generated struct types.
	Input  reflect.Type
	Output reflect.Type
	// HasOutput is false for operations whose model has no output shape.
	HasOutput bool
	// ResultWrapper is the awsQuery result element name.
	ResultWrapper string
	// InputRoot names the XML root element of a restXml request payload.
	InputRoot string
	// Errors lists the modeled errors the operation may return.
	Errors []string
	// ReadOnly is true for operations that do not change state.
	ReadOnly bool
	// HostPrefix is the model's endpoint host prefix, such as "stream-".
	HostPrefix string
	// EventStream is true when the output is an event stream.
	EventStream bool
	// NoAuth is true for the operations AWS serves unsigned, whose
	// callers are anonymous (STS's AssumeRoleWithWebIdentity and
	// AssumeRoleWithSAML: the token they carry is the credential).
	NoAuth bool
}

// ErrorShape is the generated description of a modeled error.
type ErrorShape struct {
	// Name is the shape name, the error code of the JSON protocols.
	Name string
	// QueryCode is the awsQuery error code when it differs from Name.
	QueryCode string
	// Status is the HTTP status code.
	Status int
	// Server is true for server faults (awsQuery Type Receiver).
	Server bool
	// Type is the generated Go struct of the error.
	Type reflect.Type
}

// pattern returns the compiled model pattern i, or nil when i is out of range.
func (s *Service) pattern(i int) *regexp.Regexp {
	s.once.Do(func() {
		s.compiled = make([]*regexp.Regexp, len(s.Patterns))
		for j, p := range s.Patterns {
			re, err := CompilePattern(p)
			if err != nil {
				// The generator only emits patterns that compile.
				panic(fmt.Sprintf("BUG: protocol: %s pattern %d: %v", s.ID, j, err))
			}
			s.compiled[j] = re
		}
	})
	if i < 0 || i >= len(s.compiled) {
		return nil
	}
	return s.compiled[i]
}

// Enum is implemented by every generated enum type.
type Enum interface {
	// Values lists the enum's values as the model declares them.
	Values() []string
}

// ModeledError is implemented by every generated error type.
type ModeledError interface {
	error
	// ErrorCode returns the error shape's name.
	ErrorCode() string
}

// Bind registers a typed operation method as the handler of op in h. The
// generated Handlers functions call it for each operation an implementation
// has.
func Bind[I, O any](h map[string]Handler, op string, f func(context.Context, *I) (*O, error)) {
	h[op] = func(ctx context.Context, in any) (any, error) {
		out, err := f(ctx, in.(*I))
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = new(O)
		}
		return out, nil
	}
}
