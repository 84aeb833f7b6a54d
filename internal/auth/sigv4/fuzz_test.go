package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"
)

func FuzzParseAuthorization(f *testing.F) {
	f.Add(goodAuth(), "", goodAmzDay)
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20260102/us-east-1/s3/aws4_request,SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature="+goodSig, "acl&x=1", goodAmzDay)
	f.Add("", presignQuery(nil), "")
	f.Add("", presignQuery(map[string]string{"X-Amz-Expires": "604800"})+"&X-Amz-Security-Token=a%2Bb&list-type=2&prefix=", "")
	f.Add("AWS4-ECDSA-P256-SHA256 Credential=AKID/20260102/s3/aws4_request, SignedHeaders=host, Signature=30", "", goodAmzDay)
	f.Add("AWS AKID:c2lnbmF0dXJl", "", "")
	f.Add("AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=;;, Signature=", "%", "2026")
	f.Add("AWS4-HMAC-SHA256 ,,,=,==", "X-Amz-Credential=%2F&X-Amz-Credential=", "99999999T999999Z")
	f.Fuzz(func(t *testing.T, auth, rawQuery, amzDate string) {
		r := &http.Request{
			Method: "GET",
			URL:    &url.URL{Path: "/", RawQuery: rawQuery},
			Host:   "example.com",
			Header: http.Header{"Authorization": {auth}, "X-Amz-Date": {amzDate}},
		}
		sig, err := Parse(r)
		if err != nil {
			if KindOf(err) == 0 {
				t.Fatalf("Parse returned a foreign error %T: %v", err, err)
			}
			return
		}
		if sig.AccessKeyID == "" || sig.Region == "" || sig.Service == "" || len(sig.Signature) != 64 ||
			len(sig.SignedHeaders) == 0 || len(sig.AmzDate) != 16 {
			t.Fatalf("Parse accepted incomplete fields: %+v", sig)
		}
		err = Verify(sig, r, nil, "secret", sig.Time, Options{Keys: NewKeyCache(2)})
		if err != nil && KindOf(err) == 0 {
			t.Fatalf("Verify returned a foreign error %T: %v", err, err)
		}
		_, _ = canonicalQuery(rawQuery, true)
	})
}

// encodeSignedChunks renders an aws-chunked body with signed chunks for the
// fuzz seeds.
func encodeSignedChunks(sig *Signature, secret string, chunks ...[]byte) []byte {
	key := deriveKey(secret, sig.Date, sig.Region, sig.Service)
	prev := sig.Signature
	var b bytes.Buffer
	for _, c := range append(chunks, nil) {
		sum := sha256.Sum256(c)
		sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + sig.AmzDate + "\n" + sig.Scope() + "\n" + prev + "\n" + emptySHA256 + "\n" + hex.EncodeToString(sum[:])
		mac := hmacRef(key[:], []byte(sts))
		prev = hex.EncodeToString(mac[:])
		b.WriteString(strconv.FormatInt(int64(len(c)), 16) + ";chunk-signature=" + prev + "\r\n")
		if len(c) > 0 {
			b.Write(c)
			b.WriteString("\r\n")
		}
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

func FuzzDecodeChunked(f *testing.F) {
	modes := []string{StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedPayloadTrailer}
	base := Signature{
		AccessKeyID: testAKID, Date: "20260102", Region: testRegion, Service: "s3",
		SignedHeaders: []string{"host"}, Signature: goodSig, Time: signTime, AmzDate: goodAmzDay,
	}
	f.Add([]byte("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n"), uint8(2), int64(5), "x-amz-checksum-crc32")
	f.Add([]byte("5\r\nhello\r\n0\r\n\r\n"), uint8(2), int64(5), "")
	f.Add([]byte("0\r\n\r\n"), uint8(2), int64(0), "")
	f.Add([]byte("ffffffffffffffff\r\n"), uint8(2), int64(1<<62), "")
	f.Add([]byte("3;chunk-signature=zz\r\nabc\r\n"), uint8(0), int64(3), "")
	f.Add([]byte("0\r\nx-amz-checksum-sha256:\r\nfoo\r\n\r\n"), uint8(2), int64(0), "x-amz-checksum-sha256, foo")
	seeded := base
	seeded.PayloadHash = StreamingPayload
	f.Add(encodeSignedChunks(&seeded, testSecret, []byte("hello "), []byte("world")), uint8(0), int64(11), "")
	f.Add(encodeSignedChunks(&seeded, testSecret), uint8(0), int64(0), "")
	f.Fuzz(func(t *testing.T, body []byte, mode uint8, decoded int64, trailer string) {
		sig := base
		sig.PayloadHash = modes[int(mode)%len(modes)]
		h := http.Header{"X-Amz-Decoded-Content-Length": {strconv.FormatInt(decoded, 10)}}
		if trailer != "" {
			h.Set("X-Amz-Trailer", trailer)
		}
		p, err := DecodeChunked(&sig, h, body, testSecret, Options{Keys: NewKeyCache(2), MaxChunkSize: 1 << 16})
		if err != nil {
			if KindOf(err) == 0 {
				t.Fatalf("DecodeChunked returned a foreign error %T: %v", err, err)
			}
			return
		}
		if int64(len(p.Data)) != decoded {
			t.Fatalf("decoded %d bytes, declared %d", len(p.Data), decoded)
		}
		if len(p.Data) > len(body) {
			t.Fatalf("decoded %d bytes from %d", len(p.Data), len(body))
		}
	})
}

// BenchmarkVerify measures a small awsJson POST, header-signed, with the
// signing key cached: Parse and Verify as the front door runs them, and
// Verify alone.
func BenchmarkVerify(b *testing.B) {
	c := sdkCases()[0] // logs PutLogEvents, awsJson 1.1
	r, body := sdkSign(b, c, testSecret)
	opt := Options{Keys: NewKeyCache(16)}
	now := signTime.Add(time.Minute)
	b.Run("parse+verify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sig, err := Parse(r)
			if err != nil {
				b.Fatal(err)
			}
			if err := Verify(sig, r, body, testSecret, now, opt); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("verify", func(b *testing.B) {
		sig, err := Parse(r)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := Verify(sig, r, body, testSecret, now, opt); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkDecodeChunked(b *testing.B) {
	sig := &Signature{
		AccessKeyID: testAKID, Date: "20260102", Region: testRegion, Service: "s3",
		SignedHeaders: []string{"host"}, Signature: goodSig, Time: signTime, AmzDate: goodAmzDay,
		PayloadHash: StreamingPayload,
	}
	chunk := bytes.Repeat([]byte("x"), 64<<10)
	body := encodeSignedChunks(sig, testSecret, chunk, chunk, chunk, chunk)
	h := http.Header{"X-Amz-Decoded-Content-Length": {strconv.Itoa(4 * len(chunk))}}
	opt := Options{S3: true, Keys: NewKeyCache(16)}
	b.SetBytes(int64(4 * len(chunk)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeChunked(sig, h, body, testSecret, opt); err != nil {
			b.Fatal(err)
		}
	}
}
