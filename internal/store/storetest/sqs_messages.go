package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// sendReceive is the subtest "send and receive".
func (k *sqsSuite) sendReceive(t *testing.T) {
	const acct, region, otherAcct, otherRegion = sqsAccount, sqsRegion, sqsOtherAccount, sqsOtherRegion
	ctx := context.Background()
	s := k.newSQS(t)
	a, b := k.queue(acct, region, "a"), k.queue(acct, region, "b")
	k.create(t, s, a)
	k.create(t, s, b)
	noAttributes := k.msg("m3")
	noAttributes.Attributes = nil
	sentA := k.send(t, s, a.ARN, k.msg("m1"), k.msg("m2"), noAttributes)
	sentB := k.send(t, s, b.ARN, k.msg("x1"))
	sentA = append(sentA, k.send(t, s, a.ARN, k.msg("m4"), k.msg("m5"))...)
	k.countsAre(t, s, a.ARN, 1000, store.QueueCounts{Visible: 5})
	k.countsAre(t, s, b.ARN, 1000, store.QueueCounts{Visible: 1})

	// Sending to a queue that does not exist adds nothing.
	nosuch := k.queue(acct, region, "nosuch")
	if got, err := s.SendMessages(ctx, nosuch.ARN, []store.QueueMessage{k.msg("n1"), k.msg("n2")}, 0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SendMessages(to a missing queue) = %+v, %v; want ErrNotFound", got, err)
	}
	k.create(t, s, nosuch)
	k.countsAre(t, s, nosuch.ARN, 1000, store.QueueCounts{})

	// Oldest first, each message once.
	got := k.receive(t, s, a.ARN, 2000, 2)
	k.received(t, got, "m1", "m2")
	for i, m := range got {
		if want := k.receivedAs(sentA[i], 2000, 2000, 1, m.Receipt); !k.same(m, want) {
			t.Errorf("received\n%+v\nwant\n%+v", m, want)
		}
	}
	got = k.receive(t, s, a.ARN, 2000, 10)
	k.received(t, got, "m3", "m4", "m5")
	for i, m := range got {
		if want := k.receivedAs(sentA[2+i], 2000, 2000, 1, m.Receipt); !k.same(m, want) {
			t.Errorf("received\n%+v\nwant\n%+v", m, want)
		}
	}
	k.received(t, k.receive(t, s, a.ARN, 2000, 10))
	k.countsAre(t, s, a.ARN, 2000, store.QueueCounts{InFlight: 5})
	// Another queue's messages are its own.
	got = k.receive(t, s, b.ARN, 3000, 10)
	k.received(t, got, "x1")
	if len(got) == 1 {
		if want := k.receivedAs(sentB[0], 3000, 3000, 1, got[0].Receipt); !k.same(got[0], want) {
			t.Errorf("received\n%+v\nwant\n%+v", got[0], want)
		}
	}
	k.received(t, k.receive(t, s, nosuch.ARN, 3000, 10))
	// A queue that does not exist has nothing to receive.
	k.received(t, k.receive(t, s, k.queue(acct, region, "never").ARN, 3000, 10))
	k.countsAre(t, s, k.queue(acct, region, "never").ARN, 3000, store.QueueCounts{})

	// Seq keeps growing with later sends, of any queue.
	k.send(t, s, b.ARN, k.msg("x2"))
	k.send(t, s, a.ARN, k.msg("m6"), k.msg("m7"))
	k.received(t, k.receive(t, s, a.ARN, 3000, 10), "m6", "m7")
}

