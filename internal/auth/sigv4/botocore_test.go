package sigv4

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// requireClients skips a test that needs a real AWS client on this machine,
// or fails it when VIGIL_REQUIRE_CLIENTS=1 demands the client.
func requireClients(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("VIGIL_REQUIRE_CLIENTS") == "1" {
		t.Fatalf("VIGIL_REQUIRE_CLIENTS=1 but %s", why)
	}
	t.Skip(why)
}

type botocoreCase struct {
	Name    string      `json:"name"`
	S3      bool        `json:"s3"`
	Method  string      `json:"method"`
	URL     string      `json:"url"`
	Host    string      `json:"host"`
	Headers [][2]string `json:"headers"`
	Body    string      `json:"body"`
	Payload *string     `json:"payload"`
}

// wire renders the request as botocore's HTTP client would send it.
func (c botocoreCase) wire(t *testing.T) []byte {
	t.Helper()
	u, err := url.Parse(c.URL)
	if err != nil {
		t.Fatalf("cannot parse URL %q: %v", c.URL, err)
	}
	target := u.EscapedPath()
	if u.RawPath != "" {
		target = u.RawPath
	}
	if target == "" {
		target = "/"
	}
	if u.RawQuery != "" {
		target += "?" + u.RawQuery
	}
	body, err := base64.StdEncoding.DecodeString(c.Body)
	if err != nil {
		t.Fatalf("cannot decode body: %v", err)
	}
	var b bytes.Buffer
	b.WriteString(c.Method + " " + target + " HTTP/1.1\r\nHost: " + c.Host + "\r\n")
	chunked := false
	for _, h := range c.Headers {
		switch strings.ToLower(h[0]) {
		case "transfer-encoding":
			chunked = true
			continue
		case "content-length":
			continue
		}
		b.WriteString(h[0] + ": " + h[1] + "\r\n")
	}
	if chunked {
		// botocore streams aws-chunked bodies with HTTP chunked encoding.
		b.WriteString("Transfer-Encoding: chunked\r\n\r\n")
		b.WriteString(strconv.FormatInt(int64(len(body)), 16) + "\r\n")
		b.Write(body)
		b.WriteString("\r\n0\r\n\r\n")
	} else {
		b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n")
		b.Write(body)
	}
	return b.Bytes()
}

// python returns the path of python3 if it can import module.
func python(t *testing.T, module string) string {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		requireClients(t, "python3 is not installed")
	}
	if err := exec.Command(python, "-c", "import "+module).Run(); err != nil {
		requireClients(t, module+" is not installed for python3")
	}
	return python
}

func TestVerifyBotocore(t *testing.T) {
	python := python(t, "botocore")
	out, err := exec.Command(python, "testdata/botocore_sign.py").Output()
	if err != nil {
		t.Fatalf("cannot run testdata/botocore_sign.py: %v", err)
	}
	var cases []botocoreCase
	if err := json.Unmarshal(out, &cases); err != nil {
		t.Fatalf("cannot decode botocore output: %v", err)
	}
	if len(cases) < 10 {
		t.Fatalf("got %d cases from botocore, want at least 10", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			r, body := readWire(t, c.wire(t))
			sig, err := Parse(r)
			wantKind(t, err, 0)
			opt := Options{S3: c.S3}
			wantKind(t, Verify(sig, r, body, testSecret, signTime, opt), 0)
			wantKind(t, Verify(sig, r, body, "other", signTime, opt), KindSignatureMismatch)
			if sig.Presigned {
				wantKind(t, Verify(sig, r, body, testSecret, signTime.Add(sig.Expires+1e9), opt), KindExpired)
			} else {
				wantKind(t, Verify(sig, r, body, testSecret, signTime.Add(MaxSkew+1e9), opt), KindTimeSkew)
			}
			if c.Payload == nil {
				if sig.Streaming() {
					t.Fatalf("unexpected streaming payload %q", sig.PayloadHash)
				}
				return
			}
			want, _ := base64.StdEncoding.DecodeString(*c.Payload)
			p, err := DecodeChunked(sig, r.Header, body, testSecret, opt)
			wantKind(t, err, 0)
			if !bytes.Equal(p.Data, want) {
				t.Errorf("got payload %q, want %q", p.Data, want)
			}
			if len(p.Trailers) != 1 {
				t.Errorf("got trailers %v, want one checksum", p.Trailers)
			}
			corrupt := bytes.Clone(body)
			corrupt[bytes.IndexByte(corrupt, '\n')+1] ^= 1
			_, err = DecodeChunked(sig, r.Header, corrupt, testSecret, opt)
			wantKind(t, err, KindChecksumMismatch)
		})
	}
}

