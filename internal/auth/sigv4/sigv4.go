// Package sigv4 verifies AWS Signature Version 4 on incoming HTTP requests,
// server side, so that unmodified AWS CLIs and SDKs can authenticate to
// Vigil.
//
// A request is checked in two steps: Parse extracts the signature fields from
// the Authorization header or from a presigned URL's query, and Verify
// recomputes the signature with the secret key of the access key the caller
// looked up, and checks the clock. Bodies sent with Content-Encoding
// aws-chunked (S3 uploads) are decoded and their chunk signatures and
// trailing checksums verified by DecodeChunked or a ChunkedReader.
//
// The rules follow the AWS documentation, cross-checked against the
// aws-sdk-go-v2 signer and botocore:
//
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
//   - https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
//   - https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
//   - https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
//   - https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html
//
// SigV4a (AWS4-ECDSA-P256-SHA256) and SigV2 are refused with
// KindUnsupportedAlgorithm.
package sigv4

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm this package verifies.
const Algorithm = "AWS4-HMAC-SHA256"

// Time limits, as AWS applies them.
const (
	// MaxSkew is how far the request time of a header-signed request may be
	// from the server's clock, either way; a presigned request may be dated at
	// most this far into the future.
	MaxSkew = 15 * time.Minute
	// MaxExpires is the longest X-Amz-Expires a presigned request may carry.
	MaxExpires = 7 * 24 * time.Hour
)

// Values of X-Amz-Content-Sha256 other than a hex SHA-256.
const (
	// UnsignedPayload declares that the body is not covered by the signature.
	UnsignedPayload = "UNSIGNED-PAYLOAD"
	// StreamingPayload declares an aws-chunked body with signed chunks.
	StreamingPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	// StreamingPayloadTrailer declares an aws-chunked body with signed chunks
	// and signed trailing headers.
	StreamingPayloadTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	// StreamingUnsignedPayloadTrailer declares an aws-chunked body with
	// unsigned chunks and unsigned trailing headers, whose integrity rests on
	// a trailing checksum (and on TLS).
	StreamingUnsignedPayloadTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
)

const (
	algorithmV4a  = "AWS4-ECDSA-P256-SHA256"
	terminator    = "aws4_request"
	amzDateLayout = "20060102T150405Z"
	dateLayout    = "20060102"
)

// Signature holds the SigV4 fields of one request, as Parse found them.
type Signature struct {
	// AccessKeyID is the access key the request claims to be signed with.
	AccessKeyID string
	// Date is the date of the credential scope, YYYYMMDD.
	Date string
	// Region is the region of the credential scope.
	Region string
	// Service is the service of the credential scope, e.g. "logs" or "s3".
	Service string
	// SignedHeaders lists the lowercase names of the signed headers, in the
	// order the client gave them.
	SignedHeaders []string
	// Signature is the hex signature the client sent.
	Signature string
	// Time is the request time, from X-Amz-Date or else the Date header.
	Time time.Time
	// AmzDate is Time in the ISO 8601 basic format that enters the string to
	// sign, e.g. "20260101T000000Z".
	AmzDate string
	// Presigned reports whether the signature came in the query string.
	Presigned bool
	// Expires is X-Amz-Expires of a presigned request, or 0 when absent.
	Expires time.Duration
	// SecurityToken is X-Amz-Security-Token, set for temporary credentials.
	SecurityToken string
	// PayloadHash is the X-Amz-Content-Sha256 header as sent, or "".
	PayloadHash string
}

// Scope returns the credential scope, "YYYYMMDD/region/service/aws4_request".
func (s *Signature) Scope() string {
	return s.Date + "/" + s.Region + "/" + s.Service + "/" + terminator
}

// Streaming reports whether the request declares an aws-chunked body, which
// Verify does not read: the caller must decode it with DecodeChunked or a
// ChunkedReader, which verify the chunks.
func (s *Signature) Streaming() bool {
	switch s.PayloadHash {
	case StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedPayloadTrailer:
		return true
	}
	return false
}

// Names of the query parameters of a presigned request.
const (
	qAlgorithm     = "X-Amz-Algorithm"
	qCredential    = "X-Amz-Credential"
	qDate          = "X-Amz-Date"
	qExpires       = "X-Amz-Expires"
	qSignedHeaders = "X-Amz-SignedHeaders"
	qSignature     = "X-Amz-Signature"
	qSecurityToken = "X-Amz-Security-Token"
)

