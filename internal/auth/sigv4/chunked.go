package sigv4

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
)

// Decoding of Content-Encoding: aws-chunked bodies, following
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html and
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html.
//
// Signed chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]):
//
//	<hex size>;chunk-signature=<sig>\r\n<data>\r\n ... 0;chunk-signature=<sig>\r\n[<trailers>]\r\n
//
// where each signature is an HMAC with the request's signing key of
//
//	AWS4-HMAC-SHA256-PAYLOAD\n<amzdate>\n<scope>\n<previous sig>\n<hex sha256("")>\n<hex sha256(data)>
//
// chained from the seed signature of the Authorization header. The trailers
// end with "x-amz-trailer-signature:<sig>\r\n", an HMAC of
//
//	AWS4-HMAC-SHA256-TRAILER\n<amzdate>\n<scope>\n<final chunk sig>\n<hex sha256(trailers)>
//
// over the other trailers as sorted "name:value\n" lines. Unsigned chunks
// (STREAMING-UNSIGNED-PAYLOAD-TRAILER, what boto3 and aws-sdk-go-v2 send for
// S3 uploads over HTTPS) carry no extension and unsigned trailers:
//
//	<hex size>\r\n<data>\r\n ... 0\r\nx-amz-checksum-crc32:<b64>\r\n\r\n

const (
	chunkSigPrefix      = "chunk-signature="
	trailerSigName      = "x-amz-trailer-signature"
	defaultMaxChunkSize = 16 << 20
	maxTrailers         = 32
	maxLine             = 4096
)

// Payload is an aws-chunked body decoded and verified by DecodeChunked.
type Payload struct {
	// Data is the decoded payload.
	Data []byte
	// Trailers holds the trailing headers, without x-amz-trailer-signature,
	// under canonical keys; it is nil when there were none.
	Trailers http.Header
}

