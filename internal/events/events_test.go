package events

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/outbox"
	"github.com/vigilhq/vigil/internal/store/embedded"
	"github.com/vigilhq/vigil/internal/store/embedded/embeddedtest"
	"github.com/vigilhq/vigil/internal/svcevents"
)

// The tests run the service on a real embedded store, a fake clock, the
// real outbox processor and dispatcher, and recording targets for SQS
// queues; a test moves the clock and runs the outbox itself.

var (
	t0    = time.Date(2025, 3, 4, 5, 6, 0, 0, time.UTC)
	scope = Scope{Account: "123456789012", Region: "us-east-1"}
)

const queue = "arn:aws:sqs:us-east-1:123456789012:orders"

type fixture struct {
	t      *testing.T
	ctx    context.Context
	clock  *clock.Fake
	store  *embedded.Store
	outbox *outbox.Processor
	svc    *Service

	mu        sync.Mutex
	delivered []dispatch.Message
	fail      map[string]error // by target ARN
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st := embeddedtest.Open(t)
	f := &fixture{t: t, ctx: context.Background(), clock: clock.NewFake(t0), store: st, fail: map[string]error{}}
	f.outbox = outbox.New(outbox.Options{Store: st.Outbox(), Clock: f.clock, Rand: func() float64 { return 0.5 }})
	d := dispatch.New(dispatch.Options{Clock: f.clock})
	d.Register(dispatch.Match{Service: "sqs", Type: ""}, dispatch.NewTarget("sqs:SendMessage",
		func(_ context.Context, _ dispatch.Address, m *dispatch.Message) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			if err := f.fail[m.Target]; err != nil {
				return err
			}
			f.delivered = append(f.delivered, *m)
			return nil
		}))
	f.svc = New(Options{Store: st.Events(), Tags: st.Tags(), Dispatcher: d, Clock: f.clock})
	f.svc.RegisterDeliveries(f.outbox)
	d.Register(dispatch.Match{Service: "events", Type: "event-bus"}, f.svc.BusTarget())
	return f
}

// step runs the outbox at the clock's time, twice: a delivery to a bus
// enqueues the invocations of its rules.
func (f *fixture) step() {
	f.t.Helper()
	for range 2 {
		if err := f.outbox.Step(f.ctx, f.clock.Now()); err != nil {
			f.t.Fatalf("outbox step: %v", err)
		}
	}
}

// take returns the messages delivered since the last take.
func (f *fixture) take() []dispatch.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := f.delivered
	f.delivered = nil
	return d
}

func (f *fixture) putRule(r Rule) string {
	f.t.Helper()
	arn, err := f.svc.PutRule(f.ctx, scope, r, nil)
	if err != nil {
		f.t.Fatalf("PutRule %s: %v", r.Name, err)
	}
	return arn
}

func (f *fixture) putTargets(bus, rule string, ts ...Target) {
	f.t.Helper()
	if _, err := f.svc.PutTargets(f.ctx, scope, bus, rule, ts); err != nil {
		f.t.Fatalf("PutTargets %s: %v", rule, err)
	}
}

func (f *fixture) put(entries ...Entry) []EntryResult {
	f.t.Helper()
	res, err := f.svc.PutEvents(f.ctx, scope, entries)
	if err != nil {
		f.t.Fatalf("PutEvents: %v", err)
	}
	return res
}

func entry(source, detailType, detail string) Entry {
	return Entry{Source: source, DetailType: detailType, Detail: detail, HasSource: true, HasDetailType: true, HasDetail: true}
}

