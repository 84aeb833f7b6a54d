package sqs

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"testing"
	"time"
)

func TestReceiveMessageLimits(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	for _, c := range []struct {
		in  ReceiveInput
		msg string
	}{
		{ReceiveInput{Max: ip(0)}, "Value 0 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."},
		{ReceiveInput{Max: ip(11)}, "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."},
		{ReceiveInput{Visibility: ip(-1)}, "Value -1 for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided."},
		{ReceiveInput{Visibility: ip(43201)}, "Value 43201 for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided."},
		{ReceiveInput{Wait: ip(-1)}, "Value -1 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided."},
		{ReceiveInput{Wait: ip(21)}, "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided."},
	} {
		c.in.QueueURL = u
		_, err := f.svc.ReceiveMessages(f.ctx, scope, c.in)
		wantErr(t, err, InvalidParameterValue, c.msg)
	}
	// Nothing was waited for.
	if f.clock.Waiters() != 0 {
		t.Fatalf("%d timers armed", f.clock.Waiters())
	}
	_, err := f.svc.ReceiveMessages(f.ctx, scope, ReceiveInput{QueueURL: url("missing")})
	wantErr(t, err, QueueDoesNotExist, noQueue)
}

func TestReceiveMessageMax(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	for i := range 15 {
		f.send(u, fmt.Sprint(i))
	}
	// One by default, oldest first.
	if got := f.receive(ReceiveInput{QueueURL: u}); !slices.Equal(bodies(got), []string{"0"}) {
		t.Fatalf("default receive = %v", bodies(got))
	}
	if got := f.receiveN(u, 10); !slices.Equal(bodies(got), []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}) {
		t.Fatalf("10 = %v", bodies(got))
	}
	if got := f.receiveN(u, 10); !slices.Equal(bodies(got), []string{"11", "12", "13", "14"}) {
		t.Fatalf("the rest = %v", bodies(got))
	}
	f.receiveNone(u)
	f.wantCounts(u, counts{inFlight: 15})
}

func TestReceiveMessageVisibility(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	sent := f.send(u, "m")
	f.clock.Advance(time.Second)
	first := f.receive(ReceiveInput{QueueURL: u, SystemAttributes: []string{"All"}})
	if len(first) != 1 || first[0].MessageID != sent.MessageID || first[0].Body != "m" || first[0].MD5Body != md5Hex("m") {
		t.Fatalf("received %+v", first)
	}
	want := map[string]string{"SenderId": scope.Account, "SentTimestamp": ms(t0), "ApproximateReceiveCount": "1",
		"ApproximateFirstReceiveTimestamp": ms(t0.Add(time.Second))}
	if !maps.Equal(first[0].SystemAttributes, want) {
		t.Fatalf("system attributes = %v, want %v", first[0].SystemAttributes, want)
	}
	// Hidden for the queue's 30 s.
	f.clock.Advance(30*time.Second - time.Millisecond)
	f.receiveNone(u)
	f.clock.Advance(time.Millisecond)
	second := f.receive(ReceiveInput{QueueURL: u, SystemAttributes: []string{"All"}, Visibility: ip(5)})
	if len(second) != 1 || second[0].MessageID != sent.MessageID {
		t.Fatalf("received %+v", second)
	}
	if second[0].ReceiptHandle == first[0].ReceiptHandle {
		t.Error("the second receive has the first's receipt handle")
	}
	want["ApproximateReceiveCount"] = "2" // the first receive's time kept
	if !maps.Equal(second[0].SystemAttributes, want) {
		t.Fatalf("system attributes = %v, want %v", second[0].SystemAttributes, want)
	}
	// Hidden for the 5 s asked for.
	f.clock.Advance(5*time.Second - time.Millisecond)
	f.receiveNone(u)
	f.clock.Advance(time.Millisecond)
	// A visibility timeout of 0: received and visible at once.
	third := f.receive(ReceiveInput{QueueURL: u, Visibility: ip(0), SystemAttributes: []string{"ApproximateReceiveCount"}})
	if len(third) != 1 || third[0].SystemAttributes["ApproximateReceiveCount"] != "3" {
		t.Fatalf("received %+v", third)
	}
	f.wantCounts(u, counts{visible: 1})

	// The queue's own VisibilityTimeout.
	q := f.create("long", map[string]string{"VisibilityTimeout": "120"})
	f.send(q, "x")
	f.receiveOne(q)
	f.clock.Advance(119 * time.Second)
	f.receiveNone(q)
	f.clock.Advance(time.Second)
	f.receiveOne(q)
}

