package server

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/api/logs"
)

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// TestGzipQuery is the CloudWatch agent's PutMetricData: an awsQuery form
// whose Action is inside a gzip body, signed over the compressed bytes.
func TestGzipQuery(t *testing.T) {
	ts := newTestServer(t, false)
	body := gzipBytes([]byte("Action=GetCallerIdentity&Version=2011-06-15"))
	r := httptest.NewRequest("POST", "http://vigil.test/", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	r.Header.Set("Content-Encoding", "gzip")
	ts.sign(t, r, body, "sts", "")
	w := ts.do(r)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "<Account>"+ts.creds.AccountID+"</Account>") {
		t.Fatalf("response = %d %s; want the caller identity", w.Code, w.Body)
	}
}

// unreadable is a body that fails the test when read.
type unreadable struct{ t *testing.T }

func (u unreadable) Read([]byte) (int, error) {
	u.t.Error("the body was read")
	return 0, io.EOF
}

func TestRefusedBeforeTheBodyIsRead(t *testing.T) {
	ts := newTestServer(t, false)
	t.Run("claim over the service's limit", func(t *testing.T) {
		r := jsonRequest("Logs_20140328.DescribeLogGroups", "")
		r.Body, r.ContentLength = io.NopCloser(unreadable{t}), 9<<20
		w := ts.do(r)
		if w.Code != 413 || !strings.Contains(w.Body.String(), "limit of 8388608 bytes for CloudWatch Logs") {
			t.Errorf("response = %d %s; want 413 naming the Logs limit", w.Code, w.Body)
		}
	})
	t.Run("unknown access key", func(t *testing.T) {
		r := jsonRequest("Logs_20140328.DescribeLogGroups", "{}")
		ts.sign(t, r, []byte("{}"), "logs", "")
		r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), ts.creds.AccessKeyID, "AKIAIOSFODNN7EXAMPLE", 1))
		r.Body = io.NopCloser(unreadable{t})
		w := ts.do(r)
		if w.Code != 400 || !strings.Contains(w.Body.String(), "UnrecognizedClientException") {
			t.Errorf("response = %d %s; want UnrecognizedClientException", w.Code, w.Body)
		}
	})
	t.Run("unknown operation", func(t *testing.T) {
		r := jsonRequest("Logs_20140328.NoSuchOperation", "{}")
		r.Body = io.NopCloser(unreadable{t})
		w := ts.do(r)
		if w.Code != 400 || !strings.Contains(w.Body.String(), "UnknownOperationException") {
			t.Errorf("response = %d %s; want UnknownOperationException", w.Code, w.Body)
		}
	})
}

// TestPreAuthBudget: bodies not yet authenticated share a bounded budget;
// past it, a throttling error instead of more memory.
func TestPreAuthBudget(t *testing.T) {
	ts := newTestServer(t, false)
	ts.opt.PreAuthBytes = 100 << 10
	ts.budget.limit = ts.opt.PreAuthBytes
	body := `{"logGroupNamePrefix":"` + strings.Repeat("a", 200<<10) + `"}`
	r := jsonRequest("Logs_20140328.DescribeLogGroups", body)
	ts.sign(t, r, []byte(body), "logs", "")
	if w := ts.do(r); w.Code != 400 || !strings.Contains(w.Body.String(), `"__type":"ThrottlingException"`) {
		t.Errorf("response = %d %.300s; want ThrottlingException", w.Code, w.Body)
	}
	if used := ts.budget.used.Load(); used != 0 {
		t.Errorf("budget in use after the request = %d, want 0", used)
	}
	small := `{"logGroupNamePrefix":"app"}`
	r = jsonRequest("Logs_20140328.DescribeLogGroups", small)
	ts.sign(t, r, []byte(small), "logs", "")
	if w := ts.do(r); w.Code != 200 {
		t.Errorf("small request after the throttled one = %d %s", w.Code, w.Body)
	}
	// The decompressed form of a gzip query counts too.
	zipped := gzipBytes([]byte("Action=GetCallerIdentity&Version=2011-06-15&Padding=" + strings.Repeat("a", 300<<10)))
	r = httptest.NewRequest("POST", "http://vigil.test/", bytes.NewReader(zipped))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Content-Encoding", "gzip")
	ts.sign(t, r, zipped, "sts", "")
	if w := ts.do(r); w.Code != 400 || !strings.Contains(w.Body.String(), "<Code>Throttling</Code>") {
		t.Errorf("response = %d %.300s; want Throttling", w.Code, w.Body)
	}
}

// TestSlowBody: a body that does not arrive in time is answered and its
// connection closed.
func TestSlowBody(t *testing.T) {
	ts := newTestServer(t, true)
	ts.opt.BodyTimeout = 200 * time.Millisecond
	srv := httptest.NewServer(ts)
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	io.WriteString(conn, "POST / HTTP/1.1\r\nHost: vigil.test\r\nX-Amz-Target: Logs_20140328.DescribeLogGroups\r\n"+
		"Content-Type: application/x-amz-json-1.1\r\nContent-Length: 1000\r\n\r\n{\"logGroup")
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 408 || !strings.Contains(string(b), "RequestTimeout") || !res.Close {
		t.Errorf("response = %d close=%v %s; want 408 RequestTimeout and the connection closed", res.StatusCode, res.Close, b)
	}
}

// failingLogs fails DescribeLogStreams with a plain error.
type failingLogs struct{ fakeLogs }

func (failingLogs) DescribeLogStreams(context.Context, *logs.DescribeLogStreamsRequest) (*logs.DescribeLogStreamsResponse, error) {
	return nil, errors.New("disk on fire")
}

// TestUnexpectedErrorsAreLogged: an error the client sees as
// InternalFailure is logged once at ERROR with its cause and where it
// happened; refused credentials are not errors of the server.
func TestUnexpectedErrorsAreLogged(t *testing.T) {
	ts := newTestServer(t, false)
	var logBuf bytes.Buffer
	ts.opt.Logger = slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ts.opt.Router.Register(logs.Model, logs.Handlers(failingLogs{}))

	body := `{"logGroupName":"g"}`
	r := jsonRequest("Logs_20140328.DescribeLogStreams", body)
	ts.sign(t, r, []byte(body), "logs", "")
	w := ts.do(r)
	if w.Code != 500 || strings.Contains(w.Body.String(), "disk on fire") {
		t.Fatalf("response = %d %s; want InternalFailure hiding the cause", w.Code, w.Body)
	}
	id := w.Header().Get("X-Amzn-Requestid")
	lines := strings.Split(strings.TrimSpace(logBuf.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("log = %q; want one line", lines)
	}
	for _, want := range []string{"level=ERROR", "request_id=" + id, "service=logs", "operation=DescribeLogStreams", `error="disk on fire"`} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("log line %q lacks %s", lines[0], want)
		}
	}

	logBuf.Reset()
	r = jsonRequest("Logs_20140328.DescribeLogGroups", "{}")
	ts.sign(t, r, []byte("{}"), "logs", "wrong secret")
	if w := ts.do(r); w.Code != 400 {
		t.Fatalf("badly signed request = %d %s", w.Code, w.Body)
	}
	if logBuf.Len() != 0 {
		t.Errorf("a refused signature logged %q at info or above", logBuf.String())
	}
}