// TestVerifyBoto3 lets boto3 call a TLS test server that verifies every
// request, as Vigil's front door will: over HTTPS boto3 uploads S3 objects
// as aws-chunked bodies with an unsigned checksum trailer.
func TestVerifyBoto3(t *testing.T) {
	python := python(t, "boto3")
	type result struct {
		service, op string
		err         error
		payload     []byte
		trailers    http.Header
	}
	var mu sync.Mutex
	var results []result
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		res := result{op: r.Method + " " + r.URL.Path + " " + r.Header.Get("X-Amz-Target")}
		sig, err2 := Parse(r)
		if err == nil {
			err = err2
		}
		if err == nil {
			res.service = sig.Service
			opt := Options{S3: sig.Service == "s3"}
			err = Verify(sig, r, body, testSecret, time.Now(), opt)
			if err == nil && sig.Streaming() {
				var p *Payload
				if p, err = DecodeChunked(sig, r.Header, body, testSecret, opt); err == nil {
					res.payload, res.trailers = p.Data, p.Trailers
				}
			}
		}
		res.err = err
		mu.Lock()
		results = append(results, res)
		mu.Unlock()
		switch res.service {
		case "logs":
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			io.WriteString(w, "{}")
		case "sts":
			w.Header().Set("Content-Type", "text/xml")
			io.WriteString(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
				`<Arn>arn:aws:iam::000000000000:root</Arn><UserId>000000000000</UserId><Account>000000000000</Account>`+
				`</GetCallerIdentityResult></GetCallerIdentityResponse>`)
		}
	}))
	defer srv.Close()

	ca := filepath.Join(t.TempDir(), "ca.pem")
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, cert, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "testdata/boto3_calls.py", srv.URL, ca)
	cmd.Env = append(os.Environ(), "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("boto3 failed: %v\n%s", err, out)
	}
	t.Logf("boto3 output:\n%s", out)

	mu.Lock()
	defer mu.Unlock()
	if len(results) != 7 {
		t.Fatalf("server saw %d requests, want 7: %+v", len(results), results)
	}
	chunked, sigV2 := 0, 0
	for _, res := range results {
		if KindOf(res.err) == KindUnsupportedAlgorithm && strings.Contains(res.op, "GET /bucket/") {
			sigV2++ // boto3's default S3 presigner in us-east-1
			continue
		}
		if res.err != nil {
			var e *Error
			if errors.As(res.err, &e) && e.CanonicalRequest != "" {
				t.Errorf("%s: %v\ncanonical request:\n%s", res.op, res.err, e.CanonicalRequest)
				continue
			}
			t.Errorf("%s: %v", res.op, res.err)
		}
		if res.trailers != nil {
			chunked++
			if !bytes.HasPrefix(res.payload, []byte("hello from boto3")) && string(res.payload) != "checksummed" {
				t.Errorf("%s: got payload %q", res.op, res.payload)
			}
		}
	}
	if chunked != 2 || sigV2 != 1 {
		t.Errorf("got %d aws-chunked uploads with trailers and %d SigV2 presigned URLs, want 2 and 1", chunked, sigV2)
	}
}
