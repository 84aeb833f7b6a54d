package sigv4

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	goodCred   = "AKIDEXAMPLE/20260102/us-east-1/logs/aws4_request"
	goodSig    = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	goodAmzDay = "20260102T030405Z"
)

func goodAuth() string {
	return "AWS4-HMAC-SHA256 Credential=" + goodCred + ", SignedHeaders=host;x-amz-date, Signature=" + goodSig
}

func newRequest(auth, rawQuery string, header http.Header) *http.Request {
	r := &http.Request{
		Method: "POST",
		URL:    &url.URL{Path: "/", RawQuery: rawQuery},
		Host:   "logs.us-east-1.amazonaws.com",
		Header: http.Header{},
	}
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	for k, v := range header {
		r.Header[k] = v
	}
	return r
}

func presignQuery(replace map[string]string) string {
	q := []string{
		"X-Amz-Algorithm=AWS4-HMAC-SHA256",
		"X-Amz-Credential=" + url.QueryEscape(goodCred),
		"X-Amz-Date=" + goodAmzDay,
		"X-Amz-Expires=300",
		"X-Amz-SignedHeaders=host",
		"X-Amz-Signature=" + goodSig,
	}
	for i, p := range q {
		k, _, _ := strings.Cut(p, "=")
		if v, ok := replace[k]; ok {
			q[i] = k + "=" + v
			if v == "<none>" {
				q[i] = ""
			}
		}
	}
	return strings.Join(q, "&")
}

func TestParseHeader(t *testing.T) {
	r := newRequest(goodAuth(), "", http.Header{
		"X-Amz-Date":           {goodAmzDay},
		"X-Amz-Security-Token": {"tok"},
		"X-Amz-Content-Sha256": {UnsignedPayload},
	})
	sig, err := Parse(r)
	wantKind(t, err, 0)
	want := Signature{
		AccessKeyID: "AKIDEXAMPLE", Date: "20260102", Region: "us-east-1", Service: "logs",
		SignedHeaders: []string{"host", "x-amz-date"}, Signature: goodSig,
		Time: signTime, AmzDate: goodAmzDay, SecurityToken: "tok", PayloadHash: UnsignedPayload,
	}
	if fmt.Sprint(*sig) != fmt.Sprint(want) {
		t.Fatalf("got  %+v\nwant %+v", *sig, want)
	}
	if got := sig.Scope(); got != "20260102/us-east-1/logs/aws4_request" {
		t.Errorf("got scope %q", got)
	}

	// Components without spaces, in another order.
	r = newRequest("AWS4-HMAC-SHA256 Signature="+goodSig+",SignedHeaders=host,Credential="+goodCred, "",
		http.Header{"X-Amz-Date": {goodAmzDay}})
	if _, err := Parse(r); err != nil {
		t.Fatalf("compact header: %v", err)
	}
}

func TestParsePresigned(t *testing.T) {
	r := newRequest("", presignQuery(map[string]string{"X-Amz-SignedHeaders": "host%3Bx-amz-meta-a"})+"&X-Amz-Security-Token=a%2Bb&other=1", nil)
	sig, err := Parse(r)
	wantKind(t, err, 0)
	if !sig.Presigned || sig.Expires != 5*time.Minute || sig.SecurityToken != "a+b" || !sig.Time.Equal(signTime) ||
		strings.Join(sig.SignedHeaders, ";") != "host;x-amz-meta-a" {
		t.Fatalf("got %+v", sig)
	}
	r = newRequest("", presignQuery(map[string]string{"X-Amz-Expires": "<none>"}), nil)
	if sig, err := Parse(r); err != nil || sig.Expires != 0 {
		t.Fatalf("without X-Amz-Expires: got %+v, %v", sig, err)
	}
}

