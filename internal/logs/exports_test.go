package logs

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/store/embedded"
)

// fakeBuckets is one bucket, "exports", whose policy lets CloudWatch Logs
// in unless denied.
type fakeBuckets struct {
	mu      sync.Mutex
	objects map[string][]byte
	puts    map[string]int
	denied  bool
	// before, when set, runs before each write; its error fails it.
	before func(key string) error
}

func (b *fakeBuckets) PutExportObject(_ context.Context, o ExportObject) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if o.Bucket != "exports" {
		return fmt.Errorf("%w: %s", ErrNoSuchBucket, o.Bucket)
	}
	if b.denied {
		return fmt.Errorf("%w: %s", ErrBucketDenied, o.Key)
	}
	if o.GroupARN != GroupARN(Scope{o.Account, o.Region}, "/app") {
		return fmt.Errorf("unexpected source %s", o.GroupARN)
	}
	if b.before != nil {
		if err := b.before(o.Key); err != nil {
			return err
		}
	}
	b.objects[o.Key] = bytes.Clone(o.Body)
	b.puts[o.Key]++
	return nil
}

// keys lists the objects' keys, the task's id replaced by TASK.
func (b *fakeBuckets) keys(id string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := []string{}
	for k := range b.objects {
		out = append(out, strings.ReplaceAll(k, id, "TASK"))
	}
	slices.Sort(out)
	return out
}

// text returns an object's content, gunzipped.
func (b *fakeBuckets) text(t *testing.T, key string) string {
	t.Helper()
	b.mu.Lock()
	body, ok := b.objects[key]
	b.mu.Unlock()
	if !ok {
		t.Fatalf("no object %s", key)
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return string(out)
}

type exportFixture struct {
	*Engine
	clock   *clock.Fake
	buckets *fakeBuckets
	ctx     context.Context
}

// newExportFixture has a group /app with the streams web-1 (three events
// in [t0, t0+3s], one just before and one just after), web-2 (one event)
// and db-1 (one event).
func newExportFixture(t *testing.T) *exportFixture {
	t.Helper()
	st, err := embedded.Open(context.Background(), t.TempDir(), embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &exportFixture{clock: clock.NewFake(t0), ctx: context.Background(),
		buckets: &fakeBuckets{objects: map[string][]byte{}, puts: map[string]int{}}}
	f.Engine = New(Options{Store: st.Logs(), Tags: st.Tags(), Exports: st.LogExports(), Buckets: f.buckets, Clock: f.clock,
		Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil))})
	must(t, f.CreateLogGroup(f.ctx, sc, NewGroup{Name: "/app"}))
	ms := t0.UnixMilli()
	put := func(stream string, events ...InputEvent) {
		must(t, f.CreateLogStream(f.ctx, sc, "/app", stream))
		_, err := f.PutLogEvents(f.ctx, sc, "/app", "", stream, events)
		must(t, err)
	}
	put("web-1", InputEvent{ms - 1, "before the range"}, InputEvent{ms, "GET /index.html 200"},
		InputEvent{ms + 1500, `{"level":"info","msg":"ok"}`}, InputEvent{ms + 3000, "a message with spaces,\ta tab and unicode: é ✓"},
		InputEvent{ms + 3001, "after the range"})
	put("web-2", InputEvent{ms + 10, "web-2 event"})
	put("db-1", InputEvent{ms + 20, "db-1 event"})
	return f
}

func (f *exportFixture) create(t *testing.T, in ExportInput) string {
	t.Helper()
	id, err := f.CreateExportTask(f.ctx, sc, in)
	if err != nil {
		t.Fatalf("CreateExportTask(%+v): %v", in, err)
	}
	return id
}

func (f *exportFixture) task(t *testing.T, id string) store.LogExportTask {
	t.Helper()
	tasks, _, err := f.DescribeExportTasks(f.ctx, sc, id, "", 0, "")
	if err != nil || len(tasks) != 1 {
		t.Fatalf("DescribeExportTasks(%s) = %v, %v", id, tasks, err)
	}
	return tasks[0]
}

