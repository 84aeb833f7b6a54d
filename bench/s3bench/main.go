// Command s3bench measures S3 object throughput against any endpoint that
// speaks S3 (Vigil's bucket store, or moto's server for comparison),
// through aws-sdk-go-v2 (path-style addressing, with the SDK's default
// CRC32 checksum on every upload, as config.LoadDefaultConfig sets it).
//
//	s3bench -endpoint http://127.0.0.1:4580 -server-pid PID putget -workers 8 -d 20s
//
// putget: each worker, in a loop, puts an object of -size bytes
// (PutObject) and reads it back whole (GetObject), checking its length;
// each worker cycles over -keys keys of its own in one bucket that all
// workers share. ops/s counts the PUTs and GETs over the elapsed time;
// the latencies are those of single PUTs and GETs.
package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/vigilhq/vigil/bench/internal/benchsdk"
)

func main() {
	cfg, cmd, fs := benchsdk.Parse("s3bench [-endpoint URL] [-server-pid PID] putget [flags]")
	workers := fs.Int("workers", 8, "concurrent workers")
	duration := fs.Duration("d", 20*time.Second, "duration")
	size := fs.Int("size", 64<<10, "object size in bytes")
	keys := fs.Int("keys", 16, "keys per worker, overwritten in turn")
	bucket := fs.String("bucket", fmt.Sprintf("s3bench-%d", time.Now().UnixNano()), "bucket name (created)")
	fs.Parse(benchsdk.Args())
	if cmd != "putget" {
		log.Fatalf("unknown command %q", cmd)
	}
	cfg.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenSupported
	cfg.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenSupported
	c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	putget(context.Background(), c, *bucket, *workers, *size, *keys, *duration)
}

// latencies collects the workers' latencies of one operation.
type latencies struct {
	mu  sync.Mutex
	all []time.Duration
}

func (l *latencies) add(d []time.Duration) {
	l.mu.Lock()
	l.all = append(l.all, d...)
	l.mu.Unlock()
}

// pct returns the p-th quantile (0..1).
func (l *latencies) pct(p float64) time.Duration {
	if len(l.all) == 0 {
		return 0
	}
	slices.Sort(l.all)
	return l.all[min(len(l.all)-1, int(p*float64(len(l.all))))].Round(10 * time.Microsecond)
}

func putget(ctx context.Context, c *s3.Client, bucket string, workers, size, keys int, d time.Duration) {
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		log.Fatalf("cannot create bucket %s: %v", bucket, err)
	}
	var ops, bytesMoved atomic.Int64
	var puts, gets latencies
	deadline := time.Now().Add(d)
	start, cpu := time.Now(), benchsdk.ServerCPU()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := bytes.Repeat([]byte{byte('a' + w%26)}, size)
			buf := make([]byte, size+1)
			var myPuts, myGets []time.Duration
			for i := 0; time.Now().Before(deadline); i++ {
				key := aws.String(fmt.Sprintf("w%d/k%d", w, i%keys))
				began := time.Now()
				if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: key, Body: bytes.NewReader(body)}); err != nil {
					log.Fatalf("PutObject: %v", err)
				}
				put := time.Now()
				got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: key})
				if err != nil {
					log.Fatalf("GetObject: %v", err)
				}
				n, err := io.ReadFull(got.Body, buf)
				got.Body.Close()
				if err != io.ErrUnexpectedEOF || n != size {
					log.Fatalf("GetObject %s: read %d bytes (%v); want %d", *key, n, err, size)
				}
				done := time.Now()
				myPuts, myGets = append(myPuts, put.Sub(began)), append(myGets, done.Sub(put))
				ops.Add(2)
				bytesMoved.Add(2 * int64(size))
			}
			puts.add(myPuts)
			gets.add(myGets)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	used, cpuOK := cpu()
	n := ops.Load()
	fmt.Printf("workers %d, %d-byte objects, %d keys each, %v: %d PUTs and %d GETs (%.1f MiB/s)\n",
		workers, size, keys, elapsed.Round(time.Millisecond), n/2, n/2, float64(bytesMoved.Load())/(1<<20)/elapsed.Seconds())
	fmt.Printf("PUT latency p50 %v p99 %v; GET latency p50 %v p99 %v\n", puts.pct(0.5), puts.pct(0.99), gets.pct(0.5), gets.pct(0.99))
	if cpuOK {
		fmt.Printf("server CPU %.2f s (%.0f%% of one core; %.0f µs per operation)\n", used.Seconds(), 100*used.Seconds()/elapsed.Seconds(),
			float64(used.Microseconds())/float64(max(n, 1)))
	}
	fmt.Printf("RESULT ops/s %.0f\n", float64(n)/elapsed.Seconds())
}
