package sigv4

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// TestChunkedDocExample checks the chunked upload example of
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html,
// whose seed and chunk signatures AWS published.
func TestChunkedDocExample(t *testing.T) {
	const (
		seed   = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
		secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	)
	body := "10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n" +
		strings.Repeat("a", 65536) + "\r\n" +
		"400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n" +
		strings.Repeat("a", 1024) + "\r\n" +
		"0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n"
	wire := "PUT /examplebucket/chunkObject.txt HTTP/1.1\r\n" +
		"Host: s3.amazonaws.com\r\n" +
		"x-amz-date: 20130524T000000Z\r\n" +
		"x-amz-storage-class: REDUCED_REDUNDANCY\r\n" +
		"Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=" + seed + "\r\n" +
		"x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD\r\n" +
		"Content-Encoding: aws-chunked\r\n" +
		"x-amz-decoded-content-length: 66560\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
	r, raw := readWire(t, []byte(wire))
	sig, err := Parse(r)
	wantKind(t, err, 0)
	opt := Options{S3: true}
	wantKind(t, Verify(sig, r, raw, secret, time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC), opt), 0)
	p, err := DecodeChunked(sig, r.Header, raw, secret, opt)
	wantKind(t, err, 0)
	if !bytes.Equal(p.Data, bytes.Repeat([]byte("a"), 66560)) || p.Trailers != nil {
		t.Fatalf("got %d bytes and trailers %v", len(p.Data), p.Trailers)
	}
}

