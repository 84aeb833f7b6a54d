package scheduler

import (
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/golden"
	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/svcevents"
)

// at is the time of the one-time schedules of the target tests.
var at = time.Date(2025, 3, 4, 5, 10, 0, 0, time.UTC)

// onceTo creates a one-time schedule at `at` of a target, with a
// dead-letter queue.
func (f *fixture) onceTo(name string, t Target) string {
	f.t.Helper()
	t.RoleARN, t.DeadLetterARN = role, dlq
	return f.create(Schedule{Name: name, Expression: "at(2025-03-04T05:10:00)", WindowMode: ModeOff, Target: t})
}

// TestTargets: what each kind of target receives.
func TestTargets(t *testing.T) {
	f := newFixture(t)
	const topic = "arn:aws:sns:us-east-1:123456789012:alerts"
	const bus = "arn:aws:events:us-east-1:123456789012:event-bus/orders"
	fifo := queue + ".fifo"
	f.onceTo("fifo", Target{ARN: fifo, Input: ptr(`{"n":1}`), MessageGroupID: "g"})
	f.onceTo("topic", Target{ARN: topic, Input: ptr("hello")})
	busARN := f.onceTo("bus", Target{ARN: bus, Input: ptr(`{"order":"<aws.scheduler.schedule-arn>"}`),
		EventBridge: &EventBridgeParameters{DetailType: "tick", Source: "my.app"}})
	f.onceTo("no-input", Target{ARN: queue})
	// What Vigil does not invoke goes to the dead-letter queue at once.
	f.onceTo("lambda", Target{ARN: "arn:aws:lambda:us-east-1:123456789012:function:f", Input: ptr("{}")})
	f.onceTo("universal-lambda", Target{ARN: "arn:aws:scheduler:::aws-sdk:lambda:invoke", Input: ptr("{}")})
	f.onceTo("delay", Target{ARN: "arn:aws:scheduler:::aws-sdk:sqs:sendMessage",
		Input: ptr(`{"QueueUrl":"https://sqs.us-east-1.amazonaws.com/123456789012/orders","MessageBody":"x","DelaySeconds":5}`)})
	f.onceTo("bus-without-parameters", Target{ARN: bus, Input: ptr("{}")})
	f.onceTo("bus-text", Target{ARN: bus, Input: ptr("text"), EventBridge: &EventBridgeParameters{DetailType: "t", Source: "s"}})

	f.clock.Set(at)
	f.fire()
	got := map[string]dispatch.Message{}
	for _, m := range f.take() {
		key := m.Target
		if m.Target == dlq {
			arn := attributes(t, m)["SCHEDULE_ARN"]
			key = "dlq " + arn[strings.LastIndex(arn, "/")+1:]
		}
		got[key] = m
	}
	if len(got) != 9 {
		t.Fatalf("%d deliveries; want 9: %v", len(got), got)
	}
	check := func(key, payload string, header map[string]string) {
		t.Helper()
		m := got[key]
		if string(m.Payload) != payload || !reflect.DeepEqual(m.Header, header) || m.Kind != InputKind ||
			m.Source.Service != "scheduler" || m.Source.Principal != role {
			t.Errorf("%s: delivered %+v; want payload %q, header %v, from the schedule's role", key, m, payload, header)
		}
	}
	check(fifo, `{"n":1}`, map[string]string{"MessageGroupId": "g"})
	check(topic, "hello", nil)
	check(queue, defaultInput, nil)

	// The event on the bus.
	var evt svcevents.Event
	if err := json.Unmarshal(got[bus].Payload, &evt); err != nil {
		t.Fatalf("bus payload %s: %v", got[bus].Payload, err)
	}
	if evt.DetailType != "tick" || evt.Source != "my.app" || evt.Account != scope.Account || evt.Region != scope.Region ||
		string(evt.Detail) != `{"order":"`+busARN+`"}` || len(evt.Resources) != 1 || evt.Resources[0] != busARN ||
		!evt.Time.Equal(at) || got[bus].Kind != dispatch.EventKind ||
		!regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(evt.ID) {
		t.Errorf("event = %+v (kind %s)", evt, got[bus].Kind)
	}

	// Dead letters name why.
	for name, want := range map[string][2]string{
		"lambda":                 {"InvalidTarget", "Vigil does not invoke lambda targets"},
		"universal-lambda":       {"InvalidTarget", "Vigil does not call aws-sdk:lambda:invoke"},
		"delay":                  {"InvalidRequest", `unknown field "DelaySeconds"`},
		"bus-without-parameters": {"InvalidArgument", "needs EventBridgeParameters"},
		"bus-text":               {"MalformedDetail", "must be a JSON object"},
	} {
		m, ok := got["dlq "+name]
		if !ok {
			t.Errorf("%s: no dead letter", name)
			continue
		}
		a := attributes(t, m)
		if a["ERROR_CODE"] != want[0] || !strings.Contains(a["ERROR_MESSAGE"], want[1]) || a["RETRY_ATTEMPTS"] != "0" {
			t.Errorf("%s: dead-letter attributes %v; want %s, %q, no retries", name, a, want[0], want[1])
		}
		if _, ok := a["EXHAUSTED_RETRY_CONDITION"]; ok {
			t.Errorf("%s: an invocation that cannot be made has no exhausted retry condition: %v", name, a)
		}
	}
}