// DecodeChunked decodes body, a complete aws-chunked request body, and
// verifies it: the chunk and trailer signatures chain from sig.Signature, the
// decoded length equals X-Amz-Decoded-Content-Length, and every
// x-amz-checksum-* trailer or header matches the payload. h holds the
// request headers. Call it only after Verify accepted sig for the request,
// which checks the seed signature.
func DecodeChunked(sig *Signature, h http.Header, body []byte, secret string, opt Options) (*Payload, error) {
	cr, err := NewChunkedReader(sig, h, bytes.NewReader(body), secret, opt)
	if err != nil {
		return nil, err
	}
	data := make([]byte, 0, min(cr.declared, int64(len(body))))
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := cr.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			return &Payload{Data: data, Trailers: cr.Trailers()}, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// ChunkedReader decodes an aws-chunked body as it streams in. Read returns
// the payload of each signed chunk only after its signature is checked, but
// the length, trailer signature and checksums can only be checked at the
// end: Read reports a failure there instead of io.EOF, so a caller must not
// act on the payload before Read has returned io.EOF.
type ChunkedReader struct {
	br       *bufio.Reader
	signed   bool // chunks carry signatures
	trailer  bool // trailing headers are allowed
	key      [32]byte
	amzDate  string
	scope    string
	prev     string // hex signature of the previous chunk, starting with the seed
	maxChunk int

	declared int64  // X-Amz-Decoded-Content-Length
	n        int64  // payload bytes decoded so far
	left     int64  // bytes left in the current unsigned chunk
	buf      []byte // payload of the current signed chunk
	off      int    // read offset in buf

	sts            []byte // scratch for strings to sign, after padLen bytes of room
	sums           []*runningChecksum
	wantTrailers   []string // from X-Amz-Trailer
	trailers       http.Header
	err            error // sticky; io.EOF once the body is verified
	trailerSigSeen bool
	skipSigs       bool
}

// NewChunkedReader returns a reader of the payload of body, an aws-chunked
// request body, for the request with headers h whose seed signature sig
// Verify accepted. See DecodeChunked for what it verifies.
func NewChunkedReader(sig *Signature, h http.Header, body io.Reader, secret string, opt Options) (*ChunkedReader, error) {
	if sig == nil {
		return nil, newError(KindMalformed, "The request has no signature to verify.")
	}
	c := &ChunkedReader{
		amzDate:  sig.AmzDate,
		scope:    sig.Scope(),
		prev:     sig.Signature,
		maxChunk: opt.MaxChunkSize,
		sts:      make([]byte, padLen, padLen+256),
		skipSigs: opt.SkipChunkSignatures,
	}
	if c.maxChunk <= 0 {
		c.maxChunk = defaultMaxChunkSize
	}
	switch sig.PayloadHash {
	case StreamingPayload:
		c.signed = true
	case StreamingPayloadTrailer:
		c.signed, c.trailer = true, true
	case StreamingUnsignedPayloadTrailer:
		c.trailer = true
	default:
		return nil, newError(KindInvalidPayloadHash, fmt.Sprintf("x-amz-content-sha256 %q does not declare an aws-chunked body.", truncate(sig.PayloadHash, 64)))
	}
	if sig.Presigned {
		return nil, newError(KindInvalidPayloadHash, "aws-chunked bodies are only accepted on header-signed requests.")
	}

	v := h.Values("X-Amz-Decoded-Content-Length")
	if len(v) != 1 || v[0] == "" || !digits(v[0]) {
		return nil, newError(KindBadChunk, "An aws-chunked upload requires one numeric x-amz-decoded-content-length header.")
	}
	n, err := strconv.ParseInt(v[0], 10, 64)
	if err != nil {
		return nil, wrapError(KindBadChunk, "An aws-chunked upload requires one numeric x-amz-decoded-content-length header.", err)
	}
	c.declared = n

	for _, line := range h.Values("X-Amz-Trailer") {
		for name := range strings.SplitSeq(line, ",") {
			name = strings.ToLower(strings.Trim(name, " \t"))
			if name == "" {
				continue
			}
			if !lowerToken(name) || name == trailerSigName || slices.Contains(c.wantTrailers, name) {
				return nil, newError(KindBadChunk, msgMalformedTrailer)
			}
			c.wantTrailers = append(c.wantTrailers, name)
		}
	}
	if len(c.wantTrailers) > 0 && !c.trailer {
		return nil, newError(KindBadChunk, "x-amz-trailer is only allowed with a *-TRAILER x-amz-content-sha256.")
	}
	if len(c.wantTrailers) > maxTrailers {
		return nil, newError(KindBadChunk, msgMalformedTrailer)
	}
	for _, name := range c.wantTrailers {
		if alg := checksumAlgorithm(name); alg != "" {
			hh, display := newChecksum(alg)
			if hh == nil {
				return nil, newError(KindBadChunk, "The value specified in the x-amz-trailer header is not supported")
			}
			c.sums = append(c.sums, &runningChecksum{alg: alg, display: display, h: hh, trailer: true})
		}
	}
	sums, err := headerChecksums(h)
	if err != nil {
		return nil, err
	}
	c.sums = append(c.sums, sums...)

	if c.signed {
		c.key = opt.keys().SigningKey(secret, sig.Date, sig.Region, sig.Service)
	}
	c.br = bufio.NewReaderSize(body, maxLine)
	return c, nil
}

// Trailers returns the trailing headers, without x-amz-trailer-signature,
// once Read has returned io.EOF; before that, and when there were none, it
// returns nil.
func (c *ChunkedReader) Trailers() http.Header {
	if c.err != io.EOF {
		return nil
	}
	return c.trailers
}

// Read reads decoded payload into p. It returns io.EOF only after the whole
// body has been verified; any failure is an *Error, or the error of the
// underlying reader.
func (c *ChunkedReader) Read(p []byte) (int, error) {
	for {
		if c.err != nil {
			return 0, c.err
		}
		if c.off < len(c.buf) {
			n := copy(p, c.buf[c.off:])
			c.off += n
			return n, nil
		}
		if c.left > 0 {
			if len(p) == 0 {
				return 0, nil
			}
			n, err := c.br.Read(p[:min(int64(len(p)), c.left)])
			c.left -= int64(n)
			c.account(p[:n])
			switch {
			case err == io.EOF:
				c.err = truncated()
			case err != nil:
				c.err = fmt.Errorf("cannot read aws-chunked body: %w", err)
			case c.left == 0:
				c.err = c.crlf()
			}
			if n > 0 {
				return n, nil
			}
			continue
		}
		c.err = c.next()
	}
}

func (c *ChunkedReader) account(data []byte) {
	c.n += int64(len(data))
	for _, s := range c.sums {
		s.h.Write(data)
	}
}

// next reads the next chunk header and, for a signed chunk, the chunk; after
// the final chunk it reads and checks the trailer and returns io.EOF.
func (c *ChunkedReader) next() error {
	line, err := c.line()
	if err != nil {
		return err
	}
	sizeHex, ext, hasExt := strings.Cut(line, ";")
	size, ok := parseChunkSize(sizeHex)
	if !ok {
		return wrapError(KindBadChunk, msgBadChunk, fmt.Errorf("cannot parse chunk size %q", truncate(sizeHex, 32)))
	}
	var sig string
	if c.signed {
		sig, ok = strings.CutPrefix(ext, chunkSigPrefix)
		if !hasExt || !ok || !isHexSHA256(sig) {
			return wrapError(KindBadChunk, msgBadChunk, fmt.Errorf("cannot parse chunk extension %q", truncate(ext, 128)))
		}
	} else if hasExt {
		return wrapError(KindBadChunk, msgBadChunk, fmt.Errorf("unexpected chunk extension %q in an unsigned aws-chunked body", truncate(ext, 128)))
	}
	if size > c.declared-c.n {
		return newError(KindIncompleteBody, msgIncompleteBody)
	}
	if size == 0 {
		if c.signed {
			if err := c.checkChunk(sig, nil); err != nil {
				return err
			}
		}
		return c.finish()
	}
	if !c.signed {
		c.left = size
		return nil
	}
	if size > int64(c.maxChunk) {
		return newError(KindBadChunk, fmt.Sprintf("An aws-chunked chunk may hold at most %d bytes.", c.maxChunk))
	}
	// Grow the buffer as data arrives, not as the chunk header claims.
	c.buf, c.off = c.buf[:0], 0
	for int64(len(c.buf)) < size {
		step := int(min(size-int64(len(c.buf)), 256<<10))
		c.buf = slices.Grow(c.buf, step)
		n, err := io.ReadFull(c.br, c.buf[len(c.buf):len(c.buf)+step])
		c.buf = c.buf[:len(c.buf)+n]
		if err != nil {
			c.buf = c.buf[:0]
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return truncated()
			}
			return fmt.Errorf("cannot read aws-chunked body: %w", err)
		}
	}
	if err := c.crlf(); err != nil {
		c.buf = c.buf[:0]
		return err
	}
	if err := c.checkChunk(sig, c.buf); err != nil {
		c.buf = c.buf[:0]
		return err
	}
	c.account(c.buf)
	return nil
}

