package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/vigilhq/vigil/internal/app"
)

// trailPolicy is the bucket policy of the CloudTrail documentation for a
// trail's bucket: CloudTrail may write the account's files, for that
// trail only.
const trailPolicy = `{"Version": "2012-10-17", "Statement": [
  {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
   "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::audit-logs"},
  {"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
   "Action": "s3:PutObject", "Resource": "arn:aws:s3:::audit-logs/vigil/AWSLogs/123456789012/*",
   "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
     "aws:SourceArn": "arn:aws:cloudtrail:us-east-1:123456789012:trail/audit"}}}]}`

// TestCloudTrailValidateLogs: a trail with log file validation delivers
// six hours of log files and digests into a Vigil bucket, and `aws
// cloudtrail validate-logs` of the AWS CLI 1.45 — which reads the trail,
// the public keys, and the bucket through its own S3 client — finds every
// file valid, then reports each tampering as invalid and exits 1: an
// edited log file, a deleted log file, an edited digest, a deleted digest
// (a broken chain), a digest moved to another key.
func TestCloudTrailValidateLogs(t *testing.T) {
	py := python3(t)
	base := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	v := startStill(t, base)
	ctx := context.Background()
	cfg := v.devConfig(devAccount)
	bucket := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	trails := cloudtrail.NewFromConfig(cfg)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	if _, err := bucket.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("audit-logs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := bucket.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("audit-logs"), Policy: aws.String(trailPolicy)}); err != nil {
		t.Fatal(err)
	}
	trail, err := trails.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("audit"), S3BucketName: aws.String("audit-logs"),
		S3KeyPrefix: aws.String("vigil"), EnableLogFileValidation: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := trails.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: trail.TrailARN}); err != nil {
		t.Fatal(err)
	}
	for h := range 6 {
		if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("group-" + string(rune('a'+h)))}); err != nil {
			t.Fatal(err)
		}
		v.moveClock(t, `{"advance": "1h"}`)
	}
	validate := func() (string, int) {
		t.Helper()
		cmd := exec.Command(py, "-m", "awscli", "cloudtrail", "validate-logs", "--trail-arn", *trail.TrailARN,
			"--start-time", base.Format(time.RFC3339), "--end-time", base.Add(8*time.Hour).Format(time.RFC3339), "--verbose")
		cmd.Env = append(v.env(), "AWS_ACCESS_KEY_ID="+devAccount, "AWS_SECRET_ACCESS_KEY=dev")
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), code
	}
	out, code := validate()
	if code != 0 || !strings.Contains(out, "6/6 digest files valid") || strings.Contains(out, "INVALID") {
		t.Fatalf("validate-logs of untouched files exited %d:\n%s", code, out)
	}
	if !strings.Contains(out, "log files valid") {
		t.Errorf("validate-logs checked no log file:\n%s", out)
	}

	// The digests, oldest first, and the log files each lists.
	listed, err := bucket.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("audit-logs"), Prefix: aws.String("vigil/AWSLogs/123456789012/CloudTrail-Digest/")})
	if err != nil || len(listed.Contents) != 6 {
		t.Fatalf("digests in the bucket: %d, %v", len(listed.Contents), err)
	}
	var digests []string
	for _, o := range listed.Contents {
		digests = append(digests, *o.Key)
	}
	type object struct {
		body []byte
		meta map[string]string
	}
	get := func(key string) object {
		t.Helper()
		o, err := bucket.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("audit-logs"), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		defer o.Body.Close()
		b, err := io.ReadAll(o.Body)
		if err != nil {
			t.Fatal(err)
		}
		return object{b, o.Metadata}
	}
	put := func(key string, o object) {
		t.Helper()
		if _, err := bucket.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("audit-logs"), Key: aws.String(key),
			Body: bytes.NewReader(o.body), Metadata: o.meta}); err != nil {
			t.Fatal(err)
		}
	}
	remove := func(key string) {
		t.Helper()
		if _, err := bucket.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("audit-logs"), Key: aws.String(key)}); err != nil {
			t.Fatal(err)
		}
	}
	gunzipped := func(b []byte) []byte {
		t.Helper()
		r, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		out, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	gzipped := func(b []byte) []byte {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}
	var digest struct {
		LogFiles []struct{ S3Object string } `json:"logFiles"`
	}
	// The third digest lists the log file of the second hour's call.
	if err := json.Unmarshal(gunzipped(get(digests[2]).body), &digest); err != nil || len(digest.LogFiles) == 0 {
		t.Fatalf("the third digest lists no log file: %v", err)
	}
	logFile := digest.LogFiles[0].S3Object

	for _, c := range []struct {
		name   string
		tamper func() (restore func())
		want   string
	}{
		{"an edited log file", func() func() {
			orig := get(logFile)
			put(logFile, object{gzipped(bytes.Replace(gunzipped(orig.body), []byte("group-"), []byte("GROUP-"), 1)), nil})
			return func() { put(logFile, orig) }
		}, "Log file\ts3://audit-logs/" + logFile + "\tINVALID: hash value doesn't match"},
		{"a deleted log file", func() func() {
			orig := get(logFile)
			remove(logFile)
			return func() { put(logFile, orig) }
		}, "Log file\ts3://audit-logs/" + logFile + "\tINVALID: not found"},
		{"an edited digest", func() func() {
			orig := get(digests[3])
			put(digests[3], object{gzipped(bytes.Replace(gunzipped(orig.body), []byte(`"SHA-256"`), []byte(`"SHA-257"`), 1)), orig.meta})
			return func() { put(digests[3], orig) }
		}, "Digest file\ts3://audit-logs/" + digests[3] + "\tINVALID: signature verification failed"},
		{"a deleted digest", func() func() {
			orig := get(digests[2])
			remove(digests[2])
			return func() { put(digests[2], orig) }
		}, "Digest file\ts3://audit-logs/" + digests[2] + "\tINVALID: not found"},
		{"a moved digest", func() func() {
			orig := get(digests[5])
			moved := strings.Replace(digests[5], "T160000Z", "T163000Z", 1)
			if moved == digests[5] {
				t.Fatalf("the last digest is not of 16:00: %s", digests[5])
			}
			remove(digests[5])
			put(moved, orig)
			return func() { remove(moved); put(digests[5], orig) }
		}, "INVALID: has been moved from its original location"},
	} {
		t.Run(c.name, func(t *testing.T) {
			restore := c.tamper()
			out, code := validate()
			restore()
			if code != 1 || !strings.Contains(out, c.want) {
				t.Errorf("validate-logs exited %d; want 1 and %q in:\n%s", code, c.want, out)
			}
		})
	}
	if out, code := validate(); code != 0 {
		t.Errorf("validate-logs after restoring every file exited %d:\n%s", code, out)
	}
}

