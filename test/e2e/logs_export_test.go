package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// exportPolicy is the bucket policy the CloudWatch Logs documentation
// gives for export tasks
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/S3ExportTasks.html),
// for the bucket log-exports and the account's log groups.
const exportPolicy = `{"Version": "2012-10-17", "Statement": [
  {"Action": "s3:GetBucketAcl", "Effect": "Allow", "Resource": "arn:aws:s3:::log-exports",
   "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
   "Condition": {"StringEquals": {"aws:SourceAccount": ["123456789012"]},
     "ArnLike": {"aws:SourceArn": ["arn:aws:logs:us-east-1:123456789012:log-group:*"]}}},
  {"Action": "s3:PutObject", "Effect": "Allow", "Resource": "arn:aws:s3:::log-exports/*",
   "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
   "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": ["123456789012"]},
     "ArnLike": {"aws:SourceArn": ["arn:aws:logs:us-east-1:123456789012:log-group:*"]}}}]}`

// TestLogsExport exports a log group of two streams to a bucket with the
// documented policy, through aws-sdk-go-v2 and the AWS CLI 1.45: the task
// runs when Vigil's clock moves, and the objects read back hold each
// stream's events of the range, in AWS's line format. A second active
// task is refused, a pending one is cancelled, and a bucket without a
// policy is refused.
func TestLogsExport(t *testing.T) {
	base := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	v := startStill(t, base)
	ctx := context.Background()
	cfg := v.devConfig(devAccount)
	bucket := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	logs := cloudwatchlogs.NewFromConfig(cfg)
	for _, name := range []string{"log-exports", "no-policy"} {
		if _, err := bucket.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := bucket.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("log-exports"), Policy: aws.String(exportPolicy)}); err != nil {
		t.Fatal(err)
	}
	group := aws.String("/e2e/export")
	if _, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: group}); err != nil {
		t.Fatal(err)
	}
	ms := base.UnixMilli()
	streams := map[string][]types.InputLogEvent{
		"app/a": {{Timestamp: aws.Int64(ms - 60_000), Message: aws.String("too early")}, {Timestamp: aws.Int64(ms), Message: aws.String("a one")},
			{Timestamp: aws.Int64(ms + 1_500), Message: aws.String(`{"a": 2}`)}},
		"app/b": {{Timestamp: aws.Int64(ms + 250), Message: aws.String("b one")}, {Timestamp: aws.Int64(ms + 120_000), Message: aws.String("too late")}},
	}
	for name, events := range streams {
		if _, err := logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: group, LogStreamName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		if _, err := logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: aws.String(name), LogEvents: events}); err != nil {
			t.Fatal(err)
		}
	}
	read := func(key string) []byte {
		t.Helper()
		out, err := bucket.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("log-exports"), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("GetObject(%s): %v", key, err)
		}
		defer out.Body.Close()
		b, err := io.ReadAll(out.Body)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	describe := func(id string) types.ExportTask {
		t.Helper()
		out, err := logs.DescribeExportTasks(ctx, &cloudwatchlogs.DescribeExportTasksInput{TaskId: aws.String(id)})
		if err != nil || len(out.ExportTasks) != 1 {
			t.Fatalf("DescribeExportTasks(%s) = %+v, %v", id, out, err)
		}
		return out.ExportTasks[0]
	}

	// Through the Go SDK: an export of [base-1s, base+60s] under a prefix.
	from, to := ms-1000, ms+60_000
	created, err := logs.CreateExportTask(ctx, &cloudwatchlogs.CreateExportTaskInput{TaskName: aws.String("e2e"), LogGroupName: group,
		From: aws.Int64(from), To: aws.Int64(to), Destination: aws.String("log-exports"), DestinationPrefix: aws.String("exports")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(created.TaskId)
	if got := string(read("exports/aws-logs-write-test")); got != "Permission Check Successful" {
		t.Errorf("the test object holds %q", got)
	}
	task := describe(id)
	if task.Status.Code != types.ExportTaskStatusCodePending || aws.ToString(task.TaskName) != "e2e" || aws.ToInt64(task.From) != from ||
		aws.ToInt64(task.To) != to || aws.ToString(task.DestinationPrefix) != "exports" || aws.ToInt64(task.ExecutionInfo.CreationTime) != ms {
		t.Errorf("the new task = %+v, %+v", task, task.ExecutionInfo)
	}
	_, err = logs.CreateExportTask(ctx, &cloudwatchlogs.CreateExportTaskInput{LogGroupName: group, From: aws.Int64(from), To: aws.Int64(to),
		Destination: aws.String("log-exports")})
	apiError(t, err, "LimitExceededException", 400, "Resource limit exceeded.")

	v.moveClock(t, `{"advance": "1s"}`)
	task = describe(id)
	if task.Status.Code != types.ExportTaskStatusCodeCompleted || aws.ToInt64(task.ExecutionInfo.CompletionTime) != ms+1000 {
		t.Fatalf("after the clock moved, the task = %+v (%s), %+v", task, aws.ToString(task.Status.Message), task.ExecutionInfo)
	}
	listed, err := bucket.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("log-exports"), Prefix: aws.String("exports/" + id + "/")})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range listed.Contents {
		keys = append(keys, strings.TrimPrefix(aws.ToString(o.Key), "exports/"+id+"/"))
	}
	if want := []string{"app/a/000000.gz", "app/b/000000.gz"}; !slices.Equal(keys, want) {
		t.Fatalf("exported objects %v; want %v", keys, want)
	}
	gunzip := func(key string) string {
		t.Helper()
		zr, err := gzip.NewReader(bytes.NewReader(read(key)))
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		return string(b)
	}
	if got, want := gunzip("exports/"+id+"/app/a/000000.gz"), "2026-03-01T10:00:00.000Z a one\n2026-03-01T10:00:01.500Z {\"a\": 2}\n"; got != want {
		t.Errorf("app/a's export = %q; want %q", got, want)
	}
	if got, want := gunzip("exports/"+id+"/app/b/000000.gz"), "2026-03-01T10:00:00.250Z b one\n"; got != want {
		t.Errorf("app/b's export = %q; want %q", got, want)
	}

	// A bucket whose policy does not let CloudWatch Logs in.
	_, err = logs.CreateExportTask(ctx, &cloudwatchlogs.CreateExportTaskInput{LogGroupName: group, From: aws.Int64(from), To: aws.Int64(to),
		Destination: aws.String("no-policy")})
	apiError(t, err, "InvalidParameterException", 400, "GetBucketAcl call on the given bucket failed.")

	t.Run("AWS CLI v1", func(t *testing.T) {
		py := python3(t)
		cli := func(args ...string) (string, error) {
			t.Helper()
			cmd := exec.Command(py, append([]string{"-m", "awscli", "--output", "json"}, args...)...)
			cmd.Env = append(v.env(), "AWS_ACCESS_KEY_ID="+devAccount, "AWS_SECRET_ACCESS_KEY=dev")
			out, err := cmd.CombinedOutput()
			return string(out), err
		}
		span := []string{"--log-group-name", "/e2e/export", "--from", strconv.FormatInt(from, 10), "--to", strconv.FormatInt(to, 10)}
		out, err := cli(append([]string{"logs", "create-export-task", "--destination", "no-policy"}, span...)...)
		if err == nil || !strings.Contains(out, "InvalidParameterException") || !strings.Contains(out, "Please check if CloudWatch Logs has been granted permission") {
			t.Errorf("create-export-task to a bucket without policy = %v\n%s", err, out)
		}
		out, err = cli(append([]string{"logs", "create-export-task", "--task-name", "cli", "--destination", "log-exports"}, span...)...)
		var started struct{ TaskId string }
		if err != nil || json.Unmarshal([]byte(out), &started) != nil || started.TaskId == "" {
			t.Fatalf("create-export-task = %v\n%s", err, out)
		}
		if out, err := cli("logs", "cancel-export-task", "--task-id", started.TaskId); err != nil {
			t.Fatalf("cancel-export-task = %v\n%s", err, out)
		}
		out, err = cli("logs", "cancel-export-task", "--task-id", started.TaskId)
		if err == nil || !strings.Contains(out, "InvalidOperationException") || !strings.Contains(out, "The specified export task has already finished") {
			t.Errorf("cancel-export-task of a cancelled task = %v\n%s", err, out)
		}
		v.moveClock(t, `{"advance": "1s"}`)
		out, err = cli("logs", "describe-export-tasks")
		var described struct {
			ExportTasks []struct {
				TaskId, TaskName, Destination, DestinationPrefix string
				Status                                           struct{ Code, Message string }
				ExecutionInfo                                    struct{ CreationTime, CompletionTime int64 }
			}
		}
		if err != nil || json.Unmarshal([]byte(out), &described) != nil {
			t.Fatalf("describe-export-tasks = %v\n%s", err, out)
		}
		var got []string
		for _, tk := range described.ExportTasks {
			got = append(got, tk.TaskId+" "+tk.TaskName+" "+tk.Status.Code+" "+tk.DestinationPrefix)
		}
		want := []string{started.TaskId + " cli CANCELLED exportedlogs", id + " e2e COMPLETED exports"}
		if !slices.Equal(got, want) {
			t.Errorf("describe-export-tasks lists %q; want %q", got, want)
		}
		// The cancelled task wrote its test object only.
		listed, err := bucket.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("log-exports"), Prefix: aws.String("exportedlogs/")})
		if err != nil || len(listed.Contents) != 0 {
			t.Errorf("the cancelled task wrote %+v, %v", listed.Contents, err)
		}
		read("aws-logs-write-test")
	})
}