// visibility is the subtest "visibility".
func (k *sqsSuite) visibility(t *testing.T) {
	const acct, region, otherAcct, otherRegion = sqsAccount, sqsRegion, sqsOtherAccount, sqsOtherRegion
	s := k.newSQS(t)
	q := k.queue(acct, region, "q")
	k.create(t, s, q)
	sent := k.send(t, s, q.ARN, k.msg("m"))[0]

	got := k.receive(t, s, q.ARN, 1000, 10)
	k.received(t, got, "m")
	if len(got) != 1 {
		t.FailNow()
	}
	if want := k.receivedAs(sent, 1000, 1000, 1, got[0].Receipt); !k.same(got[0], want) {
		t.Errorf("received\n%+v\nwant\n%+v", got[0], want)
	}
	first := got[0].Receipt
	// Hidden until the visibility timeout ends.
	k.received(t, k.receive(t, s, q.ARN, 2000, 10))
	k.received(t, k.receive(t, s, q.ARN, 1000+sqsTimeout-1, 10))
	k.countsAre(t, s, q.ARN, 2000, store.QueueCounts{InFlight: 1})
	k.countsAre(t, s, q.ARN, 1000+sqsTimeout-1, store.QueueCounts{InFlight: 1})
	k.countsAre(t, s, q.ARN, 1000+sqsTimeout, store.QueueCounts{Visible: 1})

	// Visible again: received again, a second time, under a new
	// receipt; first received still at the first receive.
	now := int64(1000 + sqsTimeout)
	got = k.receive(t, s, q.ARN, now, 10)
	k.received(t, got, "m")
	if len(got) != 1 {
		t.FailNow()
	}
	if want := k.receivedAs(sent, now, 1000, 2, got[0].Receipt); !k.same(got[0], want) {
		t.Errorf("received again\n%+v\nwant\n%+v", got[0], want)
	}
	if got[0].Receipt == first {
		t.Errorf("received again under the receipt of the first receive, %q", first)
	}
	k.received(t, k.receive(t, s, q.ARN, now, 10))
	k.countsAre(t, s, q.ARN, now, store.QueueCounts{InFlight: 1})
	// A third time.
	now += sqsTimeout
	got = k.receive(t, s, q.ARN, now, 1)
	if k.received(t, got, "m"); len(got) == 1 && (got[0].ReceiveCount != 3 || got[0].FirstReceived != 1000) {
		t.Errorf("received a third time: %+v; want ReceiveCount 3, FirstReceived 1000", got[0])
	}
}

// delay is the subtest "delay".
func (k *sqsSuite) delay(t *testing.T) {
	const acct, region, otherAcct, otherRegion = sqsAccount, sqsRegion, sqsOtherAccount, sqsOtherRegion
	s := k.newSQS(t)
	q := k.queue(acct, region, "q")
	k.create(t, s, q)
	delayed := k.msg("delayed")
	delayed.VisibleAt = 6000
	k.send(t, s, q.ARN, delayed, k.msg("now"))
	k.countsAre(t, s, q.ARN, 1000, store.QueueCounts{Visible: 1, Delayed: 1})
	k.received(t, k.receive(t, s, q.ARN, 1000, 10), "now")
	k.countsAre(t, s, q.ARN, 1000, store.QueueCounts{InFlight: 1, Delayed: 1})
	k.received(t, k.receive(t, s, q.ARN, 5999, 10))
	k.countsAre(t, s, q.ARN, 6000, store.QueueCounts{Visible: 1, InFlight: 1})
	got := k.receive(t, s, q.ARN, 6000, 10)
	if k.received(t, got, "delayed"); len(got) == 1 && (got[0].ReceiveCount != 1 || got[0].FirstReceived != 6000) {
		t.Errorf("received %+v; want ReceiveCount 1, FirstReceived 6000", got[0])
	}
	k.countsAre(t, s, q.ARN, 6000, store.QueueCounts{InFlight: 2})
}

