package sigv4

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies why a request failed SigV4 authentication. The server maps
// each Kind to the error code and HTTP status of the request's protocol; this
// package only supplies the Kind and a message in AWS's wording.
type Kind int

// The kinds of authentication failure.
const (
	// KindUnsigned means the request carries no SigV4 authentication at all:
	// no Authorization header and no X-Amz-Algorithm, X-Amz-Credential or
	// X-Amz-Signature query parameter. AWS answers MissingAuthenticationToken
	// (JSON and query protocols) or AccessDenied (S3).
	KindUnsigned Kind = iota + 1

	// KindMalformed means the request carries SigV4 fields that are missing,
	// duplicated or unparsable, or a credential scope that does not fit the
	// request. AWS answers IncompleteSignature, AuthorizationHeaderMalformed or
	// AuthorizationQueryParametersError.
	KindMalformed

	// KindUnsupportedAlgorithm means the request is signed with a scheme this
	// package does not verify: SigV4a (AWS4-ECDSA-P256-SHA256), the legacy
	// "AWS " SigV2 scheme, or anything else that is not AWS4-HMAC-SHA256.
	KindUnsupportedAlgorithm

	// KindSignatureMismatch means the signature, a chunk signature or the
	// trailer signature of an aws-chunked body does not match the one computed
	// with the secret key. AWS answers SignatureDoesNotMatch.
	KindSignatureMismatch

	// KindTimeSkew means the request time is more than MaxSkew away from the
	// server's clock. AWS answers InvalidSignatureException ("Signature
	// expired") or RequestTimeTooSkewed (S3).
	KindTimeSkew

	// KindExpired means a presigned request is used after its X-Amz-Expires
	// period. AWS answers AccessDenied ("Request has expired").
	KindExpired

	// KindInvalidPayloadHash means the X-Amz-Content-Sha256 value is neither a
	// hex SHA-256 nor a value this package accepts for the request, or it is
	// missing where S3 requires it. S3 answers InvalidArgument or
	// InvalidRequest.
	KindInvalidPayloadHash

	// KindPayloadHashMismatch means the body does not hash to the declared
	// X-Amz-Content-Sha256 value. S3 answers XAmzContentSHA256Mismatch.
	KindPayloadHashMismatch

	// KindBadChunk means an aws-chunked body, or its trailer, is not well
	// formed. S3 answers IncompleteBody, InvalidChunkSizeError or
	// MalformedTrailerError.
	KindBadChunk

	// KindIncompleteBody means the decoded aws-chunked payload is not as long
	// as X-Amz-Decoded-Content-Length says. S3 answers IncompleteBody.
	KindIncompleteBody

	// KindChecksumMismatch means an x-amz-checksum-* header or trailer does
	// not match the payload. S3 answers BadDigest.
	KindChecksumMismatch
)

// String returns the name of k.
func (k Kind) String() string {
	switch k {
	case KindUnsigned:
		return "Unsigned"
	case KindMalformed:
		return "Malformed"
	case KindUnsupportedAlgorithm:
		return "UnsupportedAlgorithm"
	case KindSignatureMismatch:
		return "SignatureMismatch"
	case KindTimeSkew:
		return "TimeSkew"
	case KindExpired:
		return "Expired"
	case KindInvalidPayloadHash:
		return "InvalidPayloadHash"
	case KindPayloadHashMismatch:
		return "PayloadHashMismatch"
	case KindBadChunk:
		return "BadChunk"
	case KindIncompleteBody:
		return "IncompleteBody"
	case KindChecksumMismatch:
		return "ChecksumMismatch"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error is the error this package returns for a request that fails
// authentication; only a failing body reader surfaces as another error.
// Message is written for the client, in AWS's wording where AWS has one;
// Cause, when set, holds internal detail for the log only.
type Error struct {
	// Kind classifies the failure.
	Kind Kind
	// Message is the text to send to the client.
	Message string
	// Cause is the underlying error, if any; it is for logs, not clients.
	Cause error
	// CanonicalRequest is the canonical request the server computed, set for
	// signature mismatches so that they can be debugged from the log. It must
	// never be sent to the client.
	CanonicalRequest string
	// StringToSign is the string to sign the server computed, set for
	// signature mismatches; like CanonicalRequest it is for the log only.
	StringToSign string
}

// Error returns the kind, the client message and the cause, for logs.
func (e *Error) Error() string {
	if e.Cause != nil {
		return "sigv4: " + e.Kind.String() + ": " + e.Message + ": " + e.Cause.Error()
	}
	return "sigv4: " + e.Kind.String() + ": " + e.Message
}

// Unwrap returns the cause of e.
func (e *Error) Unwrap() error { return e.Cause }

// KindOf returns the Kind of err if err is or wraps an *Error, and 0
// otherwise.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

func newError(kind Kind, msg string) *Error {
	return &Error{Kind: kind, Message: msg}
}

func wrapError(kind Kind, msg string, cause error) *Error {
	return &Error{Kind: kind, Message: msg, Cause: cause}
}

// Messages in AWS's wording.
const (
	msgUnsigned          = "Request is missing Authentication Token"
	msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgExpired           = "Request has expired"
	msgSigV2             = "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."
	msgBothMechanisms    = "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified"
	msgQueryIncomplete   = "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
	msgHeaderCredential  = `The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`
	msgQueryCredential   = `Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`
	msgPayloadHashValues = "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, " +
		"STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value."
	msgMissingPayloadHash  = "Missing required header for this request: x-amz-content-sha256"
	msgPayloadHashMismatch = "The provided 'x-amz-content-sha256' header does not match what was computed."
	msgIncompleteBody      = "You did not provide the number of bytes specified by the Content-Length HTTP header"
	msgMalformedTrailer    = "The request contained trailing data that was not well-formed or did not conform to our published schema."
	msgBadChunk            = "The aws-chunked request body is not well formed."
)

// skewError words a time-skew failure the way AWS's JSON services do, e.g.
// "Signature expired: 20260101T000000Z is now earlier than 20260101T001500Z
// (20260101T003000Z - 15 min.)".
func skewError(t, now time.Time) *Error {
	const minutes = int(MaxSkew / time.Minute)
	if t.Before(now) {
		return newError(KindTimeSkew, fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %d min.)",
			t.UTC().Format(amzDateLayout), now.Add(-MaxSkew).UTC().Format(amzDateLayout), now.UTC().Format(amzDateLayout), minutes))
	}
	return newError(KindTimeSkew, fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + %d min.)",
		t.UTC().Format(amzDateLayout), now.Add(MaxSkew).UTC().Format(amzDateLayout), now.UTC().Format(amzDateLayout), minutes))
}
