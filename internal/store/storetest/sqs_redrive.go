package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// sqsFixture holds what the SQS suites beyond SQS's own share: a fresh
// store's SQS with queues of one account and region.
type sqsFixture struct {
	t   *testing.T
	ctx context.Context
	s   store.SQS
}

const sqsAccount, sqsRegion = "111111111111", "us-east-1"

func newSQSFixture(t *testing.T, b Backend) *sqsFixture {
	t.Helper()
	need(t, b.SQS != nil, "SQS")
	return &sqsFixture{t: t, ctx: context.Background(), s: b.SQS}
}

// on returns the fixture of a subtest.
func (f *sqsFixture) on(t *testing.T) *sqsFixture { return &sqsFixture{t: t, ctx: f.ctx, s: f.s} }

// queue creates a queue and returns its ARN.
func (f *sqsFixture) queue(name string) string {
	f.t.Helper()
	arn := "arn:aws:sqs:" + sqsRegion + ":" + sqsAccount + ":" + name
	if _, _, err := f.s.CreateQueue(f.ctx, store.Queue{Account: sqsAccount, Region: sqsRegion, Name: name, ARN: arn,
		Attributes: []byte(`{"name":"` + name + `"}`), Created: 1000, Updated: 1000}); err != nil {
		f.t.Fatalf("CreateQueue(%s): %v", name, err)
	}
	return arn
}

// send adds messages, visible at sent, each of the group given after
// its ID as "id/group" ("" else), from the queue source ("" for none).
func (f *sqsFixture) send(arn, source string, sent int64, ids ...string) {
	f.t.Helper()
	msgs := make([]store.QueueMessage, len(ids))
	for i, id := range ids {
		id, group, _ := strings.Cut(id, "/")
		msgs[i] = store.QueueMessage{ID: id, Body: "body of " + id, Attributes: []byte(`{"id":"` + id + `"}`), GroupID: group,
			Sent: sent, VisibleAt: sent, Expires: sent + 4*24*3600*1000, SourceARN: source}
	}
	if _, err := f.s.SendMessages(f.ctx, arn, msgs, 0); err != nil {
		f.t.Fatalf("SendMessages(%s): %v", arn, err)
	}
}

// ids are the IDs of messages.
func ids(ms []store.QueueMessage) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

// has receives a queue's messages visible at now (a standard receive
// that hides them for a second) and checks their IDs.
func (f *sqsFixture) has(arn string, now int64, want ...string) []store.QueueMessage {
	f.t.Helper()
	got, err := f.s.ReceiveMessages(f.ctx, store.ReceiveRequest{QueueARN: arn, Now: now, VisibleUntil: now + 1000, Max: 10})
	if err != nil {
		f.t.Fatalf("ReceiveMessages(%s): %v", arn, err)
	}
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(ids(got), want) {
		f.t.Errorf("%s has %q at %d; want %q", arn, ids(got), now, want)
	}
	return got
}

