package storetest

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// queues is the subtest "queues".
func (k *sqsSuite) queues(t *testing.T) {
	const acct, region, otherAcct, otherRegion = sqsAccount, sqsRegion, sqsOtherAccount, sqsOtherRegion
	ctx := context.Background()
	s := k.newSQS(t)
	orders := k.queue(acct, region, "orders")
	k.create(t, s, orders)
	k.readQueue(t, s, orders)

	// Creating again returns the queue stored, unchanged.
	again := orders
	again.ARN, again.Attributes, again.Created, again.Updated = "arn:other", []byte(`{}`), 9000, 9000
	got, created, err := s.CreateQueue(ctx, again)
	if err != nil {
		t.Fatalf("CreateQueue(existing): %v", err)
	}
	if created || !reflect.DeepEqual(*got, orders) {
		t.Errorf("CreateQueue(existing) = %+v, %v; want %+v, false", *got, created, orders)
	}
	k.readQueue(t, s, orders)

	// The same name in another account or region is another queue.
	k.create(t, s, k.queue(otherAcct, region, "orders"))
	k.create(t, s, k.queue(acct, otherRegion, "orders"))
	k.readQueue(t, s, k.queue(otherAcct, region, "orders"))
	k.readQueue(t, s, k.queue(acct, otherRegion, "orders"))
	k.missingQueue(t, s, acct, region, "nosuch")
	k.missingQueue(t, s, "333333333333", region, "orders")
	k.missingQueue(t, s, acct, region, "")

	// Binary attributes.
	bin := k.queue(acct, region, "bin")
	bin.Attributes, bin.Created, bin.Updated = []byte{0, 1, 2, 0xff}, 1234567890123, 1234567890124
	k.create(t, s, bin)
	k.readQueue(t, s, bin)
	if err := s.DeleteQueue(ctx, bin.ARN); err != nil {
		t.Fatal(err)
	}

	t.Run("list", func(t *testing.T) {
		// Byte order: upper case before lower case, "-" before
		// letters, a prefix before its extensions.
		for _, n := range []string{"web", "db", "Web", "db-1", "db-10", "d", "web-latency", "db.fifo"} {
			k.create(t, s, k.queue(acct, region, n))
		}
		all := []string{"Web", "d", "db", "db-1", "db-10", "db.fifo", "orders", "web", "web-latency"}
		k.queuesListed(t, s, acct, region, "", "", 0, all...)
		k.queuesListed(t, s, otherAcct, region, "", "", 0, "orders")
		k.queuesListed(t, s, acct, otherRegion, "", "", 0, "orders")
		k.queuesListed(t, s, "333333333333", region, "", "", 0)

		// Prefixes are case-sensitive, of bytes.
		k.queuesListed(t, s, acct, region, "db", "", 0, "db", "db-1", "db-10", "db.fifo")
		k.queuesListed(t, s, acct, region, "db-1", "", 0, "db-1", "db-10")
		k.queuesListed(t, s, acct, region, "W", "", 0, "Web")
		k.queuesListed(t, s, acct, region, "web", "", 0, "web", "web-latency")
		k.queuesListed(t, s, acct, region, "x", "", 0)
		k.queuesListed(t, s, acct, region, "orders-", "", 0)
		k.queuesListed(t, s, otherAcct, region, "db", "", 0)

		// Paging by the name of the last queue of a page, with and
		// without a prefix.
		for _, c := range []struct {
			prefix string
			want   []string
		}{{"", all}, {"d", all[1:6]}, {"web", all[7:]}} {
			for _, size := range []int{1, 2, 3, 100} {
				queueName := func(q store.Queue) string { return q.Name }
				got := slices.Concat(pages(t, "Queues "+c.prefix, size, func(after string) ([]store.Queue, error) {
					return s.Queues(ctx, acct, region, c.prefix, after, size)
				}, queueName, queueName)...)
				if !slices.Equal(got, c.want) {
					t.Errorf("Queues(%q) by pages of %d = %q; want %q", c.prefix, size, got, c.want)
				}
			}
		}
		// A name between queues: those after it.
		k.queuesListed(t, s, acct, region, "", "db-", 0, "db-1", "db-10", "db.fifo", "orders", "web", "web-latency")
		k.queuesListed(t, s, acct, region, "db", "db-", 2, "db-1", "db-10")
		k.queuesListed(t, s, acct, region, "web", "a", 0, "web", "web-latency")
		k.queuesListed(t, s, acct, region, "", "web-latency", 0)
	})

	t.Run("attributes", func(t *testing.T) {
		if err := s.SetQueueAttributes(ctx, orders.ARN, []byte(`{"VisibilityTimeout":"60"}`), 5000); err != nil {
			t.Fatalf("SetQueueAttributes: %v", err)
		}
		want := orders
		want.Attributes, want.Updated = []byte(`{"VisibilityTimeout":"60"}`), 5000
		k.readQueue(t, s, want)
		k.readQueue(t, s, k.queue(otherAcct, region, "orders"))
		for _, arn := range []string{k.queue(acct, region, "nosuch").ARN, k.queue("333333333333", region, "orders").ARN, ""} {
			if err := s.SetQueueAttributes(ctx, arn, []byte(`{}`), 6000); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("SetQueueAttributes(%s) = %v; want ErrNotFound", arn, err)
			}
		}
		k.readQueue(t, s, want)
	})

	t.Run("delete", func(t *testing.T) {
		other := k.queue(otherAcct, region, "orders")
		k.send(t, s, orders.ARN, k.msg("a"), k.msg("b"), k.fifo("c", "g", "dedup-c"))
		k.send(t, s, other.ARN, k.msg("a"))
		if err := s.DeleteQueue(ctx, orders.ARN); err != nil {
			t.Fatalf("DeleteQueue: %v", err)
		}
		k.missingQueue(t, s, acct, region, "orders")
		k.queuesListed(t, s, acct, region, "o", "", 0)
		if err := s.DeleteQueue(ctx, orders.ARN); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DeleteQueue(deleted) = %v; want ErrNotFound", err)
		}
		if err := s.DeleteQueue(ctx, k.queue(acct, region, "nosuch").ARN); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DeleteQueue(nosuch) = %v; want ErrNotFound", err)
		}
		if _, err := s.SendMessages(ctx, orders.ARN, []store.QueueMessage{k.msg("d")}, 0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SendMessages(to a deleted queue) = %v; want ErrNotFound", err)
		}
		// The other account's queue of that name is left, with its
		// message.
		k.readQueue(t, s, other)
		k.countsAre(t, s, other.ARN, 1000, store.QueueCounts{Visible: 1})

		// Created again, it has no messages, and no deduplication
		// records.
		k.create(t, s, orders)
		k.countsAre(t, s, orders.ARN, 1000, store.QueueCounts{})
		k.received(t, k.receive(t, s, orders.ARN, 1000, 10))
		got := k.send(t, s, orders.ARN, k.fifo("e", "g", "dedup-c"))
		k.received(t, got, "e")
		k.countsAre(t, s, orders.ARN, 1000, store.QueueCounts{Visible: 1})
	})
}

