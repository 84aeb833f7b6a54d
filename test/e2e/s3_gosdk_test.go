package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/vigilhq/vigil/internal/app"
)

// corrupter is an HTTP transport that, when armed, flips one byte of
// the next request body in flight, so that only the body's checksum
// (an aws-chunked trailer, which unsigned chunks carry) can catch it.
type corrupter struct {
	next  http.RoundTripper
	armed atomic.Bool
}

func (c *corrupter) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && c.armed.CompareAndSwap(true, false) {
		req.Body = &flipReader{r: req.Body}
	}
	return c.next.RoundTrip(req)
}

// flipReader turns the first 'h' it reads into a 'j'.
type flipReader struct {
	r    io.ReadCloser
	done bool
}

func (f *flipReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if !f.done {
		if i := bytes.IndexByte(p[:n], 'h'); i >= 0 {
			p[i], f.done = 'j', true
		}
	}
	return n, err
}

func (f *flipReader) Close() error { return f.r.Close() }

// s3GoClient is an SDK client of the bucket store and the HTTP client
// it sends through (for presigned URLs).
type s3GoClient struct {
	*s3.Client
	http    *http.Client
	corrupt *corrupter
	https   bool
}

// s3GoClients returns a client of a Vigil started for it: path-style
// over HTTPS (where the SDK sends its checksums as aws-chunked
// trailers), or virtual-hosted (BUCKET.localhost) over HTTP, where it
// sends them as headers.
func s3GoClients(t *testing.T, https bool) *s3GoClient {
	t.Helper()
	v := startWith(t, app.Config{TLS: https})
	tr := &http.Transport{}
	if https {
		v.endpoint = strings.Replace(v.endpoint, "http://", "https://", 1)
		pem, err := os.ReadFile(v.app.CAFile())
		if err != nil {
			t.Fatal(err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	} else {
		// BUCKET.localhost resolves nowhere here: dial the server for it.
		addr := strings.TrimPrefix(v.endpoint, "http://")
		_, port, _ := net.SplitHostPort(addr)
		v.endpoint = "http://localhost:" + port
		tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}
	}
	c := &corrupter{next: tr}
	cfg := v.goConfig("", false)
	cfg.HTTPClient = &http.Client{Transport: c}
	// config.LoadDefaultConfig's defaults: a CRC32 on every upload.
	cfg.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenSupported
	cfg.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenSupported
	cl := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = https })
	return &s3GoClient{Client: cl, http: &http.Client{Transport: tr}, corrupt: c, https: https}
}

// TestS3GoSDK drives the bucket store with aws-sdk-go-v2, path-style
// over HTTPS and virtual-hosted over HTTP.
func TestS3GoSDK(t *testing.T) {
	for _, https := range []bool{true, false} {
		name := map[bool]string{true: "path-style-https", false: "virtual-hosted-http"}[https]
		t.Run(name, func(t *testing.T) { s3GoScenario(t, s3GoClients(t, https)) })
	}
}

// is asserts err is of type E.
func is[E error](t *testing.T, what string, err error) {
	t.Helper()
	var e E
	if !errors.As(err, &e) {
		t.Errorf("%s: error = %v; want %T", what, err, e)
	}
}

func crc32b64(data []byte) string {
	var b [4]byte
	sum := crc32.ChecksumIEEE(data)
	b[0], b[1], b[2], b[3] = byte(sum>>24), byte(sum>>16), byte(sum>>8), byte(sum)
	return base64.StdEncoding.EncodeToString(b[:])
}