// checkChunk verifies the signature of one chunk and advances the chain.
func (c *ChunkedReader) checkChunk(sig string, data []byte) error {
	sum := sha256.Sum256(data)
	sts := append(c.sts[:padLen], "AWS4-HMAC-SHA256-PAYLOAD\n"...)
	sts = append(sts, c.amzDate...)
	sts = append(sts, '\n')
	sts = append(sts, c.scope...)
	sts = append(sts, '\n')
	sts = append(sts, c.prev...)
	sts = append(sts, '\n')
	sts = append(sts, emptySHA256...)
	sts = append(sts, '\n')
	c.sts = hex.AppendEncode(sts, sum[:])
	return c.checkSig(sig, c.sts)
}

// checkSig compares sig with the HMAC of sts, which starts with padLen bytes
// of room for hmacPadded.
func (c *ChunkedReader) checkSig(sig string, sts []byte) error {
	if c.skipSigs {
		c.prev = strings.ToLower(sig)
		return nil
	}
	got := hmacPadded(&c.key, sts)
	want, ok := decodeHex32(sig)
	if !ok || !hmac.Equal(got[:], want[:]) {
		e := newError(KindSignatureMismatch, msgSignatureMismatch)
		e.StringToSign = string(sts[padLen:])
		return e
	}
	c.prev = strings.ToLower(sig)
	return nil
}

