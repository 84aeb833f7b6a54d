package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// TestBinaryLifecycle builds cmd/vigil, starts it on a fresh data
// directory, checks what it prints and serves, stops it with SIGTERM and
// starts it again on the same directory.
func TestBinaryLifecycle(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildVigil(t)
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

// buildVigil builds cmd/vigil into a temporary directory.
func buildVigil(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "vigil")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/vigil").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
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

// TestKill9DuringIngestion puts log events from several clients into a
// Vigil process, kills it with SIGKILL mid-stream, restarts it and checks
// that every event a PutLogEvents success acknowledged is there.
func TestKill9DuringIngestion(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	d := newDevBinary(t)
	proc := d.start()
	v := &vigil{endpoint: d.endpoint}
	cfg := v.devConfig("123456789012")
	ctx := context.Background()
	c := cloudwatchlogs.NewFromConfig(cfg)
	group := aws.String("durable")
	if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: group}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	acked := map[string]bool{}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 4 {
		stream := aws.String(fmt.Sprint("w", w))
		if _, err := c.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: group, LogStreamName: stream}); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := 0; ; b++ {
				select {
				case <-stop:
					return
				default:
				}
				var events []types.InputLogEvent
				for i := range 100 {
					events = append(events, types.InputLogEvent{Timestamp: aws.Int64(time.Now().UnixMilli()), Message: aws.String(fmt.Sprintf("w%d-b%d-e%d", w, b, i))})
				}
				if _, err := c.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: stream, LogEvents: events}); err != nil {
					return // the server died under us
				}
				mu.Lock()
				for _, e := range events {
					acked[*e.Message] = true
				}
				mu.Unlock()
			}
		}()
	}
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 20000 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	proc.Process.Signal(syscall.SIGKILL)
	proc.Wait()
	close(stop)
	wg.Wait()

	proc = d.start()
	defer func() { proc.Process.Signal(syscall.SIGTERM); proc.Wait() }()
	stored := map[string]bool{}
	pager := cloudwatchlogs.NewFilterLogEventsPaginator(c, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: group})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Events {
			stored[*e.Message] = true
		}
	}
	lost := 0
	for m := range acked {
		if !stored[m] {
			lost++
		}
	}
	t.Logf("%d events acknowledged before kill -9, %d stored after restart", len(acked), len(stored))
	if lost > 0 {
		t.Errorf("%d acknowledged events lost after kill -9", lost)
	}
}

// devBinary is a built vigil run --dev on a data directory and port of
// its own, which a test may kill and start again.
type devBinary struct {
	t                      *testing.T
	bin, dataDir, endpoint string
	port                   int
}

func newDevBinary(t *testing.T) *devBinary {
	port := freePort(t)
	return &devBinary{t: t, bin: buildVigil(t), dataDir: filepath.Join(t.TempDir(), "data"), port: port,
		endpoint: fmt.Sprintf("http://127.0.0.1:%d", port)}
}

// start runs the binary and waits until it is healthy.
func (d *devBinary) start() *exec.Cmd {
	cmd := exec.Command(d.bin, "--dev", "--data-dir", d.dataDir, "--listen", fmt.Sprintf("127.0.0.1:%d", d.port))
	if err := cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	waitHealthy(d.t, d.endpoint)
	return cmd
}

func waitHealthy(t *testing.T, endpoint string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(endpoint + "/_vigil/health"); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("Vigil did not become healthy")
}