// Parse extracts the SigV4 fields of r from its Authorization header or, for
// a presigned request, from its query string. It checks their syntax but not
// the signature or the clock; that is Verify's job. A request without any
// SigV4 fields yields an *Error of KindUnsigned.
func Parse(r *http.Request) (*Signature, error) {
	if r == nil || r.URL == nil {
		return nil, newError(KindMalformed, "The request has no URL.")
	}
	auth := r.Header.Values("Authorization")
	if len(auth) > 1 {
		return nil, newError(KindMalformed, "The request carries more than one Authorization header.")
	}
	hasAuth := len(auth) == 1 && strings.TrimSpace(auth[0]) != ""
	query, sigV2, err := presignParams(r.URL.RawQuery)
	switch {
	case query != nil && hasAuth:
		return nil, newError(KindMalformed, msgBothMechanisms)
	case query != nil && err != nil:
		return nil, err
	case query != nil:
		return parseQuery(r, query)
	case hasAuth:
		return parseHeader(r, strings.TrimSpace(auth[0]))
	case sigV2:
		return nil, newError(KindUnsupportedAlgorithm, msgSigV2)
	}
	return nil, newError(KindUnsigned, msgUnsigned)
}

// presignParams collects the X-Amz-* authentication parameters of a raw
// query. It returns nil when none of X-Amz-Algorithm, X-Amz-Credential and
// X-Amz-Signature is present, so that the request is not presigned.
func presignParams(raw string) (params map[string]string, sigV2 bool, err error) {
	if raw == "" {
		return nil, false, nil
	}
	var v2Key, v2Sig bool
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		key, kerr := unescapeQuery(k)
		if kerr != nil {
			if err == nil {
				err = wrapError(KindMalformed, "The query string is not validly percent-encoded.",
					fmt.Errorf("cannot unescape query parameter name %q: %w", truncate(k, 64), kerr))
			}
			continue
		}
		switch key {
		case "AWSAccessKeyId":
			v2Key = true
			continue
		case "Signature":
			v2Sig = true
			continue
		case qAlgorithm, qCredential, qDate, qExpires, qSignedHeaders, qSignature, qSecurityToken:
		default:
			continue
		}
		val, verr := unescapeQuery(v)
		if verr != nil {
			if err == nil {
				err = wrapError(KindMalformed, "The query string is not validly percent-encoded.",
					fmt.Errorf("cannot unescape query parameter %q: %w", key, verr))
			}
			continue
		}
		if params == nil {
			params = make(map[string]string, 7)
		}
		if _, dup := params[key]; dup && err == nil {
			err = newError(KindMalformed, fmt.Sprintf("The query parameter %s is given more than once.", key))
		}
		params[key] = val
	}
	_, alg := params[qAlgorithm]
	_, cred := params[qCredential]
	_, sig := params[qSignature]
	if !alg && !cred && !sig {
		return nil, v2Key && v2Sig, nil
	}
	return params, false, err
}

func parseQuery(r *http.Request, q map[string]string) (*Signature, error) {
	for _, name := range []string{qAlgorithm, qCredential, qSignature, qDate, qSignedHeaders} {
		if _, ok := q[name]; !ok {
			return nil, newError(KindMalformed, msgQueryIncomplete)
		}
	}
	if alg := q[qAlgorithm]; alg != Algorithm {
		if alg == algorithmV4a {
			return nil, newError(KindUnsupportedAlgorithm, `X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"; SigV4a (AWS4-ECDSA-P256-SHA256) is not supported.`)
		}
		return nil, newError(KindUnsupportedAlgorithm, `X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"`)
	}
	s := &Signature{Presigned: true}
	if err := s.setCredential(q[qCredential], msgQueryCredential); err != nil {
		return nil, err
	}
	if err := s.setSignedHeaders(q[qSignedHeaders]); err != nil {
		return nil, err
	}
	if err := s.setSignature(q[qSignature]); err != nil {
		return nil, err
	}
	t, err := parseAmzDate(q[qDate])
	if err != nil {
		return nil, wrapError(KindMalformed, `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`, err)
	}
	s.Time, s.AmzDate = t, q[qDate]
	if v, ok := q[qExpires]; ok {
		n, err := strconv.ParseInt(v, 10, 64)
		switch {
		case err != nil || v == "" || v[0] == '+':
			return nil, wrapError(KindMalformed, "X-Amz-Expires should be a number", err)
		case n < 0:
			return nil, newError(KindMalformed, "X-Amz-Expires must be non-negative")
		case n == 0:
			return nil, newError(KindMalformed, "X-Amz-Expires must be at least 1 second")
		case n > int64(MaxExpires/time.Second):
			return nil, newError(KindMalformed, "X-Amz-Expires must be less than a week (in seconds) that is 604800")
		}
		s.Expires = time.Duration(n) * time.Second
	}
	s.SecurityToken = q[qSecurityToken]
	if s.SecurityToken == "" {
		if s.SecurityToken, err = singleHeader(r, "X-Amz-Security-Token"); err != nil {
			return nil, err
		}
	}
	if s.PayloadHash, err = singleHeader(r, "X-Amz-Content-Sha256"); err != nil {
		return nil, err
	}
	return s, nil
}