// finish reads the trailer after the final chunk and runs the final checks.
func (c *ChunkedReader) finish() error {
	var names []string // trailer names in the order received
	var trailerSig string
	for i := 0; ; i++ {
		line, err := c.line()
		if i == 0 && KindOf(err) == KindIncompleteBody && errors.Is(err, io.ErrUnexpectedEOF) {
			// A signed body without trailers may end right after the final
			// chunk's CRLF (the AWS SDK for Rust sends it so).
			break
		}
		if err != nil {
			return err
		}
		if line == "" {
			break
		}
		if i >= maxTrailers {
			return newError(KindBadChunk, msgMalformedTrailer)
		}
		name, value, ok := strings.Cut(line, ":")
		name = strings.ToLower(strings.Trim(name, " \t"))
		value = strings.Trim(value, " \t")
		if !ok || name == "" || !lowerToken(name) {
			return wrapError(KindBadChunk, msgMalformedTrailer, fmt.Errorf("cannot parse trailer line %q", truncate(line, 128)))
		}
		if name == trailerSigName {
			if !c.signed || !c.trailer || c.trailerSigSeen {
				return newError(KindBadChunk, msgMalformedTrailer)
			}
			c.trailerSigSeen, trailerSig = true, value
			continue
		}
		if !slices.Contains(c.wantTrailers, name) || slices.Contains(names, name) {
			return wrapError(KindBadChunk, msgMalformedTrailer, fmt.Errorf("trailer %q is not declared in x-amz-trailer or repeated", truncate(name, 64)))
		}
		if c.trailers == nil {
			c.trailers = make(http.Header, len(c.wantTrailers))
		}
		c.trailers[textproto.CanonicalMIMEHeaderKey(name)] = []string{value}
		names = append(names, name)
	}
	if _, err := c.br.Peek(1); err != io.EOF {
		if err != nil {
			return fmt.Errorf("cannot read aws-chunked body: %w", err)
		}
		return wrapError(KindBadChunk, msgBadChunk, errors.New("data follows the final chunk"))
	}
	if len(names) != len(c.wantTrailers) {
		return wrapError(KindBadChunk, msgMalformedTrailer, fmt.Errorf("trailers %q declared, %q sent", c.wantTrailers, names))
	}
	if c.signed && c.trailer && (len(names) > 0 || c.trailerSigSeen) {
		if !c.trailerSigSeen || !isHexSHA256(trailerSig) {
			return wrapError(KindBadChunk, msgMalformedTrailer, errors.New("missing or malformed x-amz-trailer-signature"))
		}
		if err := c.checkSig(trailerSig, c.trailerStringToSign(names)); err != nil {
			return err
		}
	}
	if c.n != c.declared {
		return newError(KindIncompleteBody, msgIncompleteBody)
	}
	for _, s := range c.sums {
		if s.trailer {
			if err := s.check(c.trailers.Get(checksumPrefix+s.alg), "trailing header"); err != nil {
				return err
			}
		} else if err := s.check(s.value, "header"); err != nil {
			return err
		}
	}
	return io.EOF
}

// trailerStringToSign builds the string to sign of the trailing headers,
// after padLen bytes of room.
func (c *ChunkedReader) trailerStringToSign(names []string) []byte {
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	var canon []byte
	for _, name := range sorted {
		canon = append(canon, name...)
		canon = append(canon, ':')
		canon = append(canon, c.trailers.Get(name)...)
		canon = append(canon, '\n')
	}
	sum := sha256.Sum256(canon)
	sts := append(c.sts[:padLen], "AWS4-HMAC-SHA256-TRAILER\n"...)
	sts = append(sts, c.amzDate...)
	sts = append(sts, '\n')
	sts = append(sts, c.scope...)
	sts = append(sts, '\n')
	sts = append(sts, c.prev...)
	sts = append(sts, '\n')
	return hex.AppendEncode(sts, sum[:])
}

// line reads one CRLF-terminated line and returns it without the CRLF.
func (c *ChunkedReader) line() (string, error) {
	b, err := c.br.ReadSlice('\n')
	switch {
	case err == bufio.ErrBufferFull:
		return "", wrapError(KindBadChunk, msgBadChunk, errors.New("line too long"))
	case err == io.EOF:
		return "", truncated()
	case err != nil:
		return "", fmt.Errorf("cannot read aws-chunked body: %w", err)
	}
	if len(b) < 2 || b[len(b)-2] != '\r' {
		return "", wrapError(KindBadChunk, msgBadChunk, errors.New("line not terminated by CRLF"))
	}
	return string(b[:len(b)-2]), nil
}

// crlf consumes the CRLF after a chunk's data.
func (c *ChunkedReader) crlf() error {
	b0, err := c.br.ReadByte()
	if err == nil {
		var b1 byte
		if b1, err = c.br.ReadByte(); err == nil {
			if b0 != '\r' || b1 != '\n' {
				return wrapError(KindBadChunk, msgBadChunk, errors.New("chunk data not followed by CRLF"))
			}
			return nil
		}
	}
	if err == io.EOF {
		return truncated()
	}
	return fmt.Errorf("cannot read aws-chunked body: %w", err)
}

func truncated() error {
	return wrapError(KindIncompleteBody, msgIncompleteBody, io.ErrUnexpectedEOF)
}

// parseChunkSize parses 1 to 16 hex digits.
func parseChunkSize(s string) (int64, bool) {
	if s == "" || len(s) > 16 {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 16, 64)
	if err != nil || n < 0 || s[0] == '+' || s[0] == '-' {
		return 0, false
	}
	return n, true
}