// sqsReceiveAttempts checks ReceiveRequest.AttemptID: a retry returns
// the messages of the attempt with their receipts, visible anew, until
// one of them is deleted, received again or its visibility changed, or
// the attempt is older than AttemptSince; a fresh receive replaces the
// attempt's messages when it takes some; DeleteExpiredMessages deletes
// the old attempts.
func sqsReceiveAttempts(t *testing.T, open Open) {
	f := newSQSFixture(t, fresh(t, open))
	q, other := f.queue("q"), f.queue("other")
	f.send(q, "", 1000, "m1", "m2", "m3")
	f.send(other, "", 1000, "o1")
	receipts := 0
	receive := func(arn, attempt string, now, since int64, max int, want ...string) []store.QueueMessage {
		t.Helper()
		got, err := f.s.ReceiveMessages(f.ctx, store.ReceiveRequest{QueueARN: arn, Now: now, VisibleUntil: now + 30000, Max: max,
			AttemptID: attempt, AttemptSince: since, Receipt: func(*store.QueueMessage) string {
				receipts++
				return fmt.Sprint("receipt-", receipts)
			}})
		if err != nil {
			t.Fatalf("ReceiveMessages(%s, attempt %q, now %d): %v", arn, attempt, now, err)
		}
		if want == nil {
			want = []string{}
		}
		if !slices.Equal(ids(got), want) {
			t.Errorf("ReceiveMessages(%s, attempt %q, now %d, since %d) = %q; want %q", arn, attempt, now, since, ids(got), want)
		}
		return got
	}
	// retried checks that a retry returned the messages first of an
	// attempt, hidden anew until now+30000, and issued no receipt.
	retried := func(got, first []store.QueueMessage, now int64, issued int) {
		t.Helper()
		for i := range min(len(got), len(first)) {
			want := first[i]
			want.VisibleAt = now + 30000
			if !reflect.DeepEqual(got[i], want) {
				t.Errorf("retried, received\n%+v\nwant\n%+v", got[i], want)
			}
		}
		if receipts != issued {
			t.Errorf("a retry issued %d receipts", receipts-issued)
		}
	}

	first := receive(q, "x", 1000, 0, 2, "m1", "m2")
	n := receipts
	retried(receive(q, "x", 2000, 1000, 10, "m1", "m2"), first, 2000, n)
	retried(receive(q, "x", 2500, 0, 1, "m1", "m2"), first, 2500, n)
	// Another queue's attempt of that ID is its own.
	receive(other, "x", 2500, 0, 10, "o1")
	// Past the window (received before since): received afresh, and the
	// attempt's messages are those received then.
	third := receive(q, "x", 3000, 1001, 10, "m3")
	retried(receive(q, "x", 4000, 0, 10, "m3"), third, 4000, receipts)
	// A visibility changed (even extended): afresh (nothing visible), the
	// attempt kept.
	if err := f.s.ChangeVisibility(f.ctx, q, "m3", third[0].Receipt, 4000, 50000); err != nil {
		t.Fatal(err)
	}
	receive(q, "x", 4500, 0, 10)
	receive(q, "x", 4600, 0, 10)

	// Received again, all three are the attempt y's; one deleted, the
	// attempt is received afresh.
	receive(q, "y", 60000, 0, 10, "m1", "m2", "m3")
	if err := f.s.DeleteMessages(f.ctx, q, []string{"m2"}); err != nil {
		t.Fatal(err)
	}
	receive(q, "y", 61000, 0, 10)

	// Visible again at the end of its visibility timeout, an attempt's
	// messages no other receive took are returned again, until one is.
	z := receive(q, "z", 100000, 0, 10, "m1", "m3")
	retried(receive(q, "z", 140000, 0, 10, "m1", "m3"), z, 140000, receipts)
	// Taken by another receive (which hides it until the very end of the
	// attempt's visibility timeout), m1 is no longer the attempt's.
	if _, err := f.s.ReceiveMessages(f.ctx, store.ReceiveRequest{QueueARN: q, Now: 170000, VisibleUntil: 170000, Max: 1,
		Receipt: func(*store.QueueMessage) string { return "another" }}); err != nil {
		t.Fatal(err)
	}
	n = receipts
	receive(q, "z", 172000, 0, 10, "m1", "m3")
	if receipts != n+2 {
		t.Errorf("a retry after another receive issued %d receipts; want 2, as a receive afresh", receipts-n)
	}

	// Expired messages are not returned again.
	f.send(q, "", 1000, "m4")
	exp := store.QueueMessage{ID: "short", Body: "b", Sent: 1000, VisibleAt: 1000, Expires: 250500}
	if _, err := f.s.SendMessages(f.ctx, q, []store.QueueMessage{exp}, 0); err != nil {
		t.Fatal(err)
	}
	receive(q, "e", 250000, 0, 10, "m1", "m3", "m4", "short")
	receive(q, "e", 251000, 0, 10)

	// DeleteExpiredMessages deletes the attempts received before
	// dedupBefore: a retry is then received afresh.
	w := receive(q, "w", 300000, 0, 2, "m1", "m3")
	if _, err := f.s.DeleteExpiredMessages(f.ctx, 300000, 300000); err != nil {
		t.Fatal(err)
	}
	retried(receive(q, "w", 300500, 0, 10, "m1", "m3"), w, 300500, receipts)
	if _, err := f.s.DeleteExpiredMessages(f.ctx, 300000, 300001); err != nil {
		t.Fatal(err)
	}
	receive(q, "w", 300600, 0, 10, "m4")
}

