package logs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/store"
)

// Export tasks copy a log group's events into an S3 bucket
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/S3ExportTasks.html):
// CreateExportTask checks the bucket, writing a test object, and records
// the task PENDING; RunExportTasks, a scheduler job, then writes the
// events of each stream as gzip objects.

// ExportBuckets writes export tasks' objects into buckets as CloudWatch
// Logs' service principal, under the buckets' policies: the bucket store,
// adapted by the composition root.
type ExportBuckets interface {
	// PutExportObject writes o. It fails with an error wrapping
	// ErrNoSuchBucket when the bucket does not exist, or ErrBucketDenied
	// when its policy does not let CloudWatch Logs put the object.
	PutExportObject(ctx context.Context, o ExportObject) error
}

// ExportObject is an object an export task writes.
type ExportObject struct {
	// Account and Region are the task's; GroupARN is the exported log
	// group's (the aws:SourceAccount and aws:SourceArn of bucket
	// policies' conditions).
	Account, Region, GroupARN string
	Bucket, Key               string
	Body                      []byte
	ContentType               string
}

// The errors of ExportBuckets.
var (
	ErrNoSuchBucket = errors.New("the bucket does not exist")
	ErrBucketDenied = errors.New("the bucket's policy does not let CloudWatch Logs write the object")
)

// The statuses of export tasks.
const (
	ExportPending   = store.ExportPending
	ExportRunning   = store.ExportRunning
	ExportCompleted = "COMPLETED"
	ExportFailed    = "FAILED"
	ExportCancelled = "CANCELLED"
)

// ExportEvery is how often the composition root runs RunExportTasks.
const ExportEvery = time.Second

const (
	// defaultExportPrefix is the destinationPrefix of a task given none.
	defaultExportPrefix = "exportedlogs"
	// exportTestKey and exportTestBody are the object CreateExportTask
	// writes to check the bucket, as AWS does, under the prefix given
	// (at the top of the bucket without one).
	exportTestKey  = "aws-logs-write-test"
	exportTestBody = "Permission Check Successful"
	// maxObjectKey is S3's limit on the bytes of an object key.
	maxObjectKey = 1024
	// exportKeyOverhead is what an exported object's key adds to the
	// prefix and the stream name: "/", the task id, "/", "/000000.gz".
	exportKeyOverhead = 1 + 36 + 1 + len("/000000.gz")
	// defaultExportsLimit is DescribeExportTasks' page size.
	defaultExportsLimit = 50
)

// AWS's messages for export tasks.
var (
	errExportNotFound   = &Error{ResourceNotFound, "The specified export task does not exist."}
	errExportFinished   = &Error{InvalidOperation, "The specified export task has already finished"}
	errExportLimit      = &Error{LimitExceeded, "Resource limit exceeded."}
	errExportNoBucket   = &Error{InvalidParameter, "The given bucket does not exist. Please make sure the bucket is valid."}
	errExportBucketACL  = &Error{InvalidParameter, "GetBucketAcl call on the given bucket failed. Please check if CloudWatch Logs has been granted permission to perform this operation."}
	msgExportPending    = "Pending"
	msgExportStarted    = "Started Successfully"
	msgExportCompleted  = "Completed successfully"
	msgExportCancelled  = "Cancelled by user"
	msgExportGroupGone  = "The log group was deleted while it was exported."
	msgExportKeyTooLong = "The key of the objects of log stream %q would be longer than S3's %d bytes."
)

// ExportInput is CreateExportTask's input.
type ExportInput struct {
	Name, Group, StreamPrefix string
	// From and To bound the events' timestamps (ms), both inclusive.
	From, To int64
	// Destination is the bucket; Prefix starts the objects' keys
	// (nil: "exportedlogs").
	Destination string
	Prefix      *string
}