// TestUniversalTargets: a universal target's call is the delivery it
// stands for.
func TestUniversalTargets(t *testing.T) {
	f := newFixture(t)
	const topic = "arn:aws:sns:us-east-1:123456789012:alerts"
	f.onceTo("sqs", Target{ARN: "arn:aws:scheduler:::aws-sdk:sqs:sendMessage",
		Input: ptr(`{"QueueUrl":"http://localhost:4566/123456789012/orders.fifo","MessageBody":"attempt <aws.scheduler.attempt-number>",` +
			`"MessageGroupId":"g1","MessageDeduplicationId":"d1","MessageAttributes":{"k":{"DataType":"String","StringValue":"v"}}}`)})
	f.onceTo("sns", Target{ARN: "arn:aws:scheduler:::aws-sdk:sns:publish", Input: ptr(`{"TopicArn":"` + topic + `","Message":"m","Subject":"s"}`)})
	f.clock.Set(at)
	f.fire()
	got := f.take()
	if len(got) != 2 {
		t.Fatalf("deliveries = %+v", got)
	}
	for _, m := range got {
		switch m.Target {
		case queue + ".fifo":
			want := map[string]string{"MessageGroupId": "g1", "MessageDeduplicationId": "d1",
				dispatch.MessageAttributesHeader: `[{"Name":"k","Type":"String","Value":"v"}]`}
			if string(m.Payload) != "attempt 1" || !reflect.DeepEqual(m.Header, want) {
				t.Errorf("sqs:sendMessage delivered %+v", m)
			}
		case topic:
			if string(m.Payload) != "m" || m.Subject != "s" {
				t.Errorf("sns:publish delivered %+v", m)
			}
		default:
			t.Errorf("delivered to %s", m.Target)
		}
	}
}

// TestRetriesThenDeadLetter: a failing target is retried up to its
// RetryPolicy, then the input goes to the dead-letter queue with AWS's
// attributes; without one, it is kept as the outbox's dead letter.
func TestRetriesThenDeadLetter(t *testing.T) {
	f := newFixture(t)
	f.fail[queue] = errors.New("queue unavailable")
	s := schedule("retried", "rate(1 day)", 0)
	s.Target.MaximumRetryAttempts, s.Target.DeadLetterARN = ptr(2), dlq
	arn := f.create(s)
	aged := schedule("aged", "rate(1 day)", 0)
	aged.Target.ARN, aged.Target.MaximumEventAgeSeconds, aged.Target.DeadLetterARN = queue, ptr(90), dlq
	agedARN := f.create(aged)
	lost := schedule("lost", "rate(1 day)", 0)
	lost.Target.ARN = "arn:aws:lambda:us-east-1:123456789012:function:f"
	f.create(lost)

	f.fire() // the first attempts, at t0
	if got := f.take(); len(got) != 0 {
		t.Fatalf("first attempts delivered %+v", got)
	}
	dead, err := f.store.Outbox().DeadOutbox(f.ctx, store.DeadOutboxQuery{Kind: KindInvocation})
	if err != nil || len(dead) != 1 || dead[0].Target != lost.Target.ARN || !strings.Contains(dead[0].LastError, "Vigil does not invoke lambda targets") {
		t.Fatalf("outbox dead letters = %+v, %v; want the lambda invocation", dead, err)
	}
	f.clock.Advance(time.Minute)
	f.step() // the second attempts, 60 s after the first
	byArn := func(ms []dispatch.Message) map[string]map[string]string {
		out := map[string]map[string]string{}
		for _, m := range ms {
			if m.Target != dlq {
				t.Fatalf("delivered to %s", m.Target)
			}
			a := attributes(t, m)
			out[a["SCHEDULE_ARN"]] = a
			if string(m.Payload) != t0.Format(time.RFC3339) {
				t.Errorf("dead letter body = %q; want the input", m.Payload)
			}
		}
		return out
	}
	got := byArn(f.take())
	if len(got) != 0 {
		t.Fatalf("dead letters after 2 attempts: %v", got)
	}
	f.clock.Advance(time.Minute)
	f.step()
	got = byArn(f.take())
	a := got[arn]
	if len(got) != 2 || a["ERROR_CODE"] != "SDK_CLIENT_ERROR" || !strings.Contains(a["ERROR_MESSAGE"], "queue unavailable") ||
		a["RETRY_ATTEMPTS"] != "2" || a["EXHAUSTED_RETRY_CONDITION"] != "MaximumRetryAttempts" || a["TARGET_ARN"] != queue ||
		a["SCHEDULED_TIME"] != "2025-03-04T05:06:00Z" || a["IS_PAYLOAD_TRUNCATED"] != "false" ||
		!regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(a["EXECUTION_ID"]) {
		t.Fatalf("dead letters = %v; want the retried one's attributes", got)
	}
	if a := got[agedARN]; a["EXHAUSTED_RETRY_CONDITION"] != "MaximumEventAgeInSeconds" || a["RETRY_ATTEMPTS"] != "2" {
		t.Fatalf("aged dead letter = %v", a)
	}
}

