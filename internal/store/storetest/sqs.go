package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/vigilhq/vigil/internal/store"
)

// SQS checks the backend's store.SQS: queues created once per account,
// region and name, read, listed by name with a prefix and paged, their
// attributes replaced, and deleted with their messages; messages sent
// with growing sequence numbers and received oldest first, hidden until
// their visibility timeout or delay ends, their visibility changed only
// under their latest receipt, deleted by ID; FIFO queues received in
// order within each group and nothing of a group while one of its
// messages is in flight; duplicates within the deduplication window not
// added; messages received too often moved to the dead-letter queue;
// expired messages neither received nor counted, then deleted with the
// old deduplication records; queues purged; FIFO receive attempts
// retried (sqsReceiveAttempts); message move tasks (sqsMoveTasks); and
// all of it kept across a reopen.
func SQS(t *testing.T, open Open) {
	ctx := context.Background()
	const acct, region = "111111111111", "us-east-1"
	const otherAcct, otherRegion = "222222222222", "eu-west-1"
	const (
		retention = 4 * 24 * 3600 * 1000 // ms, SQS's default
		timeout   = 30000                // ms, a visibility timeout
		window    = 5 * 60 * 1000        // ms, FIFO's deduplication window
	)
	sqsOf := func(t *testing.T, b Backend) store.SQS {
		t.Helper()
		need(t, b.SQS != nil, "SQS")
		return b.SQS
	}
	queue := func(account, region, name string) store.Queue {
		return store.Queue{Account: account, Region: region, Name: name, ARN: "arn:aws:sqs:" + region + ":" + account + ":" + name,
			Attributes: []byte(`{"VisibilityTimeout":"30","name":"` + name + `"}`), Created: 1000, Updated: 1000}
	}
	create := func(t *testing.T, s store.SQS, q store.Queue) {
		t.Helper()
		got, created, err := s.CreateQueue(ctx, q)
		if err != nil {
			t.Fatalf("CreateQueue(%s): %v", q.ARN, err)
		}
		if !created || !reflect.DeepEqual(*got, q) {
			t.Fatalf("CreateQueue(%s) = %+v, %v; want %+v, true", q.ARN, *got, created, q)
		}
	}
	readQueue := func(t *testing.T, s store.SQS, want store.Queue) {
		t.Helper()
		got, err := s.Queue(ctx, want.Account, want.Region, want.Name)
		if err != nil {
			t.Fatalf("Queue(%s, %s, %s): %v", want.Account, want.Region, want.Name, err)
		}
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("Queue(%s, %s, %s) =\n%+v\nwant\n%+v", want.Account, want.Region, want.Name, *got, want)
		}
	}
	missingQueue := func(t *testing.T, s store.SQS, account, region, name string) {
		t.Helper()
		if got, err := s.Queue(ctx, account, region, name); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Queue(%s, %s, %s) = %+v, %v; want ErrNotFound", account, region, name, got, err)
		}
	}
	queueNames := func(qs []store.Queue) []string {
		out := []string{}
		for _, q := range qs {
			out = append(out, q.Name)
		}
		return out
	}
	queuesListed := func(t *testing.T, s store.SQS, account, region, prefix, after string, limit int, want ...string) {
		t.Helper()
		got, err := s.Queues(ctx, account, region, prefix, after, limit)
		if err != nil {
			t.Fatalf("Queues(%s, %s, %q, %q, %d): %v", account, region, prefix, after, limit, err)
		}
		if want == nil {
			want = []string{}
		}
		if !slices.Equal(queueNames(got), want) {
			t.Errorf("Queues(%s, %s, %q, %q, %d) = %q; want %q", account, region, prefix, after, limit, queueNames(got), want)
		}
	}

	// msg is a message sent at 1000, visible at once, kept for the
	// default retention.
	msg := func(id string) store.QueueMessage {
		return store.QueueMessage{ID: id, Body: "body of " + id, Attributes: []byte(`{"id":"` + id + `"}`),
			Sent: 1000, VisibleAt: 1000, Expires: 1000 + retention}
	}
	// fifo is a FIFO message of a group, with a deduplication id.
	fifo := func(id, group, dedup string) store.QueueMessage {
		m := msg(id)
		m.GroupID, m.DeduplicationID = group, dedup
		return m
	}
	// same compares messages, attributes nil and empty alike.
	same := func(a, b store.QueueMessage) bool {
		if len(a.Attributes) == 0 && len(b.Attributes) == 0 {
			a.Attributes, b.Attributes = nil, nil
		}
		return reflect.DeepEqual(a, b)
	}
	ids := func(ms []store.QueueMessage) []string {
		out := []string{}
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return out
	}
	// sendAt sends msgs to a queue and checks that they come back as
	// given, with the queue's ARN and a Seq above every Seq before (those
	// deduplicated aside: the caller checks them); it returns them.
	var lastSeq int64
	sendAt := func(t *testing.T, s store.SQS, arn string, dedupSince int64, msgs ...store.QueueMessage) []store.QueueMessage {
		t.Helper()
		got, err := s.SendMessages(ctx, arn, msgs, dedupSince)
		if err != nil {
			t.Fatalf("SendMessages(%s, %q): %v", arn, ids(msgs), err)
		}
		if len(got) != len(msgs) {
			t.Fatalf("SendMessages(%s, %q) returned %d messages; want %d", arn, ids(msgs), len(got), len(msgs))
		}
		for i, m := range got {
			if m.ID != msgs[i].ID {
				continue // deduplicated
			}
			want := msgs[i]
			want.QueueARN, want.Seq = arn, m.Seq
			if !same(m, want) {
				t.Errorf("SendMessages(%s) returned\n%+v\nwant\n%+v", arn, m, want)
			}
			if m.Seq <= lastSeq {
				t.Errorf("SendMessages(%s): %s has Seq %d; want above %d, the Seq of the message sent before", arn, m.ID, m.Seq, lastSeq)
			}
			lastSeq = max(lastSeq, m.Seq)
		}
		return got
	}
	send := func(t *testing.T, s store.SQS, arn string, msgs ...store.QueueMessage) []store.QueueMessage {
		t.Helper()
		return sendAt(t, s, arn, 0, msgs...)
	}
	// Receipts are numbered; issued are those of the latest receive, by
	// message ID, latest the latest of each message ID.
	var receipts int
	issued, latest := map[string]string{}, map[string]string{}
	receipt := func(m *store.QueueMessage) string {
		receipts++
		r := fmt.Sprintf("receipt-%d", receipts)
		issued[m.ID], latest[m.ID] = r, r
		return r
	}
	// newSQS opens a fresh backend's SQS, whose Seqs start anew.
	newSQS := func(t *testing.T) store.SQS {
		t.Helper()
		lastSeq = 0
		return sqsOf(t, fresh(t, open))
	}
	// receiveFrom receives and checks that each message received is
	// visible until until, received at least once, first at or before now,
	// with the receipt issued for it by this receive.
	receiveFrom := func(t *testing.T, s store.SQS, r store.ReceiveRequest) []store.QueueMessage {
		t.Helper()
		r.Receipt = receipt
		clear(issued)
		got, err := s.ReceiveMessages(ctx, r)
		if err != nil {
			t.Fatalf("ReceiveMessages(%s, now %d): %v", r.QueueARN, r.Now, err)
		}
		if len(got) > r.Max {
			t.Errorf("ReceiveMessages(%s, now %d, max %d) returned %d messages", r.QueueARN, r.Now, r.Max, len(got))
		}
		for _, m := range got {
			if m.QueueARN != r.QueueARN || m.VisibleAt != r.VisibleUntil || m.ReceiveCount < 1 || m.FirstReceived == 0 ||
				m.FirstReceived > r.Now || m.Receipt == "" || m.Receipt != issued[m.ID] {
				t.Errorf("ReceiveMessages(%s, now %d, until %d) returned %+v; want it of the queue, visible at %d, received, "+
					"with receipt %q", r.QueueARN, r.Now, r.VisibleUntil, m, r.VisibleUntil, issued[m.ID])
			}
		}
		return got
	}
	receive := func(t *testing.T, s store.SQS, arn string, now int64, max int) []store.QueueMessage {
		t.Helper()
		return receiveFrom(t, s, store.ReceiveRequest{QueueARN: arn, Now: now, VisibleUntil: now + timeout, Max: max})
	}
	receiveFIFO := func(t *testing.T, s store.SQS, arn string, now int64, max int) []store.QueueMessage {
		t.Helper()
		return receiveFrom(t, s, store.ReceiveRequest{QueueARN: arn, Now: now, VisibleUntil: now + timeout, Max: max, FIFO: true})
	}
	received := func(t *testing.T, got []store.QueueMessage, want ...string) {
		t.Helper()
		if want == nil {
			want = []string{}
		}
		if !slices.Equal(ids(got), want) {
			t.Errorf("received %q; want %q", ids(got), want)
		}
	}
	// receivedAs is m as its receive number n returns it, at now, the
	// first at first.
	receivedAs := func(m store.QueueMessage, now, first int64, n int, receipt string) store.QueueMessage {
		m.VisibleAt, m.ReceiveCount, m.FirstReceived, m.Receipt = now+timeout, n, first, receipt
		return m
	}
	countsAre := func(t *testing.T, s store.SQS, arn string, now int64, want store.QueueCounts) {
		t.Helper()
		got, err := s.Counts(ctx, arn, now)
		if err != nil {
			t.Fatalf("Counts(%s, %d): %v", arn, now, err)
		}
		if got != want {
			t.Errorf("Counts(%s, %d) = %+v; want %+v", arn, now, got, want)
		}
	}
	del := func(t *testing.T, s store.SQS, arn string, ids ...string) {
		t.Helper()
		if err := s.DeleteMessages(ctx, arn, ids); err != nil {
			t.Fatalf("DeleteMessages(%s, %q): %v", arn, ids, err)
		}
	}
	changeVisibility := func(t *testing.T, s store.SQS, arn, id, receipt string, visibleAt int64, want error) {
		t.Helper()
		err := s.ChangeVisibility(ctx, arn, id, receipt, 0, visibleAt)
		if want == nil && err != nil || want != nil && !errors.Is(err, want) {
			t.Errorf("ChangeVisibility(%s, %s, %q, %d) = %v; want %v", arn, id, receipt, visibleAt, err, want)
		}
	}

	t.Run("queues", func(t *testing.T) {
		s := newSQS(t)
		orders := queue(acct, region, "orders")
		create(t, s, orders)
		readQueue(t, s, orders)

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
		readQueue(t, s, orders)

		// The same name in another account or region is another queue.
		create(t, s, queue(otherAcct, region, "orders"))
		create(t, s, queue(acct, otherRegion, "orders"))
		readQueue(t, s, queue(otherAcct, region, "orders"))
		readQueue(t, s, queue(acct, otherRegion, "orders"))
		missingQueue(t, s, acct, region, "nosuch")
		missingQueue(t, s, "333333333333", region, "orders")
		missingQueue(t, s, acct, region, "")

		// Binary attributes.
		bin := queue(acct, region, "bin")
		bin.Attributes, bin.Created, bin.Updated = []byte{0, 1, 2, 0xff}, 1234567890123, 1234567890124
		create(t, s, bin)
		readQueue(t, s, bin)
		if err := s.DeleteQueue(ctx, bin.ARN); err != nil {
			t.Fatal(err)
		}

		t.Run("list", func(t *testing.T) {
			// Byte order: upper case before lower case, "-" before
			// letters, a prefix before its extensions.
			for _, n := range []string{"web", "db", "Web", "db-1", "db-10", "d", "web-latency", "db.fifo"} {
				create(t, s, queue(acct, region, n))
			}
			all := []string{"Web", "d", "db", "db-1", "db-10", "db.fifo", "orders", "web", "web-latency"}
			queuesListed(t, s, acct, region, "", "", 0, all...)
			queuesListed(t, s, otherAcct, region, "", "", 0, "orders")
			queuesListed(t, s, acct, otherRegion, "", "", 0, "orders")
			queuesListed(t, s, "333333333333", region, "", "", 0)

			// Prefixes are case-sensitive, of bytes.
			queuesListed(t, s, acct, region, "db", "", 0, "db", "db-1", "db-10", "db.fifo")
			queuesListed(t, s, acct, region, "db-1", "", 0, "db-1", "db-10")
			queuesListed(t, s, acct, region, "W", "", 0, "Web")
			queuesListed(t, s, acct, region, "web", "", 0, "web", "web-latency")
			queuesListed(t, s, acct, region, "x", "", 0)
			queuesListed(t, s, acct, region, "orders-", "", 0)
			queuesListed(t, s, otherAcct, region, "db", "", 0)

			// Paging by the name of the last queue of a page, with and
			// without a prefix.
			for _, c := range []struct {
				prefix string
				want   []string
			}{{"", all}, {"d", all[1:6]}, {"web", all[7:]}} {
				for _, size := range []int{1, 2, 3, 100} {
					var got []string
					after := ""
					for i := 0; i < 20; i++ {
						page, err := s.Queues(ctx, acct, region, c.prefix, after, size)
						if err != nil {
							t.Fatal(err)
						}
						if len(page) == 0 {
							break
						}
						if len(page) > size {
							t.Fatalf("Queues(%q, after %q, %d) returned %d queues", c.prefix, after, size, len(page))
						}
						got = append(got, queueNames(page)...)
						after = page[len(page)-1].Name
					}
					if !slices.Equal(got, c.want) {
						t.Errorf("Queues(%q) by pages of %d = %q; want %q", c.prefix, size, got, c.want)
					}
				}
			}
			// A name between queues: those after it.
			queuesListed(t, s, acct, region, "", "db-", 0, "db-1", "db-10", "db.fifo", "orders", "web", "web-latency")
			queuesListed(t, s, acct, region, "db", "db-", 2, "db-1", "db-10")
			queuesListed(t, s, acct, region, "web", "a", 0, "web", "web-latency")
			queuesListed(t, s, acct, region, "", "web-latency", 0)
		})

		t.Run("attributes", func(t *testing.T) {
			if err := s.SetQueueAttributes(ctx, orders.ARN, []byte(`{"VisibilityTimeout":"60"}`), 5000); err != nil {
				t.Fatalf("SetQueueAttributes: %v", err)
			}
			want := orders
			want.Attributes, want.Updated = []byte(`{"VisibilityTimeout":"60"}`), 5000
			readQueue(t, s, want)
			readQueue(t, s, queue(otherAcct, region, "orders"))
			for _, arn := range []string{queue(acct, region, "nosuch").ARN, queue("333333333333", region, "orders").ARN, ""} {
				if err := s.SetQueueAttributes(ctx, arn, []byte(`{}`), 6000); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("SetQueueAttributes(%s) = %v; want ErrNotFound", arn, err)
				}
			}
			readQueue(t, s, want)
		})

		t.Run("delete", func(t *testing.T) {
			other := queue(otherAcct, region, "orders")
			send(t, s, orders.ARN, msg("a"), msg("b"), fifo("c", "g", "dedup-c"))
			send(t, s, other.ARN, msg("a"))
			if err := s.DeleteQueue(ctx, orders.ARN); err != nil {
				t.Fatalf("DeleteQueue: %v", err)
			}
			missingQueue(t, s, acct, region, "orders")
			queuesListed(t, s, acct, region, "o", "", 0)
			if err := s.DeleteQueue(ctx, orders.ARN); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("DeleteQueue(deleted) = %v; want ErrNotFound", err)
			}
			if err := s.DeleteQueue(ctx, queue(acct, region, "nosuch").ARN); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("DeleteQueue(nosuch) = %v; want ErrNotFound", err)
			}
			if _, err := s.SendMessages(ctx, orders.ARN, []store.QueueMessage{msg("d")}, 0); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("SendMessages(to a deleted queue) = %v; want ErrNotFound", err)
			}
			// The other account's queue of that name is left, with its
			// message.
			readQueue(t, s, other)
			countsAre(t, s, other.ARN, 1000, store.QueueCounts{Visible: 1})

			// Created again, it has no messages, and no deduplication
			// records.
			create(t, s, orders)
			countsAre(t, s, orders.ARN, 1000, store.QueueCounts{})
			received(t, receive(t, s, orders.ARN, 1000, 10))
			got := send(t, s, orders.ARN, fifo("e", "g", "dedup-c"))
			received(t, got, "e")
			countsAre(t, s, orders.ARN, 1000, store.QueueCounts{Visible: 1})
		})
	})

	t.Run("send and receive", func(t *testing.T) {
		s := newSQS(t)
		a, b := queue(acct, region, "a"), queue(acct, region, "b")
		create(t, s, a)
		create(t, s, b)
		noAttributes := msg("m3")
		noAttributes.Attributes = nil
		sentA := send(t, s, a.ARN, msg("m1"), msg("m2"), noAttributes)
		sentB := send(t, s, b.ARN, msg("x1"))
		sentA = append(sentA, send(t, s, a.ARN, msg("m4"), msg("m5"))...)
		countsAre(t, s, a.ARN, 1000, store.QueueCounts{Visible: 5})
		countsAre(t, s, b.ARN, 1000, store.QueueCounts{Visible: 1})

		// Sending to a queue that does not exist adds nothing.
		nosuch := queue(acct, region, "nosuch")
		if got, err := s.SendMessages(ctx, nosuch.ARN, []store.QueueMessage{msg("n1"), msg("n2")}, 0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SendMessages(to a missing queue) = %+v, %v; want ErrNotFound", got, err)
		}
		create(t, s, nosuch)
		countsAre(t, s, nosuch.ARN, 1000, store.QueueCounts{})

		// Oldest first, each message once.
		got := receive(t, s, a.ARN, 2000, 2)
		received(t, got, "m1", "m2")
		for i, m := range got {
			if want := receivedAs(sentA[i], 2000, 2000, 1, m.Receipt); !same(m, want) {
				t.Errorf("received\n%+v\nwant\n%+v", m, want)
			}
		}
		got = receive(t, s, a.ARN, 2000, 10)
		received(t, got, "m3", "m4", "m5")
		for i, m := range got {
			if want := receivedAs(sentA[2+i], 2000, 2000, 1, m.Receipt); !same(m, want) {
				t.Errorf("received\n%+v\nwant\n%+v", m, want)
			}
		}
		received(t, receive(t, s, a.ARN, 2000, 10))
		countsAre(t, s, a.ARN, 2000, store.QueueCounts{InFlight: 5})
		// Another queue's messages are its own.
		got = receive(t, s, b.ARN, 3000, 10)
		received(t, got, "x1")
		if len(got) == 1 {
			if want := receivedAs(sentB[0], 3000, 3000, 1, got[0].Receipt); !same(got[0], want) {
				t.Errorf("received\n%+v\nwant\n%+v", got[0], want)
			}
		}
		received(t, receive(t, s, nosuch.ARN, 3000, 10))
		// A queue that does not exist has nothing to receive.
		received(t, receive(t, s, queue(acct, region, "never").ARN, 3000, 10))
		countsAre(t, s, queue(acct, region, "never").ARN, 3000, store.QueueCounts{})

		// Seq keeps growing with later sends, of any queue.
		send(t, s, b.ARN, msg("x2"))
		send(t, s, a.ARN, msg("m6"), msg("m7"))
		received(t, receive(t, s, a.ARN, 3000, 10), "m6", "m7")
	})

	t.Run("visibility", func(t *testing.T) {
		s := newSQS(t)
		q := queue(acct, region, "q")
		create(t, s, q)
		sent := send(t, s, q.ARN, msg("m"))[0]

		got := receive(t, s, q.ARN, 1000, 10)
		received(t, got, "m")
		if len(got) != 1 {
			t.FailNow()
		}
		if want := receivedAs(sent, 1000, 1000, 1, got[0].Receipt); !same(got[0], want) {
			t.Errorf("received\n%+v\nwant\n%+v", got[0], want)
		}
		first := got[0].Receipt
		// Hidden until the visibility timeout ends.
		received(t, receive(t, s, q.ARN, 2000, 10))
		received(t, receive(t, s, q.ARN, 1000+timeout-1, 10))
		countsAre(t, s, q.ARN, 2000, store.QueueCounts{InFlight: 1})
		countsAre(t, s, q.ARN, 1000+timeout-1, store.QueueCounts{InFlight: 1})
		countsAre(t, s, q.ARN, 1000+timeout, store.QueueCounts{Visible: 1})

		// Visible again: received again, a second time, under a new
		// receipt; first received still at the first receive.
		now := int64(1000 + timeout)
		got = receive(t, s, q.ARN, now, 10)
		received(t, got, "m")
		if len(got) != 1 {
			t.FailNow()
		}
		if want := receivedAs(sent, now, 1000, 2, got[0].Receipt); !same(got[0], want) {
			t.Errorf("received again\n%+v\nwant\n%+v", got[0], want)
		}
		if got[0].Receipt == first {
			t.Errorf("received again under the receipt of the first receive, %q", first)
		}
		received(t, receive(t, s, q.ARN, now, 10))
		countsAre(t, s, q.ARN, now, store.QueueCounts{InFlight: 1})
		// A third time.
		now += timeout
		got = receive(t, s, q.ARN, now, 1)
		if received(t, got, "m"); len(got) == 1 && (got[0].ReceiveCount != 3 || got[0].FirstReceived != 1000) {
			t.Errorf("received a third time: %+v; want ReceiveCount 3, FirstReceived 1000", got[0])
		}
	})

	t.Run("delay", func(t *testing.T) {
		s := newSQS(t)
		q := queue(acct, region, "q")
		create(t, s, q)
		delayed := msg("delayed")
		delayed.VisibleAt = 6000
		send(t, s, q.ARN, delayed, msg("now"))
		countsAre(t, s, q.ARN, 1000, store.QueueCounts{Visible: 1, Delayed: 1})
		received(t, receive(t, s, q.ARN, 1000, 10), "now")
		countsAre(t, s, q.ARN, 1000, store.QueueCounts{InFlight: 1, Delayed: 1})
		received(t, receive(t, s, q.ARN, 5999, 10))
		countsAre(t, s, q.ARN, 6000, store.QueueCounts{Visible: 1, InFlight: 1})
		got := receive(t, s, q.ARN, 6000, 10)
		if received(t, got, "delayed"); len(got) == 1 && (got[0].ReceiveCount != 1 || got[0].FirstReceived != 6000) {
			t.Errorf("received %+v; want ReceiveCount 1, FirstReceived 6000", got[0])
		}
		countsAre(t, s, q.ARN, 6000, store.QueueCounts{InFlight: 2})
	})

	t.Run("change visibility", func(t *testing.T) {
		s := newSQS(t)
		q, other := queue(acct, region, "q"), queue(acct, region, "other")
		create(t, s, q)
		create(t, s, other)
		send(t, s, q.ARN, msg("m"))
		send(t, s, other.ARN, msg("m"))
		r1 := receive(t, s, q.ARN, 1000, 1)[0].Receipt
		r2 := receive(t, s, q.ARN, 1000+timeout, 1)[0].Receipt

		// Only the latest receipt.
		changeVisibility(t, s, q.ARN, "m", r1, 1000+timeout, store.ErrNotFound)
		changeVisibility(t, s, q.ARN, "m", "", 1000+timeout, store.ErrNotFound)
		changeVisibility(t, s, q.ARN, "nosuch", r2, 1000+timeout, store.ErrNotFound)
		changeVisibility(t, s, other.ARN, "m", r2, 1000+timeout, store.ErrNotFound)
		changeVisibility(t, s, queue(acct, region, "nosuch").ARN, "m", r2, 1000+timeout, store.ErrNotFound)
		countsAre(t, s, q.ARN, 1000+timeout, store.QueueCounts{InFlight: 1})
		countsAre(t, s, other.ARN, 1000, store.QueueCounts{Visible: 1})

		// Longer: hidden past the receive's timeout.
		now := int64(1000 + 2*timeout)
		changeVisibility(t, s, q.ARN, "m", r2, now+60000, nil)
		received(t, receive(t, s, q.ARN, now, 10))
		countsAre(t, s, q.ARN, now+59999, store.QueueCounts{InFlight: 1})
		// Shorter, and again under the same receipt.
		changeVisibility(t, s, q.ARN, "m", r2, now+10000, nil)
		received(t, receive(t, s, q.ARN, now+9999, 10))
		// To now: visible at once.
		changeVisibility(t, s, q.ARN, "m", r2, now, nil)
		countsAre(t, s, q.ARN, now, store.QueueCounts{Visible: 1})
		got := receive(t, s, q.ARN, now, 10)
		if received(t, got, "m"); len(got) == 1 && got[0].ReceiveCount != 3 {
			t.Errorf("received %+v; want ReceiveCount 3", got[0])
		}
		// The receipt before is stale now.
		changeVisibility(t, s, q.ARN, "m", r2, now, store.ErrNotFound)
		r3 := got[0].Receipt
		changeVisibility(t, s, q.ARN, "m", r3, now+1, nil)

		// Once its timeout has ended, a change under its receipt succeeds
		// and changes nothing.
		ended := now + timeout + 1
		if err := s.ChangeVisibility(ctx, q.ARN, "m", r3, ended, ended+60000); err != nil {
			t.Errorf("ChangeVisibility after the timeout = %v; want nil", err)
		}
		countsAre(t, s, q.ARN, ended, store.QueueCounts{Visible: 1})

		// A message never received has no receipt to present.
		send(t, s, q.ARN, msg("new"))
		changeVisibility(t, s, q.ARN, "new", "", now, store.ErrNotFound)
		changeVisibility(t, s, q.ARN, "new", r3, now, store.ErrNotFound)
		// A deleted one is gone.
		del(t, s, q.ARN, "m")
		changeVisibility(t, s, q.ARN, "m", r3, now, store.ErrNotFound)
		// The other queue's message of that ID is unchanged.
		countsAre(t, s, other.ARN, 1000, store.QueueCounts{Visible: 1})
	})

	t.Run("delete", func(t *testing.T) {
		s := newSQS(t)
		q, other := queue(acct, region, "q"), queue(acct, region, "other")
		create(t, s, q)
		create(t, s, other)
		send(t, s, q.ARN, msg("m1"), msg("m2"), msg("m3"), msg("m4"), msg("shared"))
		send(t, s, other.ARN, msg("shared"), msg("o1"))

		// IDs of no message are ignored.
		del(t, s, q.ARN, "m2", "nosuch", "o1")
		del(t, s, q.ARN)
		countsAre(t, s, q.ARN, 1000, store.QueueCounts{Visible: 4})
		received(t, receive(t, s, q.ARN, 1000, 2), "m1", "m3")
		// Messages in flight, one by one and several.
		del(t, s, q.ARN, "m1")
		countsAre(t, s, q.ARN, 1000, store.QueueCounts{Visible: 2, InFlight: 1})
		del(t, s, q.ARN, "m3", "shared")
		countsAre(t, s, q.ARN, 1000, store.QueueCounts{Visible: 1})
		// Deleting again succeeds.
		del(t, s, q.ARN, "m1", "m3")
		received(t, receive(t, s, q.ARN, 1000+timeout, 10), "m4")
		// Another queue's messages of those IDs are left.
		countsAre(t, s, other.ARN, 1000, store.QueueCounts{Visible: 2})
		received(t, receive(t, s, other.ARN, 1000, 10), "shared", "o1")
		// A queue that does not exist has nothing to delete.
		del(t, s, queue(acct, region, "nosuch").ARN, "m4")
	})

	t.Run("fifo", func(t *testing.T) {
		s := newSQS(t)
		q := queue(acct, region, "q.fifo")
		create(t, s, q)
		send(t, s, q.ARN, fifo("a1", "A", "a1"), fifo("b1", "B", "b1"), fifo("a2", "A", "a2"))
		send(t, s, q.ARN, fifo("b2", "B", "b2"), fifo("a3", "A", "a3"), fifo("c1", "C", "c1"))

		received(t, receiveFIFO(t, s, q.ARN, 1000, 1), "a1") // A in flight until 31000
		// Nothing of A while a1 is in flight.
		received(t, receiveFIFO(t, s, q.ARN, 2000, 10), "b1", "b2", "c1") // until 32000
		received(t, receiveFIFO(t, s, q.ARN, 3000, 10))
		// B is in flight as long as one of its messages is.
		del(t, s, q.ARN, "b1", "c1")
		send(t, s, q.ARN, fifo("b3", "B", "b3"), fifo("c2", "C", "c2"))
		received(t, receiveFIFO(t, s, q.ARN, 3000, 10), "c2") // until 33000
		countsAre(t, s, q.ARN, 3000, store.QueueCounts{Visible: 3, InFlight: 3})

		// a1 visible again: received again before a2, in order.
		got := receiveFIFO(t, s, q.ARN, 1000+timeout, 2) // until 61000
		if received(t, got, "a1", "a2"); len(got) == 2 && got[0].ReceiveCount != 2 {
			t.Errorf("received %+v again; want ReceiveCount 2", got[0])
		}
		// b2 visible again (b1 deleted): b2, then b3.
		received(t, receiveFIFO(t, s, q.ARN, 2000+timeout, 10), "b2", "b3") // until 62000
		// A's oldest deleted, a2 is still in flight.
		del(t, s, q.ARN, "a1")
		received(t, receiveFIFO(t, s, q.ARN, 2000+timeout, 10))
		// a2 visible at once: a2 and a3.
		changeVisibility(t, s, q.ARN, "a2", latest["a2"], 40000, nil)
		// c2 is visible again too.
		received(t, receiveFIFO(t, s, q.ARN, 40000, 10), "a2", "a3", "c2")
		// A group emptied can be received again.
		del(t, s, q.ARN, "a2", "a3", "c2")
		send(t, s, q.ARN, fifo("a4", "A", "a4"))
		received(t, receiveFIFO(t, s, q.ARN, 40000, 10), "a4")

		// The same messages received as a standard queue's: no group
		// blocks.
		std := queue(acct, region, "std")
		create(t, s, std)
		send(t, s, std.ARN, fifo("a1", "A", ""), fifo("a2", "A", ""))
		received(t, receive(t, s, std.ARN, 1000, 1), "a1")
		received(t, receive(t, s, std.ARN, 1000, 1), "a2")
	})

	t.Run("dedup", func(t *testing.T) {
		s := newSQS(t)
		q, other := queue(acct, region, "q.fifo"), queue(acct, region, "other.fifo")
		create(t, s, q)
		create(t, s, other)
		// dupOf checks that a send returned the message first sent in
		// place of the duplicate: its ID and Seq, the other fields as
		// given.
		dupOf := func(t *testing.T, got, dup, original store.QueueMessage) {
			t.Helper()
			want := dup
			want.QueueARN, want.ID, want.Seq = original.QueueARN, original.ID, original.Seq
			if !same(got, want) {
				t.Errorf("sending a duplicate returned\n%+v\nwant\n%+v", got, want)
			}
		}
		at := func(m store.QueueMessage, sent int64) store.QueueMessage {
			m.Sent, m.VisibleAt, m.Expires = sent, sent, sent+retention
			return m
		}

		m1 := sendAt(t, s, q.ARN, 1000-window, at(fifo("m1", "g", "d1"), 1000))[0]
		// Within the window: not added.
		dup := at(fifo("m2", "g", "d1"), 2000)
		dup.Body = "another body"
		dupOf(t, sendAt(t, s, q.ARN, 2000-window, dup)[0], dup, m1)
		countsAre(t, s, q.ARN, 2000, store.QueueCounts{Visible: 1})
		// In one batch, the second is the first.
		got := sendAt(t, s, q.ARN, 2000-window, at(fifo("x", "g", "d2"), 2000), at(fifo("y", "h", "d2"), 2000),
			at(fifo("z", "g", "d3"), 2000), at(fifo("m3", "g", "d1"), 2000))
		dupOf(t, got[1], at(fifo("y", "h", "d2"), 2000), got[0])
		dupOf(t, got[3], at(fifo("m3", "g", "d1"), 2000), m1)
		received(t, got[:1], "x")
		received(t, got[2:3], "z")
		countsAre(t, s, q.ARN, 2000, store.QueueCounts{Visible: 3})
		// Another queue's deduplication ids are its own.
		received(t, sendAt(t, s, other.ARN, 2000-window, at(fifo("o1", "g", "d1"), 2000)), "o1")
		// Messages without a deduplication id are all added.
		sendAt(t, s, other.ARN, 2000-window, at(msg("plain1"), 2000), at(msg("plain2"), 2000))
		countsAre(t, s, other.ARN, 2000, store.QueueCounts{Visible: 3})

		// Received and deleted, the first is still the one of its id.
		received(t, receiveFIFO(t, s, q.ARN, 3000, 10), "m1", "x", "z")
		del(t, s, q.ARN, "m1")
		dupOf(t, sendAt(t, s, q.ARN, 3000-window, at(fifo("m4", "g", "d1"), 3000))[0], at(fifo("m4", "g", "d1"), 3000), m1)
		// Sent at the window's start is within it.
		dupOf(t, sendAt(t, s, q.ARN, 1000, at(fifo("m5", "g", "d1"), 1000+window))[0], at(fifo("m5", "g", "d1"), 1000+window), m1)
		countsAre(t, s, q.ARN, 3000, store.QueueCounts{InFlight: 2})

		// After the window: added, and now the one of its id.
		later := int64(1001 + window)
		m6 := sendAt(t, s, q.ARN, later-window, at(fifo("m6", "g", "d1"), later))[0]
		if m6.ID != "m6" || m6.Seq <= m1.Seq {
			t.Errorf("sending after the window returned %+v; want m6 added", m6)
		}
		dupOf(t, sendAt(t, s, q.ARN, later-window, at(fifo("m7", "g", "d1"), later+1))[0], at(fifo("m7", "g", "d1"), later+1), m6)
		countsAre(t, s, q.ARN, later, store.QueueCounts{Visible: 3})
	})

	t.Run("redrive", func(t *testing.T) {
		s := newSQS(t)
		src, dlq := queue(acct, region, "src"), queue(acct, region, "dlq")
		create(t, s, src)
		create(t, s, dlq)
		send(t, s, dlq.ARN, msg("old"))
		sent := send(t, s, src.ARN, msg("m"), msg("n"))
		redrive := &store.Redrive{TargetARN: dlq.ARN, MaxReceiveCount: 2}
		recv := func(now int64, max int) []store.QueueMessage {
			t.Helper()
			return receiveFrom(t, s, store.ReceiveRequest{QueueARN: src.ARN, Now: now, VisibleUntil: now + timeout, Max: max,
				Redrive: redrive})
		}
		received(t, recv(1000, 1), "m")
		received(t, recv(1000+timeout, 1), "m")
		// Received twice: moved, and not counted toward Max.
		now := int64(1000 + 2*timeout)
		received(t, recv(now, 1), "n")
		countsAre(t, s, src.ARN, now, store.QueueCounts{InFlight: 1})
		countsAre(t, s, dlq.ARN, now, store.QueueCounts{Visible: 2})
		received(t, recv(now+timeout, 10), "n")
		// In the dead-letter queue, a new message after those there (a
		// new Seq) with its ID, body, attributes, Sent and Expires,
		// visible at the move, never received, from the source queue.
		got := receive(t, s, dlq.ARN, now, 10)
		received(t, got, "old", "m")
		if len(got) == 2 {
			m := got[1]
			want := receivedAs(sent[0], now, now, 1, m.Receipt)
			want.QueueARN, want.Seq, want.SourceARN = dlq.ARN, m.Seq, src.ARN
			if !same(m, want) || m.Seq <= sent[1].Seq {
				t.Errorf("moved, received\n%+v\nwant\n%+v, with a Seq above %d", m, want, sent[1].Seq)
			}
		}
		countsAre(t, s, dlq.ARN, now, store.QueueCounts{InFlight: 2})
		// Without a redrive, a queue's messages are received any number of
		// times.
		received(t, receive(t, s, dlq.ARN, now+5*timeout, 10), "old", "m")

		// The target queue missing: nothing moves.
		lost := queue(acct, region, "lost")
		create(t, s, lost)
		send(t, s, lost.ARN, msg("l"))
		toNowhere := &store.Redrive{TargetARN: queue(acct, region, "nosuch").ARN, MaxReceiveCount: 1}
		for i := range 3 {
			now := int64(1000 + i*timeout)
			got := receiveFrom(t, s, store.ReceiveRequest{QueueARN: lost.ARN, Now: now, VisibleUntil: now + timeout, Max: 10,
				Redrive: toNowhere})
			if received(t, got, "l"); len(got) == 1 && got[0].ReceiveCount != i+1 {
				t.Errorf("received %+v; want ReceiveCount %d", got[0], i+1)
			}
		}

		// FIFO: a moved message leaves its group, whose next message is
		// received.
		fq, fdlq := queue(acct, region, "src.fifo"), queue(acct, region, "dlq.fifo")
		create(t, s, fq)
		create(t, s, fdlq)
		send(t, s, fq.ARN, fifo("a1", "A", "dedup-a1"), fifo("a2", "A", "dedup-a2"), fifo("b1", "B", "dedup-b1"))
		fifoRedrive := &store.Redrive{TargetARN: fdlq.ARN, MaxReceiveCount: 1}
		frecv := func(now int64, max int) []store.QueueMessage {
			t.Helper()
			return receiveFrom(t, s, store.ReceiveRequest{QueueARN: fq.ARN, Now: now, VisibleUntil: now + timeout, Max: max,
				FIFO: true, Redrive: fifoRedrive})
		}
		received(t, frecv(1000, 1), "a1")
		received(t, frecv(1000+timeout, 1), "a2")
		received(t, frecv(1000+timeout, 10), "b1")
		// Its deduplication id there is its ID.
		got = receiveFIFO(t, s, fdlq.ARN, 1000+timeout, 10)
		if received(t, got, "a1"); len(got) == 1 && (got[0].DeduplicationID != "a1" || got[0].SourceARN != fq.ARN || got[0].GroupID != "A") {
			t.Errorf("moved to the FIFO dead-letter queue: %+v; want deduplication id a1, group A, from %s", got[0], fq.ARN)
		}
	})

	t.Run("expiry", func(t *testing.T) {
		s := newSQS(t)
		q, other := queue(acct, region, "q.fifo"), queue(acct, region, "other")
		create(t, s, q)
		create(t, s, other)
		expiring := func(id, dedup string, expires int64) store.QueueMessage {
			m := fifo(id, id, dedup)
			m.Expires = expires
			return m
		}
		send(t, s, q.ARN, expiring("m1", "d1", 5000), expiring("m2", "d2", 10000), expiring("m3", "d3", 100000))
		e := expiring("m4", "d4", 100000)
		e.Sent = 1001
		send(t, s, q.ARN, e)
		send(t, s, other.ARN, expiring("o1", "", 8000), expiring("o2", "", 100000))
		countsAre(t, s, q.ARN, 4999, store.QueueCounts{Visible: 4})
		// Expired at Expires: neither counted nor received.
		countsAre(t, s, q.ARN, 5000, store.QueueCounts{Visible: 3})
		received(t, receiveFIFO(t, s, q.ARN, 5000, 2), "m2", "m3") // until 35000
		countsAre(t, s, q.ARN, 9999, store.QueueCounts{Visible: 1, InFlight: 2})
		countsAre(t, s, q.ARN, 10000, store.QueueCounts{Visible: 1, InFlight: 1})
		received(t, receiveFIFO(t, s, q.ARN, 40000, 10), "m3", "m4")
		received(t, receive(t, s, other.ARN, 8000, 10), "o2")
		// Expired messages still count at a time before their expiry,
		// until they are deleted.
		countsAre(t, s, q.ARN, 4000, store.QueueCounts{Visible: 1, InFlight: 3})

		// Deleted at now (the records sent before dedupBefore with them).
		n, err := s.DeleteExpiredMessages(ctx, 10000, 500)
		if err != nil || n != 3 {
			t.Errorf("DeleteExpiredMessages(10000, 500) = %d, %v; want 3 (m1, m2, o1)", n, err)
		}
		countsAre(t, s, q.ARN, 4000, store.QueueCounts{InFlight: 2})
		countsAre(t, s, other.ARN, 4000, store.QueueCounts{InFlight: 1})
		// The records of the deleted messages are kept until dedupBefore
		// passes them.
		dupOf := func(t *testing.T, m store.QueueMessage, wantID string) {
			t.Helper()
			got := sendAt(t, s, q.ARN, 0, m)
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
		countsAre(t, s, q.ARN, 4000, store.QueueCounts{Visible: 2, InFlight: 2})
		if n, err := s.DeleteExpiredMessages(ctx, 1000000, 0); err != nil || n != 5 {
			t.Errorf("DeleteExpiredMessages(1000000, 0) = %d, %v; want 5", n, err)
		}
		countsAre(t, s, q.ARN, 0, store.QueueCounts{})
		countsAre(t, s, other.ARN, 0, store.QueueCounts{})
	})

	t.Run("purge", func(t *testing.T) {
		s := newSQS(t)
		q, other := queue(acct, region, "q"), queue(acct, region, "other")
		create(t, s, q)
		create(t, s, other)
		delayed := msg("delayed")
		delayed.VisibleAt = 9000
		send(t, s, q.ARN, msg("m1"), msg("m2"), delayed)
		send(t, s, other.ARN, msg("o1"))
		received(t, receive(t, s, q.ARN, 1000, 1), "m1")
		n, err := s.PurgeQueue(ctx, q.ARN)
		if err != nil || n != 3 {
			t.Errorf("PurgeQueue = %d, %v; want 3", n, err)
		}
		countsAre(t, s, q.ARN, 9000, store.QueueCounts{})
		received(t, receive(t, s, q.ARN, 100000, 10))
		readQueue(t, s, q)
		countsAre(t, s, other.ARN, 1000, store.QueueCounts{Visible: 1})
		if n, err := s.PurgeQueue(ctx, q.ARN); err != nil || n != 0 {
			t.Errorf("PurgeQueue(purged) = %d, %v; want 0", n, err)
		}
		// Still a queue to send to.
		send(t, s, q.ARN, msg("m3"))
		received(t, receive(t, s, q.ARN, 1000, 10), "m3")
	})

	t.Run("receive attempts", func(t *testing.T) { sqsReceiveAttempts(t, open) })
	t.Run("move tasks", func(t *testing.T) { sqsMoveTasks(t, open) })

	t.Run("durable", func(t *testing.T) {
		q, f, gone := queue(acct, region, "q"), queue(acct, region, "f.fifo"), queue(acct, region, "gone")
		attributes := []byte(`{"VisibilityTimeout":"60"}`)
		var (
			r1     string               // m1's receipt
			sent   []store.QueueMessage // q's messages m1, m3
			dedup  store.QueueMessage
			maxSeq int64
		)
		lastSeq = 0
		s := sqsOf(t, reopen(t, open, func(t *testing.T, b Backend) {
			s := sqsOf(t, b)
			for _, x := range []store.Queue{q, f, gone} {
				create(t, s, x)
			}
			if err := s.SetQueueAttributes(ctx, q.ARN, attributes, 2000); err != nil {
				t.Fatal(err)
			}
			delayed := msg("m4")
			delayed.VisibleAt = 50000
			got := send(t, s, q.ARN, msg("m1"), msg("m2"), msg("m3"), delayed)
			sent = []store.QueueMessage{got[0], got[2]}
			r1 = receive(t, s, q.ARN, 1000, 1)[0].Receipt
			del(t, s, q.ARN, "m2")
			dedup = send(t, s, f.ARN, fifo("f1", "g", "d1"))[0]
			send(t, s, gone.ARN, msg("g1"))
			if err := s.DeleteQueue(ctx, gone.ARN); err != nil {
				t.Fatal(err)
			}
			// The newest message deleted: its Seq is not given again.
			maxSeq = send(t, s, q.ARN, msg("m5"))[0].Seq
			del(t, s, q.ARN, "m5")
		}))
		wantQ := q
		wantQ.Attributes, wantQ.Updated = attributes, 2000
		readQueue(t, s, wantQ)
		readQueue(t, s, f)
		missingQueue(t, s, acct, region, "gone")
		queuesListed(t, s, acct, region, "", "", 0, "f.fifo", "q")
		countsAre(t, s, q.ARN, 1000, store.QueueCounts{Visible: 1, InFlight: 1, Delayed: 1})
		countsAre(t, s, gone.ARN, 1000, store.QueueCounts{})

		// The receipt is kept: m1 made visible under it, received again
		// (the second time, first at 1000), before m3.
		changeVisibility(t, s, q.ARN, "m1", r1, 2000, nil)
		got := receive(t, s, q.ARN, 2000, 10)
		received(t, got, "m1", "m3")
		if len(got) == 2 {
			for i, want := range []store.QueueMessage{receivedAs(sent[0], 2000, 1000, 2, got[0].Receipt),
				receivedAs(sent[1], 2000, 2000, 1, got[1].Receipt)} {
				if !same(got[i], want) {
					t.Errorf("received after a reopen\n%+v\nwant\n%+v", got[i], want)
				}
			}
		}
		// Deduplication records are kept.
		if got := sendAt(t, s, f.ARN, 0, fifo("f2", "g", "d1")); got[0].ID != dedup.ID || got[0].Seq != dedup.Seq {
			t.Errorf("sent a duplicate after a reopen and got %+v; want %s (Seq %d)", got[0], dedup.ID, dedup.Seq)
		}
		// Seq keeps growing.
		if m := send(t, s, q.ARN, msg("m6"))[0]; m.Seq <= maxSeq {
			t.Errorf("sent after a reopen, m6 has Seq %d; want above %d", m.Seq, maxSeq)
		}
		// The existing queue is still found by name.
		if got, created, err := s.CreateQueue(ctx, q); err != nil || created || !reflect.DeepEqual(*got, wantQ) {
			t.Errorf("CreateQueue(existing) after a reopen = %+v, %v, %v; want %+v, false", got, created, err, wantQ)
		}
	})
}
