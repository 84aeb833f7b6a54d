package sqs

import (
	"errors"
	"slices"
	"testing"

	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/outbox"
)

// dispatcher returns a dispatcher with the service's target, as the
// composition root registers it.
func (f *fixture) dispatcher() *dispatch.Dispatcher {
	d := dispatch.New(dispatch.Options{Clock: f.clock})
	d.Register(dispatch.Match{Service: "sqs", Type: ""}, f.svc.Target())
	return d
}

// servicesPolicy lets SNS topics and EventBridge rules send to a queue.
const servicesPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
	"Principal":{"Service":["sns.amazonaws.com","events.amazonaws.com"]},"Action":"sqs:SendMessage","Resource":"*"}]}`

// deliverable returns queue attributes with servicesPolicy added.
func deliverable(attrs map[string]string) map[string]string {
	out := map[string]string{"Policy": servicesPolicy}
	for k, v := range attrs {
		out[k] = v
	}
	return out
}

// delivery is a message an SNS topic of account sends to a queue.
func delivery(id, account, queue, payload string, header map[string]string) dispatch.Message {
	return dispatch.Message{ID: id, Kind: "sns.delivery", Version: 1,
		Source: dispatch.Source{Service: "sns", Account: account, Region: scope.Region},
		Target: arn(queue), Payload: []byte(payload), Header: header}
}

func TestTarget(t *testing.T) {
	f := newFixture(t)
	d := f.dispatcher()
	if got := f.svc.Target().Action(); got != "sqs:SendMessage" {
		t.Errorf("Action = %q", got)
	}
	u := f.create("q", deliverable(nil))
	payload := `{"Type":"Notification","Message":"hello"}`
	if err := d.Dispatch(f.ctx, delivery("d-1", scope.Account, "q", payload, map[string]string{"MessageGroupId": "", "MessageDeduplicationId": ""})); err != nil {
		t.Fatal(err)
	}
	// From another account (the dispatcher authorizes it: no policy
	// here): its sender is that account.
	if err := d.Dispatch(f.ctx, delivery("d-2", other.Account, "q", "from afar", nil)); err != nil {
		t.Fatal(err)
	}
	got := f.receive(ReceiveInput{QueueURL: u, Max: ip(10), SystemAttributes: []string{"All"}})
	if len(got) != 2 {
		t.Fatalf("received %d", len(got))
	}
	if got[0].Body != payload || got[0].MD5Body != md5Hex(payload) || got[0].SystemAttributes["SenderId"] != scope.Account {
		t.Errorf("first = %+v", got[0])
	}
	if got[1].Body != "from afar" || got[1].SystemAttributes["SenderId"] != other.Account {
		t.Errorf("second = %+v", got[1])
	}
	if _, ok := got[0].SystemAttributes["MessageGroupId"]; ok {
		t.Errorf("a standard delivery has a MessageGroupId: %v", got[0].SystemAttributes)
	}
}

func TestTargetFIFO(t *testing.T) {
	f := newFixture(t)
	d := f.dispatcher()
	u := f.fifo("f.fifo", deliverable(nil))
	header := map[string]string{"MessageGroupId": "orders", "MessageDeduplicationId": "order-1"}
	for range 2 { // a retry is a duplicate
		if err := d.Dispatch(f.ctx, dispatch.Message{ID: "d-1", Source: dispatch.Source{Service: "sns", Account: scope.Account, Region: scope.Region},
			Target: arn("f.fifo"), Payload: []byte("order 1"), Header: header}); err != nil {
			t.Fatal(err)
		}
	}
	got := f.receive(ReceiveInput{QueueURL: u, Max: ip(10), SystemAttributes: []string{"MessageGroupId", "MessageDeduplicationId"}})
	if len(got) != 1 || got[0].Body != "order 1" || got[0].SystemAttributes["MessageGroupId"] != "orders" ||
		got[0].SystemAttributes["MessageDeduplicationId"] != "order-1" {
		t.Fatalf("received %+v", got)
	}
	// Without a group: refused for good.
	err := d.Dispatch(f.ctx, dispatch.Message{ID: "d-2", Source: dispatch.Source{Service: "sns", Account: scope.Account, Region: scope.Region},
		Target: arn("f.fifo"), Payload: []byte("x")})
	if !outbox.IsPermanent(err) {
		t.Fatalf("a FIFO delivery without a group = %v, want a permanent error", err)
	}
}

func TestTargetErrors(t *testing.T) {
	f := newFixture(t)
	d := f.dispatcher()
	f.create("q", deliverable(map[string]string{"MaximumMessageSize": "1024"}))
	for _, m := range []dispatch.Message{
		delivery("d-1", scope.Account, "missing", "x", nil),
		delivery("d-2", scope.Account, "q", string(make([]byte, 1025)), nil),
		delivery("d-3", scope.Account, "q", "\x00", nil),
	} {
		err := d.Dispatch(f.ctx, m)
		var de *dispatch.Error
		if !errors.As(err, &de) || !outbox.IsPermanent(err) {
			t.Errorf("delivery to %s = %v, want a permanent dispatch.Error", m.Target, err)
			continue
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("delivery to %s = %v, does not wrap the SQS error", m.Target, err)
		}
	}
	// A queue of another region is not found either.
	m := delivery("d-4", scope.Account, "q", "x", nil)
	m.Target = "arn:aws:sqs:eu-west-1:" + scope.Account + ":q"
	if err := d.Dispatch(f.ctx, m); !outbox.IsPermanent(err) {
		t.Errorf("delivery to another region's queue = %v", err)
	}
	f.wantCounts(url("q"), counts{})
}

// TestTargetStandardQueueFromFIFOTopic: an SNS FIFO topic delivers to
// standard queues too; its deduplication id (and group) are not a
// standard queue's to refuse.
func TestTargetStandardQueueFromFIFOTopic(t *testing.T) {
	f := newFixture(t)
	d := f.dispatcher()
	u := f.create("q", deliverable(nil))
	err := d.Dispatch(f.ctx, delivery("d-1", scope.Account, "q", "from a FIFO topic",
		map[string]string{"MessageGroupId": "g", "MessageDeduplicationId": "dedup-1"}))
	if err != nil {
		t.Fatalf("delivery to a standard queue from a FIFO topic: %v", err)
	}
	f.receiveOne(u)
}

// TestTargetFIFODeliveryID: "a Message carries an ID, the same for every
// retry, that targets able to deduplicate use (an SQS deduplication id
// ...)": a delivery to a FIFO queue without a MessageDeduplicationId
// header, nor content-based deduplication, is deduplicated by its ID.
func TestTargetFIFODeliveryID(t *testing.T) {
	f := newFixture(t)
	d := f.dispatcher()
	u := f.fifo("f.fifo", deliverable(nil))
	for range 2 {
		m := dispatch.Message{ID: "delivery-1", Source: dispatch.Source{Service: "events", Account: scope.Account, Region: scope.Region},
			Target: arn("f.fifo"), Payload: []byte(`{"detail":{}}`), Header: map[string]string{"MessageGroupId": "g"}}
		if err := d.Dispatch(f.ctx, m); err != nil {
			t.Fatalf("delivery without a deduplication id: %v", err)
		}
	}
	f.receiveOne(u)
}

// A delivery's attributes (SNS's raw delivery) become the message's.
func TestTargetAttributes(t *testing.T) {
	f := newFixture(t)
	d := f.dispatcher()
	u := f.create("q", deliverable(nil))
	header := map[string]string{dispatch.MessageAttributesHeader: `[{"Name":"severity","Type":"String","Value":"low"},{"Name":"blob","Type":"Binary","Value":"AAE="}]`}
	if err := d.Dispatch(f.ctx, delivery("d-1", scope.Account, "q", "raw", header)); err != nil {
		t.Fatal(err)
	}
	got := f.receive(ReceiveInput{QueueURL: u, MessageAttributes: []string{"All"}})
	if len(got) != 1 || len(got[0].Attributes) != 2 {
		t.Fatalf("received %+v", got)
	}
	for _, a := range got[0].Attributes {
		if a.Name == "severity" && a.StringValue != "low" || a.Name == "blob" && string(a.BinaryValue) != "\x00\x01" {
			t.Errorf("attribute %+v", a)
		}
	}
	bad := map[string]string{dispatch.MessageAttributesHeader: `not json`}
	if err := d.Dispatch(f.ctx, delivery("d-2", scope.Account, "q", "raw", bad)); err == nil {
		t.Error("attributes that do not parse were accepted")
	}
}

// TestTargetQueuePolicy: a service delivers to a queue only as far as
// the queue's policy allows it, in the queue's own account too; other
// senders (a Vigil component acting as the account) need no policy.
func TestTargetQueuePolicy(t *testing.T) {
	f := newFixture(t)
	d := f.dispatcher()
	const topic = "arn:aws:sns:us-east-1:123456789012:alerts"
	f.create("none", nil)
	f.create("scoped", map[string]string{"Policy": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + arn("scoped") + `",
		"Condition":{"ArnEquals":{"aws:SourceArn":"` + topic + `"}}}]}`})
	send := func(queue, service, source string) error {
		return d.Dispatch(f.ctx, dispatch.Message{ID: "m-" + queue + service + source, Kind: "k", Version: 1,
			Source: dispatch.Source{Service: service, Account: scope.Account, Region: scope.Region, ARN: source},
			Target: arn(queue), Payload: []byte("x")})
	}
	cases := []struct {
		queue, service, source string
		allowed                bool
	}{
		{"none", "sns", topic, false},
		{"none", "events", "arn:aws:events:us-east-1:123456789012:rule/r", false},
		{"none", "logs", "", true},
		{"scoped", "sns", topic, true},
		{"scoped", "sns", topic + "-other", false},
		{"scoped", "events", topic, false},
	}
	for _, c := range cases {
		err := send(c.queue, c.service, c.source)
		var de *dispatch.Error
		switch {
		case c.allowed && err != nil:
			t.Errorf("%s from %s (%s) = %v; want delivered", c.queue, c.service, c.source, err)
		case !c.allowed && (!errors.As(err, &de) || de.Code != "AccessDenied" || !outbox.IsPermanent(err)):
			t.Errorf("%s from %s (%s) = %v; want a permanent AccessDenied", c.queue, c.service, c.source, err)
		}
	}
}

// TestTargetBatch: deliveries to a queue dispatched together are sent in
// order in one write; one the queue refuses (bad attributes, too large)
// fails alone; a batch with a delivery from another account goes one by
// one, each from its own account.
func TestTargetBatch(t *testing.T) {
	f := newFixture(t)
	d := f.dispatcher()
	u := f.create("q", deliverable(map[string]string{"MaximumMessageSize": "1024"}))
	attrs := map[string]string{dispatch.MessageAttributesHeader: `[{"Name":"n","Type":"String","Value":"v"}]`}
	errs := d.DispatchBatch(f.ctx, []dispatch.Message{
		delivery("d-1", scope.Account, "q", "one", attrs),
		delivery("d-2", scope.Account, "q", "bad attributes", map[string]string{dispatch.MessageAttributesHeader: "nope"}),
		delivery("d-3", scope.Account, "q", string(make([]byte, 2000)), nil),
		delivery("d-4", scope.Account, "q", "four", nil),
	})
	if len(errs) != 4 || errs[0] != nil || errs[3] != nil || !outbox.IsPermanent(errs[1]) || !outbox.IsPermanent(errs[2]) {
		t.Fatalf("outcomes = %v; want the second and third refused for good, the others sent", errs)
	}
	errs = d.DispatchBatch(f.ctx, []dispatch.Message{
		delivery("d-5", scope.Account, "q", "five", nil),
		delivery("d-6", other.Account, "q", "six", nil),
	})
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("outcomes = %v", errs)
	}
	got := f.receive(ReceiveInput{QueueURL: u, Max: ip(10), SystemAttributes: []string{"All"}, MessageAttributes: []string{"All"}})
	var bodies []string
	for _, m := range got {
		bodies = append(bodies, m.Body)
	}
	if want := []string{"one", "four", "five", "six"}; !slices.Equal(bodies, want) {
		t.Fatalf("received %q; want %q", bodies, want)
	}
	if got[0].Attributes[0].Name != "n" || got[3].SystemAttributes["SenderId"] != other.Account {
		t.Errorf("first = %+v, last = %+v", got[0], got[3])
	}
}