func (f *exportFixture) run(t *testing.T) {
	t.Helper()
	f.clock.Advance(ExportEvery)
	must(t, f.RunExportTasks(f.ctx, f.clock.Now()))
}

// wantExportError checks an engine error's code and message.
func wantExportError(t *testing.T, what string, err error, code Code, message string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != code || !strings.Contains(e.Message, message) {
		t.Errorf("%s = %v; want code %d with %q", what, err, code, message)
	}
}

func wholeRange() ExportInput {
	return ExportInput{Group: "/app", From: t0.UnixMilli(), To: t0.UnixMilli() + 3000, Destination: "exports"}
}

func TestExportWritesStreams(t *testing.T) {
	f := newExportFixture(t)
	in := wholeRange()
	in.Name, in.StreamPrefix = "nightly", "web-"
	id := f.create(t, in)
	if got := f.task(t, id); got.Status != ExportPending || got.Created != t0.UnixMilli() || got.DestinationPrefix != "exportedlogs" || got.Name != "nightly" {
		t.Errorf("created task = %+v; want PENDING at t0 under exportedlogs", got)
	}
	// The test object is written at once, at the top of the bucket.
	if got, want := f.buckets.keys(id), []string{"aws-logs-write-test"}; !slices.Equal(got, want) {
		t.Errorf("after CreateExportTask, objects %v; want %v", got, want)
	}
	f.run(t)
	got := f.task(t, id)
	if got.Status != ExportCompleted || got.Message != "Completed successfully" || got.Completed != t0.Add(ExportEvery).UnixMilli() {
		t.Errorf("after a run, task = %+v; want COMPLETED at t0+1s", got)
	}
	want := []string{"aws-logs-write-test", "exportedlogs/TASK/web-1/000000.gz", "exportedlogs/TASK/web-2/000000.gz"}
	if keys := f.buckets.keys(id); !slices.Equal(keys, want) {
		t.Errorf("objects %v; want %v", keys, want)
	}
	golden, err := os.ReadFile("testdata/export/web-1.golden")
	must(t, err)
	if text := f.buckets.text(t, "exportedlogs/"+id+"/web-1/000000.gz"); text != string(golden) {
		t.Errorf("web-1's object:\n%s\nwant (testdata/export/web-1.golden):\n%s", text, golden)
	}
	if text := f.buckets.text(t, "exportedlogs/"+id+"/web-2/000000.gz"); text != "2026-11-23T12:00:00.010Z web-2 event\n" {
		t.Errorf("web-2's object = %q", text)
	}
	// The task is over: another run writes nothing more.
	f.run(t)
	if n := f.buckets.puts["exportedlogs/"+id+"/web-1/000000.gz"]; n != 1 {
		t.Errorf("web-1's object was written %d times; want 1", n)
	}
}

func TestExportPrefixAndEmptyStreams(t *testing.T) {
	f := newExportFixture(t)
	in := wholeRange()
	in.From, in.To = t0.UnixMilli()+5, t0.UnixMilli()+15 // web-2's event only
	prefix := "logs/2026"
	in.Prefix = &prefix
	id := f.create(t, in)
	f.run(t)
	want := []string{"logs/2026/TASK/web-2/000000.gz", "logs/2026/aws-logs-write-test"} // "T" < "a"
	if keys := f.buckets.keys(id); !slices.Equal(keys, want) {
		t.Errorf("objects %v; want %v (streams without events in the range write nothing)", keys, want)
	}
}

func TestExportSplitsFiles(t *testing.T) {
	f := newExportFixture(t)
	f.exportFileBytes = 60 // about one line a file
	in := wholeRange()
	in.StreamPrefix = "web-1"
	id := f.create(t, in)
	f.run(t)
	want := []string{"aws-logs-write-test", "exportedlogs/TASK/web-1/000000.gz", "exportedlogs/TASK/web-1/000001.gz", "exportedlogs/TASK/web-1/000002.gz"}
	if keys := f.buckets.keys(id); !slices.Equal(keys, want) {
		t.Fatalf("objects %v; want %v", keys, want)
	}
	var all strings.Builder
	for i := range 3 {
		all.WriteString(f.buckets.text(t, fmt.Sprintf("exportedlogs/%s/web-1/%06d.gz", id, i)))
	}
	golden, err := os.ReadFile("testdata/export/web-1.golden")
	must(t, err)
	if all.String() != string(golden) {
		t.Errorf("the files together:\n%s\nwant:\n%s", all.String(), golden)
	}
}

