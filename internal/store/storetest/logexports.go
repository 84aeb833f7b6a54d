package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// LogExports checks the backend's store.LogExports.
func LogExports(t *testing.T, open Open) {
	ctx := context.Background()
	const acct, other, region = "111111111111", "222222222222", "us-east-1"
	exportsOf := func(t *testing.T, b Backend) store.LogExports {
		t.Helper()
		need(t, b.LogExports != nil, "LogExports")
		return b.LogExports
	}
	task := func(id, account string, created int64) store.LogExportTask {
		return store.LogExportTask{ID: id, Account: account, Region: region, Name: "name-" + id, Group: "/app/web", GroupID: 7,
			StreamPrefix: "web-", From: 1000, To: 2000, Destination: "bucket", DestinationPrefix: "exportedlogs",
			Status: store.ExportPending, Message: "Pending.", Created: created}
	}
	create := func(t *testing.T, s store.LogExports, tk store.LogExportTask, want bool) {
		t.Helper()
		got, err := s.CreateLogExportTask(ctx, tk)
		if err != nil || got != want {
			t.Fatalf("CreateLogExportTask(%s) = %v, %v; want %v", tk.ID, got, err, want)
		}
	}
	ids := func(t *testing.T, tasks []store.LogExportTask, err error) []string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, tk := range tasks {
			out = append(out, tk.ID)
		}
		return out
	}
	listed := func(t *testing.T, s store.LogExports, account string, want ...string) {
		t.Helper()
		tasks, err := s.LogExportTasks(ctx, account, region)
		if got := ids(t, tasks, err); !reflect.DeepEqual(got, append([]string{}, want...)) {
			t.Errorf("LogExportTasks(%s) = %v; want %v", account, got, want)
		}
	}
	read := func(t *testing.T, s store.LogExports, id string) store.LogExportTask {
		t.Helper()
		for _, account := range []string{acct, other} {
			tasks, err := s.LogExportTasks(ctx, account, region)
			if err != nil {
				t.Fatal(err)
			}
			for _, tk := range tasks {
				if tk.ID == id {
					return tk
				}
			}
		}
		t.Fatalf("task %s is not listed", id)
		return store.LogExportTask{}
	}

	t.Run("one active task per account and region", func(t *testing.T) {
		s := exportsOf(t, fresh(t, open))
		create(t, s, task("a", acct, 1), true)
		create(t, s, task("b", acct, 2), false)
		create(t, s, task("c", other, 3), true) // another account
		west := task("d", acct, 4)
		west.Region = "us-west-2"
		create(t, s, west, true)
		listed(t, s, acct, "a")
		// An ended task no longer counts.
		if ok, err := s.CancelLogExportTask(ctx, acct, region, "a", "Cancelled by user", 10); err != nil || !ok {
			t.Fatalf("CancelLogExportTask(a) = %v, %v; want true", ok, err)
		}
		create(t, s, task("e", acct, 5), true)
		listed(t, s, acct, "e", "a")
	})

	t.Run("a task round-trips, newest first", func(t *testing.T) {
		s := exportsOf(t, fresh(t, open))
		done := task("t0", acct, 100) // the same time as t1: by id
		done.Status, done.Completed = "COMPLETED", 150
		create(t, s, done, true)
		old := task("t2", acct, 50)
		old.Status = "FAILED"
		create(t, s, old, true)
		want := task("t1", acct, 100)
		create(t, s, want, true)
		if got := read(t, s, "t1"); !reflect.DeepEqual(got, want) {
			t.Errorf("stored %+v; read %+v", want, got)
		}
		listed(t, s, acct, "t0", "t1", "t2")
		listed(t, s, other)
		tasks, err := s.ActiveLogExportTasks(ctx)
		if got := ids(t, tasks, err); !reflect.DeepEqual(got, []string{"t1"}) {
			t.Errorf("ActiveLogExportTasks = %v; want [t1]", got)
		}
	})

	t.Run("updates change active tasks only", func(t *testing.T) {
		s := exportsOf(t, fresh(t, open))
		create(t, s, task("u", acct, 1), true)
		up := read(t, s, "u")
		up.Status, up.Message, up.Stream, up.File, up.After = store.ExportRunning, "Started successfully", "web-1", 2, store.Position{Timestamp: 1500, Seq: 42}
		if ok, err := s.UpdateLogExportTask(ctx, up); err != nil || !ok {
			t.Fatalf("UpdateLogExportTask(running) = %v, %v; want true", ok, err)
		}
		if got := read(t, s, "u"); !reflect.DeepEqual(got, up) {
			t.Errorf("after the update %+v; want %+v", got, up)
		}
		if ok, err := s.CancelLogExportTask(ctx, acct, region, "u", "Cancelled by user", 9); err != nil || !ok {
			t.Fatalf("CancelLogExportTask = %v, %v; want true", ok, err)
		}
		again := up
		again.Status, again.Completed = "COMPLETED", 10
		if ok, err := s.UpdateLogExportTask(ctx, again); err != nil || ok {
			t.Errorf("UpdateLogExportTask(cancelled) = %v, %v; want false", ok, err)
		}
		got := read(t, s, "u")
		if got.Status != "CANCELLED" || got.Message != "Cancelled by user" || got.Completed != 9 || got.File != 2 {
			t.Errorf("a cancelled task became %+v", got)
		}
		if ok, err := s.CancelLogExportTask(ctx, acct, region, "u", "again", 11); err != nil || ok {
			t.Errorf("CancelLogExportTask(ended) = %v, %v; want false", ok, err)
		}
		if tasks, err := s.ActiveLogExportTasks(ctx); err != nil || len(tasks) != 0 {
			t.Errorf("ActiveLogExportTasks = %v, %v; want none", tasks, err)
		}
	})

	t.Run("unknown tasks", func(t *testing.T) {
		s := exportsOf(t, fresh(t, open))
		create(t, s, task("mine", acct, 1), true)
		if _, err := s.CancelLogExportTask(ctx, other, region, "mine", "x", 2); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("CancelLogExportTask(another account's task) = %v; want ErrNotFound", err)
		}
		if _, err := s.CancelLogExportTask(ctx, acct, region, "nope", "x", 2); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("CancelLogExportTask(unknown) = %v; want ErrNotFound", err)
		}
		if _, err := s.UpdateLogExportTask(ctx, task("nope", acct, 1)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UpdateLogExportTask(unknown) = %v; want ErrNotFound", err)
		}
		listed(t, s, acct, "mine")
	})

	t.Run("concurrent creations make one active task", func(t *testing.T) {
		s := exportsOf(t, fresh(t, open))
		var wg sync.WaitGroup
		created := make(chan string, 16)
		for i := range 16 {
			wg.Go(func() {
				id := fmt.Sprintf("c%02d", i)
				if ok, err := s.CreateLogExportTask(ctx, task(id, acct, int64(i))); err != nil {
					t.Error(err)
				} else if ok {
					created <- id
				}
			})
		}
		wg.Wait()
		close(created)
		if n := len(created); n != 1 {
			t.Errorf("%d concurrent creations succeeded; want 1", n)
		}
	})

	t.Run("durable", func(t *testing.T) {
		want := task("d", acct, 1)
		want.Status, want.Stream, want.File = store.ExportRunning, "web-2", 3
		s := exportsOf(t, reopen(t, open, func(t *testing.T, b Backend) {
			create(t, exportsOf(t, b), want, true)
		}))
		if got := read(t, s, "d"); !reflect.DeepEqual(got, want) {
			t.Errorf("after reopening %+v; want %+v", got, want)
		}
	})
}
