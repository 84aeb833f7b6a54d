package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Options tune Verify and the aws-chunked decoder.
type Options struct {
	// S3 selects Amazon S3's rules: the canonical URI is the path as sent,
	// neither encoded again nor normalized; header-signed requests must carry
	// X-Amz-Content-Sha256; presigned requests must carry X-Amz-Expires and
	// sign UNSIGNED-PAYLOAD unless they say otherwise; and aws-chunked bodies
	// are accepted.
	S3 bool

	// Keys caches derived signing keys. When nil, a package-wide cache of
	// 1024 keys is used.
	Keys *KeyCache

	// DeferPayloadCheck makes Verify trust a hex X-Amz-Content-Sha256 value
	// instead of hashing body, for a caller that streams a large body and
	// compares its SHA-256 with Signature.PayloadHash itself before acting on
	// it. A request without that header still needs its body.
	DeferPayloadCheck bool

	// MaxChunkSize bounds the size of one signed aws-chunked chunk, which must
	// be held in memory until its signature is checked. Zero means 16 MiB.
	MaxChunkSize int

	// SkipChunkSignatures makes DecodeChunked and ChunkedReader unwrap
	// signed aws-chunked bodies without checking the chunk and trailer
	// signatures, for dev mode, where the secret is unknown. Framing,
	// length and checksums are still checked.
	SkipChunkSignatures bool
}

func (o *Options) keys() *KeyCache {
	if o.Keys != nil {
		return o.Keys
	}
	return defaultKeys
}

// emptySHA256 is the hex SHA-256 of no bytes.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// Verify checks that sig, as Parse returned it for r, is a valid signature of
// r made with secret, the secret access key of sig.AccessKeyID, at a time
// acceptable at now. body is the complete request body; it is hashed unless
// the request declares UNSIGNED-PAYLOAD, an aws-chunked body (see
// Signature.Streaming) or, with Options.DeferPayloadCheck, a hex hash.
//
// The checks, in order: the credential scope date matches the request date;
// the request time is within MaxSkew of now (header-signed) or the presigned
// URL is neither dated more than MaxSkew ahead nor expired; the
// X-Amz-Content-Sha256 value is one the request may use; the signature
// matches, compared in constant time; and the body matches a declared hex
// X-Amz-Content-Sha256. Every failure is an *Error.
func Verify(sig *Signature, r *http.Request, body []byte, secret string, now time.Time, opt Options) error {
	if sig == nil || r == nil || r.URL == nil {
		return newError(KindMalformed, "The request has no signature to verify.")
	}
	if err := checkTime(sig, now, opt); err != nil {
		return err
	}
	hashes, checkBody, err := payloadHashes(sig, body, opt)
	if err != nil {
		return err
	}
	want, ok := decodeHex32(sig.Signature)
	if !ok {
		return newError(KindMalformed, "The signature must be 64 lowercase hexadecimal characters.")
	}
	query, err := canonicalQuery(r.URL.RawQuery, sig.Presigned)
	if err != nil {
		return wrapError(KindMalformed, "The query string is not validly percent-encoded.", err)
	}
	uri, altURI := canonicalURIs(r.URL, opt.S3)
	key := opt.keys().SigningKey(secret, sig.Date, sig.Region, sig.Service)

	// The buffers live on the stack unless a request is unusually large.
	var scopeBuf [128]byte
	scope := appendScope(scopeBuf[:0], sig)
	// Canonical request: everything after the URI is shared by all candidates.
	var tailBuf [1024]byte
	tail := append(tailBuf[:0], '\n')
	tail = append(tail, query...)
	tail = append(tail, '\n')
	tail = appendCanonicalHeaders(tail, r, sig.SignedHeaders)
	tail = append(tail, '\n')
	for i, h := range sig.SignedHeaders {
		if i > 0 {
			tail = append(tail, ';')
		}
		tail = append(tail, h...)
	}
	tail = append(tail, '\n')

	var first []byte
	var crBuf [1280]byte
	var stsBuf [padLen + 192]byte
	for _, u := range [2]string{uri, altURI} {
		if u == "" {
			continue
		}
		for _, ph := range hashes {
			if ph == "" {
				continue
			}
			cr := append(crBuf[:0], r.Method...)
			cr = append(cr, '\n')
			cr = append(cr, u...)
			cr = append(cr, tail...)
			cr = append(cr, ph...)
			sts := appendStringToSign(stsBuf[:padLen], Algorithm, sig.AmzDate, scope, cr)
			if got := hmacPadded(&key, sts); hmac.Equal(got[:], want[:]) {
				if checkBody && !hashMatches(sig.PayloadHash, body) {
					return newError(KindPayloadHashMismatch, msgPayloadHashMismatch)
				}
				return nil
			}
			if first == nil {
				first = append([]byte(nil), cr...)
			}
		}
	}
	e := newError(KindSignatureMismatch, msgSignatureMismatch)
	e.CanonicalRequest = string(first)
	e.StringToSign = string(appendStringToSign(nil, Algorithm, sig.AmzDate, scope, first))
	return e
}

