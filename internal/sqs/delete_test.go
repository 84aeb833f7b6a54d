package sqs

import (
	"encoding/base64"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// badHandles are receipt handles that are not Vigil's.
var badHandles = []string{
	"garbage",
	"not base64!",
	base64.RawURLEncoding.EncodeToString([]byte("2 id token")),   // another version
	base64.RawURLEncoding.EncodeToString([]byte("1  token")),     // no message id
	base64.RawURLEncoding.EncodeToString([]byte("1 id")),         // no token
	base64.RawURLEncoding.EncodeToString([]byte("1 id token x")), // too many parts
}

func invalidHandle(h string) string {
	return fmt.Sprintf("The input receipt handle %q is not a valid receipt handle.", h)
}

func TestDeleteMessage(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	f.send(u, "a")
	f.send(u, "b")
	got := f.receiveN(u, 10)
	f.deleteMessage(u, got[0].ReceiptHandle)
	f.wantCounts(u, counts{inFlight: 1})
	// Deleting it again succeeds, as in AWS.
	f.deleteMessage(u, got[0].ReceiptHandle)
	// A deleted message does not come back.
	f.clock.Advance(30 * time.Second)
	if got := f.receiveN(u, 10); !slices.Equal(bodies(got), []string{"b"}) {
		t.Fatalf("received %v", bodies(got))
	}
	for _, h := range append(badHandles, "") {
		_, err := f.svc.DeleteMessages(f.ctx, scope, u, nil, []string{h}, false)
		t.Run(h, func(t *testing.T) { wantErr(t, err, ReceiptHandleIsInvalid, invalidHandle(h)) })
	}
	// A handle of another queue's message deletes nothing here.
	o := f.create("other", nil)
	f.send(o, "o")
	om := f.receiveOne(o)
	f.deleteMessage(u, om.ReceiptHandle)
	f.wantCounts(o, counts{inFlight: 1})
	_, err := f.svc.DeleteMessages(f.ctx, scope, url("missing"), nil, []string{om.ReceiptHandle}, false)
	wantErr(t, err, QueueDoesNotExist, noQueue)
}

func TestDeleteMessageBatch(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	for i := range 3 {
		f.send(u, fmt.Sprint(i))
	}
	got := f.receiveN(u, 10)
	if len(got) != 3 {
		t.Fatalf("received %d", len(got))
	}
	ids := []string{"a", "b", "c", "d"}
	handles := []string{got[0].ReceiptHandle, "garbage", got[2].ReceiptHandle, got[0].ReceiptHandle}
	errs, err := f.svc.DeleteMessages(f.ctx, scope, u, ids, handles, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 4 || errs[0] != nil || errs[2] != nil || errs[3] != nil {
		t.Fatalf("errors = %v", errs)
	}
	wantErr(t, errs[1], ReceiptHandleIsInvalid, invalidHandle("garbage"))
	f.wantCounts(u, counts{inFlight: 1})
	f.clock.Advance(30 * time.Second)
	if got := f.receiveN(u, 10); !slices.Equal(bodies(got), []string{"1"}) {
		t.Fatalf("left %v", bodies(got))
	}

	_, err = f.svc.DeleteMessages(f.ctx, scope, u, nil, nil, true)
	wantErr(t, err, EmptyBatchRequest, "")
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = fmt.Sprint(i)
	}
	_, err = f.svc.DeleteMessages(f.ctx, scope, u, eleven, eleven, true)
	wantErr(t, err, TooManyEntriesInBatchRequest, "Maximum number of entries per request are 10. You have sent 11.")
	_, err = f.svc.DeleteMessages(f.ctx, scope, u, []string{"x", "x"}, []string{"h", "h"}, true)
	wantErr(t, err, BatchEntryIdsNotDistinct, "Id x repeated.")
	_, err = f.svc.DeleteMessages(f.ctx, scope, u, []string{"x y"}, []string{"h"}, true)
	wantErr(t, err, InvalidBatchEntryID, "")
}

// TestBatchEmptyMessages: an empty batch's message names the request's
// entries: "There should be at least one DeleteMessageBatchRequestEntry
// in the request." for DeleteMessageBatch.
func TestBatchEmptyMessages(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	_, err := f.svc.DeleteMessages(f.ctx, scope, u, nil, nil, true)
	wantErr(t, err, EmptyBatchRequest, "There should be at least one DeleteMessageBatchRequestEntry in the request.")
	_, err = f.svc.ChangeVisibility(f.ctx, scope, u, nil, nil, nil, true)
	wantErr(t, err, EmptyBatchRequest, "There should be at least one ChangeMessageVisibilityBatchRequestEntry in the request.")
}

func TestChangeMessageVisibility(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	sent := f.send(u, "m")
	m := f.receiveOne(u)
	// Longer.
	f.clock.Advance(10 * time.Second)
	if err := f.changeVisibility(u, m.ReceiptHandle, 100); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(100*time.Second - time.Millisecond)
	f.receiveNone(u)
	f.clock.Advance(time.Millisecond)
	// Visible again: received anew, and the old handle is stale.
	m2 := f.receiveOne(u)
	if m2.MessageID != sent.MessageID || m2.ReceiptHandle == m.ReceiptHandle {
		t.Fatalf("received %+v", m2)
	}
	const notInflight = "Message does not exist or is not available for visibility timeout change."
	wantErr(t, f.changeVisibility(u, m.ReceiptHandle, 0), MessageNotInflight, notInflight)
	f.wantCounts(u, counts{inFlight: 1})
	// Shorter: to 0, visible at once.
	if err := f.changeVisibility(u, m2.ReceiptHandle, 0); err != nil {
		t.Fatal(err)
	}
	f.wantCounts(u, counts{visible: 1})
	m3 := f.receive(ReceiveInput{QueueURL: u, SystemAttributes: []string{"ApproximateReceiveCount"}})
	if len(m3) != 1 || m3[0].SystemAttributes["ApproximateReceiveCount"] != "3" {
		t.Fatalf("received %+v", m3)
	}
	for _, v := range []int{-1, 43201} {
		wantErr(t, f.changeVisibility(u, m3[0].ReceiptHandle, v), InvalidParameterValue,
			fmt.Sprintf("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.", v))
	}
	if err := f.changeVisibility(u, m3[0].ReceiptHandle, 43200); err != nil {
		t.Fatalf("43200: %v", err)
	}
	for _, h := range badHandles {
		wantErr(t, f.changeVisibility(u, h, 0), ReceiptHandleIsInvalid, invalidHandle(h))
	}
	// A deleted message is not in flight.
	f.deleteMessage(u, m3[0].ReceiptHandle)
	wantErr(t, f.changeVisibility(u, m3[0].ReceiptHandle, 10), MessageNotInflight, notInflight)
	// Nor is one never received, whatever handle is made up for it.
	fresh := f.send(u, "new")
	made := receiptHandle(&store.QueueMessage{ID: fresh.MessageID, Receipt: ""})
	wantErr(t, f.changeVisibility(u, made, 10), MessageNotInflight, notInflight)
	wantErr(t, f.changeVisibility(url("missing"), m3[0].ReceiptHandle, 10), QueueDoesNotExist, noQueue)
}

func TestChangeMessageVisibilityBatch(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	for i := range 3 {
		f.send(u, fmt.Sprint(i))
	}
	got := f.receiveN(u, 10)
	ids := []string{"a", "b", "c", "d"}
	handles := []string{got[0].ReceiptHandle, "garbage", got[1].ReceiptHandle, got[2].ReceiptHandle}
	errs, err := f.svc.ChangeVisibility(f.ctx, scope, u, ids, handles, []int{0, 0, 50000, 60}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 4 || errs[0] != nil || errs[3] != nil {
		t.Fatalf("errors = %v", errs)
	}
	wantErr(t, errs[1], ReceiptHandleIsInvalid, invalidHandle("garbage"))
	wantErr(t, errs[2], InvalidParameterValue, "")
	// 0 is visible, 1 keeps its 30 s, 2 has 60.
	f.wantCounts(u, counts{visible: 1, inFlight: 2})
	f.clock.Advance(30 * time.Second)
	f.wantCounts(u, counts{visible: 2, inFlight: 1})
	f.clock.Advance(30 * time.Second)
	f.wantCounts(u, counts{visible: 3})

	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = fmt.Sprint(i)
	}
	_, err = f.svc.ChangeVisibility(f.ctx, scope, u, eleven, eleven, make([]int, 11), true)
	wantErr(t, err, TooManyEntriesInBatchRequest, "Maximum number of entries per request are 10. You have sent 11.")
	_, err = f.svc.ChangeVisibility(f.ctx, scope, u, []string{"x", "x"}, []string{"h", "h"}, []int{0, 0}, true)
	wantErr(t, err, BatchEntryIdsNotDistinct, "Id x repeated.")
}

func TestExpireMessages(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", map[string]string{"MessageRetentionPeriod": "60"})
	long := f.create("long", nil) // 4 days
	f.send(u, "old")
	f.send(long, "kept")
	f.clock.Advance(30 * time.Second)
	f.send(u, "young")
	// At 59.999 s the first is there; at 60 s it is gone: not received,
	// not counted.
	f.clock.Advance(30*time.Second - time.Millisecond)
	f.wantCounts(u, counts{visible: 2})
	f.clock.Advance(time.Millisecond)
	f.wantCounts(u, counts{visible: 1})
	// The job deletes it at the clock's time. (Moving the clock back
	// shows what the store still has.)
	if err := f.svc.ExpireMessages(f.ctx, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(t0.Add(30 * time.Second))
	f.wantCounts(u, counts{visible: 1})
	f.wantCounts(long, counts{visible: 1})
	f.clock.Set(t0.Add(60 * time.Second))
	if got := f.receiveN(u, 10); !slices.Equal(bodies(got), []string{"young"}) {
		t.Fatalf("received %v", bodies(got))
	}
	// An expiry at an earlier time deletes nothing more.
	if err := f.svc.ExpireMessages(f.ctx, t0); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(t0.Add(31 * time.Second))
	f.wantCounts(u, counts{visible: 0, inFlight: 1})
	// A message in flight expires too.
	f.clock.Set(t0.Add(90 * time.Second))
	f.wantCounts(u, counts{})
	if err := f.svc.ExpireMessages(f.ctx, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(t0.Add(31 * time.Second))
	f.wantCounts(u, counts{})
	f.wantCounts(long, counts{visible: 1})
}

// TestExpireMessagesDeduplication: the job forgets deduplication ids past
// their 5 minutes, and only those.
func TestExpireMessagesDeduplication(t *testing.T) {
	f := newFixture(t)
	u := f.fifo("f.fifo", nil)
	first := f.sendGroup(u, "a", "g", "d")
	f.clock.Advance(4 * time.Minute)
	if err := f.svc.ExpireMessages(f.ctx, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if dup := f.sendGroup(u, "a", "g", "d"); dup.MessageID != first.MessageID {
		t.Fatal("a deduplication id within its 5 minutes was forgotten by the expiry")
	}
	f.clock.Advance(time.Minute + time.Millisecond)
	if err := f.svc.ExpireMessages(f.ctx, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if again := f.sendGroup(u, "a", "g", "d"); again.MessageID == first.MessageID {
		t.Fatal("a deduplication id past its 5 minutes is still a duplicate")
	}
	f.wantCounts(u, counts{visible: 2})
}
