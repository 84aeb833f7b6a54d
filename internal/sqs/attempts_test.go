package sqs

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func handles(rs []Received) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ReceiptHandle
	}
	return out
}

// TestReceiveRequestAttemptID: a FIFO receive retried with its
// ReceiveRequestAttemptId within 5 minutes returns the same messages with
// the same receipt handles, hiding them anew, until one of them is
// deleted or its visibility changed.
func TestReceiveRequestAttemptID(t *testing.T) {
	f := newFixture(t)
	u := f.fifo("q.fifo", nil)
	for _, b := range []string{"m1", "m2", "m3"} {
		f.sendGroup(u, b, "g", b)
	}
	f.sendGroup(u, "other", "h", "other")
	attempt := func(id string, max int) []Received {
		t.Helper()
		return f.receive(ReceiveInput{QueueURL: u, Max: ip(max), AttemptID: id})
	}
	first := attempt("attempt-1", 2)
	if !slices.Equal(bodies(first), []string{"m1", "m2"}) {
		t.Fatalf("received %v", bodies(first))
	}
	f.clock.Advance(20 * time.Second)
	again := attempt("attempt-1", 10)
	if !slices.Equal(bodies(again), bodies(first)) || !slices.Equal(handles(again), handles(first)) {
		t.Fatalf("retried: %v %v; want %v %v", bodies(again), handles(again), bodies(first), handles(first))
	}
	// The retry hid them anew: still hidden 30 s after the first receive.
	f.clock.Advance(20 * time.Second)
	if got := f.receiveN(u, 10); !slices.Equal(bodies(got), []string{"other"}) {
		t.Fatalf("received %v while the attempt's messages are hidden", bodies(got))
	}
	// Another attempt id is another receive.
	if got := attempt("attempt-2", 10); len(got) != 0 {
		t.Fatalf("another attempt received %v", bodies(got))
	}

	// One deleted: the attempt is received afresh (nothing: m2 holds the
	// group).
	f.deleteMessage(u, first[0].ReceiptHandle)
	if got := attempt("attempt-1", 10); len(got) != 0 {
		t.Fatalf("retried after a delete: %v", bodies(got))
	}
	// Its visibility changed: afresh.
	f.clock.Advance(time.Minute)
	second := attempt("attempt-3", 10)
	if !slices.Equal(bodies(second), []string{"m2", "m3", "other"}) {
		t.Fatalf("received %v", bodies(second))
	}
	if err := f.changeVisibility(u, second[2].ReceiptHandle, 0); err != nil {
		t.Fatal(err)
	}
	if got := attempt("attempt-3", 10); !slices.Equal(bodies(got), []string{"other"}) || got[0].ReceiptHandle == second[2].ReceiptHandle {
		t.Fatalf("retried after a visibility change: %v; want other received afresh", bodies(got))
	}

	// Past 5 minutes: afresh.
	f.clock.Advance(time.Minute)
	third := attempt("attempt-4", 1)
	f.clock.Advance(5*time.Minute + time.Second)
	if got := attempt("attempt-4", 1); len(third) != 1 || len(got) != 1 || got[0].Body != third[0].Body || got[0].ReceiptHandle == third[0].ReceiptHandle {
		t.Fatalf("retried after 5 minutes: %+v; want %v received afresh", got, bodies(third))
	}
}

func TestReceiveRequestAttemptIDValues(t *testing.T) {
	f := newFixture(t)
	u := f.fifo("q.fifo", nil)
	for _, id := range []string{"a", strings.Repeat("x", 128), `!"#$%&'()*+,-./:;<=>?@[\]^_` + "`{|}~"} {
		if _, err := f.svc.ReceiveMessages(f.ctx, scope, ReceiveInput{QueueURL: u, AttemptID: id, Wait: ip(0)}); err != nil {
			t.Errorf("ReceiveRequestAttemptId %q: %v", id, err)
		}
	}
	for _, id := range []string{strings.Repeat("x", 129), "with space", "é"} {
		_, err := f.svc.ReceiveMessages(f.ctx, scope, ReceiveInput{QueueURL: u, AttemptID: id, Wait: ip(0)})
		wantErr(t, err, InvalidParameterValue, "Value "+id+" for parameter ReceiveRequestAttemptId is invalid. Reason: ReceiveRequestAttemptId can only include alphanumeric and punctuation characters. 1 to 128 in length.")
	}
	// A standard queue ignores it.
	s := f.create("s", nil)
	f.send(s, "m")
	for range 2 {
		if got := f.receive(ReceiveInput{QueueURL: s, AttemptID: "with space", Visibility: ip(0)}); len(got) != 1 {
			t.Fatalf("received %v from a standard queue", bodies(got))
		}
	}
}
