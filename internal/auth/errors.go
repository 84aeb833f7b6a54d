package auth

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/vigilhq/vigil/internal/auth/sigv4"
	"github.com/vigilhq/vigil/internal/protocol"
)

// family groups protocols that word authentication failures alike.
type family int

const (
	familyJSON  family = iota // awsJson and rpcv2Cbor: 400s, Coral names
	familyQuery               // awsQuery: mostly 403s, short names
	familyREST                // restJson1: 403s, Coral names
	familyS3                  // restXml: S3's own codes
)

func familyOf(k protocol.Kind) family {
	switch k {
	case protocol.AWSQuery:
		return familyQuery
	case protocol.RESTJSON:
		return familyREST
	case protocol.RESTXML:
		return familyS3
	}
	return familyJSON
}

// answer is how one family words one kind of failure.
type answer struct {
	code   string
	status int
}

// answers maps failure kinds to the JSON, query and REST codes; the JSON
// code's awsQuery twin goes to x-amzn-query-error for query-compatible
// services. S3 is worded apart (s3Error).
var answers = map[sigv4.Kind][3]answer{
	sigv4.KindUnsigned: {
		{"MissingAuthenticationTokenException", 400}, {"MissingAuthenticationToken", 403}, {"MissingAuthenticationTokenException", 403}},
	sigv4.KindMalformed: {
		{"IncompleteSignatureException", 400}, {"IncompleteSignature", 400}, {"IncompleteSignatureException", 403}},
	sigv4.KindUnsupportedAlgorithm: {
		{"IncompleteSignatureException", 400}, {"IncompleteSignature", 400}, {"IncompleteSignatureException", 403}},
	KindUnknownKey: {
		{"UnrecognizedClientException", 400}, {"InvalidClientTokenId", 403}, {"UnrecognizedClientException", 403}},
	KindExpiredToken: {
		{"ExpiredTokenException", 400}, {"ExpiredToken", 403}, {"ExpiredTokenException", 403}},
	sigv4.KindSignatureMismatch: {
		{"InvalidSignatureException", 400}, {"SignatureDoesNotMatch", 403}, {"InvalidSignatureException", 403}},
	sigv4.KindTimeSkew: {
		{"InvalidSignatureException", 400}, {"SignatureDoesNotMatch", 403}, {"InvalidSignatureException", 403}},
	sigv4.KindExpired: {
		{"InvalidSignatureException", 400}, {"SignatureDoesNotMatch", 403}, {"InvalidSignatureException", 403}},
}

// queryCodes are the awsQuery names of the JSON codes, for
// x-amzn-query-error.
var queryCodes = map[string]string{
	"MissingAuthenticationTokenException": "MissingAuthenticationToken",
	"IncompleteSignatureException":        "IncompleteSignature",
	"UnrecognizedClientException":         "InvalidClientTokenId",
	"InvalidSignatureException":           "SignatureDoesNotMatch",
	"ExpiredTokenException":               "ExpiredToken",
}

// ProtocolError words the failure as the given protocol's clients expect.
func (e *Error) ProtocolError(k protocol.Kind) *protocol.Error {
	f := familyOf(k)
	if f == familyS3 {
		return e.s3Error()
	}
	msg := e.Message
	a, ok := answers[e.Kind]
	if !ok {
		// Body and payload-hash failures: the request is not what its
		// signature covers.
		a = answers[sigv4.KindSignatureMismatch]
	}
	ans := a[f]
	if f == familyQuery && e.Kind == sigv4.KindUnsigned {
		msg = "Request is missing Authentication Token"
	} else if e.Kind == sigv4.KindUnsigned {
		msg = "Missing Authentication Token"
	}
	return &protocol.Error{Code: ans.code, QueryCode: queryCodes[ans.code], Status: ans.status, Message: msg, Cause: e.Cause}
}

