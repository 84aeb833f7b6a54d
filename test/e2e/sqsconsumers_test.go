package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// consumerEvent is one thing a consumer did with a message, as
// testdata/sqs_consume.py prints it: "recv" when a receive returned it,
// "keep" when the consumer left it in flight (as one that crashed would),
// "del" just before it asked to delete it.
type consumerEvent struct {
	Consumer string `json:"consumer"`
	// Call numbers the consumer's receives.
	Call  int    `json:"call"`
	Kind  string `json:"kind"`
	ID    string `json:"id"`
	Body  string `json:"body"`
	Group string `json:"group"`
	// Count is the message's ApproximateReceiveCount.
	Count int `json:"count"`
	// At is when, in Unix nanoseconds of the host's clock, which the Go
	// and Python consumers share: after the receive answered, before
	// the delete was sent, so that the span between them lies within
	// the time Vigil had the message in flight.
	At int64 `json:"at"`
	// Phase is the run of the consumers that did it.
	Phase int `json:"-"`
}

// sqsItem is a message to deliver: its key (the body, or what key
// reads in it) and its group.
type sqsItem struct{ key, group string }

// sqsLoad is what a test puts through a queue and how consumers take it:
// runs of concurrent consumers (phases), between which the test may move
// Vigil's clock, and the check that every message was delivered, none
// twice within its visibility timeout, and in a FIFO queue each group in
// order and to one consumer at a time.
type sqsLoad struct {
	queue string
	fifo  bool
	// sent are the messages to deliver, in the order sent.
	sent []sqsItem
	// keep are the keys of the messages a consumer keeps in flight when
	// it first receives them (and, in a FIFO queue, those of their group
	// that came with them).
	keep map[string]bool
	// key returns the key of a body (nil: the body is its key).
	key func(body string) string
	// events are what the consumers did, and ends when (Unix ns) each
	// phase ended.
	events []consumerEvent
	ends   []int64
}

func (l *sqsLoad) keyOf(body string) string {
	if l.key == nil {
		return body
	}
	return l.key(body)
}

// keeps reports whether a consumer keeps a message in flight: kept holds
// the groups of the messages kept so far of the same receive.
func (l *sqsLoad) keeps(e consumerEvent, kept map[string]bool) bool {
	if l.keep[l.keyOf(e.Body)] && e.Count == 1 || l.fifo && kept[e.Group] {
		kept[e.Group] = true
		return true
	}
	return false
}

// consumer receives with the Go SDK, most messages at a time, long
// polling (a receive waits for a message to arrive: Vigil's clock stands
// still, so the wait ends only with one, or with ctx), and deletes what
// it does not keep, until ctx ends.
func (l *sqsLoad) consumer(ctx context.Context, c *sqs.Client, name string, most int32, events chan<- consumerEvent) error {
	for call := 1; ctx.Err() == nil; call++ {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &l.queue, MaxNumberOfMessages: most, WaitTimeSeconds: 20,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll}})
		at := time.Now().UnixNano()
		if ctx.Err() != nil {
			// Stopped once every message was taken: a receive under way
			// has none to return.
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: ReceiveMessage: %w", name, err)
		}
		if len(out.Messages) == 0 {
			continue
		}
		got := make([]consumerEvent, len(out.Messages))
		for i, m := range out.Messages {
			count, _ := strconv.Atoi(m.Attributes["ApproximateReceiveCount"])
			got[i] = consumerEvent{Consumer: name, Call: call, Kind: "recv", ID: aws.ToString(m.MessageId), Body: aws.ToString(m.Body),
				Group: m.Attributes["MessageGroupId"], Count: count, At: at}
			events <- got[i]
		}
		kept := map[string]bool{}
		for i, m := range out.Messages {
			e := got[i]
			e.Kind, e.At = "del", time.Now().UnixNano()
			if l.keeps(e, kept) {
				e.Kind = "keep"
				events <- e
				continue
			}
			events <- e
			// Not under ctx: the phase may end (all its messages taken)
			// while this delete is under way, which must still be made.
			if _, err := c.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: &l.queue, ReceiptHandle: m.ReceiptHandle}); err != nil {
				return fmt.Errorf("%s: DeleteMessage: %w", name, err)
			}
		}
	}
	return nil
}

// pyConsumer is testdata/sqs_consume.py running.
type pyConsumer struct {
	cmd    *exec.Cmd
	in     io.WriteCloser
	read   chan struct{} // closed once its output is read
	stderr *syncBuffer
}