func s3GoScenario(t *testing.T, c *s3GoClient) {
	ctx := context.Background()
	const bucket = "gosdk-bucket"
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	must("CreateBucket", err)
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	must("HeadBucket", err)
	lb, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	must("ListBuckets", err)
	if len(lb.Buckets) != 1 || aws.ToString(lb.Buckets[0].Name) != bucket {
		t.Errorf("ListBuckets = %+v", lb.Buckets)
	}
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("no-such-bucket")})
	is[*types.NotFound](t, "HeadBucket of a missing bucket", err)
	// GetObject's model names no NoSuchBucket: the SDK yields the code.
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("no-such-bucket"), Key: aws.String("k")})
	apiError(t, err, "NoSuchBucket", 404, "does not exist")
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("no-such-bucket")})
	is[*types.NoSuchBucket](t, "ListObjectsV2 of a missing bucket", err)

	// Put and get, with metadata, a checksum (the SDK's default CRC32 and
	// CRC64NVME asked for) and ranges.
	body := []byte("hello world")
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("dir/a.txt"), Body: bytes.NewReader(body),
		ContentType: aws.String("text/plain"), Metadata: map[string]string{"color": "blue"}})
	must("PutObject", err)
	if aws.ToString(put.ETag) != `"5eb63bbbe01eeed093cb22bb8f5acdc3"` || aws.ToString(put.ChecksumCRC32) != crc32b64(body) {
		t.Errorf("PutObject = ETag %s CRC32 %s; want CRC32 %s", aws.ToString(put.ETag), aws.ToString(put.ChecksumCRC32), crc32b64(body))
	}
	put, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("crc64"), Body: bytes.NewReader(body),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc64nvme})
	must("PutObject CRC64NVME", err)
	if put.ChecksumCRC64NVME == nil {
		t.Error("PutObject with CRC64NVME answered no x-amz-checksum-crc64nvme")
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("bad"), Body: bytes.NewReader(body),
		ChecksumCRC32: aws.String(crc32b64([]byte("other")))})
	if err == nil || !strings.Contains(err.Error(), "BadDigest") {
		t.Errorf("PutObject with a wrong CRC32 header: %v; want BadDigest", err)
	}
	// A byte changed in flight: the checksum (a trailer over HTTPS, a
	// header computed before sending over HTTP) no longer matches.
	c.corrupt.armed.Store(true)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("bad"), Body: bytes.NewReader(body)})
	if err == nil || !strings.Contains(err.Error(), "BadDigest") && !strings.Contains(err.Error(), "XAmzContentSHA256Mismatch") {
		t.Errorf("PutObject corrupted in flight: %v; want BadDigest (or, signed payload, XAmzContentSHA256Mismatch)", err)
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("bad")})
	is[*types.NotFound](t, "HeadObject of a refused upload", err)

	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("dir/a.txt")})
	must("GetObject", err)
	data, _ := io.ReadAll(got.Body)
	if string(data) != "hello world" || got.Metadata["color"] != "blue" || aws.ToString(got.ContentType) != "text/plain" {
		t.Errorf("GetObject = %q %v %s", data, got.Metadata, aws.ToString(got.ContentType))
	}
	for rng, want := range map[string]string{"bytes=6-": "world", "bytes=0-4": "hello", "bytes=-3": "rld"} {
		got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("dir/a.txt"), Range: aws.String(rng)})
		must("GetObject "+rng, err)
		data, _ := io.ReadAll(got.Body)
		if string(data) != want || !strings.HasSuffix(aws.ToString(got.ContentRange), "/11") {
			t.Errorf("GetObject %s = %q %s; want %q", rng, data, aws.ToString(got.ContentRange), want)
		}
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("dir/a.txt")})
	must("HeadObject", err)
	if aws.ToInt64(head.ContentLength) != 11 || head.Metadata["color"] != "blue" {
		t.Errorf("HeadObject = %d %v", aws.ToInt64(head.ContentLength), head.Metadata)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("missing")})
	is[*types.NoSuchKey](t, "GetObject of a missing key", err)
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("missing")})
	is[*types.NotFound](t, "HeadObject of a missing key", err)

	// ListObjectsV2, three keys a page.
	var keys []string
	for i := range 7 {
		k := fmt.Sprintf("page/%02d", i)
		keys = append(keys, k)
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: strings.NewReader(k)})
		must("PutObject "+k, err)
	}
	var listed []string
	pages := 0
	for p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("page/"), MaxKeys: aws.Int32(3)}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		must("ListObjectsV2", err)
		pages++
		for _, o := range out.Contents {
			listed = append(listed, aws.ToString(o.Key))
		}
	}
	if pages != 3 || !slices.Equal(listed, keys) {
		t.Errorf("ListObjectsV2 paged %d pages %v; want 3 pages %v", pages, listed, keys)
	}
	delim, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Delimiter: aws.String("/")})
	must("ListObjectsV2 with a delimiter", err)
	if len(delim.CommonPrefixes) != 2 || aws.ToString(delim.CommonPrefixes[0].Prefix) != "dir/" || len(delim.Contents) != 1 {
		t.Errorf("ListObjectsV2 Delimiter=/ = %d prefixes, %d objects", len(delim.CommonPrefixes), len(delim.Contents))
	}

	s3GoMultipart(t, c, bucket)

	// A presigned GET, through the same addressing.
	ps, err := s3.NewPresignClient(c.Client).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("dir/a.txt")})
	must("PresignGetObject", err)
	resp, err := c.http.Get(ps.URL)
	must("presigned GET", err)
	data, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(data) != "hello world" {
		t.Errorf("presigned GET %s = %d %q", ps.URL, resp.StatusCode, data)
	}

	// Versioning: a second version, a delete marker, the old version by id.
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	must("PutBucketVersioning", err)
	v2, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("dir/a.txt"), Body: strings.NewReader("v2")})
	must("PutObject v2", err)
	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("dir/a.txt")})
	must("DeleteObject", err)
	if !aws.ToBool(del.DeleteMarker) || del.VersionId == nil {
		t.Errorf("DeleteObject in a versioned bucket = marker %v version %v", aws.ToBool(del.DeleteMarker), aws.ToString(del.VersionId))
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("dir/a.txt")})
	is[*types.NoSuchKey](t, "GetObject behind a delete marker", err)
	old, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("dir/a.txt"), VersionId: v2.VersionId})
	must("GetObject by version", err)
	if data, _ := io.ReadAll(old.Body); string(data) != "v2" {
		t.Errorf("GetObject version %s = %q", aws.ToString(v2.VersionId), data)
	}
	vers, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String("dir/")})
	must("ListObjectVersions", err)
	if len(vers.Versions) != 2 || len(vers.DeleteMarkers) != 1 {
		t.Errorf("ListObjectVersions = %d versions, %d markers; want 2, 1", len(vers.Versions), len(vers.DeleteMarkers))
	}

	// Empty the bucket, version by version, and delete it.
	all, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
	must("ListObjectVersions", err)
	var ids []types.ObjectIdentifier
	for _, o := range all.Versions {
		ids = append(ids, types.ObjectIdentifier{Key: o.Key, VersionId: o.VersionId})
	}
	for _, o := range all.DeleteMarkers {
		ids = append(ids, types.ObjectIdentifier{Key: o.Key, VersionId: o.VersionId})
	}
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
	if err == nil || !strings.Contains(err.Error(), "BucketNotEmpty") {
		t.Errorf("DeleteBucket of a full bucket: %v; want BucketNotEmpty", err)
	}
	dd, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: ids}})
	must("DeleteObjects", err)
	if len(dd.Errors) > 0 {
		t.Errorf("DeleteObjects errors: %+v", dd.Errors)
	}
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
	must("DeleteBucket", err)
}