// s3Error words the failure as S3 does, with its extra elements.
func (e *Error) s3Error() *protocol.Error {
	pe := &protocol.Error{Status: http.StatusForbidden, Message: e.Message, Cause: e.Cause}
	switch e.Kind {
	case sigv4.KindUnsigned:
		pe.Code, pe.Message = "AccessDenied", "Access Denied"
	case sigv4.KindMalformed, sigv4.KindUnsupportedAlgorithm:
		pe.Code, pe.Status = "AuthorizationHeaderMalformed", http.StatusBadRequest
		if e.Signature != nil && e.Signature.Presigned {
			pe.Code = "AuthorizationQueryParametersError"
		}
	case KindUnknownKey:
		pe.Code, pe.Message = "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."
		pe.Fields = []protocol.Field{{Name: "AWSAccessKeyId", Value: e.AccessKey}}
		if e.Signature != nil && e.Signature.SecurityToken != "" {
			pe.Code, pe.Message, pe.Fields = "InvalidToken", "The provided token is malformed or otherwise invalid.", nil
		}
	case KindExpiredToken:
		pe.Code, pe.Status, pe.Message = "ExpiredToken", http.StatusBadRequest, "The provided token has expired."
	case sigv4.KindSignatureMismatch:
		pe.Code = "SignatureDoesNotMatch"
		pe.Message = "The request signature we calculated does not match the signature you provided. Check your key and signing method."
		pe.Fields = []protocol.Field{{Name: "AWSAccessKeyId", Value: e.AccessKey}}
		var se *sigv4.Error
		if errors.As(e.Cause, &se) && e.Signature != nil {
			pe.Fields = append(pe.Fields,
				protocol.Field{Name: "StringToSign", Value: se.StringToSign},
				protocol.Field{Name: "SignatureProvided", Value: e.Signature.Signature},
				protocol.Field{Name: "CanonicalRequest", Value: se.CanonicalRequest})
		}
	case sigv4.KindTimeSkew:
		pe.Code = "RequestTimeTooSkewed"
		pe.Message = "The difference between the request time and the current time is too large."
		pe.Fields = []protocol.Field{
			{Name: "RequestTime", Value: e.Signature.AmzDate},
			{Name: "ServerTime", Value: e.Now.UTC().Format("2006-01-02T15:04:05Z")},
			{Name: "MaxAllowedSkewMilliseconds", Value: strconv.FormatInt(sigv4.MaxSkew.Milliseconds(), 10)},
		}
	case sigv4.KindExpired:
		pe.Code, pe.Message = "AccessDenied", "Request has expired"
		pe.Fields = []protocol.Field{
			{Name: "X-Amz-Expires", Value: strconv.FormatInt(int64(e.Signature.Expires.Seconds()), 10)},
			{Name: "Expires", Value: e.Signature.Time.Add(e.Signature.Expires).UTC().Format("2006-01-02T15:04:05Z")},
			{Name: "ServerTime", Value: e.Now.UTC().Format("2006-01-02T15:04:05Z")},
		}
	case sigv4.KindInvalidPayloadHash:
		pe.Code, pe.Status = "InvalidArgument", http.StatusBadRequest
	case sigv4.KindPayloadHashMismatch:
		pe.Code, pe.Status = "XAmzContentSHA256Mismatch", http.StatusBadRequest
	case sigv4.KindBadChunk, sigv4.KindIncompleteBody:
		pe.Code, pe.Status = "IncompleteBody", http.StatusBadRequest
	case sigv4.KindChecksumMismatch:
		pe.Code, pe.Status = "BadDigest", http.StatusBadRequest
	default:
		pe.Code = "AccessDenied"
	}
	return pe
}

// deniedAnswers are the AccessDenied codes of the protocol families.
var deniedAnswers = [4]answer{
	familyJSON: {"AccessDeniedException", http.StatusBadRequest}, familyQuery: {"AccessDenied", http.StatusForbidden},
	familyREST: {"AccessDeniedException", http.StatusForbidden}, familyS3: {"AccessDenied", http.StatusForbidden},
}

// ProtocolError words the refusal as the protocol's clients expect.
func (d *Denied) ProtocolError(k protocol.Kind) *protocol.Error {
	a := deniedAnswers[familyOf(k)]
	pe := &protocol.Error{Code: a.code, Status: a.status, Message: d.Message}
	if a.code == "AccessDeniedException" {
		pe.QueryCode = "AccessDenied"
	}
	return pe
}