// moveMissing is the FailureReason the move tasks' steps are given.
const moveMissing = "queue missing"

// moveTask is a task of a source to a destination, started at started.
func moveTask(id, source, destination string, started int64) store.MoveTask {
	return store.MoveTask{ID: id, Account: sqsAccount, Region: sqsRegion, SourceARN: source, DestinationARN: destination,
		Rate: 5, Status: store.MoveRunning, Started: started, Progressed: started, ToMove: 3}
}

func (f *sqsFixture) start(tk store.MoveTask, want error) {
	f.t.Helper()
	if err := f.s.StartMoveTask(f.ctx, tk); want == nil && err != nil || want != nil && !errors.Is(err, want) {
		f.t.Fatalf("StartMoveTask(%s of %s) = %v; want %v", tk.ID, tk.SourceARN, err, want)
	}
}

func (f *sqsFixture) taskIs(want store.MoveTask) {
	f.t.Helper()
	got, err := f.s.MoveTask(f.ctx, want.ID)
	if err != nil || !reflect.DeepEqual(*got, want) {
		f.t.Errorf("MoveTask(%s) = %+v, %v; want %+v", want.ID, got, err, want)
	}
}

func taskIDs(ts []store.MoveTask) []string {
	out := []string{}
	for _, tk := range ts {
		out = append(out, tk.ID)
	}
	return out
}

// listed checks the tasks of a source MoveTasks lists.
func (f *sqsFixture) listed(source string, limit int, want ...string) {
	f.t.Helper()
	got, err := f.s.MoveTasks(f.ctx, source, limit)
	if err != nil {
		f.t.Fatalf("MoveTasks(%s): %v", source, err)
	}
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(taskIDs(got), want) {
		f.t.Errorf("MoveTasks(%s, %d) = %q; want %q", source, limit, taskIDs(got), want)
	}
}

// active checks the tasks ActiveMoveTasks lists.
func (f *sqsFixture) active(want ...string) {
	f.t.Helper()
	got, err := f.s.ActiveMoveTasks(f.ctx)
	if err != nil {
		f.t.Fatalf("ActiveMoveTasks: %v", err)
	}
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(taskIDs(got), want) {
		f.t.Errorf("ActiveMoveTasks = %q; want %q", taskIDs(got), want)
	}
}

// step runs a step of a task at now that moves up to max messages, each
// to a message "<id>-moved" sent at now, and returns the task.
func (f *sqsFixture) step(id string, now int64, max int, fifo bool) store.MoveTask {
	f.t.Helper()
	got, err := f.s.StepMoveTask(f.ctx, store.MoveStep{TaskID: id, Now: now, FIFO: fifo, Max: max, Progressed: now, Missing: moveMissing,
		Moved: func(m store.QueueMessage, to *store.Queue) (store.QueueMessage, error) {
			if want := "body of " + m.ID; m.Body != want || string(to.Attributes) != `{"name":"`+to.Name+`"}` {
				f.t.Errorf("Moved(%+v, %+v): want a message of its body, and the queue stored", m, to)
			}
			m.ID, m.Sent, m.VisibleAt, m.Expires = m.ID+"-moved", now, now, now+1000000
			return m, nil
		}})
	if err != nil {
		f.t.Fatalf("StepMoveTask(%s, %d, %d): %v", id, now, max, err)
	}
	return *got
}

// isNow checks a task as a step returned it, and as stored.
func (f *sqsFixture) isNow(got store.MoveTask, status, reason string, moved, progressed int64) {
	f.t.Helper()
	if got.Status != status || got.FailureReason != reason || got.Moved != moved || got.Progressed != progressed {
		f.t.Errorf("task %s is %s %q, moved %d, progressed to %d; want %s %q, %d, %d", got.ID, got.Status, got.FailureReason,
			got.Moved, got.Progressed, status, reason, moved, progressed)
	}
	f.taskIs(got)
}