func TestReceiveMessageSystemAttributes(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	const trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	f.sendIn(u, SendInput{Body: "m", TraceHeader: trace})
	all := map[string]string{"SenderId": scope.Account, "SentTimestamp": ms(t0), "ApproximateReceiveCount": "1",
		"ApproximateFirstReceiveTimestamp": ms(t0), "AWSTraceHeader": trace}
	// Each alone, then several, then All, then none.
	n := 0
	receive := func(names ...string) map[string]string {
		t.Helper()
		got := f.receive(ReceiveInput{QueueURL: u, SystemAttributes: names, Visibility: ip(0)})
		if len(got) != 1 {
			t.Fatalf("received %d", len(got))
		}
		n++
		all["ApproximateReceiveCount"] = strconv.Itoa(n)
		return got[0].SystemAttributes
	}
	for _, name := range []string{"SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp", "AWSTraceHeader"} {
		got := receive(name)
		if !maps.Equal(got, map[string]string{name: all[name]}) {
			t.Errorf("%s = %v, want %s", name, got, all[name])
		}
	}
	if got := receive("SentTimestamp", "SenderId"); !maps.Equal(got, map[string]string{"SentTimestamp": all["SentTimestamp"], "SenderId": all["SenderId"]}) {
		t.Errorf("SentTimestamp, SenderId = %v", got)
	}
	if got := receive("All"); !maps.Equal(got, all) {
		t.Errorf("All = %v, want %v", got, all)
	}
	if got := receive(); got != nil {
		t.Errorf("none = %v", got)
	}
	// A FIFO queue's own attributes not being there.
	if got := receive("MessageGroupId", "SequenceNumber"); got != nil {
		t.Errorf("FIFO attributes of a standard queue's message = %v", got)
	}

	// A FIFO queue's message.
	fu := f.fifo("f.fifo", nil)
	sent := f.sendGroup(fu, "m", "group-1", "dedup-1")
	got := f.receive(ReceiveInput{QueueURL: fu, SystemAttributes: []string{"All"}})
	if len(got) != 1 {
		t.Fatalf("received %d", len(got))
	}
	want := map[string]string{"SenderId": scope.Account, "SentTimestamp": ms(t0), "ApproximateReceiveCount": "1",
		"ApproximateFirstReceiveTimestamp": ms(t0), "MessageGroupId": "group-1", "MessageDeduplicationId": "dedup-1",
		"SequenceNumber": sent.SequenceNumber}
	if !maps.Equal(got[0].SystemAttributes, want) {
		t.Errorf("FIFO All = %v, want %v", got[0].SystemAttributes, want)
	}
}

// TestReceiveMessageFairQueueAttributes: a standard queue's message sent
// with a MessageGroupId (a fair queue's) has no FIFO sequence number nor
// deduplication id.
func TestReceiveMessageFairQueueAttributes(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	f.sendIn(u, SendInput{Body: "m", GroupID: "tenant-1"})
	got := f.receive(ReceiveInput{QueueURL: u, SystemAttributes: []string{"All"}})
	if len(got) != 1 {
		t.Fatalf("received %d", len(got))
	}
	for _, k := range []string{"SequenceNumber", "MessageDeduplicationId"} {
		if v, ok := got[0].SystemAttributes[k]; ok {
			t.Errorf("a standard queue's message has %s = %q", k, v)
		}
	}
}