func TestParseErrors(t *testing.T) {
	date := http.Header{"X-Amz-Date": {goodAmzDay}}
	f := func(name string, r *http.Request, want Kind, wantMsg string) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			sig, err := Parse(r)
			if sig != nil {
				t.Fatalf("got signature %+v with error %v", sig, err)
			}
			wantKind(t, err, want)
			if wantMsg != "" && err.(*Error).Message != wantMsg {
				t.Fatalf("got message %q, want %q", err.(*Error).Message, wantMsg)
			}
		})
	}
	withAuth := func(a string) *http.Request { return newRequest(a, "", date) }
	replaceAuth := func(old, new string) *http.Request {
		return withAuth(strings.Replace(goodAuth(), old, new, 1))
	}

	f("no auth", newRequest("", "", nil), KindUnsigned, msgUnsigned)
	f("no auth, other query", newRequest("", "Action=ListMetrics&bad=%zz", nil), KindUnsigned, "")
	f("empty header", newRequest(" ", "", date), KindUnsigned, "")
	f("nil request", nil, KindMalformed, "")
	f("SigV4a", replaceAuth("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256"), KindUnsupportedAlgorithm, "")
	f("SigV2 header", withAuth("AWS AKIDEXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg="), KindUnsupportedAlgorithm, msgSigV2)
	f("SigV2 query", newRequest("", "AWSAccessKeyId=AKID&Expires=1&Signature=abc", nil), KindUnsupportedAlgorithm, msgSigV2)
	f("bearer", withAuth("Bearer abc"), KindUnsupportedAlgorithm, "")
	f("algorithm glued to credential", replaceAuth("AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA256"), KindUnsupportedAlgorithm, "")
	f("missing credential", replaceAuth("Credential="+goodCred+", ", ""), KindMalformed,
		"Authorization header requires 'Credential' parameter.")
	f("missing everything", withAuth("AWS4-HMAC-SHA256"), KindMalformed,
		"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. "+
			"Authorization header requires 'SignedHeaders' parameter.")
	f("missing date", newRequest(goodAuth(), "", nil), KindMalformed,
		"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	f("component without =", replaceAuth("SignedHeaders=", "SignedHeaders"), KindMalformed, "")
	f("duplicate component", withAuth(goodAuth()+", Signature="+goodSig), KindMalformed, "")
	f("unknown component", withAuth(goodAuth()+", Foo=bar"), KindMalformed, "")
	f("short credential", replaceAuth("/logs/", "/"), KindMalformed, msgHeaderCredential)
	f("empty credential part", replaceAuth("/us-east-1/", "//"), KindMalformed, msgHeaderCredential)
	f("bad terminator", replaceAuth("aws4_request", "aws4_requests"), KindMalformed,
		"Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_requests'.")
	f("bad scope date", replaceAuth("/20260102/", "/2026-01-02/"), KindMalformed, msgHeaderCredential)
	f("impossible scope date", replaceAuth("/20260102/", "/20261332/"), KindMalformed, msgHeaderCredential)
	f("bad X-Amz-Date", newRequest(goodAuth(), "", http.Header{"X-Amz-Date": {"2026-01-02T03:04:05Z"}}), KindMalformed,
		"Date must be in ISO-8601 'basic format'. Got '2026-01-02T03:04:05Z'. See http://en.wikipedia.org/wiki/ISO_8601")
	f("bad Date", newRequest(goodAuth(), "", http.Header{"Date": {"yesterday"}}), KindMalformed, "")
	f("two X-Amz-Date", newRequest(goodAuth(), "", http.Header{"X-Amz-Date": {goodAmzDay, goodAmzDay}}), KindMalformed, "")
	f("uppercase signed header", replaceAuth("x-amz-date", "X-Amz-Date"), KindMalformed, "")
	f("empty signed header", replaceAuth("host;", "host;;"), KindMalformed, "")
	f("duplicate signed header", replaceAuth("host;x-amz-date", "host;host"), KindMalformed, "")
	f("host not signed", replaceAuth("host;x-amz-date", "x-amz-date"), KindMalformed, "SignedHeaders must include 'host'.")
	f("short signature", replaceAuth(goodSig, goodSig[1:]), KindMalformed, "")
	f("uppercase signature", replaceAuth(goodSig, strings.ToUpper(goodSig)), KindMalformed, "")
	f("two Authorization headers", newRequest("", "", http.Header{"Authorization": {goodAuth(), goodAuth()}, "X-Amz-Date": {goodAmzDay}}), KindMalformed, "")
	f("two payload hashes", newRequest(goodAuth(), "", http.Header{"X-Amz-Date": {goodAmzDay}, "X-Amz-Content-Sha256": {"a", "b"}}), KindMalformed, "")

	f("header and query", newRequest(goodAuth(), presignQuery(nil), date), KindMalformed, msgBothMechanisms)
	f("query incomplete", newRequest("", presignQuery(map[string]string{"X-Amz-SignedHeaders": "<none>"}), nil), KindMalformed, msgQueryIncomplete)
	f("query signature only", newRequest("", "X-Amz-Signature="+goodSig, nil), KindMalformed, msgQueryIncomplete)
	f("query SigV4a", newRequest("", presignQuery(map[string]string{"X-Amz-Algorithm": "AWS4-ECDSA-P256-SHA256"}), nil), KindUnsupportedAlgorithm, "")
	f("query other algorithm", newRequest("", presignQuery(map[string]string{"X-Amz-Algorithm": "HMAC"}), nil), KindUnsupportedAlgorithm, "")
	f("query credential", newRequest("", presignQuery(map[string]string{"X-Amz-Credential": "AKID%2F20260102"}), nil), KindMalformed, msgQueryCredential)
	f("query date", newRequest("", presignQuery(map[string]string{"X-Amz-Date": "20260102"}), nil), KindMalformed, "")
	f("query expires zero", newRequest("", presignQuery(map[string]string{"X-Amz-Expires": "0"}), nil), KindMalformed, "")
	f("query expires negative", newRequest("", presignQuery(map[string]string{"X-Amz-Expires": "-1"}), nil), KindMalformed, "")
	f("query expires plus", newRequest("", presignQuery(map[string]string{"X-Amz-Expires": "%2B5"}), nil), KindMalformed, "")
	f("query expires too long", newRequest("", presignQuery(map[string]string{"X-Amz-Expires": "604801"}), nil), KindMalformed,
		"X-Amz-Expires must be less than a week (in seconds) that is 604800")
	f("query expires not a number", newRequest("", presignQuery(map[string]string{"X-Amz-Expires": "1h"}), nil), KindMalformed, "")
	f("query duplicate signature", newRequest("", presignQuery(nil)+"&X-Amz-Signature="+goodSig, nil), KindMalformed, "")
	f("query bad escape", newRequest("", presignQuery(map[string]string{"X-Amz-Credential": "%zz"}), nil), KindMalformed, "")
}

func TestCanonicalQuery(t *testing.T) {
	f := func(raw string, presigned bool, want string) {
		t.Helper()
		got, err := canonicalQuery(raw, presigned)
		if err != nil || got != want {
			t.Errorf("canonicalQuery(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
	f("", false, "")
	f("b=2&a=1", false, "a=1&b=2")
	f("a=2&a=1&a=", false, "a=&a=1&a=2")
	f("acl", false, "acl=")
	f("a=b+c&d=e%20f&g=h%2Bi", false, "a=b%20c&d=e%20f&g=h%2Bi")
	f("k=%7e~!*'()", false, "k=~~%21%2A%27%28%29")
	f("%C3%BC=%E2%9C%93", false, "%C3%BC=%E2%9C%93")
	f("a=1&&b=2&", false, "a=1&b=2")
	f("a=b=c", false, "a=b%3Dc")
	f("a/b=1&a-b=2", false, "a%2Fb=1&a-b=2")
	f("X-Amz-Signature=abc&X-Amz-Date=1", true, "X-Amz-Date=1")
	f("X-Amz-Signature=abc", false, "X-Amz-Signature=abc")
	if _, err := canonicalQuery("a=%zz", false); err == nil {
		t.Errorf("bad escape accepted")
	}
}

func TestCanonicalURIs(t *testing.T) {
	f := func(rawURL string, s3 bool, want, wantAlt string) {
		t.Helper()
		u, err := url.Parse(rawURL)
		if err != nil {
			t.Fatal(err)
		}
		got, alt := canonicalURIs(u, s3)
		if got != want || alt != wantAlt {
			t.Errorf("canonicalURIs(%q, %v) = %q, %q; want %q, %q", rawURL, s3, got, alt, want, wantAlt)
		}
	}
	f("http://h", false, "/", "")
	f("http://h/a%20b/c", false, "/a%2520b/c", "")
	f("http://h/a%2Fb/~x+y", false, "/a%252Fb/~x%2By", "")
	f("http://h//a/./b/../c/", false, "//a/./b/../c/", "/a/c/")
	f("http://h/a/..", false, "/a/..", "/")
	f("http://h//a/./b/../c/", true, "//a/./b/../c/", "")
	f("http://h/a%20b/%E2%9C%93", true, "/a%20b/%E2%9C%93", "")
	f("http://h/a!b'c", true, "/a!b'c", "")
}

func TestAppendTrimmed(t *testing.T) {
	for in, want := range map[string]string{
		"":              "",
		"  a  ":         "a",
		"a   b    c":    "a b c",
		"\ta \t b\t":    "a \t b",
		"text/plain; x": "text/plain; x",
	} {
		if got := string(appendTrimmed(nil, in)); got != want {
			t.Errorf("appendTrimmed(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestKeyCache(t *testing.T) {
	c := NewKeyCache(8)
	for i := range 100 {
		date := fmt.Sprintf("202601%02d", i%28+1)
		got := c.SigningKey("secret", date, "us-east-1", fmt.Sprint("svc", i))
		if got != deriveKey("secret", date, "us-east-1", fmt.Sprint("svc", i)) {
			t.Fatalf("wrong key for %d", i)
		}
		if n := c.Len(); n > 8 {
			t.Fatalf("cache holds %d keys, bound is 8", n)
		}
	}
	// A key used in every generation stays.
	hot := c.SigningKey("hot", "20260101", "r", "s")
	for i := range 50 {
		c.SigningKey("cold", "20260101", "r", fmt.Sprint(i))
		c.SigningKey("hot", "20260101", "r", "s")
	}
	c.mu.RLock()
	_, ok := c.cur[keyID{"hot", "20260101", "r", "s"}]
	c.mu.RUnlock()
	if !ok || hot != deriveKey("hot", "20260101", "r", "s") {
		t.Fatalf("hot key evicted or wrong")
	}

	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				svc := fmt.Sprint(i % (g + 3))
				if c.SigningKey("s", "20260101", "r", svc) != deriveKey("s", "20260101", "r", svc) {
					t.Errorf("wrong key under concurrency")
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := c.Len(); n > 8 {
		t.Fatalf("cache holds %d keys, bound is 8", n)
	}
}

func TestKindString(t *testing.T) {
	for k := KindUnsigned; k <= KindChecksumMismatch; k++ {
		if s := k.String(); strings.HasPrefix(s, "Kind(") {
			t.Errorf("kind %d has no name", int(k))
		}
	}
	if KindOf(fmt.Errorf("wrapped: %w", newError(KindExpired, msgExpired))) != KindExpired {
		t.Errorf("KindOf does not unwrap")
	}
	if KindOf(fmt.Errorf("plain")) != 0 {
		t.Errorf("KindOf of a foreign error is not 0")
	}
}