// purge is the subtest "purge".
func (k *sqsSuite) purge(t *testing.T) {
	const acct, region, otherAcct, otherRegion = sqsAccount, sqsRegion, sqsOtherAccount, sqsOtherRegion
	ctx := context.Background()
	s := k.newSQS(t)
	q, other := k.queue(acct, region, "q"), k.queue(acct, region, "other")
	k.create(t, s, q)
	k.create(t, s, other)
	delayed := k.msg("delayed")
	delayed.VisibleAt = 9000
	k.send(t, s, q.ARN, k.msg("m1"), k.msg("m2"), delayed)
	k.send(t, s, other.ARN, k.msg("o1"))
	k.received(t, k.receive(t, s, q.ARN, 1000, 1), "m1")
	n, err := s.PurgeQueue(ctx, q.ARN)
	if err != nil || n != 3 {
		t.Errorf("PurgeQueue = %d, %v; want 3", n, err)
	}
	k.countsAre(t, s, q.ARN, 9000, store.QueueCounts{})
	k.received(t, k.receive(t, s, q.ARN, 100000, 10))
	k.readQueue(t, s, q)
	k.countsAre(t, s, other.ARN, 1000, store.QueueCounts{Visible: 1})
	if n, err := s.PurgeQueue(ctx, q.ARN); err != nil || n != 0 {
		t.Errorf("PurgeQueue(purged) = %d, %v; want 0", n, err)
	}
	// Still a queue to send to.
	k.send(t, s, q.ARN, k.msg("m3"))
	k.received(t, k.receive(t, s, q.ARN, 1000, 10), "m3")
}