// TestContextAttributes: the keywords of the input are replaced at each
// attempt.
func TestContextAttributes(t *testing.T) {
	f := newFixture(t)
	f.fail[queue] = errors.New("once")
	s := schedule("s", "rate(1 day)", 0)
	s.Target.Input = ptr(`<aws.scheduler.schedule-arn>|<aws.scheduler.scheduled-time>|<aws.scheduler.execution-id>|<aws.scheduler.attempt-number>`)
	arn := f.create(s)
	f.fire()
	delete(f.fail, queue)
	f.clock.Advance(time.Minute)
	f.step()
	got := f.take()
	if len(got) != 1 {
		t.Fatalf("deliveries = %+v", got)
	}
	parts := strings.Split(string(got[0].Payload), "|")
	if len(parts) != 4 || parts[0] != arn || parts[1] != "2025-03-04T05:06:00Z" || parts[3] != "2" ||
		!regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(parts[2]) {
		t.Fatalf("input = %q", got[0].Payload)
	}
	it := store.OutboxItem{Kind: KindInvocation, ID: 7}
	first := executionID(it)
	it.Attempts = 1
	if first == executionID(it) {
		t.Fatal("two attempts share an execution id")
	}
}

// TestEncodingsGolden pins what the service stores that outlives the
// process — a schedule's definition and an invocation's outbox payload —
// and checks that it decodes to what was encoded.
func TestEncodingsGolden(t *testing.T) {
	def := definition{Version: definitionVersion, Expression: "cron(0 3 * * ? *)", Timezone: "Europe/Paris", Start: 1796601600000,
		End: 1799193600000, Description: "nightly", State: StateEnabled, WindowMode: ModeFlexible, Window: 15, Action: ActionDelete,
		KmsKeyARN: "arn:aws:kms:us-east-1:123456789012:key/k", Target: Target{ARN: queue + ".fifo", RoleARN: role, Input: ptr(`{"a":1}`),
			MaximumRetryAttempts: ptr(3), MaximumEventAgeSeconds: ptr(600), DeadLetterARN: dlq, MessageGroupID: "g",
			EventBridge: &EventBridgeParameters{DetailType: "d", Source: "s"}, Parameters: json.RawMessage(`{"KinesisParameters":{"PartitionKey":"p"}}`)}}
	inv := invocation{ScheduleARN: "arn:aws:scheduler:us-east-1:123456789012:schedule/default/nightly", ScheduledTime: 1796601600000,
		RoleARN: role, Input: ptr(`{"a":1}`), MessageGroupID: "g", EventBridge: &EventBridgeParameters{DetailType: "d", Source: "s"},
		MaxAttempts: 4, MaxAgeSeconds: 600, DeadLetterARN: dlq}
	for _, c := range []struct {
		name     string
		v, into  any
		encoding []byte
	}{
		{"definition-v1.json", &def, &definition{}, def.encode()},
		{"invocation-v1.json", &inv, &invocation{}, nil},
	} {
		b := c.encoding
		if b == nil {
			var err error
			if b, err = json.Marshal(c.v); err != nil {
				t.Fatal(err)
			}
		}
		golden.Check(t, "golden/"+c.name, append(b, '\n'))
		if err := json.Unmarshal(b, c.into); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !reflect.DeepEqual(c.into, c.v) {
			t.Errorf("%s decodes to %+v; want %+v", c.name, c.into, c.v)
		}
	}
}

// FuzzUniversalInput: whatever a universal target's input (a client's
// JSON, after the context attributes), its call is made or refused for
// good, never with a panic.
func FuzzUniversalInput(f *testing.F) {
	f.Add("sqs:sendMessage", `{"QueueUrl":"https://sqs.us-east-1.amazonaws.com/123456789012/q","MessageBody":"m","MessageAttributes":{"k":{"DataType":"Binary","BinaryValue":"AA=="}}}`)
	f.Add("sns:publish", `{"TopicArn":"arn:aws:sns:us-east-1:123456789012:t","Message":"m"}`)
	f.Add("sqs:sendMessage", `{"QueueUrl":"/","MessageBody":""}`)
	f.Add("lambda:invoke", `{}`)
	f.Fuzz(func(t *testing.T, call, input string) {
		msg := dispatch.Message{}
		it := store.OutboxItem{Kind: KindInvocation, ID: 1, Account: scope.Account, Region: scope.Region}
		if err := universal(call, input, it, &msg); err != nil {
			var ie *invocationError
			if !errors.As(err, &ie) || !ie.Permanent() {
				t.Fatalf("universal(%q, %q) = %v; want an invocationError", call, input, err)
			}
			return
		}
		if msg.Target == "" {
			t.Fatalf("universal(%q, %q) made a message without a target", call, input)
		}
	})
}
