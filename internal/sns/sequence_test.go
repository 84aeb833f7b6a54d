package sns

import (
	"regexp"
	"testing"
)

// sequenceNumbers are what a FIFO topic's SequenceNumber looks like: 20
// digits, as AWS's.
var sequenceNumbers = regexp.MustCompile(`^1[0-9]{19}$`)

func TestSequenceNumbers(t *testing.T) {
	f := newFixture(t)
	orders := f.createTopic("orders.fifo", map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"})
	audit := f.createTopic("audit.fifo", map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"})
	plain := f.createTopic("plain", nil)

	var last string
	// next checks that a sequence number is well formed and greater than
	// the one before, of either topic.
	next := func(what, seq string) {
		t.Helper()
		if !sequenceNumbers.MatchString(seq) {
			t.Fatalf("%s: SequenceNumber %q; want 20 digits", what, seq)
		}
		if seq <= last {
			t.Fatalf("%s: SequenceNumber %s after %s; want it greater", what, seq, last)
		}
		last = seq
	}
	publish := func(topic, group string) string {
		t.Helper()
		p, err := f.svc.Publish(f.ctx, scope, PublishInput{TopicARN: topic, Message: "m " + group, MessageGroupID: group})
		if err != nil {
			t.Fatal(err)
		}
		return p.SequenceNumber
	}
	first := publish(orders, "a")
	next("first", first)
	second := publish(orders, "b")
	next("another group", second)
	// The numbers do not follow each other.
	if second[len(second)-3:] != "000" || first[len(first)-3:] != "000" {
		t.Errorf("SequenceNumbers %s, %s; want them 1000 apart at least", first, second)
	}
	next("another topic", publish(audit, "a"))
	next("the first topic again", publish(orders, "a"))

	// A batch numbers its published entries in order, and not the
	// refused ones.
	res, err := f.svc.PublishBatch(f.ctx, scope, orders, []string{"e1", "e2", "e3"}, []PublishInput{
		{Message: "one", MessageGroupID: "g"}, {Message: "", MessageGroupID: "g"}, {Message: "three", MessageGroupID: "g"}})
	if err != nil {
		t.Fatal(err)
	}
	next("batch entry 1", res[0].SequenceNumber)
	if res[1].Err == nil || res[1].SequenceNumber != "" {
		t.Errorf("refused batch entry: %+v; want an error and no SequenceNumber", res[1])
	}
	next("batch entry 3", res[2].SequenceNumber)

	// A refused publish takes no number; the numbers go on growing.
	if _, err := f.svc.Publish(f.ctx, scope, PublishInput{TopicARN: orders, Message: "no group"}); err == nil {
		t.Fatal("a FIFO publish without a group succeeded")
	}
	next("after a refused publish", publish(orders, "a"))

	// A standard topic's messages have none.
	if p, err := f.svc.Publish(f.ctx, scope, PublishInput{TopicARN: plain, Message: "m"}); err != nil || p.SequenceNumber != "" {
		t.Errorf("Publish to a standard topic = %+v, %v; want no SequenceNumber", p, err)
	}
	res, err = f.svc.PublishBatch(f.ctx, scope, plain, []string{"e1"}, []PublishInput{{Message: "m"}})
	if err != nil || res[0].SequenceNumber != "" {
		t.Errorf("PublishBatch to a standard topic = %+v, %v; want no SequenceNumber", res, err)
	}

	// The numbers grow across a deletion of the topic and its creation
	// again, and across services sharing the store.
	if err := f.svc.DeleteTopic(f.ctx, scope, orders); err != nil {
		t.Fatal(err)
	}
	f.createTopic("orders.fifo", map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"})
	next("a topic created again", publish(orders, "a"))
	again := New(Options{Store: f.store.SNS(), Tags: f.store.Tags(), Outbox: f.store.Outbox(), Signer: testSigner, Clock: f.clock})
	p, err := again.Publish(f.ctx, scope, PublishInput{TopicARN: orders, Message: "m", MessageGroupID: "a"})
	if err != nil {
		t.Fatal(err)
	}
	next("another service", p.SequenceNumber)
}