// startPyConsumer starts a boto3 consumer and waits until it is ready; it
// sends its events to events once started.
func (l *sqsLoad) startPyConsumer(t *testing.T, v *vigil, name string, events chan<- consumerEvent) *pyConsumer {
	t.Helper()
	keep := []string{}
	for k := range l.keep {
		keep = append(keep, k)
	}
	b, _ := json.Marshal(keep)
	p := &pyConsumer{read: make(chan struct{}), stderr: &syncBuffer{}}
	p.cmd = exec.Command(python3(t), "testdata/sqs_consume.py", l.queue, name, "10", string(b))
	p.cmd.Env = scenario{Dev: true}.env(v)
	p.cmd.Stderr = p.stderr
	var err error
	if p.in, err = p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	lines.Buffer(nil, 1<<20)
	if !lines.Scan() || lines.Text() != `{"kind": "ready"}` {
		p.cmd.Wait()
		t.Fatalf("sqs_consume.py did not start: %q\n%s", lines.Text(), p.stderr)
	}
	go func() {
		defer close(p.read)
		for lines.Scan() {
			var e consumerEvent
			if err := json.Unmarshal(lines.Bytes(), &e); err != nil {
				t.Errorf("sqs_consume.py printed %q: %v", lines.Bytes(), err)
				continue
			}
			events <- e
		}
	}()
	return p
}

// stop ends the consumer once its current receive is handled, and
// returns once its events are all sent.
func (p *pyConsumer) stop() error {
	p.in.Close()
	<-p.read
	if err := p.cmd.Wait(); err != nil {
		return fmt.Errorf("sqs_consume.py: %v\n%s", err, p.stderr)
	}
	return nil
}

// syncBuffer is a buffer written and read by different goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b = append(s.b, p...)
	return len(p), nil
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return string(s.b)
}