func TestExportResumesAfterAnError(t *testing.T) {
	f := newExportFixture(t)
	f.exportFileBytes = 60
	id := f.create(t, wholeRange())
	broken := errors.New("disk full")
	f.buckets.before = func(key string) error {
		if strings.HasSuffix(key, "web-1/000001.gz") {
			return broken
		}
		return nil
	}
	f.clock.Advance(ExportEvery)
	if err := f.RunExportTasks(f.ctx, f.clock.Now()); !errors.Is(err, broken) {
		t.Fatalf("RunExportTasks = %v; want %v", err, broken)
	}
	got := f.task(t, id)
	if got.Status != ExportRunning || got.Message != "Started Successfully" || got.Stream != "web-1" || got.File != 1 {
		t.Errorf("after the failed run, task = %+v; want RUNNING at web-1's second file", got)
	}
	f.buckets.before = nil
	f.run(t)
	if got := f.task(t, id); got.Status != ExportCompleted {
		t.Errorf("after the next run, task = %+v; want COMPLETED", got)
	}
	for key, n := range f.buckets.puts {
		if n != 1 {
			t.Errorf("%s was written %d times; want once", key, n)
		}
	}
	if n := len(f.buckets.puts); n != 6 { // the test object, web-1's three, web-2's one, db-1's one
		t.Errorf("%d objects; want 6: %v", n, f.buckets.keys(id))
	}
}

func TestExportCancel(t *testing.T) {
	f := newExportFixture(t)
	id := f.create(t, wholeRange())
	_, err := f.CreateExportTask(f.ctx, sc, wholeRange())
	wantExportError(t, "a second active task", err, LimitExceeded, "Resource limit exceeded.")
	must(t, f.CancelExportTask(f.ctx, sc, id))
	got := f.task(t, id)
	if got.Status != ExportCancelled || got.Message != "Cancelled by user" || got.Completed != t0.UnixMilli() {
		t.Errorf("cancelled task = %+v", got)
	}
	wantExportError(t, "cancelling it again", f.CancelExportTask(f.ctx, sc, id), InvalidOperation, "The specified export task has already finished")
	wantExportError(t, "cancelling an unknown task", f.CancelExportTask(f.ctx, sc, "0b5e0e3c-0000-4000-8000-000000000000"), ResourceNotFound,
		"The specified export task does not exist.")
	wantExportError(t, "cancelling another region's task", f.CancelExportTask(f.ctx, Scope{sc.Account, "eu-west-1"}, id), ResourceNotFound, "does not exist")
	f.run(t)
	if keys := f.buckets.keys(id); len(keys) != 1 {
		t.Errorf("a cancelled task wrote %v", keys)
	}
	// The cancelled task no longer counts against the limit.
	f.create(t, wholeRange())
}

func TestExportCancelWhileRunning(t *testing.T) {
	f := newExportFixture(t)
	f.exportFileBytes = 60
	id := f.create(t, wholeRange())
	f.buckets.before = func(key string) error {
		if strings.HasSuffix(key, "000000.gz") {
			// Cancelled while its first object is being written.
			return f.CancelExportTask(f.ctx, sc, id)
		}
		return nil
	}
	f.run(t)
	if got := f.task(t, id); got.Status != ExportCancelled {
		t.Errorf("task = %+v; want CANCELLED", got)
	}
	// The run stopped after the object it was writing.
	want := []string{"aws-logs-write-test", "exportedlogs/TASK/db-1/000000.gz"}
	if keys := f.buckets.keys(id); !slices.Equal(keys, want) {
		t.Errorf("objects %v; want %v", keys, want)
	}
}

