package sqs

import (
	"encoding/base64"
	"slices"
	"strconv"
	"testing"
	"time"
)

// redriven creates a queue whose dead-letter queue is dlq (moving a
// message after one receive) and returns its URL.
func (f *fixture) redriven(name, dlq string) string {
	f.t.Helper()
	return f.create(name, map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"` + arn(dlq) + `","maxReceiveCount":1}`})
}

// deadLetters sends bodies to a queue whose dead-letter queue moves a
// message after one receive, and receives them twice so that they move.
func (f *fixture) deadLetters(u string, bodies ...string) {
	f.t.Helper()
	for _, b := range bodies {
		f.send(u, b)
	}
	f.receive(ReceiveInput{QueueURL: u, Max: ip(10), Visibility: ip(0)})
	f.receiveNone(u)
}

func TestListDeadLetterSourceQueues(t *testing.T) {
	f := newFixture(t)
	dlq := f.create("dlq", nil)
	f.create("other-dlq", nil)
	for _, n := range []string{"c", "a", "b"} {
		f.redriven(n, "dlq")
	}
	f.redriven("d", "other-dlq")
	list := func(u string, max int, token string) ([]string, string) {
		t.Helper()
		urls, next, err := f.svc.ListDeadLetterSourceQueues(f.ctx, scope, baseURL, u, max, token)
		if err != nil {
			t.Fatalf("ListDeadLetterSourceQueues(%d, %q): %v", max, token, err)
		}
		return urls, next
	}
	if got, next := list(dlq, 0, ""); !slices.Equal(got, []string{url("a"), url("b"), url("c")}) || next != "" {
		t.Errorf("sources = %v, %q", got, next)
	}
	got, next := list(dlq, 2, "")
	if !slices.Equal(got, []string{url("a"), url("b")}) || next == "" {
		t.Fatalf("first page = %v, %q", got, next)
	}
	if got, next := list(dlq, 2, next); !slices.Equal(got, []string{url("c")}) || next != "" {
		t.Errorf("second page = %v, %q", got, next)
	}
	if got, _ := list(url("other-dlq"), 0, ""); !slices.Equal(got, []string{url("d")}) {
		t.Errorf("sources of other-dlq = %v", got)
	}
	if got, _ := list(url("a"), 0, ""); len(got) != 0 {
		t.Errorf("sources of a queue that is no dead-letter queue = %v", got)
	}
	for _, c := range []struct {
		u     string
		max   int
		token string
		code  Code
		msg   string
	}{
		{dlq, 1001, "", InvalidParameterValue, "Value 1001 for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000."},
		{dlq, 0, next, InvalidParameterValue, "MaxResults is a mandatory parameter when you provide a value for NextToken."},
		{dlq, 2, "bogus", InvalidParameterValue, "Invalid NextToken value."},
		{url("nosuch"), 0, "", QueueDoesNotExist, noQueue},
	} {
		_, _, err := f.svc.ListDeadLetterSourceQueues(f.ctx, scope, baseURL, c.u, c.max, c.token)
		wantErr(t, err, c.code, c.msg)
	}
}

// moveTasks lists a queue's move tasks.
func (f *fixture) moveTasks(source string, max int) []MoveTask {
	f.t.Helper()
	got, err := f.svc.ListMoveTasks(f.ctx, scope, source, &max)
	if err != nil {
		f.t.Fatalf("ListMoveTasks(%s): %v", source, err)
	}
	return got
}

// run advances the clock by d and runs the move tasks.
func (f *fixture) run(d time.Duration) {
	f.t.Helper()
	f.clock.Advance(d)
	if err := f.svc.RunMoveTasks(f.ctx, f.clock.Now()); err != nil {
		f.t.Fatalf("RunMoveTasks: %v", err)
	}
}

func (f *fixture) wantTask(source string, want MoveTask) {
	f.t.Helper()
	got := f.moveTasks(source, 1)
	if len(got) != 1 || got[0] != want {
		f.t.Fatalf("tasks = %+v\nwant %+v", got, want)
	}
}

// TestMoveTask: a task moves a dead-letter queue's messages to its
// destination, oldest first, at its rate on Vigil's clock, as new
// messages, until it has moved them all.
func TestMoveTask(t *testing.T) {
	f := newFixture(t)
	dlq, dst := f.create("dlq", nil), f.create("dst", map[string]string{"DelaySeconds": "5"})
	f.deadLetters(f.redriven("src", "dlq"), "m1", "m2", "m3", "m4", "m5")
	sent := f.receive(ReceiveInput{QueueURL: dlq, Max: ip(1), Visibility: ip(0), MessageAttributes: []string{"All"}})[0]
	started := f.clock.Now()
	h, err := f.svc.StartMoveTask(f.ctx, scope, arn("dlq"), arn("dst"), ip(2))
	if err != nil {
		t.Fatal(err)
	}
	task := MoveTask{Handle: h, Status: "RUNNING", SourceARN: arn("dlq"), DestinationARN: arn("dst"), Rate: 2, ToMove: 5,
		Started: started.UnixMilli()}
	f.wantTask(arn("dlq"), task)
	// Two a second, on the clock, none before.
	f.run(0)
	f.run(time.Second)
	task.Moved = 2
	f.wantTask(arn("dlq"), task)
	f.wantCounts(dlq, counts{visible: 3})
	f.wantCounts(dst, counts{delayed: 2})
	f.run(500 * time.Millisecond)
	task.Moved = 3
	f.wantTask(arn("dlq"), task)
	// New messages of the destination: new ids, sent at the move, never
	// received, delayed as the queue's, with their bodies and
	// attributes, from no dead-letter queue.
	f.clock.Advance(5 * time.Second)
	got := f.receive(ReceiveInput{QueueURL: dst, Max: ip(10), SystemAttributes: []string{"All"}})
	if !slices.Equal(bodies(got), []string{"m1", "m2", "m3"}) {
		t.Fatalf("the destination has %v", bodies(got))
	}
	m := got[0]
	if m.MessageID == sent.MessageID || m.MD5Attributes != sent.MD5Attributes || m.SystemAttributes["SentTimestamp"] != ms(started.Add(time.Second)) ||
		m.SystemAttributes["ApproximateReceiveCount"] != "1" || m.SystemAttributes["DeadLetterQueueSourceArn"] != "" {
		t.Errorf("moved %+v; want a new message of %+v", m, sent)
	}
	// The others, then done.
	f.run(time.Second)
	f.run(time.Second)
	task.Handle, task.Status, task.Moved = "", "COMPLETED", 5
	f.wantTask(arn("dlq"), task)
	f.wantCounts(dlq, counts{})
	wantErr(t, cancel(f, h), ResourceNotFound, "Task does not exist.")
	// Another may start now.
	if _, err := f.svc.StartMoveTask(f.ctx, scope, arn("dlq"), arn("dst"), nil); err != nil {
		t.Fatal(err)
	}
	if got := f.moveTasks(arn("dlq"), 10); len(got) != 2 || got[0].Status != "RUNNING" || got[0].Rate != 0 || got[1] != task {
		t.Errorf("tasks = %+v", got)
	}
}

func cancel(f *fixture, h string) error {
	_, err := f.svc.CancelMoveTask(f.ctx, scope, h)
	return err
}

// TestMoveTaskToSources: without a destination, messages go back to the
// queues they came from, as fast as Vigil moves them.
func TestMoveTaskToSources(t *testing.T) {
	f := newFixture(t)
	dlq := f.create("dlq", nil)
	a, b := f.redriven("a", "dlq"), f.redriven("b", "dlq")
	f.deadLetters(a, "a1", "a2")
	f.deadLetters(b, "b1")
	got := f.receive(ReceiveInput{QueueURL: dlq, Max: ip(10), Visibility: ip(0), SystemAttributes: []string{"DeadLetterQueueSourceArn"}})
	for _, m := range got {
		if want := arn(m.Body[:1]); m.SystemAttributes["DeadLetterQueueSourceArn"] != want {
			t.Errorf("%s came from %q, want %s", m.Body, m.SystemAttributes["DeadLetterQueueSourceArn"], want)
		}
	}
	if _, err := f.svc.StartMoveTask(f.ctx, scope, arn("dlq"), "", nil); err != nil {
		t.Fatal(err)
	}
	f.run(time.Second)
	if got := f.moveTasks(arn("dlq"), 1); got[0].Status != "COMPLETED" || got[0].Moved != 3 || got[0].DestinationARN != "" {
		t.Errorf("task = %+v", got[0])
	}
	if got := f.receive(ReceiveInput{QueueURL: a, Max: ip(10), SystemAttributes: []string{"ApproximateReceiveCount"}}); !slices.Equal(bodies(got), []string{"a1", "a2"}) ||
		got[0].SystemAttributes["ApproximateReceiveCount"] != "1" {
		t.Errorf("a has %+v", got)
	}
	if got := f.receiveN(b, 10); !slices.Equal(bodies(got), []string{"b1"}) {
		t.Errorf("b has %v", bodies(got))
	}
}

// TestMoveTaskCancel: a cancelled task stops at its next step; the
// messages it moved stay moved.
func TestMoveTaskCancel(t *testing.T) {
	f := newFixture(t)
	dlq, dst := f.create("dlq", nil), f.create("dst", nil)
	f.deadLetters(f.redriven("src", "dlq"), "m1", "m2", "m3")
	h, err := f.svc.StartMoveTask(f.ctx, scope, arn("dlq"), arn("dst"), ip(1))
	if err != nil {
		t.Fatal(err)
	}
	f.run(time.Second)
	if moved, err := f.svc.CancelMoveTask(f.ctx, scope, h); err != nil || moved != 1 {
		t.Fatalf("CancelMoveTask = %d, %v; want 1 moved", moved, err)
	}
	if got := f.moveTasks(arn("dlq"), 1)[0]; got.Status != "CANCELLING" || got.Handle != "" {
		t.Errorf("cancelled task = %+v", got)
	}
	wantErr(t, cancel(f, h), ResourceNotFound, "Task does not exist.")
	_, err = f.svc.StartMoveTask(f.ctx, scope, arn("dlq"), arn("dst"), nil)
	wantErr(t, err, InvalidParameterValue, "There is already a task running. Only one active task is allowed for a source queue arn at a given time.")
	f.run(time.Second)
	if got := f.moveTasks(arn("dlq"), 1)[0]; got.Status != "CANCELLED" || got.Moved != 1 {
		t.Errorf("cancelled task after a step = %+v", got)
	}
	f.run(time.Second)
	f.wantCounts(dlq, counts{visible: 2})
	f.wantCounts(dst, counts{visible: 1})
}

// TestMoveTaskFails: a task whose destination is deleted fails, as AWS
// reports it.
func TestMoveTaskFails(t *testing.T) {
	f := newFixture(t)
	dlq, dst := f.create("dlq", nil), f.create("dst", nil)
	f.deadLetters(f.redriven("src", "dlq"), "m1", "m2")
	if _, err := f.svc.StartMoveTask(f.ctx, scope, arn("dlq"), arn("dst"), ip(1)); err != nil {
		t.Fatal(err)
	}
	f.run(time.Second)
	if err := f.svc.DeleteQueue(f.ctx, scope, dst); err != nil {
		t.Fatal(err)
	}
	f.run(time.Second)
	if got := f.moveTasks(arn("dlq"), 1)[0]; got.Status != "FAILED" || got.FailureReason != "AWS.SimpleQueueService.NonExistentQueue" || got.Moved != 1 {
		t.Errorf("task = %+v", got)
	}
	f.wantCounts(dlq, counts{visible: 1})
}

// TestMoveTaskRestart: a task is stored: another Service on the store (a
// restarted Vigil) reports and continues it.
func TestMoveTaskRestart(t *testing.T) {
	f := newFixture(t)
	f.create("dlq", nil)
	dst := f.create("dst", nil)
	f.deadLetters(f.redriven("src", "dlq"), "m1", "m2", "m3")
	h, err := f.svc.StartMoveTask(f.ctx, scope, arn("dlq"), arn("dst"), ip(1))
	if err != nil {
		t.Fatal(err)
	}
	f.run(time.Second)
	f.svc = New(Options{Store: f.store.SQS(), Tags: f.store.Tags(), Clock: f.clock})
	if got := f.moveTasks(arn("dlq"), 1)[0]; got.Handle != h || got.Moved != 1 {
		t.Errorf("after a restart, task = %+v", got)
	}
	// A pause does not make it move faster than its rate.
	f.run(2 * time.Second)
	if got := f.moveTasks(arn("dlq"), 1)[0]; got.Moved != 2 {
		t.Errorf("after a pause, task = %+v; want 2 moved", got)
	}
	f.run(time.Second)
	f.run(time.Second)
	if got := f.moveTasks(arn("dlq"), 1)[0]; got.Status != "COMPLETED" || got.Moved != 3 {
		t.Errorf("task = %+v", got)
	}
	f.wantCounts(dst, counts{visible: 3})
}

func TestMoveTaskErrors(t *testing.T) {
	f := newFixture(t)
	f.create("dlq", nil)
	f.create("dst", nil)
	f.create("plain", nil)
	f.fifo("dst.fifo", nil)
	f.redriven("src", "dlq")
	noSource, noDestination := "The resource that you specified for the SourceArn parameter doesn't exist.",
		"The resource that you specified for the DestinationArn parameter doesn't exist."
	for _, c := range []struct {
		source, destination string
		rate                *int
		code                Code
		msg                 string
	}{
		{arn("dlq"), "", ip(0), InvalidParameterValue, "Value 0 for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500, if provided."},
		{arn("dlq"), "", ip(501), InvalidParameterValue, "Value 501 for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500, if provided."},
		{"dlq", "", nil, InvalidParameterValue, "You must use this format to specify the SourceArn: arn:<partition>:<service>:<region>:<account-id>:<resource-id>"},
		{arn("nosuch"), "", nil, ResourceNotFound, noSource},
		{"arn:aws:sqs:us-east-1:" + other.Account + ":dlq", "", nil, ResourceNotFound, noSource},
		{"arn:aws:sqs:eu-west-1:" + scope.Account + ":dlq", "", nil, ResourceNotFound, noSource},
		{"arn:aws:sns:us-east-1:" + scope.Account + ":dlq", "", nil, ResourceNotFound, noSource},
		{arn("plain"), "", nil, InvalidParameterValue, "Source queue must be configured as a Dead Letter Queue."},
		{arn("dlq"), "dst", nil, InvalidParameterValue, "You must use this format to specify the DestinationArn: arn:<partition>:<service>:<region>:<account-id>:<resource-id>"},
		{arn("dlq"), arn("nosuch"), nil, ResourceNotFound, noDestination},
		{arn("dlq"), arn("dlq"), nil, InvalidParameterValue, "Value " + arn("dlq") + " for parameter DestinationArn is invalid. Reason: The source queue and the destination queue must be different."},
		{arn("dlq"), arn("dst.fifo"), nil, InvalidParameterValue, "Value " + arn("dst.fifo") + " for parameter DestinationArn is invalid. Reason: The source queue and the destination queue must be of the same type."},
	} {
		_, err := f.svc.StartMoveTask(f.ctx, scope, c.source, c.destination, c.rate)
		wantErr(t, err, c.code, c.msg)
	}
	for _, max := range []int{0, 11} {
		_, err := f.svc.ListMoveTasks(f.ctx, scope, arn("dlq"), &max)
		wantErr(t, err, InvalidParameterValue, "Value "+strconv.Itoa(max)+" for parameter MaxResults is invalid. Reason: Must be between 1 and 10, if provided.")
	}
	_, err := f.svc.ListMoveTasks(f.ctx, scope, arn("nosuch"), nil)
	wantErr(t, err, ResourceNotFound, noSource)
	if got, err := f.svc.ListMoveTasks(f.ctx, scope, arn("dlq"), nil); err != nil || len(got) != 0 {
		t.Errorf("tasks of a queue that had none = %+v, %v", got, err)
	}

	// Handles: base64 of the task's id and source.
	handle := func(doc string) string { return base64.StdEncoding.EncodeToString([]byte(doc)) }
	for _, c := range []struct {
		handle string
		code   Code
		msg    string
	}{
		{"foobared", InvalidParameterValue, "Value for parameter TaskHandle is invalid."},
		{handle(`{"taskId":"x"}`), InvalidParameterValue, "Value for parameter TaskHandle is invalid."},
		{handle(`{"taskId":"10f57157-fc38-4da9-a113-4de7e12d05dd","sourceArn":"` + arn("nosuch") + `"}`), ResourceNotFound, noSource},
		{handle(`{"taskId":"10f57157-fc38-4da9-a113-4de7e12d05aa","sourceArn":"` + arn("dlq") + `"}`), ResourceNotFound, "Task does not exist."},
	} {
		wantErr(t, cancel(f, c.handle), c.code, c.msg)
	}
	// A task's handle names its source.
	h, err := f.svc.StartMoveTask(f.ctx, scope, arn("dlq"), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	tk, _ := decodeHandle(h)
	wantErr(t, cancel(f, handle(`{"taskId":"`+tk.TaskID+`","sourceArn":"`+arn("dst")+`"}`)), ResourceNotFound, "Task does not exist.")
}
