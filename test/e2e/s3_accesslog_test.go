package e2e

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestS3AccessLogs: requests to a bucket with server access logging
// enabled become log objects in the target bucket, in S3's record
// format, once the delivery job runs on Vigil's clock, and only when the
// target's policy lets logging.s3.amazonaws.com in.
func TestS3AccessLogs(t *testing.T) {
	v := startStill(t, time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	c := s3.NewFromConfig(v.devConfig(devAccount), func(o *s3.Options) { o.UsePathStyle = true })
	ctx := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	for _, b := range []string{"logged", "access-logs"} {
		_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)})
		must("CreateBucket "+b, err)
	}
	_, err := c.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String("logged"), BucketLoggingStatus: &types.BucketLoggingStatus{
		LoggingEnabled: &types.LoggingEnabled{TargetBucket: aws.String("no-such-target"), TargetPrefix: aws.String("x/")}}})
	apiError(t, err, "InvalidTargetBucketForLogging", 400, "")
	_, err = c.PutBucketLogging(ctx, &s3.PutBucketLoggingInput{Bucket: aws.String("logged"), BucketLoggingStatus: &types.BucketLoggingStatus{
		LoggingEnabled: &types.LoggingEnabled{TargetBucket: aws.String("access-logs"), TargetPrefix: aws.String("logged/")}}})
	must("PutBucketLogging", err)
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},
		"Action":"s3:PutObject","Resource":"arn:aws:s3:::access-logs/logged/*",
		"Condition":{"StringEquals":{"aws:SourceAccount":"` + devAccount + `"}}}]}`
	_, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("access-logs"), Policy: aws.String(policy)})
	must("PutBucketPolicy", err)

	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("logged"), Key: aws.String("dir/a b.txt"), Body: strings.NewReader("hello")})
	must("PutObject", err)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("logged"), Key: aws.String("dir/a b.txt"), Range: aws.String("bytes=0-1")})
	must("GetObject", err)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("logged"), Key: aws.String("missing")})
	is[*types.NoSuchKey](t, "GetObject of a missing key", err)

	v.moveClock(t, `{"advance": "2s"}`) // each node stores its records
	v.moveClock(t, `{"advance": "5m"}`) // the delivery job
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("access-logs")})
	must("ListObjectsV2", err)
	if len(list.Contents) != 1 || !strings.HasPrefix(aws.ToString(list.Contents[0].Key), "logged/2026-03-01-10-05-") {
		t.Fatalf("log objects = %+v; want one logged/2026-03-01-10-05-…", list.Contents)
	}
	got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("access-logs"), Key: list.Contents[0].Key})
	must("GetObject of the log", err)
	body, _ := io.ReadAll(got.Body)
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(body)), "\n") {
		if !strings.Contains(l, " REST.PUT.LOGGING_STATUS ") {
			lines = append(lines, l)
		}
	}
	want := []string{
		` REST.PUT.OBJECT dir/a%20b.txt "PUT /logged/dir/a%20b.txt?x-id=PutObject HTTP/1.1" 200 - - 5 `,
		` REST.GET.OBJECT dir/a%20b.txt "GET /logged/dir/a%20b.txt?x-id=GetObject HTTP/1.1" 206 - 2 5 `,
		` REST.GET.OBJECT missing "GET /logged/missing?x-id=GetObject HTTP/1.1" 404 NoSuchKey `,
	}
	if len(lines) != len(want) {
		t.Fatalf("log records:\n%s\nwant %d", body, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], devAccount+" logged [01/Mar/2026:10:00:00 +0000] 127.0.0.1 arn:aws:iam::"+devAccount+":root ") ||
			!strings.Contains(lines[i], w) || !strings.Contains(lines[i], `"aws-sdk-go-v2/`) || !strings.Contains(lines[i], " SigV4 - AuthHeader 127.0.0.1:") {
			t.Errorf("record %d:\n%s\nwant it to hold %q", i, lines[i], w)
		}
	}
}
