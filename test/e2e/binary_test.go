package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBinaryLifecycle builds cmd/vigil, starts it on a fresh data
// directory, checks what it prints and serves, stops it with SIGTERM and
// starts it again on the same directory.
func TestBinaryLifecycle(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "vigil")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/vigil").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dataDir := filepath.Join(t.TempDir(), "data")
	port := freePort(t)

	out1 := runUntilHealthy(t, bin, dataDir, port)
	for _, want := range []string{"Created root account", "export AWS_PROFILE=vigil", "export AWS_SHARED_CREDENTIALS_FILE=" + dataDir + "/credentials",
		fmt.Sprintf("export AWS_ENDPOINT_URL=http://127.0.0.1:%d", port), "export AWS_REGION=us-east-1"} {
		if !strings.Contains(out1, want) {
			t.Errorf("first start output lacks %q:\n%s", want, out1)
		}
	}
	creds, err := os.ReadFile(filepath.Join(dataDir, "credentials"))
	if err != nil || !strings.Contains(string(creds), "[vigil]\naws_access_key_id = AKIA") {
		t.Errorf("credentials file = %q, %v", creds, err)
	}
	if fi, err := os.Stat(filepath.Join(dataDir, "credentials")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("credentials file mode = %v, %v; want 0600", fi.Mode(), err)
	}

	out2 := runUntilHealthy(t, bin, dataDir, port)
	if strings.Contains(out2, "Created root account") || !strings.Contains(out2, "export AWS_PROFILE=vigil") {
		t.Errorf("second start output:\n%s\nwant the same account reused and the exports printed", out2)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// runUntilHealthy starts the binary, waits for its health check, stops it
// with SIGTERM and returns what it printed; it fails the test unless the
// process exits 0.
func runUntilHealthy(t *testing.T, bin, dataDir string, port int) string {
	t.Helper()
	cmd := exec.Command(bin, "--data-dir", dataDir, "--listen", fmt.Sprintf("127.0.0.1:%d", port))
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var output strings.Builder
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	url := fmt.Sprintf("http://127.0.0.1:%d/_vigil/health", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if resp, err := http.Get(url); err == nil {
			var h struct {
				Status   string
				Services map[string]struct{ Implemented, Total int }
			}
			err := json.NewDecoder(resp.Body).Decode(&h)
			resp.Body.Close()
			if err != nil || h.Status != "ok" || h.Services["sts"].Implemented < 1 || h.Services["logs"].Total < 100 {
				t.Errorf("health = %+v, %v", h, err)
			}
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("Vigil did not become healthy")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	for line := range lines {
		output.WriteString(line + "\n")
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("vigil exited with %v after SIGTERM:\n%s", err, output.String())
	}
	return output.String()
}