// CreateExportTask checks an export and records it PENDING; the task runs
// in RunExportTasks. It returns the task's id.
func (e *Engine) CreateExportTask(ctx context.Context, sc Scope, in ExportInput) (string, error) {
	if in.From > in.To {
		return "", errorf(InvalidParameter, "The value of 'from' (%d) must not be greater than the value of 'to' (%d).", in.From, in.To)
	}
	prefix := defaultExportPrefix
	if in.Prefix != nil && *in.Prefix != "" {
		prefix = *in.Prefix
	}
	if len(prefix)+exportKeyOverhead >= maxObjectKey {
		return "", errorf(InvalidParameter, "The destinationPrefix is too long: the keys of the exported objects must not exceed %d bytes.", maxObjectKey)
	}
	g, err := e.group(ctx, sc, in.Group, "")
	if err != nil {
		return "", err
	}
	if in.To < g.Created {
		return "", errorf(InvalidParameter, "The value of 'to' (%d) must not be earlier than the creation time of the log group (%d).", in.To, g.Created)
	}
	tasks, err := e.opt.Exports.LogExportTasks(ctx, sc.Account, sc.Region)
	if err != nil {
		return "", err
	}
	if slices.ContainsFunc(tasks, func(t store.LogExportTask) bool { return active(t.Status) }) {
		return "", errExportLimit
	}
	test := exportTestKey
	if in.Prefix != nil && *in.Prefix != "" {
		test = *in.Prefix + "/" + exportTestKey
	}
	err = e.opt.Buckets.PutExportObject(ctx, ExportObject{Account: sc.Account, Region: sc.Region, GroupARN: GroupARN(sc, g.Name),
		Bucket: in.Destination, Key: test, Body: []byte(exportTestBody), ContentType: "text/plain"})
	switch {
	case errors.Is(err, ErrNoSuchBucket):
		return "", errExportNoBucket
	case errors.Is(err, ErrBucketDenied):
		return "", errExportBucketACL
	case err != nil:
		return "", fmt.Errorf("cannot write the test object of an export to bucket %s: %w", in.Destination, err)
	}
	t := store.LogExportTask{ID: request.NewUUID(), Account: sc.Account, Region: sc.Region, Name: in.Name, Group: g.Name, GroupID: g.ID,
		StreamPrefix: in.StreamPrefix, From: in.From, To: in.To, Destination: in.Destination, DestinationPrefix: prefix,
		Status: ExportPending, Message: msgExportPending, Created: e.now()}
	created, err := e.opt.Exports.CreateLogExportTask(ctx, t)
	if err != nil {
		return "", err
	}
	if !created {
		return "", errExportLimit
	}
	return t.ID, nil
}

// active reports whether a task of that status may still run.
func active(status string) bool { return status == ExportPending || status == ExportRunning }

// DescribeExportTasks lists the export tasks of the scope, newest first,
// or the one of id, filtered by status, limit (1–50, default 50) a page.
func (e *Engine) DescribeExportTasks(ctx context.Context, sc Scope, id, status string, limit int, token string) ([]store.LogExportTask, string, error) {
	all, err := e.opt.Exports.LogExportTasks(ctx, sc.Account, sc.Region)
	if err != nil {
		return nil, "", err
	}
	keep := []store.LogExportTask{}
	for _, t := range all {
		if (id == "" || t.ID == id) && (status == "" || t.Status == status) {
			keep = append(keep, t)
		}
	}
	return paginate(keep, limit, defaultExportsLimit, token, "exporttasks", func(t store.LogExportTask) string {
		return fmt.Sprintf("%020d%s", 1<<62-t.Created, t.ID)
	})
}

// CancelExportTask cancels a PENDING or RUNNING task: a running one stops
// before it writes another object.
func (e *Engine) CancelExportTask(ctx context.Context, sc Scope, id string) error {
	cancelled, err := e.opt.Exports.CancelLogExportTask(ctx, sc.Account, sc.Region, id, msgExportCancelled, e.now())
	switch {
	case errors.Is(err, store.ErrNotFound):
		return errExportNotFound
	case err != nil:
		return err
	case !cancelled:
		return errExportFinished
	}
	return nil
}