// run runs a phase: Go consumers taking most[i] messages at a time and,
// with python, a boto3 one receive and delete concurrently, while produce
// (when not nil) sends, until every message was deleted or is kept in
// flight in this phase (or, in a FIFO queue, waits behind one kept), or a
// minute passes.
func (l *sqsLoad) run(t *testing.T, v *vigil, most []int32, python bool, produce func() error) {
	t.Helper()
	phase := len(l.ends)
	events := make(chan consumerEvent, 1024)
	errs := make(chan error, len(most)+2)
	var py *pyConsumer
	if python {
		py = l.startPyConsumer(t, v, "boto3", events)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var wg sync.WaitGroup
	c := v.sqsClient()
	for i, n := range most {
		wg.Go(func() {
			if err := l.consumer(ctx, c, fmt.Sprintf("go-%d", i), n, events); err != nil {
				errs <- err
			}
		})
	}
	if py != nil {
		if _, err := io.WriteString(py.in, "go\n"); err != nil {
			t.Fatal(err)
		}
	}
	if produce != nil {
		wg.Go(func() {
			if err := produce(); err != nil {
				errs <- err
			}
		})
	}
	collect := func(e consumerEvent) {
		e.Phase = phase
		l.events = append(l.events, e)
	}
	deadline := time.After(time.Minute)
wait:
	for !l.done(phase) {
		select {
		case e := <-events:
			collect(e)
		case err := <-errs:
			t.Error(err)
			break wait
		case <-deadline:
			t.Errorf("after a minute the consumers of phase %d had not taken every message: %s", phase, l.progress())
			break wait
		}
	}
	// Stop the consumers, keeping what they do meanwhile: a message a
	// receive returns now was due to nobody.
	stop()
	stopped := make(chan struct{})
	go func() {
		wg.Wait()
		if py != nil {
			if err := py.stop(); err != nil {
				errs <- err
			}
		}
		close(stopped)
	}()
	for over := false; !over; {
		select {
		case e := <-events:
			collect(e)
		case <-stopped:
			over = true
		}
	}
	for len(events) > 0 {
		collect(<-events)
	}
	for len(errs) > 0 {
		t.Error(<-errs)
	}
	l.ends = append(l.ends, time.Now().UnixNano())
}

// done reports whether the consumers of a phase took what it can give:
// each message deleted, kept in flight in this phase, or in a FIFO queue
// behind a message of its group kept in this phase.
func (l *sqsLoad) done(phase int) bool {
	deleted, kept, blocked := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, e := range l.events {
		switch k := l.keyOf(e.Body); {
		case e.Kind == "del":
			deleted[k] = true
		case e.Kind == "keep" && e.Phase == phase:
			kept[k], blocked[e.Group] = true, true
		}
	}
	for _, s := range l.sent {
		if !deleted[s.key] && !kept[s.key] && !(l.fifo && blocked[s.group]) {
			return false
		}
	}
	return true
}

// progress describes how far the consumers got, for failures.
func (l *sqsLoad) progress() string {
	deleted, received := map[string]bool{}, map[string]bool{}
	for _, e := range l.events {
		if e.Kind == "del" {
			deleted[l.keyOf(e.Body)] = true
		}
		received[l.keyOf(e.Body)] = true
	}
	var missing []string
	for _, s := range l.sent {
		if !deleted[s.key] {
			missing = append(missing, fmt.Sprintf("%.40s (group %q, received %v)", s.key, s.group, received[s.key]))
		}
	}
	return fmt.Sprintf("%d events, %d of %d messages not deleted: %.2000q", len(l.events), len(missing), len(l.sent), missing)
}

// hold is a span in which a consumer had a message in flight: from its
// receive to its delete or, for a message kept, to the end of the phase
// (Vigil's clock stood still meanwhile: the visibility timeout could not
// end before).
type hold struct {
	consumer    string
	call, phase int
	from, to    int64
	kept        bool
}

// check checks what the consumers did: every message sent was received
// and deleted once; no receive returned a message never sent (a
// duplicate SQS should have dropped); a message was received again only
// after a consumer kept it and Vigil's clock moved past its visibility
// timeout, with its ApproximateReceiveCount counting the receives; and in
// a FIFO queue no two receives held messages of one group at the same
// time, and each group was deleted in the order sent.
func (l *sqsLoad) check(t *testing.T) {
	t.Helper()
	failures := 0
	errorf := func(format string, args ...any) {
		t.Helper()
		if failures++; failures <= 20 {
			t.Errorf(format, args...)
		}
	}
	index := map[string]int{}
	for i, s := range l.sent {
		index[s.key] = i
	}
	byKey := map[string][]consumerEvent{}
	taken := map[string]int{}
	for _, e := range l.events {
		k := l.keyOf(e.Body)
		if _, ok := index[k]; !ok {
			if e.Kind == "recv" {
				errorf("%s received %.80q, a message never sent or a duplicate to drop", e.Consumer, e.Body)
			}
			continue
		}
		byKey[k] = append(byKey[k], e)
		if e.Kind == "del" {
			taken[e.Consumer]++
		}
	}
	t.Logf("messages deleted by each consumer: %v", taken)
	type deletion struct {
		at    int64
		index int
	}
	spans := map[string][]hold{}         // by group: a receive's hold of it
	deletions := map[string][]deletion{} // by group
	for i, s := range l.sent {
		var hs []hold
		deleted := 0
		for _, e := range byKey[s.key] {
			if e.Kind == "recv" {
				hs = append(hs, hold{consumer: e.Consumer, call: e.Call, phase: e.Phase, from: e.At, to: l.ends[e.Phase]})
				if e.Count != len(hs) {
					errorf("%.40s: receive %d (by %s) has ApproximateReceiveCount %d", s.key, len(hs), e.Consumer, e.Count)
				}
				if e.Group != s.group {
					errorf("%.40s was received with MessageGroupId %q; want %q", s.key, e.Group, s.group)
				}
				continue
			}
			j := slices.IndexFunc(hs, func(h hold) bool { return h.consumer == e.Consumer && h.call == e.Call && h.phase == e.Phase })
			if j < 0 {
				t.Fatalf("BUG: %s's %s of %s without its receive", e.Consumer, e.Kind, s.key)
			}
			if hs[j].kept = e.Kind == "keep"; !hs[j].kept {
				hs[j].to = e.At
				deleted++
				deletions[s.group] = append(deletions[s.group], deletion{e.At, i})
			}
		}
		switch {
		case len(hs) == 0:
			errorf("%.40s (group %q) was never received: lost", s.key, s.group)
		case deleted != 1:
			errorf("%.40s was deleted %d times; want once", s.key, deleted)
		}
		slices.SortFunc(hs, func(a, b hold) int { return int(a.from - b.from) })
		for j := 1; j < len(hs); j++ {
			if prev := hs[j-1]; !prev.kept || hs[j].phase == prev.phase {
				errorf("%.40s was received by %s while %s held it (kept %v): twice within its visibility timeout", s.key, hs[j].consumer, prev.consumer, prev.kept)
			}
		}
		spans[s.group] = append(spans[s.group], hs...)
	}
	if !l.fifo {
		return
	}
	for group, hs := range spans {
		// A receive holds the group from its answer to the delete of
		// the last of the group's messages it got.
		type receive struct {
			consumer    string
			call, phase int
		}
		merged := map[receive]hold{}
		for _, h := range hs {
			k := receive{h.consumer, h.call, h.phase}
			if m, ok := merged[k]; ok {
				h.from, h.to = min(h.from, m.from), max(h.to, m.to)
			}
			merged[k] = h
		}
		byFrom := slices.SortedFunc(func(yield func(hold) bool) {
			for _, h := range merged {
				if !yield(h) {
					return
				}
			}
		}, func(a, b hold) int { return int(a.from - b.from) })
		for j := 1; j < len(byFrom); j++ {
			if prev := byFrom[j-1]; byFrom[j].from < prev.to {
				errorf("group %s: %s's receive %d got its messages while %s's receive %d held the group: two consumers at once",
					group, byFrom[j].consumer, byFrom[j].call, prev.consumer, prev.call)
			}
			if byFrom[j].to < byFrom[j-1].to {
				byFrom[j] = byFrom[j-1] // the longer hold still covers what follows
			}
		}
		ds := deletions[group]
		slices.SortFunc(ds, func(a, b deletion) int { return int(a.at - b.at) })
		for j := 1; j < len(ds); j++ {
			if ds[j].index < ds[j-1].index {
				errorf("group %s: %.40s was taken after %.40s, sent after it", group, l.sent[ds[j-1].index].key, l.sent[ds[j].index].key)
			}
		}
	}
}

// drained checks that a queue holds nothing, in flight or not.
func drained(t *testing.T, c *sqs.Client, queue string) {
	t.Helper()
	out, err := c.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: &queue,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameAll}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"} {
		if out.Attributes[a] != "0" {
			t.Errorf("%s = %s once every message was taken; want 0", a, out.Attributes[a])
		}
	}
}