// s3GoMultipart uploads an object in two parts by hand, each with a
// CRC32 checksum (trailers over HTTPS), and reads it back.
func s3GoMultipart(t *testing.T, c *s3GoClient, bucket string) {
	t.Helper()
	ctx := context.Background()
	key := aws.String("multi/big.bin")
	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: key,
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32, Metadata: map[string]string{"kind": "multi"}})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	part1 := make([]byte, 5<<20)
	for i := range part1 {
		part1[i] = byte(i * 31)
	}
	part2 := []byte("the tail")
	var done []types.CompletedPart
	for i, p := range [][]byte{part1, part2} {
		n := aws.Int32(int32(i + 1))
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: key, UploadId: mp.UploadId, PartNumber: n,
			Body: bytes.NewReader(p), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", i+1, err)
		}
		if aws.ToString(out.ChecksumCRC32) != crc32b64(p) {
			t.Errorf("UploadPart %d CRC32 = %s; want %s", i+1, aws.ToString(out.ChecksumCRC32), crc32b64(p))
		}
		done = append(done, types.CompletedPart{PartNumber: n, ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
	}
	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: key, UploadId: mp.UploadId})
	if err != nil || len(lp.Parts) != 2 || aws.ToInt64(lp.Parts[0].Size) != 5<<20 {
		t.Fatalf("ListParts = %v, %v", lp, err)
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: key, UploadId: mp.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{done[0], {PartNumber: done[1].PartNumber, ETag: done[0].ETag}}}})
	apiError(t, err, "InvalidPart", 400, "")
	fin, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: key, UploadId: mp.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	if err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	if !strings.HasSuffix(aws.ToString(fin.ETag), `-2"`) {
		t.Errorf("multipart ETag = %s", aws.ToString(fin.ETag))
	}
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: key})
	if err != nil {
		t.Fatalf("GetObject of the multipart object: %v", err)
	}
	data, _ := io.ReadAll(got.Body)
	if !bytes.Equal(data, append(slices.Clone(part1), part2...)) || got.Metadata["kind"] != "multi" || aws.ToInt32(got.PartsCount) != 2 {
		t.Errorf("multipart object: %d bytes, metadata %v, %d parts", len(data), got.Metadata, aws.ToInt32(got.PartsCount))
	}
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: key, UploadId: mp.UploadId, PartNumber: aws.Int32(3),
		Body: strings.NewReader("late")})
	apiError(t, err, "NoSuchUpload", 404, "does not exist")
}