func parseHeader(r *http.Request, auth string) (*Signature, error) {
	alg, rest, _ := strings.Cut(auth, " ")
	switch alg {
	case Algorithm:
	case algorithmV4a:
		return nil, newError(KindUnsupportedAlgorithm, "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256' (SigV4a is not supported; sign with AWS4-HMAC-SHA256).")
	case "AWS":
		return nil, newError(KindUnsupportedAlgorithm, msgSigV2)
	default:
		return nil, newError(KindUnsupportedAlgorithm, fmt.Sprintf("Unsupported AWS 'algorithm': '%s'", printableOnly(truncate(alg, 64))))
	}
	var cred, signed, sig string
	var haveCred, haveSigned, haveSig bool
	for part := range strings.SplitSeq(rest, ",") {
		part = strings.Trim(part, " \t")
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return nil, newError(KindMalformed, "Authorization header components must be of the form key=value.")
		}
		var dst *string
		var seen *bool
		switch k {
		case "Credential":
			dst, seen = &cred, &haveCred
		case "SignedHeaders":
			dst, seen = &signed, &haveSigned
		case "Signature":
			dst, seen = &sig, &haveSig
		default:
			return nil, newError(KindMalformed, fmt.Sprintf("The authorization header has an unknown component '%s'.", printableOnly(truncate(k, 64))))
		}
		if *seen {
			return nil, newError(KindMalformed, fmt.Sprintf("The authorization header has more than one %s component.", k))
		}
		*dst, *seen = v, true
	}
	var missing []string
	if !haveCred {
		missing = append(missing, "Authorization header requires 'Credential' parameter.")
	}
	if !haveSig {
		missing = append(missing, "Authorization header requires 'Signature' parameter.")
	}
	if !haveSigned {
		missing = append(missing, "Authorization header requires 'SignedHeaders' parameter.")
	}
	amzDate, err := singleHeader(r, "X-Amz-Date")
	if err != nil {
		return nil, err
	}
	date, err := singleHeader(r, "Date")
	if err != nil {
		return nil, err
	}
	if amzDate == "" && date == "" {
		missing = append(missing, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if len(missing) > 0 {
		return nil, newError(KindMalformed, strings.Join(missing, " "))
	}

	s := &Signature{}
	if err := s.setCredential(cred, msgHeaderCredential); err != nil {
		return nil, err
	}
	if err := s.setSignedHeaders(signed); err != nil {
		return nil, err
	}
	if err := s.setSignature(sig); err != nil {
		return nil, err
	}
	if amzDate != "" {
		t, err := parseAmzDate(amzDate)
		if err != nil {
			return nil, wrapError(KindMalformed, fmt.Sprintf("Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", truncate(amzDate, 64)), err)
		}
		s.Time, s.AmzDate = t, amzDate
	} else {
		t, err := parseHTTPDate(date)
		if err != nil {
			return nil, wrapError(KindMalformed, fmt.Sprintf("Date header must be an HTTP date. Got '%s'.", truncate(date, 64)), err)
		}
		s.Time, s.AmzDate = t, t.Format(amzDateLayout)
	}
	if s.SecurityToken, err = singleHeader(r, "X-Amz-Security-Token"); err != nil {
		return nil, err
	}
	if s.PayloadHash, err = singleHeader(r, "X-Amz-Content-Sha256"); err != nil {
		return nil, err
	}
	return s, nil
}

// setCredential parses "AKID/YYYYMMDD/region/service/aws4_request".
func (s *Signature) setCredential(cred, malformed string) error {
	var parts [5]string
	n := 0
	for p := range strings.SplitSeq(cred, "/") {
		if n < len(parts) {
			parts[n] = p
		}
		n++
	}
	if n != len(parts) {
		return wrapError(KindMalformed, malformed, fmt.Errorf("cannot parse credential scope %q: want 5 parts separated by '/', have %d", truncate(cred, 256), n))
	}
	for _, p := range parts {
		if p == "" || !printable(p) {
			return wrapError(KindMalformed, malformed, fmt.Errorf("cannot parse credential scope %q: empty or unprintable part", truncate(cred, 256)))
		}
	}
	if parts[4] != terminator {
		return newError(KindMalformed, fmt.Sprintf("Credential should be scoped with a valid terminator: 'aws4_request', not '%s'.", truncate(parts[4], 64)))
	}
	if _, err := parseScopeDate(parts[1]); err != nil {
		return wrapError(KindMalformed, malformed, fmt.Errorf("cannot parse credential scope %q: %w", truncate(cred, 256), err))
	}
	s.AccessKeyID, s.Date, s.Region, s.Service = parts[0], parts[1], parts[2], parts[3]
	return nil
}

// setSignedHeaders parses "host;x-amz-date". Names must be lowercase header
// tokens, unique, and include host.
func (s *Signature) setSignedHeaders(list string) error {
	if list == "" {
		return newError(KindMalformed, "SignedHeaders must not be empty.")
	}
	names := strings.Split(list, ";")
	host := false
	for i, n := range names {
		if n == "" || !lowerToken(n) {
			return newError(KindMalformed, fmt.Sprintf("SignedHeaders must be lowercase header names separated by ';', got %q.", truncate(list, 256)))
		}
		for _, m := range names[:i] {
			if m == n {
				return newError(KindMalformed, fmt.Sprintf("SignedHeaders names %q more than once.", truncate(n, 64)))
			}
		}
		host = host || n == "host"
	}
	if !host {
		return newError(KindMalformed, "SignedHeaders must include 'host'.")
	}
	s.SignedHeaders = names
	return nil
}

func (s *Signature) setSignature(sig string) error {
	if len(sig) != 64 {
		return newError(KindMalformed, "The signature must be 64 lowercase hexadecimal characters.")
	}
	for i := 0; i < len(sig); i++ {
		if c := sig[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return newError(KindMalformed, "The signature must be 64 lowercase hexadecimal characters.")
		}
	}
	s.Signature = sig
	return nil
}

// singleHeader returns the one value of header name, "" when absent, and an
// error when the header is repeated.
func singleHeader(r *http.Request, name string) (string, error) {
	v := r.Header.Values(name)
	switch len(v) {
	case 0:
		return "", nil
	case 1:
		return v[0], nil
	}
	return "", newError(KindMalformed, fmt.Sprintf("The request carries more than one %s header.", name))
}

// parseAmzDate parses the ISO 8601 basic format, exactly 16 characters. It
// does by hand what time.Parse would, which costs a tenth of Verify.
func parseAmzDate(v string) (time.Time, error) {
	if len(v) != len(amzDateLayout) || v[8] != 'T' || v[15] != 'Z' || !digits(v[:8]) || !digits(v[9:15]) {
		return time.Time{}, fmt.Errorf("cannot parse date %q: want YYYYMMDDTHHMMSSZ", truncate(v, 64))
	}
	num := func(s string) int {
		n := 0
		for i := 0; i < len(s); i++ {
			n = n*10 + int(s[i]-'0')
		}
		return n
	}
	year, month, day := num(v[0:4]), num(v[4:6]), num(v[6:8])
	hour, minute, sec := num(v[9:11]), num(v[11:13]), num(v[13:15])
	t := time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC)
	if month < 1 || month > 12 || t.Day() != day || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, fmt.Errorf("cannot parse date %q: out of range", v)
	}
	return t, nil
}