func checksumB64(h hash.Hash, data []byte) string {
	h.Write(data)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// chunkedUpload is a hand-built aws-chunked S3 PutObject.
type chunkedUpload struct {
	payloadHash string
	chunks      [][]byte
	trailers    [][2]string // name, value; the signature is added for signed trailers
	declared    []string    // X-Amz-Trailer; nil means the trailer names
	header      http.Header
}

// build signs the upload with aws-sdk-go-v2, computes the chunk signatures
// with its event-stream signer (whose string to sign equals S3's for an empty
// header block) and the trailer signature independently, and returns the
// server's view of the request.
func (u chunkedUpload) build(t *testing.T, secret string) (*http.Request, []byte) {
	t.Helper()
	signed := u.payloadHash != StreamingUnsignedPayloadTrailer
	decoded := 0
	for _, c := range u.chunks {
		decoded += len(c)
	}
	declared := u.declared
	if declared == nil {
		for _, tr := range u.trailers {
			declared = append(declared, tr[0])
		}
	}
	render := func(seed string) []byte {
		var b bytes.Buffer
		creds := aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: secret}
		seedBytes, _ := hex.DecodeString(seed)
		ss := v4.NewStreamSigner(creds, "s3", testRegion, seedBytes)
		prev := seed
		chunks := append(slices.Clone(u.chunks), nil)
		for _, c := range chunks {
			b.WriteString(strconv.FormatInt(int64(len(c)), 16))
			if signed {
				s, err := ss.GetSignature(context.Background(), nil, c, signTime)
				if err != nil {
					t.Fatalf("cannot sign chunk: %v", err)
				}
				prev = hex.EncodeToString(s)
				b.WriteString(";chunk-signature=" + prev)
			}
			b.WriteString("\r\n")
			if len(c) > 0 {
				b.Write(c)
				b.WriteString("\r\n")
			}
		}
		var canon strings.Builder
		sorted := slices.Clone(u.trailers)
		slices.SortFunc(sorted, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
		for _, tr := range sorted {
			canon.WriteString(tr[0] + ":" + tr[1] + "\n")
		}
		for _, tr := range u.trailers {
			b.WriteString(tr[0] + ":" + tr[1] + "\r\n")
		}
		if signed && len(u.trailers) > 0 {
			key := deriveKey(secret, "20260102", testRegion, "s3")
			sts := "AWS4-HMAC-SHA256-TRAILER\n20260102T030405Z\n20260102/us-east-1/s3/aws4_request\n" + prev + "\n" + sha256Hex([]byte(canon.String()))
			mac := hmacRef(key[:], []byte(sts))
			b.WriteString("x-amz-trailer-signature:" + hex.EncodeToString(mac[:]) + "\r\n")
		}
		b.WriteString("\r\n")
		return b.Bytes()
	}
	placeholder := render(strings.Repeat("0", 64))

	req, err := http.NewRequest("PUT", "https://bucket.s3.amazonaws.com/key", bytes.NewReader(placeholder))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Content-Sha256", u.payloadHash)
	req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(decoded))
	if len(declared) > 0 {
		req.Header.Set("X-Amz-Trailer", strings.Join(declared, ","))
	}
	for k, v := range u.header {
		req.Header[k] = v
	}
	creds := aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: secret}
	err = v4.NewSigner().SignHTTP(context.Background(), creds, req, u.payloadHash, "s3", testRegion, signTime,
		func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err != nil {
		t.Fatal(err)
	}
	sig, err := Parse(req)
	if err != nil {
		t.Fatal(err)
	}
	body := render(sig.Signature)
	if len(body) != len(placeholder) {
		t.Fatalf("BUG: body length changed")
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	return toServer(t, req)
}

func decodeUpload(t *testing.T, r *http.Request, body []byte, secret string) (*Payload, error) {
	t.Helper()
	sig, err := Parse(r)
	wantKind(t, err, 0)
	opt := Options{S3: true, Keys: NewKeyCache(4)}
	wantKind(t, Verify(sig, r, body, secret, signTime, opt), 0)
	return DecodeChunked(sig, r.Header, body, secret, opt)
}

func TestChunked(t *testing.T) {
	data := []byte(strings.Repeat("The quick brown fox jumps over the lazy dog. ", 40))
	chunks := [][]byte{data[:1000], data[1000:1500], data[1500:]}
	crc := checksumB64(crc32.NewIEEE(), data)
	sum256 := checksumB64(sha256.New(), data)

	valid := []struct {
		name string
		u    chunkedUpload
	}{
		{"signed", chunkedUpload{payloadHash: StreamingPayload, chunks: chunks}},
		{"signed, empty payload", chunkedUpload{payloadHash: StreamingPayload}},
		{"signed trailer", chunkedUpload{payloadHash: StreamingPayloadTrailer, chunks: chunks,
			trailers: [][2]string{{"x-amz-checksum-crc32", crc}}}},
		{"signed trailer, two trailers", chunkedUpload{payloadHash: StreamingPayloadTrailer, chunks: chunks,
			trailers: [][2]string{{"x-amz-checksum-sha256", sum256}, {"x-amz-checksum-crc32", crc}}}},
		{"unsigned crc32", chunkedUpload{payloadHash: StreamingUnsignedPayloadTrailer, chunks: chunks,
			trailers: [][2]string{{"x-amz-checksum-crc32", crc}}}},
		{"unsigned crc32c", chunkedUpload{payloadHash: StreamingUnsignedPayloadTrailer, chunks: chunks,
			trailers: [][2]string{{"x-amz-checksum-crc32c", checksumB64(crc32.New(crc32.MakeTable(crc32.Castagnoli)), data)}}}},
		{"unsigned crc64nvme", chunkedUpload{payloadHash: StreamingUnsignedPayloadTrailer, chunks: chunks,
			trailers: [][2]string{{"x-amz-checksum-crc64nvme", checksumB64(crc64.New(crc64.MakeTable(crc64NVMEPoly)), data)}}}},
		{"unsigned sha1", chunkedUpload{payloadHash: StreamingUnsignedPayloadTrailer, chunks: chunks,
			trailers: [][2]string{{"x-amz-checksum-sha1", checksumB64(sha1.New(), data)}}}},
		{"unsigned sha256", chunkedUpload{payloadHash: StreamingUnsignedPayloadTrailer, chunks: chunks,
			trailers: [][2]string{{"x-amz-checksum-sha256", sum256}}}},
		{"unsigned, no trailer", chunkedUpload{payloadHash: StreamingUnsignedPayloadTrailer, chunks: chunks}},
		{"signed with checksum header", chunkedUpload{payloadHash: StreamingPayload, chunks: chunks,
			header: http.Header{"X-Amz-Checksum-Crc32": {crc}}}},
	}
	for _, c := range valid {
		t.Run(c.name, func(t *testing.T) {
			r, body := c.u.build(t, testSecret)
			p, err := decodeUpload(t, r, body, testSecret)
			wantKind(t, err, 0)
			want := bytes.Join(c.u.chunks, nil)
			if !bytes.Equal(p.Data, want) {
				t.Fatalf("got payload %q, want %q", p.Data, want)
			}
			if len(p.Trailers) != len(c.u.trailers) {
				t.Fatalf("got trailers %v, want %v", p.Trailers, c.u.trailers)
			}
			for _, tr := range c.u.trailers {
				if got := p.Trailers.Get(tr[0]); got != tr[1] {
					t.Errorf("got trailer %s %q, want %q", tr[0], got, tr[1])
				}
			}

			// The streaming reader gives the same result one byte at a time.
			sig, _ := Parse(r)
			cr, err := NewChunkedReader(sig, r.Header, iotest.OneByteReader(bytes.NewReader(body)), testSecret, Options{S3: true})
			wantKind(t, err, 0)
			got, err := io.ReadAll(iotest.OneByteReader(cr))
			wantKind(t, err, 0)
			if !bytes.Equal(got, want) {
				t.Fatalf("streaming: got payload %q, want %q", got, want)
			}
		})
	}

	signedTrailer := chunkedUpload{payloadHash: StreamingPayloadTrailer, chunks: chunks,
		trailers: [][2]string{{"x-amz-checksum-crc32", crc}}}
	unsigned := chunkedUpload{payloadHash: StreamingUnsignedPayloadTrailer, chunks: chunks,
		trailers: [][2]string{{"x-amz-checksum-crc32", crc}}}

	type mutation struct {
		name   string
		u      chunkedUpload
		mutate func(r *http.Request, body []byte) []byte
		want   Kind
	}
	replace := func(old, new string) func(*http.Request, []byte) []byte {
		return func(_ *http.Request, b []byte) []byte {
			if !bytes.Contains(b, []byte(old)) {
				panic("BUG: " + old + " not in body")
			}
			return bytes.Replace(b, []byte(old), []byte(new), 1)
		}
	}
	mutations := []mutation{
		{"corrupted chunk", signedTrailer, replace("fox", "cat"), KindSignatureMismatch},
		{"corrupted unsigned chunk", unsigned, replace("fox", "cat"), KindChecksumMismatch},
		{"bad trailer checksum", unsigned, replace(crc, checksumB64(crc32.NewIEEE(), []byte("x"))), KindChecksumMismatch},
		{"undecodable trailer checksum", unsigned, replace(crc, "!!!"), KindChecksumMismatch},
		{"tampered signed trailer", signedTrailer, replace(crc, checksumB64(crc32.NewIEEE(), []byte("x"))), KindSignatureMismatch},
		{"missing trailer signature", signedTrailer, func(_ *http.Request, b []byte) []byte {
			i := bytes.Index(b, []byte("x-amz-trailer-signature"))
			return append(b[:i:i], "\r\n"...)
		}, KindBadChunk},
		{"undeclared trailer", unsigned, func(r *http.Request, b []byte) []byte {
			r.Header.Del("X-Amz-Trailer")
			return b
		}, KindBadChunk},
		{"missing declared trailer", unsigned, func(r *http.Request, b []byte) []byte {
			r.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32,x-amz-checksum-sha1")
			return b
		}, KindBadChunk},
		{"unsupported trailer checksum", unsigned, func(r *http.Request, b []byte) []byte {
			r.Header.Set("X-Amz-Trailer", "x-amz-checksum-md5")
			return b
		}, KindBadChunk},
		{"truncated", signedTrailer, func(_ *http.Request, b []byte) []byte { return b[:len(b)/2] }, KindIncompleteBody},
		{"truncated after final chunk", unsigned, func(_ *http.Request, b []byte) []byte { return b[:len(b)-2] }, KindIncompleteBody},
		{"decoded length too small", unsigned, func(r *http.Request, b []byte) []byte {
			r.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(data)-1))
			return b
		}, KindIncompleteBody},
		{"decoded length too large", unsigned, func(r *http.Request, b []byte) []byte {
			r.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(data)+1))
			return b
		}, KindIncompleteBody},
		{"decoded length missing", unsigned, func(r *http.Request, b []byte) []byte {
			r.Header.Del("X-Amz-Decoded-Content-Length")
			return b
		}, KindBadChunk},
		{"data after final chunk", unsigned, func(_ *http.Request, b []byte) []byte { return append(b, "junk"...) }, KindBadChunk},
		{"missing CRLF after data", unsigned, replace("dog. \r\n", "dog. \n"), KindBadChunk},
		{"bad chunk size", unsigned, replace("3e8\r\n", "3g8\r\n"), KindBadChunk},
		{"chunk signature on unsigned body", unsigned, replace("3e8\r\n", "3e8;chunk-signature=x\r\n"), KindBadChunk},
		{"checksum header mismatch", chunkedUpload{payloadHash: StreamingPayload, chunks: chunks,
			header: http.Header{"X-Amz-Checksum-Sha256": {checksumB64(sha256.New(), []byte("x"))}}}, nil, KindChecksumMismatch},
	}
	for _, m := range mutations {
		t.Run(m.name, func(t *testing.T) {
			r, body := m.u.build(t, testSecret)
			if m.mutate != nil {
				body = m.mutate(r, bytes.Clone(body))
			}
			sig, err := Parse(r)
			wantKind(t, err, 0)
			_, err = DecodeChunked(sig, r.Header, body, testSecret, Options{S3: true})
			wantKind(t, err, m.want)
		})
	}

	t.Run("chunks swapped", func(t *testing.T) {
		u := chunkedUpload{payloadHash: StreamingPayload, chunks: [][]byte{data[:100], data[100:200]}}
		r, body := u.build(t, testSecret)
		i := bytes.Index(body, []byte("64;"))
		j := bytes.Index(body[i+1:], []byte("64;")) + i + 1
		k := bytes.Index(body, []byte("0;"))
		swapped := slices.Concat(body[j:k], body[i:j], body[k:])
		sig, _ := Parse(r)
		_, err := DecodeChunked(sig, r.Header, swapped, testSecret, Options{S3: true})
		wantKind(t, err, KindSignatureMismatch)
	})
	t.Run("other secret", func(t *testing.T) {
		r, body := signedTrailer.build(t, testSecret)
		sig, _ := Parse(r)
		_, err := DecodeChunked(sig, r.Header, body, "other", Options{S3: true})
		wantKind(t, err, KindSignatureMismatch)
	})
	t.Run("chunk above MaxChunkSize", func(t *testing.T) {
		r, body := signedTrailer.build(t, testSecret)
		sig, _ := Parse(r)
		_, err := DecodeChunked(sig, r.Header, body, testSecret, Options{S3: true, MaxChunkSize: 999})
		wantKind(t, err, KindBadChunk)
	})
	t.Run("not aws-chunked", func(t *testing.T) {
		sig := &Signature{PayloadHash: UnsignedPayload}
		_, err := DecodeChunked(sig, http.Header{}, nil, testSecret, Options{S3: true})
		wantKind(t, err, KindInvalidPayloadHash)
	})
}

