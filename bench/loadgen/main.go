// Command loadgen replays one signed AWS request against a Vigil from many
// keep-alive connections and reports throughput and latency. SigV4 allows
// replaying a signed request for 15 minutes, so the signature is computed
// once and the load generator spends its CPU on HTTP alone.
//
//	go run ./bench/loadgen -endpoint http://127.0.0.1:4580 -credentials vigil-data/credentials -op sts
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

func main() {
	endpoint := flag.String("endpoint", "http://127.0.0.1:4580", "Vigil endpoint")
	credsFile := flag.String("credentials", "vigil-data/credentials", "shared-credentials file Vigil wrote")
	op := flag.String("op", "sts", "request to replay: sts (GetCallerIdentity, awsQuery) or logs (DescribeLogGroups, awsJson1.1)")
	conns := flag.Int("c", 16, "concurrent connections")
	duration := flag.Duration("d", 10*time.Second, "duration of the run")
	flag.Parse()

	akid, secret, err := readCredentials(*credsFile)
	if err != nil {
		log.Fatal(err)
	}
	method, body, headers, service := requestFor(*op)
	sum := sha256.Sum256(body)
	req, _ := http.NewRequest(method, *endpoint+"/", bytes.NewReader(body))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret},
		req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now())
	if err != nil {
		log.Fatal(err)
	}

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns}}
	var ok, failed atomic.Int64
	var mu sync.Mutex
	var latencies []time.Duration
	deadline := time.Now().Add(*duration)
	var wg sync.WaitGroup
	for range *conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []time.Duration
			for time.Now().Before(deadline) {
				r := req.Clone(context.Background())
				r.Body = io.NopCloser(bytes.NewReader(body))
				t0 := time.Now()
				resp, err := client.Do(r)
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				local = append(local, time.Since(t0))
				if resp.StatusCode == http.StatusOK {
					ok.Add(1)
				} else {
					failed.Add(1)
				}
			}
			mu.Lock()
			latencies = append(latencies, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[int(p*float64(len(latencies)-1))]
	}
	fmt.Printf("op=%s connections=%d duration=%s ok=%d failed=%d rate=%.0f req/s p50=%s p99=%s\n",
		*op, *conns, *duration, ok.Load(), failed.Load(), float64(ok.Load())/duration.Seconds(), pct(0.5), pct(0.99))
	if failed.Load() > 0 {
		os.Exit(1)
	}
}

func requestFor(op string) (method string, body []byte, headers map[string]string, service string) {
	switch op {
	case "sts":
		return "POST", []byte("Action=GetCallerIdentity&Version=2011-06-15"),
			map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, "sts"
	case "logs":
		return "POST", []byte(`{"logGroupNamePrefix":"app","limit":10}`),
			map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Logs_20140328.DescribeLogGroups"}, "logs"
	}
	log.Fatalf("unknown -op %q", op)
	return
}

// readCredentials reads the [vigil] profile of a shared-credentials file.
func readCredentials(path string) (string, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	var akid, secret string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "aws_access_key_id":
			akid = strings.TrimSpace(v)
		case "aws_secret_access_key":
			secret = strings.TrimSpace(v)
		}
	}
	if akid == "" || secret == "" {
		return "", "", fmt.Errorf("no credentials in %s", path)
	}
	return akid, secret, sc.Err()
}
