package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/sts"
	"github.com/vigilhq/vigil/internal/audit/audittest"
	"github.com/vigilhq/vigil/internal/auth"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/store/embedded"
)

// fakeLogs implements two Logs operations for the tests.
type fakeLogs struct{ logs.Unimplemented }

func (fakeLogs) DescribeLogGroups(ctx context.Context, in *logs.DescribeLogGroupsRequest) (*logs.DescribeLogGroupsResponse, error) {
	info := request.FromContext(ctx)
	name := info.Principal.Account + "/" + info.Region
	if in.LogGroupNamePrefix != nil {
		name += "/" + *in.LogGroupNamePrefix
	}
	return &logs.DescribeLogGroupsResponse{LogGroups: []logs.LogGroup{{LogGroupName: &name}}}, nil
}

func (fakeLogs) DeleteLogGroup(context.Context, *logs.DeleteLogGroupRequest) (*logs.DeleteLogGroupOutput, error) {
	panic("handler bug")
}

func (fakeLogs) CreateLogGroup(context.Context, *logs.CreateLogGroupRequest) (*logs.CreateLogGroupOutput, error) {
	return nil, &logs.ResourceAlreadyExistsException{Message: aws.String("The specified log group already exists")}
}

type testServer struct {
	*Server
	audit *audittest.Recorder
	creds *auth.RootCredentials
}

// testAccounts opens a store with a root account and its access key,
// closed when t ends.
func testAccounts(t testing.TB) (*embedded.Store, *auth.Sealer, *auth.RootCredentials) {
	t.Helper()
	dir := t.TempDir()
	st, err := embedded.Open(context.Background(), dir, embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sealer, err := auth.OpenSealer(dir)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := auth.EnsureRoot(context.Background(), st.Accounts(), sealer, dir, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return st, sealer, creds
}

func newTestServer(t testing.TB, dev bool) *testServer {
	t.Helper()
	st, sealer, creds := testAccounts(t)
	rt := protocol.NewRouter()
	rt.Register(logs.Model, logs.Handlers(fakeLogs{}))
	rt.Register(sts.Model, sts.Handlers(&sts.Provider{}))
	rec := &audittest.Recorder{}
	s := New(Options{
		Router:  rt,
		Auth:    auth.New(auth.Options{Keys: st.Accounts(), Sealer: sealer, Dev: dev, DefaultRegion: "eu-west-1"}),
		Audit:   rec,
		Metrics: NewMetrics(),
		Health:  func() any { return map[string]string{"status": "ok"} },
	})
	return &testServer{Server: s, audit: rec, creds: creds}
}

// sign signs r for service with the root credentials (or the given secret).
func (ts *testServer) sign(t testing.TB, r *http.Request, body []byte, service, secret string) {
	t.Helper()
	if secret == "" {
		secret = ts.creds.SecretAccessKey
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: ts.creds.AccessKeyID, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), service, "us-west-2", time.Now()); err != nil {
		t.Fatal(err)
	}
}

func jsonRequest(target, body string) *http.Request {
	r := httptest.NewRequest("POST", "http://vigil.test/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", target)
	return r
}

func (ts *testServer) do(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	ts.ServeHTTP(w, r)
	return w
}

func TestSignedJSONRequest(t *testing.T) {
	ts := newTestServer(t, false)
	body := `{"logGroupNamePrefix":"app"}`
	r := jsonRequest("Logs_20140328.DescribeLogGroups", body)
	ts.sign(t, r, []byte(body), "logs", "")
	w := ts.do(r)
	want := `{"logGroups":[{"logGroupName":"` + ts.creds.AccountID + `/us-west-2/app"}]}`
	if w.Code != 200 || w.Body.String() != want {
		t.Fatalf("response = %d %s; want 200 %s", w.Code, w.Body, want)
	}
	if w.Header().Get("X-Amzn-Requestid") == "" || w.Header().Get("Content-Type") != "application/x-amz-json-1.1" {
		t.Errorf("headers = %v", w.Header())
	}
	events := ts.audit.Events()
	if len(events) != 1 {
		t.Fatalf("audit events = %d; want 1", len(events))
	}
	e := events[0]
	if e.Operation != "DescribeLogGroups" || e.EventSource != "logs.amazonaws.com" || !e.ReadOnly || e.Region != "us-west-2" ||
		e.Principal.Account != ts.creds.AccountID || e.ErrorCode != "" || e.Request == nil || e.Response == nil || e.RequestID != w.Header().Get("X-Amzn-Requestid") {
		t.Errorf("audit event = %+v", e)
	}
}

func TestAuthenticationFailures(t *testing.T) {
	ts := newTestServer(t, false)
	tests := []struct {
		name   string
		req    func() *http.Request
		status int
		code   string
	}{
		{"json unsigned", func() *http.Request { return jsonRequest("Logs_20140328.DescribeLogGroups", "{}") }, 400, "MissingAuthenticationTokenException"},
		{"json wrong secret", func() *http.Request {
			r := jsonRequest("Logs_20140328.DescribeLogGroups", "{}")
			ts.sign(t, r, []byte("{}"), "logs", "wrong-secret")
			return r
		}, 400, "InvalidSignatureException"},
		{"json body changed after signing", func() *http.Request {
			r := jsonRequest("Logs_20140328.DescribeLogGroups", `{"limit":1}`)
			ts.sign(t, r, []byte(`{"limit":2}`), "logs", "")
			return r
		}, 400, "InvalidSignatureException"},
		{"query unsigned", func() *http.Request {
			r := httptest.NewRequest("POST", "/", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, 403, "MissingAuthenticationToken"},
		{"query unknown key", func() *http.Request {
			r := httptest.NewRequest("POST", "/", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAUNKNOWN000000000/20260101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature="+strings.Repeat("0", 64))
			r.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
			return r
		}, 403, "InvalidClientTokenId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := ts.do(tt.req())
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.code) {
				t.Errorf("response = %d %s; want %d %s", w.Code, w.Body, tt.status, tt.code)
			}
		})
	}
}

func TestDevMode(t *testing.T) {
	ts := newTestServer(t, true)
	w := ts.do(jsonRequest("Logs_20140328.DescribeLogGroups", "{}"))
	if w.Code != 200 || !strings.Contains(w.Body.String(), auth.DevAccount+"/eu-west-1") {
		t.Errorf("unsigned dev request = %d %s; want the dev account in the default region", w.Code, w.Body)
	}
	r := jsonRequest("Logs_20140328.DescribeLogGroups", "{}")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=123456789012/20260101/ap-south-1/logs/aws4_request, SignedHeaders=host, Signature="+strings.Repeat("0", 64))
	r.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
	w = ts.do(r)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "123456789012/ap-south-1") {
		t.Errorf("dev request with an account-id key = %d %s; want that account and the scope's region", w.Code, w.Body)
	}
}

func TestFailures(t *testing.T) {
	ts := newTestServer(t, true)
	t.Run("panic becomes InternalFailure", func(t *testing.T) {
		w := ts.do(jsonRequest("Logs_20140328.DeleteLogGroup", `{"logGroupName":"x"}`))
		if w.Code != 500 || !strings.Contains(w.Body.String(), `"__type":"InternalFailure"`) || strings.Contains(w.Body.String(), "handler bug") {
			t.Errorf("response = %d %s; want a 500 InternalFailure that hides the panic", w.Code, w.Body)
		}
	})
	t.Run("modeled error", func(t *testing.T) {
		w := ts.do(jsonRequest("Logs_20140328.CreateLogGroup", `{"logGroupName":"x"}`))
		want := `{"__type":"ResourceAlreadyExistsException","message":"The specified log group already exists"}`
		if w.Code != 400 || w.Body.String() != want {
			t.Errorf("response = %d %s; want 400 %s", w.Code, w.Body, want)
		}
		e := ts.audit.Events()
		if last := e[len(e)-1]; last.ErrorCode != "ResourceAlreadyExistsException" || last.ErrorMessage != "The specified log group already exists" {
			t.Errorf("audit event = %+v", last)
		}
	})
	t.Run("validation", func(t *testing.T) {
		w := ts.do(jsonRequest("Logs_20140328.CreateLogGroup", `{"logGroupName":"a:b"}`))
		want := `{"__type":"InvalidParameterException","message":"1 validation error detected: Value 'a:b' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"}`
		if w.Code != 400 || w.Body.String() != want {
			t.Errorf("response = %d %s\nwant 400 %s", w.Code, w.Body, want)
		}
	})
	t.Run("malformed JSON", func(t *testing.T) {
		w := ts.do(jsonRequest("Logs_20140328.CreateLogGroup", `{"logGroupName":`))
		if w.Code != 400 || !strings.Contains(w.Body.String(), `"__type":"SerializationException"`) {
			t.Errorf("response = %d %s; want SerializationException", w.Code, w.Body)
		}
	})
	t.Run("not implemented", func(t *testing.T) {
		w := ts.do(jsonRequest("Logs_20140328.PutLogEvents", `{}`))
		if w.Code != 501 || !strings.Contains(w.Body.String(), "PutLogEvents of service CloudWatch Logs is not implemented") {
			t.Errorf("response = %d %s; want 501 naming the operation", w.Code, w.Body)
		}
	})
	t.Run("body too large", func(t *testing.T) {
		w := ts.do(jsonRequest("Logs_20140328.CreateLogGroup", `{"logGroupName":"`+strings.Repeat("a", 9<<20)+`"}`))
		if w.Code != 413 || !strings.Contains(w.Body.String(), "RequestEntityTooLarge") {
			t.Errorf("response = %d %.200s; want 413", w.Code, w.Body)
		}
	})
	t.Run("gzip body", func(t *testing.T) {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write([]byte(`{"logGroupNamePrefix":"zipped"}`))
		zw.Close()
		r := httptest.NewRequest("POST", "/", &buf)
		r.Header.Set("X-Amz-Target", "Logs_20140328.DescribeLogGroups")
		r.Header.Set("Content-Encoding", "gzip")
		w := ts.do(r)
		if w.Code != 200 || !strings.Contains(w.Body.String(), "/zipped") {
			t.Errorf("response = %d %s; want the decompressed input used", w.Code, w.Body)
		}
	})
	gzipped := func(b []byte) []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(b)
		zw.Close()
		return buf.Bytes()
	}
	for _, c := range []struct {
		name string
		body []byte
		code int
		want string
	}{
		{"gzip body too large once decompressed", gzipped(make([]byte, 9<<20)), 413, "RequestEntityTooLarge"},
		// The trailer's size is a buffer hint only: a lie is caught by
		// the gzip reader's check.
		{"gzip trailer lying about the size", append(bytes.Clone(gzipped([]byte(`{}`)))[:len(gzipped([]byte(`{}`)))-4], 0xff, 0xff, 0xff, 0x7f), 400, "SerializationException"},
		{"damaged gzip body", []byte{0x1f, 0x8b, 0x08, 0x00, 1, 2, 3}, 400, "SerializationException"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", bytes.NewReader(c.body))
			r.Header.Set("X-Amz-Target", "Logs_20140328.DescribeLogGroups")
			r.Header.Set("Content-Encoding", "gzip")
			w := ts.do(r)
			if w.Code != c.code || !strings.Contains(w.Body.String(), c.want) {
				t.Errorf("response = %d %.300s; want %d %s", w.Code, w.Body, c.code, c.want)
			}
		})
	}
}

func TestInternalEndpoints(t *testing.T) {
	ts := newTestServer(t, true)
	ts.do(jsonRequest("Logs_20140328.DescribeLogGroups", "{}"))
	w := ts.do(httptest.NewRequest("GET", HealthPath, nil))
	var health map[string]string
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &health) != nil || health["status"] != "ok" {
		t.Errorf("health = %d %s", w.Code, w.Body)
	}
	w = ts.do(httptest.NewRequest("GET", "/", nil))
	if w.Code != 200 || !strings.Contains(w.Body.String(), "<td>CloudWatch Logs</td><td>3 of ") || !strings.Contains(w.Body.String(), HealthPath) {
		t.Errorf("home page = %d %s; want the implemented services and the health link", w.Code, w.Body)
	}
	w = ts.do(httptest.NewRequest("GET", "/metrics", nil))
	if w.Code != 200 || !strings.Contains(w.Body.String(), `vigil_requests_total{operation="DescribeLogGroups",service="logs",status="200"} 1`) {
		t.Errorf("metrics = %d %.2000s", w.Code, w.Body)
	}
}

// BenchmarkFrontDoor measures the whole front door for a small signed
// awsJson request: body read, SigV4 verification, routing, decoding,
// validation, a trivial handler, encoding and the audit hook.
func BenchmarkFrontDoor(b *testing.B) {
	ts := newTestServer(b, false)
	body := []byte(`{"logGroupNamePrefix":"app","limit":10}`)
	r := jsonRequest("Logs_20140328.DescribeLogGroups", string(body))
	ts.sign(b, r, body, "logs", "")
	w := httptest.NewRecorder()
	ts.ServeHTTP(w, r)
	if w.Code != 200 {
		b.Fatalf("warm-up request = %d %s", w.Code, w.Body)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := r.Clone(context.Background())
		req.Body = io.NopCloser(bytes.NewReader(body))
		ts.ServeHTTP(httptest.NewRecorder(), req)
	}
}

// FuzzServeHTTP sends arbitrary bodies under each protocol's framing
// through the whole front door in dev mode: whatever arrives, the server
// answers with a well-formed status and never panics out.
func FuzzServeHTTP(f *testing.F) {
	ts := newTestServer(f, true)
	f.Add(uint8(0), []byte(`{"logGroupNamePrefix":"a","limit":5}`))
	f.Add(uint8(1), []byte(`Action=GetCallerIdentity&Version=2011-06-15`))
	f.Add(uint8(2), []byte(`{"logGroupName":"a:b","tags":{"k":"v"}}`))
	f.Add(uint8(3), []byte{0x1f, 0x8b, 0x08, 0x00})
	f.Fuzz(func(t *testing.T, mode uint8, body []byte) {
		var r *http.Request
		switch mode % 4 {
		case 0:
			r = jsonRequest("Logs_20140328.DescribeLogGroups", string(body))
		case 1:
			r = httptest.NewRequest("POST", "/", bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		case 2:
			r = jsonRequest("Logs_20140328.CreateLogGroup", string(body))
		case 3:
			r = jsonRequest("Logs_20140328.DescribeLogGroups", string(body))
			r.Header.Set("Content-Encoding", "gzip")
		}
		w := ts.do(r)
		if w.Code < 200 || w.Code > 599 {
			t.Fatalf("status %d", w.Code)
		}
	})
}
