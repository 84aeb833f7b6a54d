// Command s3mem checks that the bucket store streams: it uploads an
// object of -size bytes in parts of -part bytes (a multipart upload by
// hand, through aws-sdk-go-v2, the bytes generated as they are sent),
// reads it back whole, checking every byte, and reports the server's
// peak resident memory (VmHWM of -server-pid, Linux).
//
//	s3mem -endpoint http://127.0.0.1:4597 -server-pid PID run -size 5GiB -part 512MiB
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/vigilhq/vigil/bench/internal/benchsdk"
)

func main() {
	cfg, cmd, fs := benchsdk.Parse("s3mem [-endpoint URL] [-server-pid PID] run [flags]")
	size := fs.Int64("size", 5<<30, "object size in bytes")
	part := fs.Int64("part", 512<<20, "part size in bytes")
	get := fs.Int64("get", 1<<30, "bytes to GET (a range from the start; the whole object when larger)")
	fs.Parse(benchsdk.Args())
	if cmd != "run" {
		log.Fatalf("unknown command %q", cmd)
	}
	c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	ctx := context.Background()
	bucket, key := aws.String(fmt.Sprintf("s3mem-%d", time.Now().UnixNano())), aws.String("big")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		log.Fatal(err)
	}
	began := time.Now()
	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: key})
	if err != nil {
		log.Fatal(err)
	}
	var parts []types.CompletedPart
	for n, off := int32(1), int64(0); off < *size; n, off = n+1, off+*part {
		l := min(*part, *size-off)
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: key, UploadId: mp.UploadId, PartNumber: aws.Int32(n),
			Body: &pattern{off: off, start: off, end: off + l}, ContentLength: aws.Int64(l)})
		if err != nil {
			log.Fatalf("UploadPart %d: %v", n, err)
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(n), ETag: out.ETag})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: key, UploadId: mp.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		log.Fatal(err)
	}
	uploaded := time.Since(began)
	fmt.Printf("uploaded %d bytes in %d parts in %v; server peak RSS %s\n", *size, len(parts), uploaded.Round(time.Millisecond), peakRSS())
	began = time.Now()
	in := &s3.GetObjectInput{Bucket: bucket, Key: key}
	n := min(*get, *size)
	if n < *size {
		in.Range = aws.String(fmt.Sprintf("bytes=0-%d", n-1))
	}
	got, err := c.GetObject(ctx, in)
	if err != nil {
		log.Fatal(err)
	}
	want := &pattern{end: n}
	a, b := make([]byte, 1<<20), make([]byte, 1<<20)
	var read int64
	for {
		k, err := io.ReadFull(got.Body, a)
		if k > 0 {
			io.ReadFull(want, b[:k])
			if !bytes.Equal(a[:k], b[:k]) {
				log.Fatalf("GetObject: bytes differ in the MiB at %d", read)
			}
			read += int64(k)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
	}
	got.Body.Close()
	if read != n {
		log.Fatalf("GetObject read %d bytes; want %d", read, n)
	}
	fmt.Printf("read back %d bytes in %v; server peak RSS %s\n", read, time.Since(began).Round(time.Millisecond), peakRSS())
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: key}); err != nil {
		log.Fatal(err)
	}
}

// pattern is a seekable reader of the bytes [start, end) of an endless
// deterministic sequence, generated as read.
type pattern struct{ off, start, end int64 }

func (p *pattern) Read(b []byte) (int, error) {
	if p.off >= p.end {
		return 0, io.EOF
	}
	n := int(min(int64(len(b)), p.end-p.off))
	for i := range n {
		o := p.off + int64(i)
		b[i] = byte(o ^ o>>8 ^ o>>16)
	}
	p.off += int64(n)
	return n, nil
}

func (p *pattern) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
		p.off = p.start + off
	case io.SeekCurrent:
		p.off += off
	case io.SeekEnd:
		p.off = p.end + off
	}
	return p.off - p.start, nil
}

// peakRSS is -server-pid's VmHWM.
func peakRSS() string {
	pid := benchsdk.ServerPID()
	if pid == 0 {
		return "?"
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}