func TestReceiveMessageAttributeNames(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	attrs := []Attribute{
		{Name: "a.one", DataType: "String", StringValue: "1"},
		{Name: "b", DataType: "Number", StringValue: "2"},
		{Name: "a.two", DataType: "Binary", BinaryValue: []byte{2}},
		{Name: "ab", DataType: "String.custom", StringValue: "3"},
		{Name: "a", DataType: "String", StringValue: "4"},
	}
	sent := f.sendIn(u, SendInput{Body: "m", Attributes: attrs})
	byName := map[string]Attribute{}
	for _, a := range attrs {
		byName[a.Name] = a
	}
	for _, c := range []struct {
		names, want []string
	}{
		{[]string{"All"}, []string{"a", "a.one", "a.two", "ab", "b"}},
		{[]string{".*"}, []string{"a", "a.one", "a.two", "ab", "b"}},
		{[]string{"a.*"}, []string{"a.one", "a.two"}},
		{[]string{"b"}, []string{"b"}},
		{[]string{"b", "a.two", "missing"}, []string{"a.two", "b"}},
		{[]string{"a.one", "a.*"}, []string{"a.one", "a.two"}},
		{[]string{"missing"}, nil},
		{[]string{"B"}, nil}, // names are case-sensitive
		{nil, nil},
	} {
		got := f.receive(ReceiveInput{QueueURL: u, MessageAttributes: c.names, Visibility: ip(0)})
		if len(got) != 1 {
			t.Fatalf("received %d", len(got))
		}
		var names []string
		var kept []Attribute
		for _, a := range got[0].Attributes {
			names = append(names, a.Name)
			if w := byName[a.Name]; a.DataType != w.DataType || a.StringValue != w.StringValue || string(a.BinaryValue) != string(w.BinaryValue) {
				t.Errorf("%s received as %+v, sent as %+v", a.Name, a, w)
			}
			kept = append(kept, a)
		}
		slices.Sort(names)
		if !slices.Equal(names, c.want) {
			t.Errorf("%v: attributes %v, want %v", c.names, names, c.want)
		}
		// The digest is of the attributes returned.
		if want := specMD5(kept); got[0].MD5Attributes != want {
			t.Errorf("%v: MD5OfMessageAttributes = %q, want %q", c.names, got[0].MD5Attributes, want)
		}
		if len(c.want) == len(attrs) && got[0].MD5Attributes != sent.MD5Attributes {
			t.Errorf("%v: MD5OfMessageAttributes = %q, want the send's %q", c.names, got[0].MD5Attributes, sent.MD5Attributes)
		}
	}
}

func TestReceiveMessageFIFOOrder(t *testing.T) {
	f := newFixture(t)
	u := f.fifo("f.fifo", nil)
	for i, g := range []string{"g1", "g1", "g2", "g1", "g2", "g3"} {
		f.sendGroup(u, fmt.Sprintf("%s-%d", g, i), g, fmt.Sprint(i))
	}
	// One at a time: a group in flight blocks its later messages.
	m0 := f.receiveN(u, 1)
	if !slices.Equal(bodies(m0), []string{"g1-0"}) {
		t.Fatalf("first = %v", bodies(m0))
	}
	m2 := f.receiveN(u, 1)
	if !slices.Equal(bodies(m2), []string{"g2-2"}) {
		t.Fatalf("second = %v, want g2's first (g1 is blocked)", bodies(m2))
	}
	if got := f.receiveN(u, 10); !slices.Equal(bodies(got), []string{"g3-5"}) {
		t.Fatalf("third = %v, want g3's only", bodies(got))
	}
	f.receiveNone(u)
	// Deleting g1's message unblocks g1.
	f.deleteMessage(u, m0[0].ReceiptHandle)
	if got := f.receiveN(u, 10); !slices.Equal(bodies(got), []string{"g1-1", "g1-3"}) {
		t.Fatalf("after the delete = %v, want g1's next two together", bodies(got))
	}
	// g2's message times out: received again, before g2's next.
	f.clock.Advance(30 * time.Second)
	got := f.receive(ReceiveInput{QueueURL: u, Max: ip(10), SystemAttributes: []string{"ApproximateReceiveCount"}})
	// Every message but the deleted one is visible again: by group,
	// oldest first.
	if !slices.Equal(bodies(got), []string{"g1-1", "g2-2", "g1-3", "g2-4", "g3-5"}) {
		t.Fatalf("after the timeout = %v", bodies(got))
	}
	if got[1].SystemAttributes["ApproximateReceiveCount"] != "2" || got[3].SystemAttributes["ApproximateReceiveCount"] != "1" {
		t.Fatalf("receive counts %v %v", got[1].SystemAttributes, got[3].SystemAttributes)
	}
}

