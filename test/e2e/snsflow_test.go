package e2e

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/app"
)

// A flowClient makes batches of API calls, each batch the steps of a dev
// scenario, with one of the clients nobody here wrote: the steps are in
// the API's terms and each client sends them in its own protocol (SNS in
// awsQuery, SQS in JSON 1.0 from boto3 and the CLI 1.45, in awsQuery from
// the Debian CLI 2.9).
type flowClient struct {
	name string
	// need skips the test when the client is missing (fails it in CI).
	need func(t *testing.T)
	run  func(t *testing.T, v *vigil, sc scenario) []outcome
}

// flowClients are boto3, the AWS CLI 1.45 and the Debian AWS CLI 2.9.
func flowClients() []flowClient {
	return []flowClient{
		{"boto3", func(t *testing.T) { python3(t) }, func(t *testing.T, v *vigil, sc scenario) []outcome {
			text, err := json.Marshal(sc)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "steps.json")
			if err := os.WriteFile(path, text, 0o600); err != nil {
				t.Fatal(err)
			}
			return runBoto3(t, v, sc, path)
		}},
		{"awscli-1.45", func(t *testing.T) { python3(t) }, func(t *testing.T, v *vigil, sc scenario) []outcome {
			// The CLI 1.x sends SQS to queue.amazonaws.com whatever
			// AWS_ENDPOINT_URL says.
			return runCLI(t, v, sc, python3(t), "-m", "awscli", "--endpoint-url", v.endpoint)
		}},
		{"awscli-2.9-debian", awscli2, func(t *testing.T, v *vigil, sc scenario) []outcome {
			return runCLI(t, v, sc, debianAWSCLI, "--endpoint-url", v.endpoint)
		}},
	}
}

// calls makes steps with the client, as one dev scenario (signed as
// devAccount), checks each outcome against its step's error and
// expectations, and stops the test when a call failed unexpectedly.
func (c flowClient) calls(t *testing.T, v *vigil, steps ...step) []outcome {
	t.Helper()
	got := c.run(t, v, scenario{Service: "sns", Dev: true, Steps: steps})
	if len(got) != len(steps) {
		t.Fatalf("%s: %d outcomes for %d steps", c.name, len(got), len(steps))
	}
	for i, s := range steps {
		checkStep(t, s, got[i])
		if got[i].Error != s.Error {
			t.FailNow()
		}
	}
	return got
}

// api is a step calling op of service with params.
func api(service, op string, params map[string]any) step {
	return step{Name: service + " " + op, Service: service, Op: op, Params: params}
}

// expect returns the step expecting a response that includes want.
func (s step) expect(want any) step {
	s.Expect = want
	return s
}

// startTLSDev runs a --dev --tls Vigil on a still clock, sending email
// through relay, and has this process trust its authority (trustVigil):
// its links (SubscribeURL, SigningCertURL) are HTTPS.
func startTLSDev(t *testing.T, relay *smtpServer) *vigil {
	t.Helper()
	v := startWith(t, app.Config{Dev: true, TLS: true, Clock: stillClock(time.Now().UTC().Truncate(time.Second)),
		SMTPRelay: relay.ln.Addr().String()})
	v.endpoint = strings.Replace(v.endpoint, "http://", "https://", 1)
	trustVigil(t, v)
	return v
}

// trustVigil makes http.DefaultClient trust the authority of a Vigil
// serving HTTPS until the test ends, as a host where Vigil's CA is
// installed does: the helpers that follow Vigil's links or move its clock
// (snsEndpoint's SubscribeURL visits, moveClock, admin) use that client.
// Vigil itself never uses it.
func trustVigil(t *testing.T, v *vigil) {
	t.Helper()
	pem, err := os.ReadFile(v.app.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no certificate", v.app.CAFile())
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	old := http.DefaultClient.Transport
	http.DefaultClient.Transport = tr
	t.Cleanup(func() {
		http.DefaultClient.Transport = old
		tr.CloseIdleConnections()
	})
}

// sentMail is an email the relay got, read.
type sentMail struct{ To, Subject, Body string }

// takeMail returns the emails the relay got so far, and forgets them. It
// fails the test for a line longer than SMTP allows (RFC 5321 §4.5.3.1.6:
// 1,000 octets with its CRLF), which relays such as Exim refuse.
func takeMail(t *testing.T, relay *smtpServer) []sentMail {
	t.Helper()
	var out []sentMail
	for _, m := range relay.take() {
		b, err := io.ReadAll(m.Body)
		if err != nil {
			t.Fatal(err)
		}
		// The relay checks the lines' length as sent, and decodes the body.
		out = append(out, sentMail{To: m.Header.Get("To"), Subject: m.Header.Get("Subject"), Body: string(b)})
	}
	return out
}

// followLink visits a SubscribeURL or the confirmation link of an email,
// unsigned, as a subscriber does, and returns the subscription's ARN it
// answers.
func followLink(t *testing.T, link string) string {
	t.Helper()
	resp, err := http.Get(link)
	if err != nil {
		t.Fatalf("GET %s: %v", link, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var answer struct {
		SubscriptionArn string `xml:"ConfirmSubscriptionResult>SubscriptionArn"`
	}
	if resp.StatusCode != http.StatusOK || xml.Unmarshal(b, &answer) != nil || answer.SubscriptionArn == "" {
		t.Fatalf("GET %s = %d %s; want 200 and the subscription's ARN", link, resp.StatusCode, b)
	}
	return answer.SubscriptionArn
}

// verifySNS checks the signatures of SNS documents with
// testdata/sns_verify_tls.py, AWS's procedure written independently of
// Vigil, with each backend this machine has (Python's cryptography, the
// openssl command), fetching the certificate over HTTPS trusting only
// Vigil's authority. It returns each document's verdict per backend.
func verifySNS(t *testing.T, v *vigil, docs [][]byte) map[string][]verdict {
	t.Helper()
	py := python3(t)
	var backends []string
	if exec.Command(py, "-c", "import cryptography").Run() == nil {
		backends = append(backends, "cryptography")
	}
	if _, err := exec.LookPath("openssl"); err == nil {
		backends = append(backends, "openssl")
	}
	requireClient(t, "python3 with cryptography, or the openssl command", len(backends) > 0)
	dir := t.TempDir()
	var files []string
	for i, d := range docs {
		files = append(files, filepath.Join(dir, fmt.Sprintf("doc%d.json", i)))
		if err := os.WriteFile(files[i], d, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out := map[string][]verdict{}
	for _, b := range backends {
		args := append([]string{"testdata/sns_verify_tls.py", b, v.app.CAFile(), strings.TrimPrefix(v.endpoint, "https://")}, files...)
		stdout, err := exec.Command(py, args...).Output()
		var ee *exec.ExitError
		if err != nil && (!errors.As(err, &ee) || ee.ExitCode() != 1) {
			t.Fatalf("sns_verify_tls.py %s: %v\n%s%s", b, err, stdout, stderrOf(err))
		}
		dec := json.NewDecoder(bytes.NewReader(stdout))
		for i := range docs {
			var r struct {
				File string
				verdict
			}
			if err := dec.Decode(&r); err != nil || r.File != files[i] {
				t.Fatalf("sns_verify_tls.py %s answered %q (%v) for %s", b, stdout, err, files[i])
			}
			out[b] = append(out[b], r.verdict)
		}
	}
	return out
}

// verdict is whether a signature is valid, and why.
type verdict struct {
	Valid  bool
	Reason string
}

// stderrOf returns what a failed command wrote to its standard error.
func stderrOf(err error) []byte {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.Stderr
	}
	return nil
}