func parseScopeDate(v string) (time.Time, error) {
	if len(v) != len(dateLayout) || !digits(v) {
		return time.Time{}, fmt.Errorf("cannot parse scope date %q: want YYYYMMDD", truncate(v, 64))
	}
	t, err := time.Parse(dateLayout, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("cannot parse scope date %q: %w", v, err)
	}
	return t, nil
}

// parseHTTPDate accepts the formats of RFC 9110 and, since botocore writes
// the Date header with email.utils.formatdate, RFC 1123 with a numeric zone.
func parseHTTPDate(v string) (time.Time, error) {
	t, err := http.ParseTime(v)
	if err == nil {
		return t.UTC(), nil
	}
	if t, err2 := time.Parse(time.RFC1123Z, v); err2 == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("cannot parse Date header %q: %w", truncate(v, 64), err)
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// lowerToken reports whether s is an RFC 9110 token without uppercase
// letters.
func lowerToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-':
		case c == '!', c == '#', c == '$', c == '%', c == '&', c == '\'', c == '*', c == '+',
			c == '.', c == '^', c == '_', c == '`', c == '|', c == '~':
		default:
			return false
		}
	}
	return true
}

// printableOnly replaces the bytes of s that are not printable ASCII, so
// that s can be echoed in a message.
func printableOnly(s string) string {
	if printable(s) {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if c <= ' ' || c >= 0x7f {
			b[i] = '?'
		}
	}
	return string(b)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