func TestReceiveMessageRedrive(t *testing.T) {
	f := newFixture(t)
	dlq := f.create("dlq", nil)
	u := f.create("q", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + arn("dlq") + `","maxReceiveCount":2}`})
	sent := f.sendIn(u, SendInput{Body: "poison", Attributes: []Attribute{{Name: "a", DataType: "String", StringValue: "v"}}})
	f.send(u, "good")
	for i := 1; i <= 2; i++ {
		got := f.receive(ReceiveInput{QueueURL: u, Max: ip(10), Visibility: ip(0), SystemAttributes: []string{"ApproximateReceiveCount"}})
		if len(got) != 2 || got[0].SystemAttributes["ApproximateReceiveCount"] != strconv.Itoa(i) {
			t.Fatalf("receive %d = %+v", i, got)
		}
		f.deleteMessage(u, got[1].ReceiptHandle)
		f.send(u, "good")
	}
	// The third receive moves it instead.
	f.clock.Advance(time.Second)
	if got := f.receiveN(u, 10); !slices.Equal(bodies(got), []string{"good"}) {
		t.Fatalf("third receive = %v, want only the good message", bodies(got))
	}
	f.wantCounts(u, counts{inFlight: 1})
	f.wantCounts(dlq, counts{visible: 1})
	got := f.receive(ReceiveInput{QueueURL: dlq, SystemAttributes: []string{"All"}, MessageAttributes: []string{"All"}})
	if len(got) != 1 {
		t.Fatalf("the dead-letter queue has %d messages", len(got))
	}
	m := got[0]
	if m.MessageID != sent.MessageID || m.Body != "poison" || m.MD5Attributes != sent.MD5Attributes || len(m.Attributes) != 1 {
		t.Fatalf("dead letter = %+v, want the message sent %+v", m, sent)
	}
	if m.SystemAttributes["SentTimestamp"] != ms(t0) || m.SystemAttributes["ApproximateReceiveCount"] != "1" ||
		m.SystemAttributes["DeadLetterQueueSourceArn"] != arn("q") {
		t.Fatalf("dead letter's system attributes = %v", m.SystemAttributes)
	}

	// maxReceiveCount as a string; a missing dead-letter queue moves
	// nothing (the message is received as before).
	s := f.create("s", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + arn("dlq") + `","maxReceiveCount":"1"}`})
	f.send(s, "x")
	f.receive(ReceiveInput{QueueURL: s, Visibility: ip(0)})
	f.receiveNone(s)
	f.wantCounts(dlq, counts{visible: 1, inFlight: 1})
	n := f.create("n", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + arn("none") + `","maxReceiveCount":1}`})
	f.send(n, "kept")
	f.receive(ReceiveInput{QueueURL: n, Visibility: ip(0)})
	if got := f.receiveOne(n); got.Body != "kept" {
		t.Fatalf("received %q", got.Body)
	}
}

func TestReceiveMessageRedriveFIFO(t *testing.T) {
	f := newFixture(t)
	dlq := f.fifo("dlq.fifo", nil)
	u := f.fifo("f.fifo", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + arn("dlq.fifo") + `","maxReceiveCount":1}`})
	f.sendGroup(u, "first", "g", "1")
	f.sendGroup(u, "second", "g", "2")
	if got := f.receive(ReceiveInput{QueueURL: u, Visibility: ip(0)}); !slices.Equal(bodies(got), []string{"first"}) {
		t.Fatalf("received %v", bodies(got))
	}
	// The first moves; its group's next is received.
	if got := f.receiveN(u, 1); !slices.Equal(bodies(got), []string{"second"}) {
		t.Fatalf("received %v, want the group's next", bodies(got))
	}
	// Its deduplication id is its message id there, and it names the
	// queue it came from.
	got := f.receive(ReceiveInput{QueueURL: dlq, SystemAttributes: []string{"All"}})
	if len(got) != 1 || got[0].Body != "first" || got[0].SystemAttributes["MessageGroupId"] != "g" ||
		got[0].SystemAttributes["MessageDeduplicationId"] != got[0].MessageID || got[0].SystemAttributes["DeadLetterQueueSourceArn"] != arn("f.fifo") {
		t.Fatalf("dead letter = %+v", got)
	}
}