// sqsMoveTasks checks the move tasks: one active task per source queue,
// listed latest first and kept up to store.MoveTaskHistory per source;
// their steps moving the visible messages of their source, oldest first,
// to their destination or back to each message's source, completing when
// the source has fewer than a step takes, failing when a queue is
// missing; cancelled at their next step; and kept across a reopen.
func sqsMoveTasks(t *testing.T, open Open) {
	var src, dlq, dst, other string
	var t1 store.MoveTask
	f := newSQSFixture(t, reopen(t, open, func(t *testing.T, b Backend) {
		f := newSQSFixture(t, b)
		src, dlq, dst, other = f.queue("src"), f.queue("dlq"), f.queue("dst"), f.queue("other")
		f.send(dlq, src, 1000, "d1", "d2", "d3")
		t1 = moveTask("t1", dlq, dst, 2000)
		f.start(t1, nil)
		f.taskIs(t1)
	}))
	t.Run("start", func(t *testing.T) {
		f := f.on(t)
		// Kept across the reopen; one active task per source.
		f.taskIs(t1)
		f.start(moveTask("t2", dlq, "", 3000), store.ErrExists)
		if _, err := f.s.MoveTask(f.ctx, "t2"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("MoveTask(refused) = %v; want ErrNotFound", err)
		}
		f.start(moveTask("o1", other, dst, 2500), nil)
		f.active("t1", "o1")
		f.listed(dlq, 0, "t1")
		f.listed(src, 0)
	})

	t.Run("step", func(t *testing.T) {
		f := f.on(t)
		// Messages not visible yet stay.
		f.send(dlq, src, 9000, "later")
		f.isNow(f.step("t1", 3000, 2, false), store.MoveRunning, "", 2, 3000)
		// Moved as new messages, never received, from no queue.
		for _, m := range f.has(dst, 3000, "d1-moved", "d2-moved") {
			if m.QueueARN != dst || m.ReceiveCount != 1 || m.FirstReceived != 3000 || m.SourceARN != "" || m.Sent != 3000 {
				t.Errorf("moved message %+v; want it new in %s at 3000, from no queue", m, dst)
			}
		}
		f.has(dlq, 3000, "d3")
		f.isNow(f.step("t1", 4500, 2, false), store.MoveCompleted, "", 3, 4500)
		f.has(dst, 4500, "d1-moved", "d2-moved", "d3-moved")
		// A task done steps no more.
		f.isNow(f.step("t1", 10000, 10, false), store.MoveCompleted, "", 3, 4500)
		f.has(dlq, 10000, "later")
		f.active("o1")
		if _, err := f.s.StepMoveTask(f.ctx, store.MoveStep{TaskID: "nosuch", Max: 1}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("StepMoveTask(nosuch) = %v; want ErrNotFound", err)
		}
	})

	t.Run("back to the sources", func(t *testing.T) {
		f := f.on(t)
		a, b, d := f.queue("a"), f.queue("b"), f.queue("back-dlq")
		f.send(d, a, 1000, "a1")
		f.send(d, b, 1000, "b1")
		f.send(d, a, 1000, "a2")
		f.start(moveTask("back", d, "", 2000), nil)
		f.isNow(f.step("back", 3000, 10, false), store.MoveCompleted, "", 3, 3000)
		f.has(a, 3000, "a1-moved", "a2-moved")
		f.has(b, 3000, "b1-moved")
		f.has(d, 3000)

		// A message from no queue fails the task; those moved before
		// stay moved.
		f.send(d, a, 5000, "a3")
		f.send(d, "", 5000, "stray")
		f.send(d, a, 5000, "a4")
		f.start(moveTask("stray", d, "", 5000), nil)
		f.isNow(f.step("stray", 6000, 10, false), store.MoveFailed, moveMissing, 1, 6000)
		f.has(a, 6000, "a1-moved", "a2-moved", "a3-moved")
		f.has(d, 6000, "stray", "a4")
		f.active("o1")
	})

	t.Run("queues missing", func(t *testing.T) {
		f := f.on(t)
		gone, d := f.queue("gone"), f.queue("gone-dlq")
		f.send(d, "", 1000, "g1")
		f.start(moveTask("to-gone", d, gone, 1000), nil)
		if err := f.s.DeleteQueue(f.ctx, gone); err != nil {
			t.Fatal(err)
		}
		f.isNow(f.step("to-gone", 2000, 10, false), store.MoveFailed, moveMissing, 0, 2000)
		f.has(d, 2000, "g1")
		// Its source gone.
		if err := f.s.DeleteQueue(f.ctx, other); err != nil {
			t.Fatal(err)
		}
		f.isNow(f.step("o1", 3000, 10, false), store.MoveFailed, moveMissing, 0, 3000)
		f.active()
	})

	t.Run("cancel", func(t *testing.T) {
		f := f.on(t)
		d := f.queue("c-dlq")
		f.send(d, src, 1000, "c1", "c2", "c3")
		f.start(moveTask("c", d, dst, 1000), nil)
		f.isNow(f.step("c", 2000, 1, false), store.MoveRunning, "", 1, 2000)
		got, err := f.s.CancelMoveTask(f.ctx, "c")
		if err != nil || got.Status != store.MoveCancelling || got.Moved != 1 {
			t.Fatalf("CancelMoveTask = %+v, %v; want it CANCELLING, 1 moved", got, err)
		}
		for _, id := range []string{"c", "t1", "nosuch"} {
			if _, err := f.s.CancelMoveTask(f.ctx, id); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("CancelMoveTask(%s, not running) = %v; want ErrNotFound", id, err)
			}
		}
		// Active until its next step, which moves nothing.
		f.active("c")
		f.start(moveTask("c2", d, dst, 2500), store.ErrExists)
		f.isNow(f.step("c", 3000, 10, false), store.MoveCancelled, "", 1, 2000)
		f.has(d, 3000, "c2", "c3")
		f.active()
		f.start(moveTask("c2", d, dst, 3500), nil)
		f.listed(d, 0, "c2", "c")
	})

	t.Run("fifo", func(t *testing.T) {
		f := f.on(t)
		d, to := f.queue("f-dlq.fifo"), f.queue("f-dst.fifo")
		f.send(d, "", 1000, "a1/A", "b1/B", "a2/A")
		if got, err := f.s.ReceiveMessages(f.ctx, store.ReceiveRequest{QueueARN: d, Now: 1000, VisibleUntil: 9000, Max: 1, FIFO: true}); err != nil || len(got) != 1 {
			t.Fatalf("ReceiveMessages = %+v, %v", got, err)
		}
		// A's in flight: only B's moves, with its group.
		f.start(moveTask("f", d, to, 2000), nil)
		f.isNow(f.step("f", 2000, 10, true), store.MoveCompleted, "", 1, 2000)
		if got := f.has(to, 2000, "b1-moved"); len(got) == 1 && got[0].GroupID != "B" {
			t.Errorf("moved %+v; want it of group B", got[0])
		}
	})

	t.Run("history", func(t *testing.T) {
		f := f.on(t)
		d := f.queue("h-dlq")
		var want []string
		for i := range store.MoveTaskHistory + 2 {
			id := fmt.Sprint("h", i)
			f.start(moveTask(id, d, dst, int64(1000+i)), nil)
			f.step(id, int64(2000+i), 10, false)
			want = append([]string{id}, want...)
		}
		f.listed(d, 0, want[:store.MoveTaskHistory]...)
		f.listed(d, 3, want[:3]...)
		if _, err := f.s.MoveTask(f.ctx, "h0"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("MoveTask(h0, past the history) = %v; want ErrNotFound", err)
		}
		// Started at the same time, the one started last is the latest.
		e := f.queue("same-dlq")
		for _, id := range []string{"s1", "s2"} {
			f.start(moveTask(id, e, dst, 5000), nil)
			f.step(id, 5000, 10, false)
		}
		f.listed(e, 0, "s2", "s1")
	})
}
