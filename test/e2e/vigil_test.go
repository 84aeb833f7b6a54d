// Package e2e drives a Vigil started in-process with real AWS clients: the
// Go SDK (aws-sdk-go-v2), boto3 and the AWS CLI v1 from the machine's
// python3, and the Debian AWS CLI v2.9. A test whose client is missing is
// skipped, unless VIGIL_REQUIRE_CLIENTS=1 (set by CI) makes it fail.
package e2e

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/app"
)

// vigil is a running server.
type vigil struct {
	app      *app.App
	endpoint string
}

// start runs a Vigil on a fresh data directory until the test ends.
func start(t *testing.T, dev bool) *vigil {
	t.Helper()
	return startWith(t, app.Config{Dev: dev})
}

// startWith runs a Vigil configured by cfg, on a fresh data directory,
// until the test ends.
func startWith(t *testing.T, cfg app.Config) *vigil {
	t.Helper()
	cfg.DataDir, cfg.Listen, cfg.Version = t.TempDir(), "127.0.0.1:0", "e2e"
	a, err := app.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return &vigil{app: a, endpoint: "http://" + ln.Addr().String()}
}

// env returns the environment a user exports to point clients at v, as
// the vigil command prints it, on top of a clean process environment.
func (v *vigil) env() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	for _, line := range v.app.Exports(v.endpoint) {
		env = append(env, strings.TrimPrefix(line, "export "))
	}
	return append(env, "AWS_CONFIG_FILE=/dev/null", "AWS_RETRY_MODE=standard", "AWS_MAX_ATTEMPTS=1", "AWS_PAGER=")
}

// requireClient skips the test when a client is missing, or fails it in CI.
func requireClient(t *testing.T, what string, ok bool) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("VIGIL_REQUIRE_CLIENTS") == "1" {
		t.Fatalf("%s is required (VIGIL_REQUIRE_CLIENTS=1) but missing", what)
	}
	t.Skipf("%s is missing", what)
}

// python3 returns the python3 that carries boto3 and awscli v1.
func python3(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("python3")
	ok := err == nil && exec.Command(path, "-c", "import boto3, awscli").Run() == nil
	requireClient(t, "python3 with boto3 and awscli", ok)
	return path
}