// durable is the subtest "durable".
func (k *sqsSuite) durable(t *testing.T) {
	const acct, region, otherAcct, otherRegion = sqsAccount, sqsRegion, sqsOtherAccount, sqsOtherRegion
	ctx := context.Background()
	q, f, gone := k.queue(acct, region, "q"), k.queue(acct, region, "f.fifo"), k.queue(acct, region, "gone")
	attributes := []byte(`{"VisibilityTimeout":"60"}`)
	var (
		r1     string               // m1's receipt
		sent   []store.QueueMessage // q's messages m1, m3
		dedup  store.QueueMessage
		maxSeq int64
	)
	k.lastSeq = 0
	s := k.sqsOf(t, reopen(t, k.open, func(t *testing.T, b Backend) {
		s := k.sqsOf(t, b)
		for _, x := range []store.Queue{q, f, gone} {
			k.create(t, s, x)
		}
		if err := s.SetQueueAttributes(ctx, q.ARN, attributes, 2000); err != nil {
			t.Fatal(err)
		}
		delayed := k.msg("m4")
		delayed.VisibleAt = 50000
		got := k.send(t, s, q.ARN, k.msg("m1"), k.msg("m2"), k.msg("m3"), delayed)
		sent = []store.QueueMessage{got[0], got[2]}
		r1 = k.receive(t, s, q.ARN, 1000, 1)[0].Receipt
		k.del(t, s, q.ARN, "m2")
		dedup = k.send(t, s, f.ARN, k.fifo("f1", "g", "d1"))[0]
		k.send(t, s, gone.ARN, k.msg("g1"))
		if err := s.DeleteQueue(ctx, gone.ARN); err != nil {
			t.Fatal(err)
		}
		// The newest message deleted: its Seq is not given again.
		maxSeq = k.send(t, s, q.ARN, k.msg("m5"))[0].Seq
		k.del(t, s, q.ARN, "m5")
	}))
	wantQ := q
	wantQ.Attributes, wantQ.Updated = attributes, 2000
	k.readQueue(t, s, wantQ)
	k.readQueue(t, s, f)
	k.missingQueue(t, s, acct, region, "gone")
	k.queuesListed(t, s, acct, region, "", "", 0, "f.fifo", "q")
	k.countsAre(t, s, q.ARN, 1000, store.QueueCounts{Visible: 1, InFlight: 1, Delayed: 1})
	k.countsAre(t, s, gone.ARN, 1000, store.QueueCounts{})

	// The receipt is kept: m1 made visible under it, received again
	// (the second time, first at 1000), before m3.
	k.changeVisibility(t, s, q.ARN, "m1", r1, 2000, nil)
	got := k.receive(t, s, q.ARN, 2000, 10)
	k.received(t, got, "m1", "m3")
	if len(got) == 2 {
		for i, want := range []store.QueueMessage{k.receivedAs(sent[0], 2000, 1000, 2, got[0].Receipt),
			k.receivedAs(sent[1], 2000, 2000, 1, got[1].Receipt)} {
			if !k.same(got[i], want) {
				t.Errorf("received after a reopen\n%+v\nwant\n%+v", got[i], want)
			}
		}
	}
	// Deduplication records are kept.
	if got := k.sendAt(t, s, f.ARN, 0, k.fifo("f2", "g", "d1")); got[0].ID != dedup.ID || got[0].Seq != dedup.Seq {
		t.Errorf("sent a duplicate after a reopen and got %+v; want %s (Seq %d)", got[0], dedup.ID, dedup.Seq)
	}
	// Seq keeps growing.
	if m := k.send(t, s, q.ARN, k.msg("m6"))[0]; m.Seq <= maxSeq {
		t.Errorf("sent after a reopen, m6 has Seq %d; want above %d", m.Seq, maxSeq)
	}
	// The existing queue is still found by name.
	if got, created, err := s.CreateQueue(ctx, q); err != nil || created || !reflect.DeepEqual(*got, wantQ) {
		t.Errorf("CreateQueue(existing) after a reopen = %+v, %v, %v; want %+v, false", got, created, err, wantQ)
	}
}