// visibilityChanges is the subtest "change visibility".
func (k *sqsSuite) visibilityChanges(t *testing.T) {
	const acct, region, otherAcct, otherRegion = sqsAccount, sqsRegion, sqsOtherAccount, sqsOtherRegion
	ctx := context.Background()
	s := k.newSQS(t)
	q, other := k.queue(acct, region, "q"), k.queue(acct, region, "other")
	k.create(t, s, q)
	k.create(t, s, other)
	k.send(t, s, q.ARN, k.msg("m"))
	k.send(t, s, other.ARN, k.msg("m"))
	r1 := k.receive(t, s, q.ARN, 1000, 1)[0].Receipt
	r2 := k.receive(t, s, q.ARN, 1000+sqsTimeout, 1)[0].Receipt

	// Only the latest receipt.
	k.changeVisibility(t, s, q.ARN, "m", r1, 1000+sqsTimeout, store.ErrNotFound)
	k.changeVisibility(t, s, q.ARN, "m", "", 1000+sqsTimeout, store.ErrNotFound)
	k.changeVisibility(t, s, q.ARN, "nosuch", r2, 1000+sqsTimeout, store.ErrNotFound)
	k.changeVisibility(t, s, other.ARN, "m", r2, 1000+sqsTimeout, store.ErrNotFound)
	k.changeVisibility(t, s, k.queue(acct, region, "nosuch").ARN, "m", r2, 1000+sqsTimeout, store.ErrNotFound)
	k.countsAre(t, s, q.ARN, 1000+sqsTimeout, store.QueueCounts{InFlight: 1})
	k.countsAre(t, s, other.ARN, 1000, store.QueueCounts{Visible: 1})

	// Longer: hidden past the receive's timeout.
	now := int64(1000 + 2*sqsTimeout)
	k.changeVisibility(t, s, q.ARN, "m", r2, now+60000, nil)
	k.received(t, k.receive(t, s, q.ARN, now, 10))
	k.countsAre(t, s, q.ARN, now+59999, store.QueueCounts{InFlight: 1})
	// Shorter, and again under the same receipt.
	k.changeVisibility(t, s, q.ARN, "m", r2, now+10000, nil)
	k.received(t, k.receive(t, s, q.ARN, now+9999, 10))
	// To now: visible at once.
	k.changeVisibility(t, s, q.ARN, "m", r2, now, nil)
	k.countsAre(t, s, q.ARN, now, store.QueueCounts{Visible: 1})
	got := k.receive(t, s, q.ARN, now, 10)
	if k.received(t, got, "m"); len(got) == 1 && got[0].ReceiveCount != 3 {
		t.Errorf("received %+v; want ReceiveCount 3", got[0])
	}
	// The receipt before is stale now.
	k.changeVisibility(t, s, q.ARN, "m", r2, now, store.ErrNotFound)
	r3 := got[0].Receipt
	k.changeVisibility(t, s, q.ARN, "m", r3, now+1, nil)

	// Once its timeout has ended, a change under its receipt succeeds
	// and changes nothing.
	ended := now + sqsTimeout + 1
	if err := s.ChangeVisibility(ctx, q.ARN, "m", r3, ended, ended+60000); err != nil {
		t.Errorf("ChangeVisibility after the sqsTimeout = %v; want nil", err)
	}
	k.countsAre(t, s, q.ARN, ended, store.QueueCounts{Visible: 1})

	// A message never received has no receipt to present.
	k.send(t, s, q.ARN, k.msg("new"))
	k.changeVisibility(t, s, q.ARN, "new", "", now, store.ErrNotFound)
	k.changeVisibility(t, s, q.ARN, "new", r3, now, store.ErrNotFound)
	// A deleted one is gone.
	k.del(t, s, q.ARN, "m")
	k.changeVisibility(t, s, q.ARN, "m", r3, now, store.ErrNotFound)
	// The other queue's message of that ID is unchanged.
	k.countsAre(t, s, other.ARN, 1000, store.QueueCounts{Visible: 1})
}

// deleteMessages is the subtest "delete".
func (k *sqsSuite) deleteMessages(t *testing.T) {
	const acct, region, otherAcct, otherRegion = sqsAccount, sqsRegion, sqsOtherAccount, sqsOtherRegion
	s := k.newSQS(t)
	q, other := k.queue(acct, region, "q"), k.queue(acct, region, "other")
	k.create(t, s, q)
	k.create(t, s, other)
	k.send(t, s, q.ARN, k.msg("m1"), k.msg("m2"), k.msg("m3"), k.msg("m4"), k.msg("shared"))
	k.send(t, s, other.ARN, k.msg("shared"), k.msg("o1"))

	// IDs of no message are ignored.
	k.del(t, s, q.ARN, "m2", "nosuch", "o1")
	k.del(t, s, q.ARN)
	k.countsAre(t, s, q.ARN, 1000, store.QueueCounts{Visible: 4})
	k.received(t, k.receive(t, s, q.ARN, 1000, 2), "m1", "m3")
	// Messages in flight, one by one and several.
	k.del(t, s, q.ARN, "m1")
	k.countsAre(t, s, q.ARN, 1000, store.QueueCounts{Visible: 2, InFlight: 1})
	k.del(t, s, q.ARN, "m3", "shared")
	k.countsAre(t, s, q.ARN, 1000, store.QueueCounts{Visible: 1})
	// Deleting again succeeds.
	k.del(t, s, q.ARN, "m1", "m3")
	k.received(t, k.receive(t, s, q.ARN, 1000+sqsTimeout, 10), "m4")
	// Another queue's messages of those IDs are left.
	k.countsAre(t, s, other.ARN, 1000, store.QueueCounts{Visible: 2})
	k.received(t, k.receive(t, s, other.ARN, 1000, 10), "shared", "o1")
	// A queue that does not exist has nothing to delete.
	k.del(t, s, k.queue(acct, region, "nosuch").ARN, "m4")
}

