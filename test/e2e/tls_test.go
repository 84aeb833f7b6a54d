package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/vigilhq/vigil/internal/app"
)

// TestHTTPS: with -tls, Vigil serves HTTPS with a certificate from its own
// authority, whose file the exports name as AWS_CA_BUNDLE; the Go SDK
// trusting it, boto3's CLI and the Debian CLI reading AWS_CA_BUNDLE all
// reach it, and a client that does not trust it is refused.
func TestHTTPS(t *testing.T) {
	v := startWith(t, app.Config{TLS: true})
	v.endpoint = strings.Replace(v.endpoint, "http://", "https://", 1)
	ca := v.app.CAFile()
	if ca == "" || !slices.Contains(v.app.Exports(v.endpoint), "export AWS_CA_BUNDLE="+ca) {
		t.Fatalf("exports %q do not name the CA %q", v.app.Exports(v.endpoint), ca)
	}
	caPEM, err := os.ReadFile(ca)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)

	cfg := v.goConfig("", false)
	cfg.HTTPClient = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil || *out.Account != v.app.Root().AccountID {
		t.Fatalf("GetCallerIdentity over HTTPS: %v, %v", out, err)
	}
	cfg.HTTPClient = &http.Client{}
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err == nil {
		t.Error("a client that does not trust Vigil's authority got through")
	}

	for _, c := range []struct {
		name string
		cmd  func() *exec.Cmd
	}{
		{"awscli-1.45", func() *exec.Cmd { return exec.Command(python3(t), "-m", "awscli", "sts", "get-caller-identity") }},
		{"awscli-2.9-debian", func() *exec.Cmd {
			awscli2(t)
			return exec.Command(debianAWSCLI, "--endpoint-url", v.endpoint, "sts", "get-caller-identity")
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := c.cmd()
			cmd.Env = v.env()
			b, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(b), v.app.Root().AccountID) {
				t.Errorf("get-caller-identity over HTTPS: %v\n%s", err, b)
			}
		})
	}
}
