package logs

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

const (
	// exportFileBytes bounds the uncompressed bytes of one exported
	// object (Engine.exportFileBytes, which tests lower): a stream's
	// events past it go to its next file.
	exportFileBytes = 64 << 20
	// exportReadBatch is how many events a task reads at a time.
	exportReadBatch = 1000
	// exportStreamsPage is how many streams a task lists at a time.
	exportStreamsPage = 100
)

// errExportStopped ends a run whose task was cancelled meanwhile.
var errExportStopped = errors.New("the export task was cancelled")

// exportFailure is a fault that fails a task (FAILED with its message),
// unlike a store error, after which the task is tried again.
type exportFailure struct{ message string }

func (f *exportFailure) Error() string { return f.message }

// RunExportTasks is a scheduler step: it runs every active export task
// to its end, oldest first. A task records its progress after each
// object it writes; one whose run was interrupted (Vigil stopped, its
// lease was lost) goes on from there at the next run.
func (e *Engine) RunExportTasks(ctx context.Context, now time.Time) error {
	tasks, err := e.opt.Exports.ActiveLogExportTasks(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for i := range tasks {
		if err := e.runExport(ctx, &tasks[i], now); err != nil {
			errs = append(errs, fmt.Errorf("cannot run export task %s: %w", tasks[i].ID, err))
		}
	}
	return errors.Join(errs...)
}

// runExport runs a task until it ends, it is cancelled, or an error that
// may pass (the store's) leaves it for the next run.
func (e *Engine) runExport(ctx context.Context, t *store.LogExportTask, now time.Time) error {
	if t.Status == ExportPending {
		t.Status, t.Message = ExportRunning, msgExportStarted
		if err := e.saveExport(ctx, t); err != nil {
			return ignoreStopped(err)
		}
	}
	err := e.exportGroup(ctx, t)
	var f *exportFailure
	switch {
	case errors.As(err, &f):
		t.Status, t.Message = ExportFailed, f.message
	case err != nil:
		return ignoreStopped(err)
	default:
		t.Status, t.Message = ExportCompleted, msgExportCompleted
	}
	t.Completed = e.now() // when the run ended, not when it began
	return ignoreStopped(e.saveExport(ctx, t))
}

func ignoreStopped(err error) error {
	if errors.Is(err, errExportStopped) {
		return nil
	}
	return err
}

// saveExport records a task's status and progress, or fails with
// errExportStopped when it was cancelled.
func (e *Engine) saveExport(ctx context.Context, t *store.LogExportTask) error {
	ok, err := e.opt.Exports.UpdateLogExportTask(ctx, *t)
	if err == nil && !ok {
		return errExportStopped
	}
	return err
}

// exportGroup exports the streams of the task's group by name, from the
// stream it was exporting when it stopped.
func (e *Engine) exportGroup(ctx context.Context, t *store.LogExportTask) error {
	g, err := e.opt.Store.LogGroup(ctx, t.Account, t.Region, t.Group)
	if errors.Is(err, store.ErrNotFound) || err == nil && g.ID != t.GroupID {
		return &exportFailure{msgExportGroupGone}
	}
	if err != nil {
		return err
	}
	var after *store.LogStream
	if t.Stream != "" {
		s, err := e.opt.Store.LogStream(ctx, t.GroupID, t.Stream)
		switch {
		case err == nil:
			if err := e.exportStream(ctx, t, s); err != nil {
				return err
			}
		case !errors.Is(err, store.ErrNotFound): // a stream deleted meanwhile is skipped
			return err
		}
		after = &store.LogStream{Name: t.Stream}
	}
	for {
		streams, err := e.opt.Store.LogStreams(ctx, store.LogStreamQuery{GroupID: t.GroupID, Prefix: t.StreamPrefix, After: after, Limit: exportStreamsPage})
		if err != nil {
			return err
		}
		for i := range streams {
			s := &streams[i]
			t.Stream, t.File, t.After = s.Name, 0, store.Position{}
			if err := e.exportStream(ctx, t, s); err != nil {
				return err
			}
		}
		if len(streams) < exportStreamsPage {
			return nil
		}
		after = &streams[len(streams)-1]
	}
}

// exportFile is the object of a stream being filled.
type exportFile struct {
	buf  bytes.Buffer
	zw   *gzip.Writer
	raw  int
	last store.Position
}

// exportStream writes a stream's events of the task's range, after the
// task's position, as gzip objects of at most exportFileBytes lines each,
// numbered from the task's File; it records the task's progress after
// each object. It reads exportReadBatch events at a time.
func (e *Engine) exportStream(ctx context.Context, t *store.LogExportTask, s *store.LogStream) error {
	base := t.DestinationPrefix + "/" + t.ID + "/" + s.Name + "/"
	if len(base)+len("000000.gz") > maxObjectKey {
		return &exportFailure{fmt.Sprintf(msgExportKeyTooLong, s.Name, maxObjectKey)}
	}
	from, end := t.From, t.To+1 // To is inclusive
	q := store.LogEventQuery{GroupID: t.GroupID, StreamIDs: []int64{s.ID}, Start: &from, End: &end, Limit: exportReadBatch}
	if t.After != (store.Position{}) {
		after := t.After
		q.After = &after
	}
	f := &exportFile{}
	f.zw = gzip.NewWriter(&f.buf)
	var line []byte
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		events, err := e.opt.Store.LogEvents(ctx, q)
		if err != nil {
			return err
		}
		for _, ev := range events {
			line = appendExportLine(line[:0], ev.Timestamp, ev.Message)
			if f.raw > 0 && f.raw+len(line) > e.exportFileBytes {
				if err := e.writeExportFile(ctx, t, f, base); err != nil {
					return err
				}
			}
			f.zw.Write(line) // a bytes.Buffer does not fail
			f.raw += len(line)
			f.last = pos(ev)
		}
		if len(events) < exportReadBatch {
			break
		}
		q.After = &f.last
	}
	if f.raw == 0 {
		return nil
	}
	return e.writeExportFile(ctx, t, f, base)
}