// TestCloudTrailExternalBucket: a Vigil configured with an external S3
// store (here a second Vigil) delivers the files of a trail whose bucket
// is not one of its own there, signed with its credentials, and `aws
// cloudtrail validate-logs` finds them valid reading the trail from the
// first Vigil and the files from the store (AWS_ENDPOINT_URL_S3).
func TestCloudTrailExternalBucket(t *testing.T) {
	py := python3(t)
	base := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	store := startStill(t, base)
	v := startWith(t, app.Config{Dev: true, Clock: stillClock(base),
		ExternalS3: app.ExternalS3{Endpoint: store.endpoint, AccessKeyID: devAccount, SecretAccessKey: "dev"}})
	ctx := context.Background()
	central := s3.NewFromConfig(store.devConfig(devAccount), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := central.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("central")}); err != nil {
		t.Fatal(err)
	}
	trails := cloudtrail.NewFromConfig(v.devConfig(devAccount))
	if _, err := trails.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("audit"), S3BucketName: aws.String("nowhere")}); err == nil {
		t.Error("CreateTrail into a bucket neither Vigil has = nil error; want S3BucketDoesNotExistException")
	}
	trail, err := trails.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("audit"), S3BucketName: aws.String("central"),
		EnableLogFileValidation: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := trails.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: trail.TrailARN}); err != nil {
		t.Fatal(err)
	}
	logs := cloudwatchlogs.NewFromConfig(v.devConfig(devAccount))
	for _, g := range []string{"one", "two"} {
		if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(g)}); err != nil {
			t.Fatal(err)
		}
		v.moveClock(t, `{"advance": "1h"}`)
	}
	cmd := exec.Command(py, "-m", "awscli", "cloudtrail", "validate-logs", "--trail-arn", *trail.TrailARN,
		"--start-time", base.Format(time.RFC3339), "--end-time", base.Add(3*time.Hour).Format(time.RFC3339))
	cmd.Env = append(v.env(), "AWS_ENDPOINT_URL_S3="+store.endpoint, "AWS_ACCESS_KEY_ID="+devAccount, "AWS_SECRET_ACCESS_KEY=dev")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "2/2 digest files valid") || !strings.Contains(string(out), "log files valid") {
		t.Fatalf("validate-logs over the external store: %v\n%s", err, out)
	}
}
