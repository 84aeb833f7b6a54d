package storetest

import (
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// fifoOrder is the subtest "fifo".
func (k *sqsSuite) fifoOrder(t *testing.T) {
	const acct, region, otherAcct, otherRegion = sqsAccount, sqsRegion, sqsOtherAccount, sqsOtherRegion
	s := k.newSQS(t)
	q := k.queue(acct, region, "q.fifo")
	k.create(t, s, q)
	k.send(t, s, q.ARN, k.fifo("a1", "A", "a1"), k.fifo("b1", "B", "b1"), k.fifo("a2", "A", "a2"))
	k.send(t, s, q.ARN, k.fifo("b2", "B", "b2"), k.fifo("a3", "A", "a3"), k.fifo("c1", "C", "c1"))

	k.received(t, k.receiveFIFO(t, s, q.ARN, 1000, 1), "a1") // A in flight until 31000
	// Nothing of A while a1 is in flight.
	k.received(t, k.receiveFIFO(t, s, q.ARN, 2000, 10), "b1", "b2", "c1") // until 32000
	k.received(t, k.receiveFIFO(t, s, q.ARN, 3000, 10))
	// B is in flight as long as one of its messages is.
	k.del(t, s, q.ARN, "b1", "c1")
	k.send(t, s, q.ARN, k.fifo("b3", "B", "b3"), k.fifo("c2", "C", "c2"))
	k.received(t, k.receiveFIFO(t, s, q.ARN, 3000, 10), "c2") // until 33000
	k.countsAre(t, s, q.ARN, 3000, store.QueueCounts{Visible: 3, InFlight: 3})

	// a1 visible again: received again before a2, in order.
	got := k.receiveFIFO(t, s, q.ARN, 1000+sqsTimeout, 2) // until 61000
	if k.received(t, got, "a1", "a2"); len(got) == 2 && got[0].ReceiveCount != 2 {
		t.Errorf("received %+v again; want ReceiveCount 2", got[0])
	}
	// b2 visible again (b1 deleted): b2, then b3.
	k.received(t, k.receiveFIFO(t, s, q.ARN, 2000+sqsTimeout, 10), "b2", "b3") // until 62000
	// A's oldest deleted, a2 is still in flight.
	k.del(t, s, q.ARN, "a1")
	k.received(t, k.receiveFIFO(t, s, q.ARN, 2000+sqsTimeout, 10))
	// a2 visible at once: a2 and a3.
	k.changeVisibility(t, s, q.ARN, "a2", k.latest["a2"], 40000, nil)
	// c2 is visible again too.
	k.received(t, k.receiveFIFO(t, s, q.ARN, 40000, 10), "a2", "a3", "c2")
	// A group emptied can be received again.
	k.del(t, s, q.ARN, "a2", "a3", "c2")
	k.send(t, s, q.ARN, k.fifo("a4", "A", "a4"))
	k.received(t, k.receiveFIFO(t, s, q.ARN, 40000, 10), "a4")

	// The same messages received as a standard queue's: no group
	// blocks.
	std := k.queue(acct, region, "std")
	k.create(t, s, std)
	k.send(t, s, std.ARN, k.fifo("a1", "A", ""), k.fifo("a2", "A", ""))
	k.received(t, k.receive(t, s, std.ARN, 1000, 1), "a1")
	k.received(t, k.receive(t, s, std.ARN, 1000, 1), "a2")
}

// dedup is the subtest "dedup".
func (k *sqsSuite) dedup(t *testing.T) {
	const acct, region, otherAcct, otherRegion = sqsAccount, sqsRegion, sqsOtherAccount, sqsOtherRegion
	s := k.newSQS(t)
	q, other := k.queue(acct, region, "q.fifo"), k.queue(acct, region, "other.fifo")
	k.create(t, s, q)
	k.create(t, s, other)
	// dupOf checks that a send returned the message first sent in
	// place of the duplicate: its ID and Seq, the other fields as
	// given.
	dupOf := func(t *testing.T, got, dup, original store.QueueMessage) {
		t.Helper()
		want := dup
		want.QueueARN, want.ID, want.Seq = original.QueueARN, original.ID, original.Seq
		if !k.same(got, want) {
			t.Errorf("sending a duplicate returned\n%+v\nwant\n%+v", got, want)
		}
	}
	at := func(m store.QueueMessage, sent int64) store.QueueMessage {
		m.Sent, m.VisibleAt, m.Expires = sent, sent, sent+sqsRetention
		return m
	}

	m1 := k.sendAt(t, s, q.ARN, 1000-sqsWindow, at(k.fifo("m1", "g", "d1"), 1000))[0]
	// Within the window: not added.
	dup := at(k.fifo("m2", "g", "d1"), 2000)
	dup.Body = "another body"
	dupOf(t, k.sendAt(t, s, q.ARN, 2000-sqsWindow, dup)[0], dup, m1)
	k.countsAre(t, s, q.ARN, 2000, store.QueueCounts{Visible: 1})
	// In one batch, the second is the first.
	got := k.sendAt(t, s, q.ARN, 2000-sqsWindow, at(k.fifo("x", "g", "d2"), 2000), at(k.fifo("y", "h", "d2"), 2000),
		at(k.fifo("z", "g", "d3"), 2000), at(k.fifo("m3", "g", "d1"), 2000))
	dupOf(t, got[1], at(k.fifo("y", "h", "d2"), 2000), got[0])
	dupOf(t, got[3], at(k.fifo("m3", "g", "d1"), 2000), m1)
	k.received(t, got[:1], "x")
	k.received(t, got[2:3], "z")
	k.countsAre(t, s, q.ARN, 2000, store.QueueCounts{Visible: 3})
	// Another queue's deduplication ids are its own.
	k.received(t, k.sendAt(t, s, other.ARN, 2000-sqsWindow, at(k.fifo("o1", "g", "d1"), 2000)), "o1")
	// Messages without a deduplication id are all added.
	k.sendAt(t, s, other.ARN, 2000-sqsWindow, at(k.msg("plain1"), 2000), at(k.msg("plain2"), 2000))
	k.countsAre(t, s, other.ARN, 2000, store.QueueCounts{Visible: 3})

	// Received and deleted, the first is still the one of its id.
	k.received(t, k.receiveFIFO(t, s, q.ARN, 3000, 10), "m1", "x", "z")
	k.del(t, s, q.ARN, "m1")
	dupOf(t, k.sendAt(t, s, q.ARN, 3000-sqsWindow, at(k.fifo("m4", "g", "d1"), 3000))[0], at(k.fifo("m4", "g", "d1"), 3000), m1)
	// Sent at the window's start is within it.
	dupOf(t, k.sendAt(t, s, q.ARN, 1000, at(k.fifo("m5", "g", "d1"), 1000+sqsWindow))[0], at(k.fifo("m5", "g", "d1"), 1000+sqsWindow), m1)
	k.countsAre(t, s, q.ARN, 3000, store.QueueCounts{InFlight: 2})

	// After the window: added, and now the one of its id.
	later := int64(1001 + sqsWindow)
	m6 := k.sendAt(t, s, q.ARN, later-sqsWindow, at(k.fifo("m6", "g", "d1"), later))[0]
	if m6.ID != "m6" || m6.Seq <= m1.Seq {
		t.Errorf("sending after the sqsWindow returned %+v; want m6 added", m6)
	}
	dupOf(t, k.sendAt(t, s, q.ARN, later-sqsWindow, at(k.fifo("m7", "g", "d1"), later+1))[0], at(k.fifo("m7", "g", "d1"), later+1), m6)
	k.countsAre(t, s, q.ARN, later, store.QueueCounts{Visible: 3})
}

// redrive is the subtest "redrive".
func (k *sqsSuite) redrive(t *testing.T) {
	const acct, region, otherAcct, otherRegion = sqsAccount, sqsRegion, sqsOtherAccount, sqsOtherRegion
	s := k.newSQS(t)
	src, dlq := k.queue(acct, region, "src"), k.queue(acct, region, "dlq")
	k.create(t, s, src)
	k.create(t, s, dlq)
	k.send(t, s, dlq.ARN, k.msg("old"))
	sent := k.send(t, s, src.ARN, k.msg("m"), k.msg("n"))
	redrive := &store.Redrive{TargetARN: dlq.ARN, MaxReceiveCount: 2}
	recv := func(now int64, max int) []store.QueueMessage {
		t.Helper()
		return k.receiveFrom(t, s, store.ReceiveRequest{QueueARN: src.ARN, Now: now, VisibleUntil: now + sqsTimeout, Max: max,
			Redrive: redrive})
	}
	k.received(t, recv(1000, 1), "m")
	k.received(t, recv(1000+sqsTimeout, 1), "m")
	// Received twice: moved, and not counted toward Max.
	now := int64(1000 + 2*sqsTimeout)
	k.received(t, recv(now, 1), "n")
	k.countsAre(t, s, src.ARN, now, store.QueueCounts{InFlight: 1})
	k.countsAre(t, s, dlq.ARN, now, store.QueueCounts{Visible: 2})
	k.received(t, recv(now+sqsTimeout, 10), "n")
	// In the dead-letter queue, a new message after those there (a
	// new Seq) with its ID, body, attributes, Sent and Expires,
	// visible at the move, never received, from the source queue.
	got := k.receive(t, s, dlq.ARN, now, 10)
	k.received(t, got, "old", "m")
	if len(got) == 2 {
		m := got[1]
		want := k.receivedAs(sent[0], now, now, 1, m.Receipt)
		want.QueueARN, want.Seq, want.SourceARN = dlq.ARN, m.Seq, src.ARN
		if !k.same(m, want) || m.Seq <= sent[1].Seq {
			t.Errorf("moved, received\n%+v\nwant\n%+v, with a Seq above %d", m, want, sent[1].Seq)
		}
	}
	k.countsAre(t, s, dlq.ARN, now, store.QueueCounts{InFlight: 2})
	// Without a redrive, a queue's messages are received any number of
	// times.
	k.received(t, k.receive(t, s, dlq.ARN, now+5*sqsTimeout, 10), "old", "m")

	// The target queue missing: nothing moves.
	lost := k.queue(acct, region, "lost")
	k.create(t, s, lost)
	k.send(t, s, lost.ARN, k.msg("l"))
	toNowhere := &store.Redrive{TargetARN: k.queue(acct, region, "nosuch").ARN, MaxReceiveCount: 1}
	for i := range 3 {
		now := int64(1000 + i*sqsTimeout)
		got := k.receiveFrom(t, s, store.ReceiveRequest{QueueARN: lost.ARN, Now: now, VisibleUntil: now + sqsTimeout, Max: 10,
			Redrive: toNowhere})
		if k.received(t, got, "l"); len(got) == 1 && got[0].ReceiveCount != i+1 {
			t.Errorf("received %+v; want ReceiveCount %d", got[0], i+1)
		}
	}

	// FIFO: a moved message leaves its group, whose next message is
	// received.
	fq, fdlq := k.queue(acct, region, "src.fifo"), k.queue(acct, region, "dlq.fifo")
	k.create(t, s, fq)
	k.create(t, s, fdlq)
	k.send(t, s, fq.ARN, k.fifo("a1", "A", "dedup-a1"), k.fifo("a2", "A", "dedup-a2"), k.fifo("b1", "B", "dedup-b1"))
	fifoRedrive := &store.Redrive{TargetARN: fdlq.ARN, MaxReceiveCount: 1}
	frecv := func(now int64, max int) []store.QueueMessage {
		t.Helper()
		return k.receiveFrom(t, s, store.ReceiveRequest{QueueARN: fq.ARN, Now: now, VisibleUntil: now + sqsTimeout, Max: max,
			FIFO: true, Redrive: fifoRedrive})
	}
	k.received(t, frecv(1000, 1), "a1")
	k.received(t, frecv(1000+sqsTimeout, 1), "a2")
	k.received(t, frecv(1000+sqsTimeout, 10), "b1")
	// Its deduplication id there is its ID.
	got = k.receiveFIFO(t, s, fdlq.ARN, 1000+sqsTimeout, 10)
	if k.received(t, got, "a1"); len(got) == 1 && (got[0].DeduplicationID != "a1" || got[0].SourceARN != fq.ARN || got[0].GroupID != "A") {
		t.Errorf("moved to the FIFO dead-letter queue: %+v; want deduplication id a1, group A, from %s", got[0], fq.ARN)
	}
}