// TestS3CrossAccount: a second account reaches a bucket only as far as
// its policy allows (--dev: the access key id is the caller's account).
func TestS3CrossAccount(t *testing.T) {
	v := start(t, true)
	const otherAccount = "210987654321"
	owner := s3.NewFromConfig(v.devConfig(devAccount), func(o *s3.Options) { o.UsePathStyle = true })
	other := s3.NewFromConfig(v.devConfig(otherAccount), func(o *s3.Options) { o.UsePathStyle = true })
	ctx := context.Background()
	if _, err := owner.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("shared-bucket")}); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared-bucket"), Key: aws.String("in/a"), Body: strings.NewReader("a")}); err != nil {
		t.Fatal(err)
	}
	get := func(c *s3.Client, key string) error {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("shared-bucket"), Key: aws.String(key)})
		if err == nil {
			out.Body.Close()
		}
		return err
	}
	apiError(t, get(other, "in/a"), "AccessDenied", 403, "Access Denied")
	_, err := other.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared-bucket"), Key: aws.String("in/b"), Body: strings.NewReader("b")})
	apiError(t, err, "AccessDenied", 403, "")

	policy := `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + otherAccount + `:root"},"Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::shared-bucket/in/*"},
		{"Effect":"Allow","Principal":{"AWS":"` + otherAccount + `"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::shared-bucket"}]}`
	if _, err := owner.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("shared-bucket"), Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	if err := get(other, "in/a"); err != nil {
		t.Errorf("GetObject allowed by the policy: %v", err)
	}
	if _, err := other.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared-bucket"), Key: aws.String("in/b"), Body: strings.NewReader("b")}); err != nil {
		t.Errorf("PutObject allowed by the policy: %v", err)
	}
	list, err := other.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("shared-bucket")})
	if err != nil || len(list.Contents) != 2 {
		t.Errorf("ListObjectsV2 allowed by the policy: %v, %v", list, err)
	}
	_, err = other.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("shared-bucket"), Key: aws.String("in/a")})
	apiError(t, err, "AccessDenied", 403, "")
	if _, err := owner.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared-bucket"), Key: aws.String("private"), Body: strings.NewReader("p")}); err != nil {
		t.Fatal(err)
	}
	apiError(t, get(other, "private"), "AccessDenied", 403, "")
	_, err = other.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("shared-bucket")})
	apiError(t, err, "AccessDenied", 403, "")
	// The object another account wrote belongs to the bucket's owner.
	if err := get(owner, "in/b"); err != nil {
		t.Errorf("owner's GetObject of the other account's object: %v", err)
	}
	lb, err := other.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(lb.Buckets) != 0 {
		t.Errorf("the other account's ListBuckets = %v, %v; want none", lb, err)
	}
}