func TestExportFailures(t *testing.T) {
	t.Run("the group is deleted", func(t *testing.T) {
		f := newExportFixture(t)
		id := f.create(t, wholeRange())
		must(t, f.DeleteLogGroup(f.ctx, sc, "/app"))
		f.run(t)
		if got := f.task(t, id); got.Status != ExportFailed || got.Message != msgExportGroupGone || got.Completed == 0 {
			t.Errorf("task = %+v; want FAILED", got)
		}
	})
	t.Run("the bucket's policy changes", func(t *testing.T) {
		f := newExportFixture(t)
		id := f.create(t, wholeRange())
		f.buckets.denied = true
		f.run(t)
		if got := f.task(t, id); got.Status != ExportFailed || !strings.Contains(got.Message, "PutObject call on the given bucket failed") {
			t.Errorf("task = %+v; want FAILED", got)
		}
	})
}

func TestCreateExportTaskRefuses(t *testing.T) {
	f := newExportFixture(t)
	bad := func(what string, change func(*ExportInput), code Code, message string) {
		t.Helper()
		in := wholeRange()
		change(&in)
		_, err := f.CreateExportTask(f.ctx, sc, in)
		wantExportError(t, what, err, code, message)
	}
	bad("from after to", func(in *ExportInput) { in.From = in.To + 1 }, InvalidParameter, "must not be greater than")
	bad("to before the group", func(in *ExportInput) { in.From, in.To = 0, t0.UnixMilli()-1 }, InvalidParameter, "creation time of the log group")
	bad("an unknown group", func(in *ExportInput) { in.Group = "/nope" }, ResourceNotFound, "The specified log group does not exist.")
	bad("an unknown bucket", func(in *ExportInput) { in.Destination = "nope" }, InvalidParameter,
		"The given bucket does not exist. Please make sure the bucket is valid.")
	long := strings.Repeat("p", maxObjectKey)
	bad("a long prefix", func(in *ExportInput) { in.Prefix = &long }, InvalidParameter, "destinationPrefix is too long")
	f.buckets.denied = true
	bad("a bucket without CloudWatch Logs in its policy", func(*ExportInput) {}, InvalidParameter,
		"GetBucketAcl call on the given bucket failed. Please check if CloudWatch Logs has been granted permission to perform this operation.")
	if tasks, _, err := f.DescribeExportTasks(f.ctx, sc, "", "", 0, ""); err != nil || len(tasks) != 0 {
		t.Errorf("refused creations left tasks %v, %v", tasks, err)
	}
	if keys := f.buckets.keys(""); len(keys) != 0 {
		t.Errorf("refused creations wrote %v", keys)
	}
}

func TestDescribeExportTasks(t *testing.T) {
	f := newExportFixture(t)
	var ids []string
	for range 3 {
		id := f.create(t, wholeRange())
		f.run(t)
		ids = append(ids, id)
	}
	running := f.create(t, wholeRange())
	slices.Reverse(ids)
	var got []string
	token := ""
	for range 10 {
		tasks, next, err := f.DescribeExportTasks(f.ctx, sc, "", ExportCompleted, 1, token)
		must(t, err)
		for _, tk := range tasks {
			got = append(got, tk.ID)
		}
		if token = next; token == "" {
			break
		}
	}
	if !slices.Equal(got, ids) {
		t.Errorf("COMPLETED tasks by pages of 1 = %v; want %v, newest first", got, ids)
	}
	all, next, err := f.DescribeExportTasks(f.ctx, sc, "", "", 0, "")
	if err != nil || len(all) != 4 || all[0].ID != running || next != "" {
		t.Errorf("DescribeExportTasks() = %d tasks (first %v), %q, %v; want 4, the pending one first", len(all), all, next, err)
	}
	if tasks, _, err := f.DescribeExportTasks(f.ctx, sc, "nope", "", 0, ""); err != nil || len(tasks) != 0 {
		t.Errorf("DescribeExportTasks(unknown id) = %v, %v; want none", tasks, err)
	}
	_, _, err = f.DescribeExportTasks(f.ctx, sc, "", "", 0, "garbage")
	wantExportError(t, "a bad token", err, InvalidParameter, "nextToken")
}
