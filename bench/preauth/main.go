// Command preauth measures what requests that never authenticate cost a
// server: it opens many connections that each send the headers of a large
// upload (an S3 PutObject claiming 64 MiB, the largest body Vigil
// accepts) and a little of the body, then hold; it reports the server's
// resident memory before and at its peak, and how the connections were
// answered.
//
//	preauth -endpoint http://127.0.0.1:4580 -server-pid PID -conns 200
//	preauth … -access-key AKIA…   (signed with a real key id and a wrong
//	                                 signature: the worst case, since the
//	                                 server must read the body to check it)
//
// In --dev mode every request is accepted unsigned, so its body is read
// until the server's body deadline.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	endpoint := flag.String("endpoint", "http://127.0.0.1:4580", "server to measure")
	pid := flag.Int("server-pid", 0, "process id of the server, for its resident memory (/proc)")
	conns := flag.Int("conns", 200, "connections held at once")
	claim := flag.Int64("claim", 64<<20, "Content-Length each request claims")
	send := flag.Int("send", 1<<10, "body bytes each connection sends before it holds")
	hold := flag.Duration("hold", 10*time.Second, "how long connections are held")
	accessKey := flag.String("access-key", "", "sign with this access key id and a wrong signature (default: unsigned)")
	flag.Parse()
	if *pid == 0 {
		log.Fatal("-server-pid is required")
	}
	u, err := url.Parse(*endpoint)
	if err != nil {
		log.Fatal(err)
	}

	idle := rss(*pid)
	var peak int64
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, rss(*pid))
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()

	var mu sync.Mutex
	answers := map[string]int{}
	var wg sync.WaitGroup
	for i := range *conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := hold1(u.Host, i, *claim, *send, *hold, *accessKey)
			mu.Lock()
			answers[a]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(stop)
	sampler.Wait()
	fmt.Printf("connections %d, claim %d B, sent %d B each, held %s\n", *conns, *claim, *send, *hold)
	fmt.Printf("server RSS idle %.1f MB, peak %.1f MB, growth %.1f MB\n", mb(idle), mb(peak), mb(peak-idle))
	for a, n := range answers {
		fmt.Printf("  %4d × %s\n", n, a)
	}
}

// hold1 sends one request's headers and the start of its body, waits for
// an answer until hold has passed, and returns what it got.
func hold1(host string, i int, claim int64, send int, hold time.Duration, accessKey string) string {
	c, err := net.Dial("tcp", host)
	if err != nil {
		return "dial error: " + err.Error()
	}
	defer c.Close()
	var h strings.Builder
	fmt.Fprintf(&h, "PUT /bucket/object-%d HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", i, host, claim)
	if accessKey != "" {
		date := time.Now().UTC()
		fmt.Fprintf(&h, "X-Amz-Date: %s\r\nX-Amz-Content-Sha256: %s\r\n", date.Format("20060102T150405Z"), strings.Repeat("0", 64))
		fmt.Fprintf(&h, "Authorization: AWS4-HMAC-SHA256 Credential=%s/%s/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=%s\r\n",
			accessKey, date.Format("20060102"), strings.Repeat("0", 64))
	}
	h.WriteString("\r\n")
	if _, err := io.WriteString(c, h.String()); err != nil {
		return "write error"
	}
	if _, err := c.Write(make([]byte, send)); err != nil {
		return "write error"
	}
	c.SetReadDeadline(time.Now().Add(hold))
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			return "held without an answer"
		}
		return "closed without an answer"
	}
	res.Body.Close()
	return "answered " + strconv.Itoa(res.StatusCode)
}

func rss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		log.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }
