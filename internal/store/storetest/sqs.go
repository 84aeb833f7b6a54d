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
	k := &sqsSuite{open: open, issued: map[string]string{}, latest: map[string]string{}}
	t.Run("queues", k.queues)
	t.Run("send and receive", k.sendReceive)
	t.Run("visibility", k.visibility)
	t.Run("delay", k.delay)
	t.Run("change visibility", k.visibilityChanges)
	t.Run("delete", k.deleteMessages)
	t.Run("fifo", k.fifoOrder)
	t.Run("dedup", k.dedup)
	t.Run("redrive", k.redrive)
	t.Run("expiry", k.expiry)
	t.Run("purge", k.purge)
	t.Run("receive attempts", func(t *testing.T) { sqsReceiveAttempts(t, open) })
	t.Run("move tasks", func(t *testing.T) { sqsMoveTasks(t, open) })
	t.Run("durable", k.durable)
}

// The SQS suite's other account and region, and its times (ms).
const (
	sqsOtherAccount, sqsOtherRegion = "222222222222", "eu-west-1"
	sqsRetention                    = 4 * 24 * 3600 * 1000 // SQS's default
	sqsTimeout                      = 30000                // a visibility timeout
	sqsWindow                       = 5 * 60 * 1000        // FIFO's deduplication window
)

// sqsSuite is the state the SQS suite's subtests share, which run one
// after another: the Seq of the latest message sent, and the receipts
// issued.
type sqsSuite struct {
	open Open
	// lastSeq is the highest Seq sent since newSQS.
	lastSeq int64
	// Receipts are numbered; issued are those of the latest receive, by
	// message ID, latest the latest of each message ID.
	receipts       int
	issued, latest map[string]string
}

func (k *sqsSuite) sqsOf(t *testing.T, b Backend) store.SQS {
	t.Helper()
	need(t, b.SQS != nil, "SQS")
	return b.SQS
}

// newSQS opens a fresh backend's SQS, whose Seqs start anew.
func (k *sqsSuite) newSQS(t *testing.T) store.SQS {
	t.Helper()
	k.lastSeq = 0
	return k.sqsOf(t, fresh(t, k.open))
}

func (k *sqsSuite) queue(account, region, name string) store.Queue {
	return store.Queue{Account: account, Region: region, Name: name, ARN: "arn:aws:sqs:" + region + ":" + account + ":" + name,
		Attributes: []byte(`{"VisibilityTimeout":"30","name":"` + name + `"}`), Created: 1000, Updated: 1000}
}

func (k *sqsSuite) create(t *testing.T, s store.SQS, q store.Queue) {
	t.Helper()
	got, created, err := s.CreateQueue(context.Background(), q)
	if err != nil {
		t.Fatalf("CreateQueue(%s): %v", q.ARN, err)
	}
	if !created || !reflect.DeepEqual(*got, q) {
		t.Fatalf("CreateQueue(%s) = %+v, %v; want %+v, true", q.ARN, *got, created, q)
	}
}

func (k *sqsSuite) readQueue(t *testing.T, s store.SQS, want store.Queue) {
	t.Helper()
	got, err := s.Queue(context.Background(), want.Account, want.Region, want.Name)
	if err != nil {
		t.Fatalf("Queue(%s, %s, %s): %v", want.Account, want.Region, want.Name, err)
	}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("Queue(%s, %s, %s) =\n%+v\nwant\n%+v", want.Account, want.Region, want.Name, *got, want)
	}
}

func (k *sqsSuite) missingQueue(t *testing.T, s store.SQS, account, region, name string) {
	t.Helper()
	if got, err := s.Queue(context.Background(), account, region, name); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Queue(%s, %s, %s) = %+v, %v; want ErrNotFound", account, region, name, got, err)
	}
}

func (k *sqsSuite) queueNames(qs []store.Queue) []string {
	out := []string{}
	for _, q := range qs {
		out = append(out, q.Name)
	}
	return out
}

func (k *sqsSuite) queuesListed(t *testing.T, s store.SQS, account, region, prefix, after string, limit int, want ...string) {
	t.Helper()
	got, err := s.Queues(context.Background(), account, region, prefix, after, limit)
	if err != nil {
		t.Fatalf("Queues(%s, %s, %q, %q, %d): %v", account, region, prefix, after, limit, err)
	}
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(k.queueNames(got), want) {
		t.Errorf("Queues(%s, %s, %q, %q, %d) = %q; want %q", account, region, prefix, after, limit, k.queueNames(got), want)
	}
}

// msg is a message sent at 1000, visible at once, kept for the default
// retention.
func (k *sqsSuite) msg(id string) store.QueueMessage {
	return store.QueueMessage{ID: id, Body: "body of " + id, Attributes: []byte(`{"id":"` + id + `"}`),
		Sent: 1000, VisibleAt: 1000, Expires: 1000 + sqsRetention}
}

// fifo is a FIFO message of a group, with a deduplication id.
func (k *sqsSuite) fifo(id, group, dedup string) store.QueueMessage {
	m := k.msg(id)
	m.GroupID, m.DeduplicationID = group, dedup
	return m
}

// same compares messages, attributes nil and empty alike.
func (k *sqsSuite) same(a, b store.QueueMessage) bool {
	if len(a.Attributes) == 0 && len(b.Attributes) == 0 {
		a.Attributes, b.Attributes = nil, nil
	}
	return reflect.DeepEqual(a, b)
}

// sendAt sends msgs to a queue and checks that they come back as given,
// with the queue's ARN and a Seq above every Seq before (those
// deduplicated aside: the caller checks them); it returns them.
func (k *sqsSuite) sendAt(t *testing.T, s store.SQS, arn string, dedupSince int64, msgs ...store.QueueMessage) []store.QueueMessage {
	t.Helper()
	got, err := s.SendMessages(context.Background(), arn, msgs, dedupSince)
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
		if !k.same(m, want) {
			t.Errorf("SendMessages(%s) returned\n%+v\nwant\n%+v", arn, m, want)
		}
		if m.Seq <= k.lastSeq {
			t.Errorf("SendMessages(%s): %s has Seq %d; want above %d, the Seq of the message sent before", arn, m.ID, m.Seq, k.lastSeq)
		}
		k.lastSeq = max(k.lastSeq, m.Seq)
	}
	return got
}

func (k *sqsSuite) send(t *testing.T, s store.SQS, arn string, msgs ...store.QueueMessage) []store.QueueMessage {
	t.Helper()
	return k.sendAt(t, s, arn, 0, msgs...)
}

func (k *sqsSuite) receipt(m *store.QueueMessage) string {
	k.receipts++
	r := fmt.Sprintf("receipt-%d", k.receipts)
	k.issued[m.ID], k.latest[m.ID] = r, r
	return r
}

// receiveFrom receives and checks that each message received is visible
// until until, received at least once, first at or before now, with the
// receipt issued for it by this receive.
func (k *sqsSuite) receiveFrom(t *testing.T, s store.SQS, r store.ReceiveRequest) []store.QueueMessage {
	t.Helper()
	r.Receipt = k.receipt
	clear(k.issued)
	got, err := s.ReceiveMessages(context.Background(), r)
	if err != nil {
		t.Fatalf("ReceiveMessages(%s, now %d): %v", r.QueueARN, r.Now, err)
	}
	if len(got) > r.Max {
		t.Errorf("ReceiveMessages(%s, now %d, max %d) returned %d messages", r.QueueARN, r.Now, r.Max, len(got))
	}
	for _, m := range got {
		if m.QueueARN != r.QueueARN || m.VisibleAt != r.VisibleUntil || m.ReceiveCount < 1 || m.FirstReceived == 0 ||
			m.FirstReceived > r.Now || m.Receipt == "" || m.Receipt != k.issued[m.ID] {
			t.Errorf("ReceiveMessages(%s, now %d, until %d) returned %+v; want it of the queue, visible at %d, received, "+
				"with receipt %q", r.QueueARN, r.Now, r.VisibleUntil, m, r.VisibleUntil, k.issued[m.ID])
		}
	}
	return got
}

func (k *sqsSuite) receive(t *testing.T, s store.SQS, arn string, now int64, max int) []store.QueueMessage {
	t.Helper()
	return k.receiveFrom(t, s, store.ReceiveRequest{QueueARN: arn, Now: now, VisibleUntil: now + sqsTimeout, Max: max})
}

func (k *sqsSuite) receiveFIFO(t *testing.T, s store.SQS, arn string, now int64, max int) []store.QueueMessage {
	t.Helper()
	return k.receiveFrom(t, s, store.ReceiveRequest{QueueARN: arn, Now: now, VisibleUntil: now + sqsTimeout, Max: max, FIFO: true})
}

func (k *sqsSuite) received(t *testing.T, got []store.QueueMessage, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(ids(got), want) {
		t.Errorf("received %q; want %q", ids(got), want)
	}
}

// receivedAs is m as its receive number n returns it, at now, the first
// at first.
func (k *sqsSuite) receivedAs(m store.QueueMessage, now, first int64, n int, receipt string) store.QueueMessage {
	m.VisibleAt, m.ReceiveCount, m.FirstReceived, m.Receipt = now+sqsTimeout, n, first, receipt
	return m
}

func (k *sqsSuite) countsAre(t *testing.T, s store.SQS, arn string, now int64, want store.QueueCounts) {
	t.Helper()
	got, err := s.Counts(context.Background(), arn, now)
	if err != nil {
		t.Fatalf("Counts(%s, %d): %v", arn, now, err)
	}
	if got != want {
		t.Errorf("Counts(%s, %d) = %+v; want %+v", arn, now, got, want)
	}
}

func (k *sqsSuite) del(t *testing.T, s store.SQS, arn string, ids ...string) {
	t.Helper()
	if err := s.DeleteMessages(context.Background(), arn, ids); err != nil {
		t.Fatalf("DeleteMessages(%s, %q): %v", arn, ids, err)
	}
}

func (k *sqsSuite) changeVisibility(t *testing.T, s store.SQS, arn, id, receipt string, visibleAt int64, want error) {
	t.Helper()
	err := s.ChangeVisibility(context.Background(), arn, id, receipt, 0, visibleAt)
	if want == nil && err != nil || want != nil && !errors.Is(err, want) {
		t.Errorf("ChangeVisibility(%s, %s, %q, %d) = %v; want %v", arn, id, receipt, visibleAt, err, want)
	}
}