// appendScope appends the credential scope of sig.
func appendScope(b []byte, sig *Signature) []byte {
	b = append(b, sig.Date...)
	b = append(b, '/')
	b = append(b, sig.Region...)
	b = append(b, '/')
	b = append(b, sig.Service...)
	b = append(b, '/')
	return append(b, terminator...)
}

// appendStringToSign appends "<algorithm>\n<amzdate>\n<scope>\n<hex sha256(cr)>".
func appendStringToSign(b []byte, algorithm, amzDate string, scope, cr []byte) []byte {
	sum := sha256.Sum256(cr)
	b = append(b, algorithm...)
	b = append(b, '\n')
	b = append(b, amzDate...)
	b = append(b, '\n')
	b = append(b, scope...)
	b = append(b, '\n')
	return hex.AppendEncode(b, sum[:])
}

// checkTime applies the clock rules of
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
// and the 15-minute window of header-signed requests.
func checkTime(sig *Signature, now time.Time, opt Options) error {
	if len(sig.AmzDate) < 8 || sig.AmzDate[:8] != sig.Date {
		return newError(KindMalformed, fmt.Sprintf(
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			truncate(sig.Date, 16), sig.AmzDate[:min(len(sig.AmzDate), 8)], truncate(sig.AmzDate, 32)))
	}
	if !sig.Presigned {
		if d := now.Sub(sig.Time); d > MaxSkew || d < -MaxSkew {
			return skewError(sig.Time, now)
		}
		return nil
	}
	if sig.Time.Sub(now) > MaxSkew {
		return skewError(sig.Time, now)
	}
	exp := sig.Expires
	if exp <= 0 {
		if opt.S3 {
			return newError(KindMalformed, msgQueryIncomplete)
		}
		// Outside S3, X-Amz-Expires is optional (aws-sdk-go-v2 presigns STS
		// calls without it); such a URL is good for MaxSkew.
		exp = MaxSkew
	}
	if now.After(sig.Time.Add(exp)) {
		return newError(KindExpired, msgExpired)
	}
	return nil
}

// payloadHashes returns the payload hashes the signature may have been
// computed with (one, or two for a presigned non-S3 request without
// X-Amz-Content-Sha256) and whether body must then be checked against a
// declared hex hash.
func payloadHashes(sig *Signature, body []byte, opt Options) (hashes [2]string, checkBody bool, err error) {
	declared := sig.PayloadHash
	switch {
	case declared == "" && sig.Presigned && opt.S3:
		hashes[0] = UnsignedPayload
	case declared == "" && sig.Presigned:
		// botocore's SigV4QueryAuth signs the body hash, the AWS documentation
		// and aws-sdk-go-v2's S3 presigner UNSIGNED-PAYLOAD.
		hashes[0], hashes[1] = bodyHash(body), UnsignedPayload
	case declared == "" && opt.S3:
		return hashes, false, newError(KindInvalidPayloadHash, msgMissingPayloadHash)
	case declared == "":
		hashes[0] = bodyHash(body)
	case declared == UnsignedPayload:
		hashes[0] = declared
	case declared == StreamingPayload || declared == StreamingPayloadTrailer || declared == StreamingUnsignedPayloadTrailer:
		if !opt.S3 || sig.Presigned {
			return hashes, false, newError(KindInvalidPayloadHash, "aws-chunked bodies are only accepted by S3 on header-signed requests.")
		}
		hashes[0] = declared
	case strings.HasPrefix(declared, "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"):
		return hashes, false, newError(KindUnsupportedAlgorithm, "SigV4a streaming payloads ("+truncate(declared, 64)+") are not supported.")
	case isHexSHA256(declared):
		hashes[0] = declared
		checkBody = !opt.DeferPayloadCheck
	default:
		return hashes, false, newError(KindInvalidPayloadHash, msgPayloadHashValues)
	}
	return hashes, checkBody, nil
}

func bodyHash(body []byte) string {
	if len(body) == 0 {
		return emptySHA256
	}
	sum := sha256.Sum256(body)
	var h [64]byte
	hex.Encode(h[:], sum[:])
	return string(h[:])
}

func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// hashMatches reports whether body hashes to the hex SHA-256 declared.
func hashMatches(declared string, body []byte) bool {
	want, ok := decodeHex32(declared)
	if !ok {
		return false
	}
	got := sha256.Sum256(body)
	return hmac.Equal(got[:], want[:])
}