func code(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

func TestBuses(t *testing.T) {
	f := newFixture(t)
	d, err := f.svc.DescribeBus(f.ctx, scope, "")
	if err != nil || d.Name != "default" || d.ARN != "arn:aws:events:us-east-1:123456789012:event-bus/default" {
		t.Fatalf("default bus = %+v, %v", d, err)
	}
	arn, err := f.svc.CreateBus(f.ctx, scope, "orders", "", BusSettings{Description: "the orders"}, map[string]string{"team": "a"})
	if err != nil || arn != "arn:aws:events:us-east-1:123456789012:event-bus/orders" {
		t.Fatalf("CreateBus = %q, %v", arn, err)
	}
	if _, err := f.svc.CreateBus(f.ctx, scope, "orders", "", BusSettings{}, nil); code(err) != ResourceAlreadyExists ||
		err.Error() != "Event bus orders already exists." {
		t.Fatalf("CreateBus twice: %v", err)
	}
	if _, err := f.svc.CreateBus(f.ctx, scope, "default", "", BusSettings{}, nil); code(err) != ResourceAlreadyExists {
		t.Fatalf("CreateBus default: %v", err)
	}
	if _, err := f.svc.CreateBus(f.ctx, scope, "q", "", BusSettings{DeadLetterARN: "arn:aws:sns:us-east-1:1:t"}, nil); code(err) != Validation {
		t.Fatalf("CreateBus with an SNS dead-letter queue: %v", err)
	}
	if d, err := f.svc.DescribeBus(f.ctx, scope, arn); err != nil || d.Description != "the orders" {
		t.Fatalf("DescribeBus by ARN = %+v, %v", d, err)
	}
	if tags, err := f.svc.Tags(f.ctx, scope, arn); err != nil || tags["team"] != "a" {
		t.Fatalf("tags = %v, %v", tags, err)
	}
	if _, err := f.svc.DescribeBus(f.ctx, scope, "none"); code(err) != ResourceNotFound || err.Error() != "Event bus none does not exist." {
		t.Fatalf("DescribeBus none: %v", err)
	}
	bs, next, err := f.svc.ListBuses(f.ctx, scope, "", "", 1)
	if err != nil || len(bs) != 1 || bs[0].Name != "default" || next == "" {
		t.Fatalf("ListBuses limit 1 = %+v, %q, %v", bs, next, err)
	}
	if bs, next, err = f.svc.ListBuses(f.ctx, scope, "", next, 1); err != nil || len(bs) != 1 || bs[0].Name != "orders" || next != "" {
		t.Fatalf("ListBuses page 2 = %+v, %q, %v", bs, next, err)
	}
	if _, _, err := f.svc.ListBuses(f.ctx, scope, "", "garbage", 1); code(err) != Validation {
		t.Fatalf("ListBuses bad token: %v", err)
	}
	f.putRule(Rule{Name: "r", Bus: "orders", EventPattern: `{"source":["shop"]}`})
	if err := f.svc.DeleteBus(f.ctx, scope, "default"); code(err) != Validation {
		t.Fatalf("DeleteBus default: %v", err)
	}
	if err := f.svc.DeleteBus(f.ctx, scope, "orders"); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteBus(f.ctx, scope, "orders"); err != nil {
		t.Fatalf("DeleteBus twice: %v", err)
	}
	if _, err := f.svc.DescribeRule(f.ctx, scope, "orders", "r"); code(err) != ResourceNotFound {
		t.Fatalf("a rule of a deleted bus: %v", err)
	}
}

func TestRules(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		r    Rule
		code Code
		msg  string
	}{
		{Rule{Name: "x"}, Validation, "Parameter(s) EventPattern or ScheduleExpression must be specified."},
		{Rule{Name: "x", EventPattern: `{"source":[]}`}, InvalidEventPattern, "Event pattern is not valid. Reason: Empty arrays are not allowed"},
		{Rule{Name: "x", ScheduleExpression: "rate(0 minutes)"}, Validation, ""},
		{Rule{Name: "x", Bus: "none", EventPattern: `{"source":["a"]}`}, ResourceNotFound, "Event bus none does not exist."},
	}
	for _, c := range cases {
		_, err := f.svc.PutRule(f.ctx, scope, c.r, nil)
		if code(err) != c.code || c.msg != "" && err.Error() != c.msg {
			t.Errorf("PutRule(%+v) = %v; want code %d %q", c.r, err, c.code, c.msg)
		}
	}
	if _, err := f.svc.CreateBus(f.ctx, scope, "orders", "", BusSettings{}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.PutRule(f.ctx, scope, Rule{Name: "s", Bus: "orders", ScheduleExpression: "rate(5 minutes)"}, nil); code(err) != Validation ||
		err.Error() != "ScheduleExpression is supported only on the default event bus." {
		t.Fatalf("schedule on a custom bus: %v", err)
	}
	arn := f.putRule(Rule{Name: "orders-created", Bus: "orders", EventPattern: `{"source":["shop"]}`, Description: "d"})
	if arn != "arn:aws:events:us-east-1:123456789012:rule/orders/orders-created" {
		t.Fatalf("ARN on a custom bus = %s", arn)
	}
	if arn := f.putRule(Rule{Name: "tick", ScheduleExpression: "rate(5 minutes)"}); arn != "arn:aws:events:us-east-1:123456789012:rule/tick" {
		t.Fatalf("ARN on the default bus = %s", arn)
	}
	r, err := f.svc.DescribeRule(f.ctx, scope, "orders", "orders-created")
	if err != nil || r.State != StateEnabled || r.EventPattern != `{"source":["shop"]}` || r.Description != "d" || r.Bus != "orders" {
		t.Fatalf("DescribeRule = %+v, %v", r, err)
	}
	if err := f.svc.SetRuleState(f.ctx, scope, "orders", "orders-created", false); err != nil {
		t.Fatal(err)
	}
	if r, _ := f.svc.DescribeRule(f.ctx, scope, "orders", "orders-created"); r.State != StateDisabled {
		t.Fatalf("state after DisableRule = %s", r.State)
	}
	for _, n := range []string{"b", "a", "c"} {
		f.putRule(Rule{Name: n, Bus: "orders", EventPattern: `{"source":["x"]}`})
	}
	var names []string
	token := ""
	for {
		rs, next, err := f.svc.ListRules(f.ctx, scope, "orders", "", token, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			names = append(names, r.Name)
		}
		if token = next; token == "" {
			break
		}
	}
	if !slices.Equal(names, []string{"a", "b", "c", "orders-created"}) {
		t.Fatalf("ListRules pages = %v", names)
	}
	f.putTargets("orders", "a", Target{ID: "q", ARN: queue})
	if err := f.svc.DeleteRule(f.ctx, scope, "orders", "a", false); code(err) != Validation || err.Error() != "Rule can't be deleted since it has targets." {
		t.Fatalf("DeleteRule with targets: %v", err)
	}
	if err := f.svc.DeleteRule(f.ctx, scope, "orders", "nope", false); err != nil {
		t.Fatalf("DeleteRule of no rule: %v", err)
	}
	if names, _, err := f.svc.RuleNamesByTarget(f.ctx, scope, "orders", queue, "", 0); err != nil || !slices.Equal(names, []string{"a"}) {
		t.Fatalf("RuleNamesByTarget = %v, %v", names, err)
	}
}

func TestTargets(t *testing.T) {
	f := newFixture(t)
	f.putRule(Rule{Name: "r", EventPattern: `{"source":["shop"]}`})
	var five []Target
	for _, id := range []string{"1", "2", "3", "4", "5"} {
		five = append(five, Target{ID: id, ARN: queue})
	}
	f.putTargets("", "r", five...)
	if _, err := f.svc.PutTargets(f.ctx, scope, "", "r", []Target{{ID: "6", ARN: queue}}); code(err) != LimitExceeded {
		t.Fatalf("a sixth target: %v", err)
	}
	if _, err := f.svc.RemoveTargets(f.ctx, scope, "", "r", []string{"2", "3", "4", "5", "none"}, false); err != nil {
		t.Fatal(err)
	}
	bad := []Target{
		{ID: "x", ARN: "not-an-arn"},
		{ID: "x", ARN: queue + ".fifo"},
		{ID: "x", ARN: queue, Input: Input{Constant: ptr("{not json")}},
		{ID: "x", ARN: queue, Input: Input{Constant: ptr("{}"), Path: ptr("$.detail")}},
	}
	for _, b := range bad {
		if _, err := f.svc.PutTargets(f.ctx, scope, "", "r", []Target{b}); code(err) != Validation {
			t.Errorf("PutTargets(%+v) = %v; want a ValidationException", b, err)
		}
	}
	retries := 3
	f.putTargets("", "r", Target{ID: "1", ARN: queue, MaximumRetryAttempts: &retries, DeadLetterARN: "arn:aws:sqs:us-east-1:123456789012:dlq"})
	ts, _, err := f.svc.ListTargets(f.ctx, scope, "", "r", "", 0)
	if err != nil || len(ts) != 1 || *ts[0].MaximumRetryAttempts != 3 || ts[0].DeadLetterARN == "" {
		t.Fatalf("ListTargets = %+v, %v", ts, err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestPutEventsRoutes(t *testing.T) {
	f := newFixture(t)
	f.putRule(Rule{Name: "big", EventPattern: `{"source":["shop"],"detail":{"total":[{"numeric":[">",100]}]}}`})
	f.putRule(Rule{Name: "off", EventPattern: `{"source":["shop"]}`, State: StateDisabled})
	f.putRule(Rule{Name: "const", EventPattern: `{"detail-type":["Order Placed"]}`})
	f.putTargets("", "big", Target{ID: "q", ARN: queue})
	f.putTargets("", "off", Target{ID: "q", ARN: queue + "-off"})
	f.putTargets("", "const", Target{ID: "c", ARN: queue + "-const", Input: Input{Constant: ptr(`{"fixed":true}`)}})
	when := t0.Add(-time.Hour)
	e := entry("shop", "Order Placed", `{"total":250}`)
	e.Time, e.Resources = &when, []string{"arn:aws:shop:order/1"}
	res := f.put(e, entry("shop", "Order Placed", `{"total":5}`),
		Entry{DetailType: "x", Detail: "{}", HasDetailType: true, HasDetail: true},
		entry("aws.ec2", "x", "{}"), entry("shop", "x", "[1]"), entry("shop", "x", "{"))
	wantCodes := []string{"", "", "InvalidArgument", "NotAuthorizedForSourceException", "MalformedDetail", "MalformedDetail"}
	for i, w := range wantCodes {
		if res[i].Code != w || (w == "") != (res[i].EventID != "") {
			t.Errorf("entry %d = %+v; want code %q", i, res[i], w)
		}
	}
	if res[2].Message != "Parameter Source is not valid. Reason: Source is a required argument." {
		t.Errorf("missing Source message = %q", res[2].Message)
	}
	f.step()
	got := f.take()
	byTarget := map[string][]dispatch.Message{}
	for _, m := range got {
		byTarget[m.Target] = append(byTarget[m.Target], m)
	}
	if len(byTarget[queue]) != 1 || len(byTarget[queue+"-const"]) != 2 || len(byTarget[queue+"-off"]) != 0 {
		t.Fatalf("deliveries by target: %d to the queue, %d constant, %d to the disabled rule's; want 1, 2, 0",
			len(byTarget[queue]), len(byTarget[queue+"-const"]), len(byTarget[queue+"-off"]))
	}
	m := byTarget[queue][0]
	var evt map[string]any
	if err := json.Unmarshal(m.Payload, &evt); err != nil {
		t.Fatal(err)
	}
	if evt["id"] != res[0].EventID || evt["source"] != "shop" || evt["detail-type"] != "Order Placed" || evt["account"] != scope.Account ||
		evt["time"] != "2025-03-04T04:06:00Z" || evt["version"] != "0" || evt["detail"].(map[string]any)["total"] != 250.0 {
		t.Fatalf("delivered event = %s", m.Payload)
	}
	if m.Kind != dispatch.EventKind || m.Header["EventId"] != res[0].EventID || m.Header["Time"] != "2025-03-04T04:06:00Z" {
		t.Fatalf("delivery metadata = %s %v", m.Kind, m.Header)
	}
	if string(byTarget[queue+"-const"][0].Payload) != `{"fixed":true}` {
		t.Fatalf("constant input delivered as %s", byTarget[queue+"-const"][0].Payload)
	}
	// A bus that does not exist takes the event and delivers it nowhere.
	e = entry("shop", "Order Placed", `{"total":250}`)
	e.Bus = "nowhere"
	if res := f.put(e); res[0].EventID == "" {
		t.Fatalf("PutEvents on no bus = %+v", res[0])
	}
	big := entry("shop", "x", `{"a":"`+strings.Repeat("x", maxEntrySize)+`"}`)
	if _, err := f.svc.PutEvents(f.ctx, scope, []Entry{big}); code(err) != Validation {
		t.Fatalf("an entry over 256 KiB: %v", err)
	}
}

func TestRetriesThenDeadLetter(t *testing.T) {
	f := newFixture(t)
	f.putRule(Rule{Name: "r", EventPattern: `{"source":["shop"]}`})
	retries := 2
	dlq := "arn:aws:sqs:us-east-1:123456789012:dlq"
	f.putTargets("", "r", Target{ID: "q", ARN: queue, MaximumRetryAttempts: &retries, DeadLetterARN: dlq})
	f.fail[queue] = errors.New("queue unavailable")
	f.put(entry("shop", "x", `{}`))
	// The first attempt and the first retry fail; the second retry, the
	// last, fails too and sends the event to the dead-letter queue.
	for range 2 {
		f.step()
		if got := f.take(); len(got) != 0 {
			t.Fatalf("delivered before the retries ran out: %+v", got)
		}
		f.clock.Advance(time.Minute)
	}
	f.step()
	got := f.take()
	if len(got) != 1 || got[0].Target != dlq {
		t.Fatalf("after 3 attempts: %+v; want one message to the dead-letter queue", got)
	}
	if got[0].Header[dispatch.MessageAttributesHeader] == "" {
		t.Fatal("the dead-letter message has no attributes")
	}
	var attrs []map[string]string
	if err := json.Unmarshal([]byte(got[0].Header[dispatch.MessageAttributesHeader]), &attrs); err != nil {
		t.Fatal(err)
	}
	found := map[string]string{}
	for _, a := range attrs {
		found[a["Name"]] = a["Value"]
	}
	if found["RULE_ARN"] != "arn:aws:events:us-east-1:123456789012:rule/r" || found["TARGET_ARN"] != queue ||
		!strings.Contains(found["ERROR_MESSAGE"], "queue unavailable") {
		t.Fatalf("dead-letter attributes = %v", found)
	}
}

func TestSchedulesFire(t *testing.T) {
	f := newFixture(t)
	f.putRule(Rule{Name: "tick", ScheduleExpression: "rate(5 minutes)"})
	f.putTargets("", "tick", Target{ID: "q", ARN: queue})
	f.putRule(Rule{Name: "cron", ScheduleExpression: "cron(0 6 * * ? *)"})
	f.putTargets("", "cron", Target{ID: "q", ARN: queue + "-cron"})
	f.putRule(Rule{Name: "off", ScheduleExpression: "rate(1 minute)", State: StateDisabled})
	f.putTargets("", "off", Target{ID: "q", ARN: queue + "-off"})
	var fired []string
	for range 60 {
		f.clock.Advance(time.Minute)
		if err := f.svc.FireSchedules(f.ctx, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		f.step()
		for _, m := range f.take() {
			var evt svcevents.Event
			if err := json.Unmarshal(m.Payload, &evt); err != nil {
				t.Fatal(err)
			}
			if evt.DetailType != "Scheduled Event" || evt.Source != "aws.events" || len(evt.Resources) != 1 {
				t.Fatalf("scheduled event = %s", m.Payload)
			}
			fired = append(fired, m.Target+" "+evt.Time.Format("15:04"))
		}
	}
	// rate(5 minutes) counts from the rule's creation at 05:06; the cron
	// fires at 06:00; the disabled rule never.
	want := []string{}
	for i := 1; i <= 60; i++ {
		at := t0.Add(time.Duration(i) * time.Minute)
		if at.Format("15:04") == "06:00" {
			want = append(want, queue+"-cron 06:00")
		}
		if i%5 == 0 {
			want = append(want, queue+" "+at.Format("15:04"))
		}
	}
	if !slices.Equal(fired, want) {
		t.Fatalf("fired:\n%v\nwant:\n%v", fired, want)
	}
}

func TestBusTargetAndServiceEvents(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.CreateBus(f.ctx, scope, "audit", "", BusSettings{}, nil); err != nil {
		t.Fatal(err)
	}
	f.putRule(Rule{Name: "forward", EventPattern: `{"source":["aws.cloudwatch"]}`})
	f.putTargets("", "forward", Target{ID: "bus", ARN: "arn:aws:events:us-east-1:123456789012:event-bus/audit"})
	f.putRule(Rule{Name: "alarms", Bus: "audit", EventPattern: `{"detail-type":["CloudWatch Alarm State Change"]}`})
	f.putTargets("audit", "alarms", Target{ID: "q", ARN: queue})
	f.putRule(Rule{Name: "reads", EventPattern: `{"detail-type":["AWS API Call via CloudTrail"]}`, State: StateEnabledAllManagement})
	f.putTargets("", "reads", Target{ID: "q", ARN: queue + "-reads"})
	f.putRule(Rule{Name: "writes", EventPattern: `{"detail-type":["AWS API Call via CloudTrail"]}`})
	f.putTargets("", "writes", Target{ID: "q", ARN: queue + "-writes"})
	f.svc.ServiceEvents(f.ctx, &svcevents.Event{ID: "e1", DetailType: "CloudWatch Alarm State Change", Source: "aws.cloudwatch",
		Account: scope.Account, Region: scope.Region, Time: t0, Detail: json.RawMessage(`{"alarmName":"cpu"}`)})
	f.svc.ServiceEvents(f.ctx, &svcevents.Event{ID: "e2", DetailType: "AWS API Call via CloudTrail", Source: "aws.logs",
		Account: scope.Account, Region: scope.Region, Time: t0, ReadOnly: true, Detail: json.RawMessage(`{}`)})
	f.step()
	var got []string
	for _, m := range f.take() {
		got = append(got, m.Target+" "+m.Header["EventId"])
	}
	slices.Sort(got)
	want := []string{queue + " e1", queue + "-reads e2"}
	if !slices.Equal(got, want) {
		t.Fatalf("deliveries = %v; want %v", got, want)
	}
}

func TestTestEventPattern(t *testing.T) {
	event := `{"id":"1","account":"1","source":"shop","time":"2025-01-01T00:00:00Z","region":"us-east-1","detail-type":"x","resources":[],"detail":{"n":5}}`
	cases := []struct {
		pattern, event string
		want           bool
		code           Code
	}{
		{`{"detail":{"n":[{"numeric":[">",1]}]}}`, event, true, 0},
		{`{"source":["other"]}`, event, false, 0},
		{`{"source":"shop"}`, event, false, InvalidEventPattern},
		{`{"source":["shop"]}`, `{"source":"shop"}`, false, Validation},
	}
	for _, c := range cases {
		got, err := TestEventPattern(c.pattern, c.event)
		if got != c.want || code(err) != c.code {
			t.Errorf("TestEventPattern(%s, %s) = %v, %v; want %v, code %d", c.pattern, c.event, got, err, c.want, c.code)
		}
	}
}

func TestTargetInput(t *testing.T) {
	f := newFixture(t)
	f.putRule(Rule{Name: "r", EventPattern: `{"source":["shop"]}`})
	f.putTargets("", "r",
		Target{ID: "path", ARN: queue + "-path", Input: Input{Path: ptr("$.detail.order")}},
		Target{ID: "tmpl", ARN: queue + "-tmpl", Input: Input{PathsMap: map[string]string{"id": "$.detail.order.id", "src": "$.source"},
			Template: ptr(`{"order": <id>, "from": "<src>", "rule": "<aws.events.rule-name>"}`)}})
	if _, err := f.svc.PutTargets(f.ctx, scope, "", "r", []Target{{ID: "bad", ARN: queue,
		Input: Input{PathsMap: map[string]string{"a": "$.x"}, Template: ptr(`"<b>"`)}}}); code(err) != Validation ||
		err.Error() != "InputTemplate for target bad contains invalid placeholder b." {
		t.Fatalf("a template with an unknown placeholder: %v", err)
	}
	f.put(entry("shop", "x", `{"order":{"id":"o-1","total":3}}`))
	f.step()
	got := map[string]string{}
	for _, m := range f.take() {
		got[strings.TrimPrefix(m.Target, queue)] = string(m.Payload)
	}
	want := map[string]string{"-path": `{"id":"o-1","total":3}`, "-tmpl": `{"order":"o-1","from":"shop","rule":"r"}`}
	if len(got) != 2 || got["-path"] != want["-path"] || got["-tmpl"] != want["-tmpl"] {
		t.Fatalf("delivered %v; want %v", got, want)
	}
}
