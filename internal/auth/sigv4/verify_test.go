package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	testAKID   = "AKIDEXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	testRegion = "us-east-1"
)

var signTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// toServer writes a client request to the wire and reads it back the way
// net/http's server does, returning the server's view and its body.
func toServer(t testing.TB, req *http.Request) (*http.Request, []byte) {
	t.Helper()
	var wire bytes.Buffer
	if err := req.Write(&wire); err != nil {
		t.Fatalf("cannot write request: %v", err)
	}
	return readWire(t, wire.Bytes())
}

func readWire(t testing.TB, wire []byte) (*http.Request, []byte) {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(wire)))
	if err != nil {
		t.Fatalf("cannot read request back: %v\n%s", err, wire)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatalf("cannot read body: %v", err)
	}
	return r, body
}

// hmacRef is the reference HMAC-SHA256 of crypto/hmac.
func hmacRef(key, data []byte) [32]byte {
	h := hmac.New(sha256.New, key)
	h.Write(data)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

func TestHMACPadded(t *testing.T) {
	for _, n := range []int{0, 1, 63, 64, 65, 200} {
		key := deriveKey(testSecret, "20260102", testRegion, strconv.Itoa(n))
		msg := bytes.Repeat([]byte{byte(n)}, n)
		padded := append(make([]byte, padLen), msg...)
		if got, want := hmacPadded(&key, padded), hmacRef(key[:], msg); got != want {
			t.Errorf("len %d: got %x, want %x", n, got, want)
		}
	}
	k := hmacRef([]byte("AWS4"+strings.Repeat("s", 100)), []byte("d"))
	k = hmacRef(k[:], []byte("r"))
	k = hmacRef(k[:], []byte("s"))
	if got, want := deriveKey(strings.Repeat("s", 100), "d", "r", "s"), hmacRef(k[:], []byte("aws4_request")); got != want {
		t.Errorf("deriveKey with a long secret: got %x, want %x", got, want)
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

type sdkCase struct {
	name    string
	service string
	s3      bool
	method  string
	url     string
	header  http.Header
	body    string
	// payloadHash is what the client signs; "" means the hex SHA-256 of body.
	payloadHash string
	// contentSHA sets X-Amz-Content-Sha256 to the payload hash, as S3 clients do.
	contentSHA bool
	token      string
	presign    bool
	expires    int // X-Amz-Expires of a presigned request, 0 for none
}

func sdkCases() []sdkCase {
	return []sdkCase{
		{
			name: "logs awsJson", service: "logs", method: "POST",
			url: "https://logs.us-east-1.amazonaws.com/",
			header: http.Header{
				"Content-Type": {"application/x-amz-json-1.1"},
				"X-Amz-Target": {"Logs_20140328.PutLogEvents"},
			},
			body: `{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1,"message":"hi"}]}`,
		},
		{
			name: "monitoring rpc-v2-cbor", service: "monitoring", method: "POST",
			url: "https://monitoring.us-east-1.amazonaws.com/service/GraniteServiceVersion20100801/operation/PutMetricData",
			header: http.Header{
				"Content-Type":    {"application/cbor"},
				"Accept":          {"application/cbor"},
				"Smithy-Protocol": {"rpc-v2-cbor"},
			},
			body: "\xbf\x69Namespace\x63App\xff",
		},
		{
			name: "sts form body with session token", service: "sts", method: "POST",
			url:    "https://sts.amazonaws.com/",
			header: http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}},
			body:   "Action=GetCallerIdentity&Version=2011-06-15",
			token:  "FwoGZXIvYXdzEXAMPLETOKEN//+==",
		},
		{
			name: "port, spaces and repeated headers", service: "logs", method: "POST",
			url: "http://localhost:4566/",
			header: http.Header{
				"Content-Type": {"application/x-amz-json-1.1"},
				"X-Amz-Target": {"Logs_20140328.DescribeLogGroups"},
				"X-Custom":     {"  a   b    c  "},
				"X-Multi":      {"1", "two  words"},
			},
			body: `{}`,
		},
		{
			name: "restJson path escaped twice", service: "guardduty", method: "GET",
			url: "https://guardduty.us-east-1.amazonaws.com/detector/abc%20def%2Fx/findings?maxResults=10&nextToken=a%2Bb%3D",
		},
		{
			name: "non-S3 path with // and unicode", service: "execute-api", method: "GET",
			url: "https://api.example.com//stage//r%C3%A9sum%C3%A9/./x",
		},
		{
			name: "s3 key with spaces", service: "s3", s3: true, contentSHA: true, method: "PUT",
			url:  "https://s3.us-east-1.amazonaws.com/bucket/my%20file%20name.txt",
			body: "hello world",
		},
		{
			name: "s3 unicode key", service: "s3", s3: true, contentSHA: true, method: "PUT",
			url:    "http://127.0.0.1:9000/bucket/%C3%BCber/%E2%9C%93.txt",
			header: http.Header{"X-Amz-Meta-Note": {"gr  \u00fc\u00df"}, "Content-Type": {"text/plain"}},
			body:   "\u00fcber",
		},
		{
			name: "s3 plus and %2B in key", service: "s3", s3: true, contentSHA: true, method: "GET",
			url: "https://bucket.s3.amazonaws.com/a+b/c%2Bd",
		},
		{
			name: "s3 %2F and // in key", service: "s3", s3: true, contentSHA: true, method: "GET",
			url: "https://s3.amazonaws.com/bucket/a%2Fb//c/./d/../e",
		},
		{
			name: "s3 query with repeated keys and empty values", service: "s3", s3: true, contentSHA: true, method: "GET",
			url: "https://s3.amazonaws.com/bucket?list-type=2&prefix=&delimiter=%2F&x=b&x=a&acl&encoding-type=url",
		},
		{
			name: "s3 query with + and reserved characters", service: "s3", s3: true, contentSHA: true, method: "GET",
			url: "https://s3.amazonaws.com/bucket?prefix=a+b&start-after=%E2%9C%93%21%2A%27%28%29&marker=~x",
		},
		{
			name: "s3 unsigned payload", service: "s3", s3: true, contentSHA: true, method: "PUT",
			url: "https://s3.amazonaws.com/bucket/key", body: "payload", payloadHash: UnsignedPayload,
		},
		{
			name: "s3 presigned GET", service: "s3", s3: true, method: "GET", presign: true, expires: 900,
			url: "https://s3.amazonaws.com/bucket/dir/my%20photo+1.jpg?versionId=3%2F4&response-content-type=image%2Fjpeg",
		},
		{
			name: "s3 presigned PUT with token", service: "s3", s3: true, method: "PUT", presign: true, expires: 3600,
			url: "https://bucket.s3.amazonaws.com/key", token: "session-token/with+special=chars",
		},
		{
			name: "sts presigned with body hash", service: "sts", method: "GET", presign: true, expires: 60,
			url: "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
		},
		{
			name: "sts presigned unsigned payload without expiry", service: "sts", method: "GET", presign: true,
			url: "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15", payloadHash: UnsignedPayload,
		},
	}
}

// sdkSign signs c with aws-sdk-go-v2 and returns the server's view of it.
func sdkSign(t testing.TB, c sdkCase, secret string) (*http.Request, []byte) {
	t.Helper()
	creds := aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: secret, SessionToken: c.token}
	ph := c.payloadHash
	if ph == "" && c.presign && c.s3 {
		ph = UnsignedPayload
	}
	if ph == "" {
		ph = sha256Hex([]byte(c.body))
	}
	opts := func(o *v4.SignerOptions) { o.DisableURIPathEscaping = c.s3 }
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequest(c.method, c.url, body)
	if err != nil {
		t.Fatalf("cannot build request: %v", err)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if c.contentSHA {
		req.Header.Set("X-Amz-Content-Sha256", ph)
	}
	signer := v4.NewSigner()
	if !c.presign {
		if err := signer.SignHTTP(context.Background(), creds, req, ph, c.service, testRegion, signTime, opts); err != nil {
			t.Fatalf("cannot sign: %v", err)
		}
		return toServer(t, req)
	}
	if c.expires > 0 {
		q := req.URL.Query()
		q.Set("X-Amz-Expires", strconv.Itoa(c.expires))
		req.URL.RawQuery = q.Encode()
	}
	signed, hdr, err := signer.PresignHTTP(context.Background(), creds, req, ph, c.service, testRegion, signTime, opts)
	if err != nil {
		t.Fatalf("cannot presign: %v", err)
	}
	preq, err := http.NewRequest(c.method, signed, body)
	if err != nil {
		t.Fatalf("cannot build presigned request: %v", err)
	}
	for k, v := range hdr {
		if k != "Host" {
			preq.Header[k] = v
		}
	}
	return toServer(t, preq)
}

func verifyRequest(r *http.Request, body []byte, secret string, now time.Time, s3 bool) error {
	sig, err := Parse(r)
	if err != nil {
		return err
	}
	return Verify(sig, r, body, secret, now, Options{S3: s3})
}

func wantKind(t *testing.T, err error, want Kind) {
	t.Helper()
	if want == 0 {
		if err != nil {
			var e *Error
			if errors.As(err, &e) && e.CanonicalRequest != "" {
				t.Fatalf("unexpected error: %v\ncanonical request:\n%s\nstring to sign:\n%s", err, e.CanonicalRequest, e.StringToSign)
			}
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if got := KindOf(err); got != want {
		t.Fatalf("got error %v (kind %v), want kind %v", err, got, want)
	}
}

func TestVerifySDK(t *testing.T) {
	for _, c := range sdkCases() {
		t.Run(c.name, func(t *testing.T) {
			r, body := sdkSign(t, c, testSecret)
			sig, err := Parse(r)
			wantKind(t, err, 0)
			if sig.AccessKeyID != testAKID || sig.Region != testRegion || sig.Service != c.service ||
				sig.Presigned != c.presign || sig.SecurityToken != c.token || !sig.Time.Equal(signTime) {
				t.Fatalf("parsed %+v", sig)
			}
			if c.presign && sig.Expires != time.Duration(c.expires)*time.Second {
				t.Fatalf("got expires %v, want %ds", sig.Expires, c.expires)
			}

			check := func(name string, r *http.Request, body []byte, secret string, now time.Time, want Kind) {
				t.Helper()
				t.Run(name, func(t *testing.T) {
					wantKind(t, verifyRequest(r, body, secret, now, c.s3), want)
				})
			}
			check("valid", r, body, testSecret, signTime, 0)
			if !c.presign || c.expires == 0 || c.expires >= 900 {
				check("valid at +15m", r, body, testSecret, signTime.Add(MaxSkew), 0)
			}
			check("other secret", r, body, testSecret+"x", signTime, KindSignatureMismatch)

			if !c.presign && c.payloadHash != UnsignedPayload {
				want := KindSignatureMismatch
				if c.contentSHA {
					want = KindPayloadHashMismatch
				}
				check("changed body", r, append(bytes.Clone(body), 'x'), testSecret, signTime, want)
			}

			r2 := r.Clone(context.Background())
			r2.Host = "evil.example.com"
			check("changed host", r2, body, testSecret, signTime, KindSignatureMismatch)

			r3 := r.Clone(context.Background())
			if len(sig.SignedHeaders) > 1 {
				for _, h := range sig.SignedHeaders {
					if h != "host" && h != "content-length" && h != "x-amz-date" && h != "x-amz-content-sha256" && h != "x-amz-security-token" {
						r3.Header.Set(h, r3.Header.Get(h)+"x")
						check("changed header "+h, r3, body, testSecret, signTime, KindSignatureMismatch)
						break
					}
				}
			}

			r4 := r.Clone(context.Background())
			if r4.URL.RawQuery == "" {
				r4.URL.RawQuery = "a=b"
			} else {
				r4.URL.RawQuery += "&a=b"
			}
			check("added query", r4, body, testSecret, signTime, KindSignatureMismatch)

			r5 := r.Clone(context.Background())
			r5.URL.RawPath, r5.URL.Path = "", r5.URL.Path+"x"
			check("changed path", r5, body, testSecret, signTime, KindSignatureMismatch)

			if c.presign {
				exp := time.Duration(c.expires) * time.Second
				if exp == 0 {
					exp = MaxSkew
				}
				check("at expiry", r, body, testSecret, signTime.Add(exp), 0)
				check("expired", r, body, testSecret, signTime.Add(exp+time.Second), KindExpired)
				check("dated in the future", r, body, testSecret, signTime.Add(-MaxSkew-time.Second), KindTimeSkew)
			} else {
				check("clock ahead", r, body, testSecret, signTime.Add(MaxSkew+time.Second), KindTimeSkew)
				check("clock behind", r, body, testSecret, signTime.Add(-MaxSkew-time.Second), KindTimeSkew)
			}
		})
	}
}

func TestVerifyMismatchDebug(t *testing.T) {
	c := sdkCases()[0]
	r, body := sdkSign(t, c, testSecret)
	err := verifyRequest(r, body, "wrong", signTime, false)
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindSignatureMismatch {
		t.Fatalf("got %v, want a signature mismatch", err)
	}
	if e.Message != msgSignatureMismatch {
		t.Errorf("got message %q", e.Message)
	}
	wantCR := "POST\n/\n\ncontent-length:" + strconv.Itoa(len(c.body)) + "\ncontent-type:application/x-amz-json-1.1\nhost:logs.us-east-1.amazonaws.com\n" +
		"x-amz-date:20260102T030405Z\nx-amz-target:Logs_20140328.PutLogEvents\n\n" +
		"content-length;content-type;host;x-amz-date;x-amz-target\n" + sha256Hex(body)
	if e.CanonicalRequest != wantCR {
		t.Errorf("got canonical request\n%s\nwant\n%s", e.CanonicalRequest, wantCR)
	}
	wantSTS := "AWS4-HMAC-SHA256\n20260102T030405Z\n20260102/us-east-1/logs/aws4_request\n" + sha256Hex([]byte(wantCR))
	if e.StringToSign != wantSTS {
		t.Errorf("got string to sign\n%s\nwant\n%s", e.StringToSign, wantSTS)
	}
	if strings.Contains(e.Error(), "POST\n") {
		t.Errorf("Error() leaks the canonical request: %q", e.Error())
	}
}

func TestVerifyTimeMessages(t *testing.T) {
	sig := &Signature{Date: "20260101", AmzDate: "20260101T000000Z", Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	f := func(now time.Time, presigned bool, expires time.Duration, wantKind Kind, wantMsg string) {
		t.Helper()
		s := *sig
		s.Presigned, s.Expires = presigned, expires
		err := checkTime(&s, now, Options{})
		var e *Error
		if !errors.As(err, &e) || e.Kind != wantKind || e.Message != wantMsg {
			t.Errorf("got %v, want %v %q", err, wantKind, wantMsg)
		}
	}
	f(time.Date(2026, 1, 1, 0, 30, 0, 0, time.UTC), false, 0, KindTimeSkew,
		"Signature expired: 20260101T000000Z is now earlier than 20260101T001500Z (20260101T003000Z - 15 min.)")
	f(time.Date(2025, 12, 31, 23, 30, 0, 0, time.UTC), false, 0, KindTimeSkew,
		"Signature not yet current: 20260101T000000Z is still later than 20251231T234500Z (20251231T233000Z + 15 min.)")
	f(time.Date(2026, 1, 1, 1, 0, 1, 0, time.UTC), true, time.Hour, KindExpired, "Request has expired")

	s := *sig
	s.Date = "20251231"
	err := checkTime(&s, sig.Time, Options{})
	want := "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20251231' != '20260101', from '20260101T000000Z'."
	if KindOf(err) != KindMalformed || err.(*Error).Message != want {
		t.Errorf("got %v, want %q", err, want)
	}
	s = *sig
	s.Presigned = true
	if err := checkTime(&s, sig.Time, Options{S3: true}); KindOf(err) != KindMalformed {
		t.Errorf("S3 presigned request without X-Amz-Expires: got %v, want Malformed", err)
	}
}

func TestVerifyPayloadHashRules(t *testing.T) {
	base := sdkCase{service: "s3", s3: true, contentSHA: true, method: "PUT", url: "https://s3.amazonaws.com/b/k", body: "data"}
	f := func(name, declared string, s3 bool, want Kind) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			c := base
			c.s3, c.payloadHash = s3, declared
			r, body := sdkSign(t, c, testSecret)
			wantKind(t, verifyRequest(r, body, testSecret, signTime, s3), want)
		})
	}
	f("hex", "", true, 0)
	f("uppercase hex", strings.ToUpper(sha256Hex([]byte("data"))), true, 0)
	f("wrong hex", sha256Hex([]byte("other")), true, KindPayloadHashMismatch)
	f("garbage", "not-a-hash", true, KindInvalidPayloadHash)
	f("sigv4a streaming", "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", true, KindUnsupportedAlgorithm)
	f("streaming outside S3", StreamingPayload, false, KindInvalidPayloadHash)
	f("unsigned outside S3", UnsignedPayload, false, 0)

	// S3 requires the header on header-signed requests.
	c := base
	c.contentSHA = false
	r, body := sdkSign(t, c, testSecret)
	wantKind(t, verifyRequest(r, body, testSecret, signTime, true), KindInvalidPayloadHash)
	wantKind(t, verifyRequest(r, body, testSecret, signTime, false), 0)

	// DeferPayloadCheck trusts the declared hash.
	r, _ = sdkSign(t, base, testSecret)
	sig, err := Parse(r)
	wantKind(t, err, 0)
	wantKind(t, Verify(sig, r, nil, testSecret, signTime, Options{S3: true, DeferPayloadCheck: true}), 0)
	wantKind(t, Verify(sig, r, nil, testSecret, signTime, Options{S3: true}), KindPayloadHashMismatch)
}

// TestVerifyDocExample checks the GET example of the S3 SigV4 documentation
// (sig-v4-header-based-auth.html), whose signature AWS published.
func TestVerifyDocExample(t *testing.T) {
	wire := "GET /test.txt HTTP/1.1\r\n" +
		"Host: examplebucket.s3.amazonaws.com\r\n" +
		"Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41\r\n" +
		"Range: bytes=0-9\r\n" +
		"x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\r\n" +
		"x-amz-date: 20130524T000000Z\r\n\r\n"
	r, body := readWire(t, []byte(wire))
	now := time.Date(2013, 5, 24, 0, 5, 0, 0, time.UTC)
	wantKind(t, verifyRequest(r, body, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", now, true), 0)
}

func TestVerifyDateHeader(t *testing.T) {
	// A request dated by the Date header instead of X-Amz-Date.
	date := signTime.Format(http.TimeFormat)
	build := func(sig string) *http.Request {
		wire := "POST / HTTP/1.1\r\nHost: logs.us-east-1.amazonaws.com\r\nDate: " + date + "\r\n" +
			"Authorization: AWS4-HMAC-SHA256 Credential=" + testAKID + "/20260102/us-east-1/logs/aws4_request, SignedHeaders=date;host, Signature=" + sig + "\r\n" +
			"Content-Length: 2\r\n\r\n{}"
		r, _ := readWire(t, []byte(wire))
		return r
	}
	cr := "POST\n/\n\ndate:" + date + "\nhost:logs.us-east-1.amazonaws.com\n\ndate;host\n" + sha256Hex([]byte("{}"))
	sts := appendStringToSign(nil, Algorithm, "20260102T030405Z", []byte("20260102/us-east-1/logs/aws4_request"), []byte(cr))
	key := deriveKey(testSecret, "20260102", testRegion, "logs")
	mac := hmacRef(key[:], sts)
	r := build(hex.EncodeToString(mac[:]))
	wantKind(t, verifyRequest(r, []byte("{}"), testSecret, signTime, false), 0)
}