func TestChunkedTrailerWithoutFinalCRLF(t *testing.T) {
	// A signed body without trailers may end right after the final chunk.
	u := chunkedUpload{payloadHash: StreamingPayloadTrailer, chunks: [][]byte{[]byte("abc")}}
	r, body := u.build(t, testSecret)
	p, err := decodeUpload(t, r, bytes.TrimSuffix(body, []byte("\r\n")), testSecret)
	wantKind(t, err, 0)
	if string(p.Data) != "abc" {
		t.Fatalf("got %q", p.Data)
	}
}

func TestCRC64NVMECheckValue(t *testing.T) {
	h := crc64.New(crc64.MakeTable(crc64NVMEPoly))
	h.Write([]byte("123456789"))
	if got, want := binary.BigEndian.Uint64(h.Sum(nil)), uint64(0xae8b14860a799888); got != want {
		t.Fatalf("got %#x, want %#x", got, want)
	}
}

func TestCheckChecksums(t *testing.T) {
	payload := []byte("hello")
	f := func(h http.Header, want Kind) {
		t.Helper()
		wantKind(t, CheckChecksums(h, payload), want)
	}
	f(http.Header{}, 0)
	f(http.Header{"X-Amz-Checksum-Crc32": {checksumB64(crc32.NewIEEE(), payload)}, "X-Amz-Checksum-Mode": {"ENABLED"}}, 0)
	f(http.Header{"X-Amz-Checksum-Sha256": {checksumB64(sha256.New(), payload)}, "X-Amz-Checksum-Type": {"FULL_OBJECT"}}, 0)
	f(http.Header{"X-Amz-Checksum-Crc32": {checksumB64(crc32.NewIEEE(), []byte("x"))}}, KindChecksumMismatch)
	f(http.Header{"X-Amz-Checksum-Crc32": {"AAAA"}}, KindChecksumMismatch)
	f(http.Header{"X-Amz-Checksum-Md5": {"AAAA"}}, KindInvalidPayloadHash)
	err := CheckChecksums(http.Header{"X-Amz-Checksum-Crc32c": {"AAAAAA=="}}, payload)
	if want := "The CRC32C you specified did not match the calculated checksum."; err == nil || err.(*Error).Message != want {
		t.Errorf("got %v, want %q", err, want)
	}
}
