package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strings"
)

// verifyingReader passes a payload through, feeding it to hashes, and
// runs check at its end: a failed check is reported instead of io.EOF,
// so a caller must not act on the payload before Read has returned
// io.EOF (as with ChunkedReader).
type verifyingReader struct {
	r      io.Reader
	hashes []hash.Hash
	check  func() error
	err    error // sticky
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.r.Read(p)
	for _, h := range v.hashes {
		h.Write(p[:n])
	}
	if err == io.EOF {
		if cerr := v.check(); cerr != nil {
			err = cerr
		}
	}
	if err != nil {
		v.err = err
	}
	return n, err
}

// NewPayloadReader returns a reader of body, a request payload that is not
// aws-chunked, that verifies it as it ends: its SHA-256 against
// sig.PayloadHash when that is a hex digest (Verify with
// DeferPayloadCheck trusted it), and every x-amz-checksum-* header of h
// (KindPayloadHashMismatch, KindChecksumMismatch, or KindInvalidPayloadHash
// for an algorithm S3 does not know, which is reported at once).
func NewPayloadReader(sig *Signature, h http.Header, body io.Reader) (io.Reader, error) {
	v := &verifyingReader{r: body}
	sums, err := headerChecksums(h)
	if err != nil {
		return nil, err
	}
	for _, s := range sums {
		v.hashes = append(v.hashes, s.h)
	}
	var sha hash.Hash
	if sig != nil && isHexSHA256(sig.PayloadHash) {
		sha = sha256.New()
		v.hashes = append(v.hashes, sha)
	}
	v.check = func() error {
		if sha != nil {
			if want, ok := decodeHex32(sig.PayloadHash); !ok || !hmac.Equal(sha.Sum(nil), want[:]) {
				return newError(KindPayloadHashMismatch, msgPayloadHashMismatch)
			}
		}
		for _, c := range sums {
			if err := c.check(c.value, "header"); err != nil {
				return err
			}
		}
		return nil
	}
	return v, nil
}

// headerChecksums returns the running checksums of the x-amz-checksum-*
// headers of h, each to compare with its header's value; an algorithm S3
// does not know, or a header given twice, is refused.
func headerChecksums(h http.Header) ([]*runningChecksum, error) {
	var sums []*runningChecksum
	for name, values := range h {
		alg := checksumAlgorithm(strings.ToLower(name))
		if alg == "" {
			continue
		}
		hh, display := newChecksum(alg)
		if hh == nil {
			return nil, newError(KindInvalidPayloadHash, fmt.Sprintf("Checksum algorithm %q is not supported.", truncate(alg, 32)))
		}
		if len(values) != 1 {
			return nil, newError(KindMalformed, fmt.Sprintf("The request carries more than one %s header.", name))
		}
		sums = append(sums, &runningChecksum{alg: alg, display: display, h: hh, value: values[0]})
	}
	return sums, nil
}