// pollResult is what a long poll returned.
type pollResult struct {
	got []Received
	err error
}

// poll starts a ReceiveMessages in a goroutine and waits until it waits
// on the clock.
func (f *fixture) poll(ctx context.Context, in ReceiveInput) <-chan pollResult {
	f.t.Helper()
	ch := make(chan pollResult, 1)
	go func() {
		got, err := f.svc.ReceiveMessages(ctx, scope, in)
		ch <- pollResult{got, err}
	}()
	f.armed(ch)
	return ch
}

// armed waits until the long poll has armed its timer.
func (f *fixture) armed(ch <-chan pollResult) {
	f.t.Helper()
	armed := make(chan struct{})
	go func() {
		f.clock.BlockUntil(1)
		close(armed)
	}()
	select {
	case <-armed:
	case r := <-ch:
		f.t.Fatalf("the long poll returned at once: %v, %v", bodies(r.got), r.err)
	case <-time.After(10 * time.Second): // a failsafe, not a wait
		f.t.Fatal("the long poll armed no timer")
	}
}

// result returns what the long poll returned.
func (f *fixture) result(ch <-chan pollResult) pollResult {
	f.t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(10 * time.Second): // a failsafe, not a wait
		f.t.Fatal("the long poll did not return")
	}
	panic("unreachable")
}

// pending checks that the long poll has not returned.
func (f *fixture) pending(ch <-chan pollResult) {
	f.t.Helper()
	select {
	case r := <-ch:
		f.t.Fatalf("the long poll returned %v, %v at %v", bodies(r.got), r.err, f.clock.Now().Sub(t0))
	default:
	}
}

// step moves the clock a second, once the long poll waits on it.
func (f *fixture) step(ch <-chan pollResult) {
	f.t.Helper()
	f.armed(ch)
	f.clock.Advance(time.Second)
}

func TestReceiveMessageLongPollWake(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	ch := f.poll(f.ctx, ReceiveInput{QueueURL: u, Wait: ip(20), Max: ip(10)})
	f.pending(ch)
	sent := f.send(u, "wake")
	r := f.result(ch)
	if r.err != nil || len(r.got) != 1 || r.got[0].MessageID != sent.MessageID {
		t.Fatalf("long poll = %v, %v", bodies(r.got), r.err)
	}
	// Woken by the send: the clock did not move.
	if !f.clock.Now().Equal(t0) {
		t.Fatalf("the clock moved to %v", f.clock.Now())
	}
	f.wantCounts(u, counts{inFlight: 1})
	// A message there already: no wait.
	f.send(u, "there")
	got, err := f.svc.ReceiveMessages(f.ctx, scope, ReceiveInput{QueueURL: u, Wait: ip(20)})
	if err != nil || !slices.Equal(bodies(got), []string{"there"}) {
		t.Fatalf("receive = %v, %v", bodies(got), err)
	}
}

func TestReceiveMessageLongPollTimeout(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	other := f.create("other", nil)
	ch := f.poll(f.ctx, ReceiveInput{QueueURL: u, Wait: ip(20)})
	for range 19 {
		f.step(ch)
		f.pending(ch)
	}
	// A message to another queue does not end it.
	f.send(other, "elsewhere")
	f.step(ch)
	r := f.result(ch)
	if r.err != nil || len(r.got) != 0 {
		t.Fatalf("long poll = %v, %v; want nothing after 20 s", bodies(r.got), r.err)
	}
	if got := f.clock.Now().Sub(t0); got != 20*time.Second {
		t.Fatalf("returned at %v, want 20s", got)
	}
}