// writeExportFile writes the object f filled, records the task's
// progress past it, and empties f for the next file.
func (e *Engine) writeExportFile(ctx context.Context, t *store.LogExportTask, f *exportFile, base string) error {
	if err := f.zw.Close(); err != nil {
		return err
	}
	key := fmt.Sprintf("%s%06d.gz", base, t.File)
	err := e.opt.Buckets.PutExportObject(ctx, ExportObject{Account: t.Account, Region: t.Region,
		GroupARN: GroupARN(Scope{t.Account, t.Region}, t.Group), Bucket: t.Destination, Key: key, Body: f.buf.Bytes(),
		ContentType: "application/octet-stream"})
	switch {
	case errors.Is(err, ErrNoSuchBucket):
		return &exportFailure{fmt.Sprintf("The bucket %s does not exist.", t.Destination)}
	case errors.Is(err, ErrBucketDenied):
		return &exportFailure{fmt.Sprintf("PutObject call on the given bucket failed for %s: the bucket policy does not allow CloudWatch Logs to write it.", key)}
	case err != nil:
		return err
	}
	t.File++
	t.After = f.last
	if err := e.saveExport(ctx, t); err != nil {
		return err
	}
	f.buf.Reset()
	f.zw.Reset(&f.buf)
	f.raw = 0
	return nil
}

// appendExportLine appends an event as a line of an exported object: its
// timestamp in ISO 8601 with milliseconds, in UTC, a space, the message
// and a newline.
func appendExportLine(b []byte, timestamp int64, message string) []byte {
	b = time.UnixMilli(timestamp).UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z")
	b = append(b, ' ')
	b = append(b, message...)
	return append(b, '\n')
}