// TestSQSConcurrentConsumers: four Go SDK consumers, taking 1 to 10
// messages a receive, and a boto3 consumer take 400 messages from one
// queue while they are sent, on a Vigil whose clock stands still; some
// messages are kept in flight, as by a consumer that crashed, and come
// back once the clock moves past their visibility timeout. Every message
// is delivered and deleted once, none is received twice within its
// visibility timeout; in a FIFO queue (8 groups, each message sent again
// under its deduplication id) each group goes to one consumer at a time,
// in order, and no duplicate is delivered.
func TestSQSConcurrentConsumers(t *testing.T) {
	for _, fifo := range []bool{false, true} {
		t.Run(map[bool]string{false: "standard", true: "fifo"}[fifo], func(t *testing.T) {
			python3(t)
			v := startStill(t, time.Now().UTC().Truncate(time.Second))
			c := v.sqsClient()
			name, attrs := "work", map[string]string{"VisibilityTimeout": "30"}
			if fifo {
				name, attrs["FifoQueue"] = "work.fifo", "true"
			}
			queue, _ := createQueue(t, c, name, attrs)
			l := &sqsLoad{queue: queue, fifo: fifo, keep: map[string]bool{}}
			for i := range 400 {
				s := sqsItem{key: fmt.Sprintf("m-%04d", i)}
				if fifo {
					s.group = fmt.Sprintf("g%d", i%8)
				}
				l.sent = append(l.sent, s)
				if fifo && (i == 121 || i == 286) || !fifo && i%37 == 5 {
					l.keep[s.key] = true
				}
			}
			produce := func() error {
				ctx := context.Background()
				for i := 0; i < len(l.sent); i += 10 {
					var entries []sqstypes.SendMessageBatchRequestEntry
					for j, s := range l.sent[i:min(i+10, len(l.sent))] {
						e := sqstypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(j)), MessageBody: aws.String(s.key)}
						if fifo {
							e.MessageGroupId, e.MessageDeduplicationId = aws.String(s.group), aws.String("d-"+s.key)
						}
						entries = append(entries, e)
					}
					out, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: &queue, Entries: entries})
					if err != nil || len(out.Failed) > 0 {
						return fmt.Errorf("SendMessageBatch: %v %+v", err, out)
					}
					if fifo { // the first of the batch again: a duplicate, dropped
						if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &queue, MessageBody: aws.String("dup-" + *entries[0].MessageBody),
							MessageGroupId: entries[0].MessageGroupId, MessageDeduplicationId: entries[0].MessageDeduplicationId}); err != nil {
							return fmt.Errorf("SendMessage: %w", err)
						}
					}
				}
				return nil
			}
			most := []int32{1, 4, 7, 10}
			l.run(t, v, most, true, produce)
			v.moveClock(t, `{"advance": "31s"}`) // past the visibility timeout of the messages kept
			l.run(t, v, most, true, nil)
			l.check(t)
			drained(t, c, queue)
		})
	}
}