// TestReceiveMessageLongPollDelayed: a message whose delay ends during a
// long poll ends it.
func TestReceiveMessageLongPollDelayed(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	f.sendIn(u, SendInput{Body: "late", DelaySeconds: ip(3)})
	ch := f.poll(f.ctx, ReceiveInput{QueueURL: u, Wait: ip(20)})
	for range 2 {
		f.step(ch)
		f.pending(ch)
	}
	f.step(ch)
	r := f.result(ch)
	if r.err != nil || !slices.Equal(bodies(r.got), []string{"late"}) {
		t.Fatalf("long poll = %v, %v", bodies(r.got), r.err)
	}
	if got := f.clock.Now().Sub(t0); got != 3*time.Second {
		t.Fatalf("returned at %v, want 3s", got)
	}
}

// TestReceiveMessageLongPollQueueWait: the queue's
// ReceiveMessageWaitTimeSeconds is the default wait.
func TestReceiveMessageLongPollQueueWait(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", map[string]string{"ReceiveMessageWaitTimeSeconds": "2"})
	// Asked not to wait: it does not.
	got, err := f.svc.ReceiveMessages(f.ctx, scope, ReceiveInput{QueueURL: u, Wait: ip(0)})
	if err != nil || len(got) != 0 {
		t.Fatalf("receive = %v, %v", got, err)
	}
	ch := f.poll(f.ctx, ReceiveInput{QueueURL: u})
	f.step(ch)
	f.pending(ch)
	f.step(ch)
	if r := f.result(ch); r.err != nil || len(r.got) != 0 {
		t.Fatalf("long poll = %v, %v", bodies(r.got), r.err)
	}
	if got := f.clock.Now().Sub(t0); got != 2*time.Second {
		t.Fatalf("returned at %v, want 2s", got)
	}
}

// TestReceiveMessageLongPollVisibilityChange: a message made visible by
// ChangeMessageVisibility ends a long poll.
func TestReceiveMessageLongPollVisibilityChange(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	f.send(u, "m")
	m := f.receiveOne(u)
	ch := f.poll(f.ctx, ReceiveInput{QueueURL: u, Wait: ip(20)})
	if err := f.changeVisibility(u, m.ReceiptHandle, 0); err != nil {
		t.Fatal(err)
	}
	r := f.result(ch)
	if r.err != nil || len(r.got) != 1 || r.got[0].MessageID != m.MessageID {
		t.Fatalf("long poll = %v, %v", bodies(r.got), r.err)
	}
}

// TestReceiveMessageLongPollConcurrent: two long polls, one message: one
// gets it, the other waits on.
func TestReceiveMessageLongPollConcurrent(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	a := make(chan pollResult, 1)
	b := make(chan pollResult, 1)
	for _, ch := range []chan pollResult{a, b} {
		go func() {
			got, err := f.svc.ReceiveMessages(f.ctx, scope, ReceiveInput{QueueURL: u, Wait: ip(20)})
			ch <- pollResult{got, err}
		}()
	}
	f.clock.BlockUntil(2)
	f.send(u, "one")
	var first pollResult
	var waiting chan pollResult
	select {
	case first = <-a:
		waiting = b
	case first = <-b:
		waiting = a
	case <-time.After(10 * time.Second):
		t.Fatal("no long poll returned")
	}
	if first.err != nil || !slices.Equal(bodies(first.got), []string{"one"}) {
		t.Fatalf("first = %v, %v", bodies(first.got), first.err)
	}
	f.armed(waiting)
	f.pending(waiting)
	f.send(u, "two")
	if r := f.result(waiting); r.err != nil || !slices.Equal(bodies(r.got), []string{"two"}) {
		t.Fatalf("second = %v, %v", bodies(r.got), r.err)
	}
}

func TestReceiveMessageLongPollCancel(t *testing.T) {
	f := newFixture(t)
	u := f.create("q", nil)
	ctx, cancel := context.WithCancel(f.ctx)
	ch := f.poll(ctx, ReceiveInput{QueueURL: u, Wait: ip(20)})
	cancel()
	r := f.result(ch)
	if !errors.Is(r.err, context.Canceled) {
		t.Fatalf("cancelled long poll = %v, %v", bodies(r.got), r.err)
	}
	// Its timer is stopped.
	if n := f.clock.Waiters(); n != 0 {
		t.Fatalf("%d timers left", n)
	}
}