// expiry is the subtest "expiry".
func (k *sqsSuite) expiry(t *testing.T) {
	const acct, region, otherAcct, otherRegion = sqsAccount, sqsRegion, sqsOtherAccount, sqsOtherRegion
	ctx := context.Background()
	s := k.newSQS(t)
	q, other := k.queue(acct, region, "q.fifo"), k.queue(acct, region, "other")
	k.create(t, s, q)
	k.create(t, s, other)
	expiring := func(id, dedup string, expires int64) store.QueueMessage {
		m := k.fifo(id, id, dedup)
		m.Expires = expires
		return m
	}
	k.send(t, s, q.ARN, expiring("m1", "d1", 5000), expiring("m2", "d2", 10000), expiring("m3", "d3", 100000))
	e := expiring("m4", "d4", 100000)
	e.Sent = 1001
	k.send(t, s, q.ARN, e)
	k.send(t, s, other.ARN, expiring("o1", "", 8000), expiring("o2", "", 100000))
	k.countsAre(t, s, q.ARN, 4999, store.QueueCounts{Visible: 4})
	// Expired at Expires: neither counted nor received.
	k.countsAre(t, s, q.ARN, 5000, store.QueueCounts{Visible: 3})
	k.received(t, k.receiveFIFO(t, s, q.ARN, 5000, 2), "m2", "m3") // until 35000
	k.countsAre(t, s, q.ARN, 9999, store.QueueCounts{Visible: 1, InFlight: 2})
	k.countsAre(t, s, q.ARN, 10000, store.QueueCounts{Visible: 1, InFlight: 1})
	k.received(t, k.receiveFIFO(t, s, q.ARN, 40000, 10), "m3", "m4")
	k.received(t, k.receive(t, s, other.ARN, 8000, 10), "o2")
	// Expired messages still count at a time before their expiry,
	// until they are deleted.
	k.countsAre(t, s, q.ARN, 4000, store.QueueCounts{Visible: 1, InFlight: 3})

	// Deleted at now (the records sent before dedupBefore with them).
	n, err := s.DeleteExpiredMessages(ctx, 10000, 500)
	if err != nil || n != 3 {
		t.Errorf("DeleteExpiredMessages(10000, 500) = %d, %v; want 3 (m1, m2, o1)", n, err)
	}
	k.countsAre(t, s, q.ARN, 4000, store.QueueCounts{InFlight: 2})
	k.countsAre(t, s, other.ARN, 4000, store.QueueCounts{InFlight: 1})
	// The records of the deleted messages are kept until dedupBefore
	// passes them.
	dupOf := func(t *testing.T, m store.QueueMessage, wantID string) {
		t.Helper()
		got := k.sendAt(t, s, q.ARN, 0, m)
		if got[0].ID != wantID {
			t.Errorf("sent %s (deduplication id %s) and got %s; want %s", m.ID, m.DeduplicationID, got[0].ID, wantID)
		}
	}
	dupOf(t, expiring("again1", "d1", 200000), "m1")
	dupOf(t, expiring("again2", "d2", 200000), "m2")
	if n, err := s.DeleteExpiredMessages(ctx, 10000, 1001); err != nil || n != 0 {
		t.Errorf("DeleteExpiredMessages(10000, 1001) = %d, %v; want 0", n, err)
	}
	// Records sent before 1001 are deleted, whether their message is
	// or not; the one sent at 1001 is kept.
	dupOf(t, expiring("new1", "d1", 200000), "new1")
	dupOf(t, expiring("new3", "d3", 200000), "new3")
	dupOf(t, expiring("again4", "d4", 200000), "m4")
	k.countsAre(t, s, q.ARN, 4000, store.QueueCounts{Visible: 2, InFlight: 2})
	if n, err := s.DeleteExpiredMessages(ctx, 1000000, 0); err != nil || n != 5 {
		t.Errorf("DeleteExpiredMessages(1000000, 0) = %d, %v; want 5", n, err)
	}
	k.countsAre(t, s, q.ARN, 0, store.QueueCounts{})
	k.countsAre(t, s, other.ARN, 0, store.QueueCounts{})
}
