package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/outbox"
	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/store/embedded"
	"github.com/vigilhq/vigil/internal/store/embedded/embeddedtest"
)

// The tests run the service on a real embedded store, a fake clock, the
// real outbox processor and dispatcher, and recording targets for SQS
// queues, SNS topics and event buses; a test moves the clock, fires the
// schedules and runs the outbox itself.

var (
	t0    = time.Date(2025, 3, 4, 5, 6, 0, 0, time.UTC)
	scope = Scope{Account: "123456789012", Region: "us-east-1"}
)

const (
	queue = "arn:aws:sqs:us-east-1:123456789012:orders"
	dlq   = "arn:aws:sqs:us-east-1:123456789012:dlq"
	role  = "arn:aws:iam::123456789012:role/scheduler"
)

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
	record := func(_ context.Context, _ dispatch.Address, m *dispatch.Message) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		if err := f.fail[m.Target]; err != nil {
			return err
		}
		f.delivered = append(f.delivered, *m)
		return nil
	}
	d.Register(dispatch.Match{Service: "sqs", Type: ""}, dispatch.NewTarget("sqs:SendMessage", record))
	d.Register(dispatch.Match{Service: "sns", Type: ""}, dispatch.NewTarget("sns:Publish", record))
	d.Register(dispatch.Match{Service: "events", Type: "event-bus"}, dispatch.NewTarget("events:PutEvents", record))
	f.svc = f.node(d)
	f.svc.RegisterDeliveries(f.outbox)
	return f
}

// node returns a service over the fixture's store: another node of the
// same deployment when d is another dispatcher.
func (f *fixture) node(d *dispatch.Dispatcher) *Service {
	return New(Options{Store: f.store.Schedules(), Tags: f.store.Tags(), Dispatcher: d, Clock: f.clock})
}

// fire fires the schedules due at the clock's time and runs the outbox.
func (f *fixture) fire() {
	f.t.Helper()
	if err := f.svc.FireSchedules(f.ctx, f.clock.Now()); err != nil {
		f.t.Fatalf("FireSchedules: %v", err)
	}
	f.step()
}

// step runs the outbox at the clock's time.
func (f *fixture) step() {
	f.t.Helper()
	if err := f.outbox.Step(f.ctx, f.clock.Now()); err != nil {
		f.t.Fatalf("outbox step: %v", err)
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

// create creates a schedule, failing the test on an error.
func (f *fixture) create(s Schedule) string {
	f.t.Helper()
	arn, err := f.svc.CreateSchedule(f.ctx, scope, s, "")
	if err != nil {
		f.t.Fatalf("CreateSchedule %s: %v", s.Name, err)
	}
	return arn
}

// stored reads a schedule's row.
func (f *fixture) stored(arn string) *store.Schedule {
	f.t.Helper()
	r, err := f.store.Schedules().Schedule(f.ctx, arn)
	if err != nil {
		f.t.Fatalf("Schedule %s: %v", arn, err)
	}
	return r
}

// fired is an invocation a schedule made.
type fired struct {
	// scheduled is its scheduled time, due when it was made, body what
	// the target received.
	scheduled, due time.Time
	body           string
}

// invocations runs a schedule until the clock reaches until, moving the
// clock to each invocation it is due to make, and returns them: a
// millisecond early, nothing is delivered; when due (or at once, when the
// clock is past it), one message.
func (f *fixture) invocations(arn string, until time.Time) []fired {
	f.t.Helper()
	var out []fired
	for {
		r, err := f.store.Schedules().Schedule(f.ctx, arn)
		if errors.Is(err, store.ErrNotFound) || err == nil && (r.Due == 0 || r.Due > until.UnixMilli()) {
			return out
		}
		if err != nil {
			f.t.Fatal(err)
		}
		due := msTime(r.Due)
		if early := due.Add(-time.Millisecond); early.After(f.clock.Now()) {
			f.clock.Set(early)
			f.fire()
			if got := f.take(); len(got) != 0 {
				f.t.Fatalf("%s invoked a millisecond before it was due: %+v", arn, got)
			}
			f.clock.Set(due)
		}
		f.fire()
		got := f.take()
		if len(got) != 1 {
			f.t.Fatalf("%s due at %s invoked %d times: %+v", arn, due, len(got), got)
		}
		out = append(out, fired{scheduled: msTime(r.NextFire), due: due, body: string(got[0].Payload)})
	}
}

// schedule is a schedule of an SQS queue whose input is its scheduled
// time, with a flexible time window of window minutes (0: OFF).
func schedule(name, expr string, window int) Schedule {
	s := Schedule{Name: name, Expression: expr, WindowMode: ModeOff,
		Target: Target{ARN: queue, RoleARN: role, Input: ptr("<aws.scheduler.scheduled-time>")}}
	if window > 0 {
		s.WindowMode, s.WindowMinutes = ModeFlexible, window
	}
	return s
}

func ptr[T any](v T) *T { return &v }

func code(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// wantErr checks an error's code and that its message has want.
func wantErr(t *testing.T, err error, c Code, want string) {
	t.Helper()
	if code(err) != c || !strings.Contains(err.Error(), want) {
		t.Errorf("error = %v (code %d); want code %d with %q", err, code(err), c, want)
	}
}

// attributes reads a dead letter's message attributes.
func attributes(t *testing.T, m dispatch.Message) map[string]string {
	t.Helper()
	var list []map[string]string
	if err := json.Unmarshal([]byte(m.Header[dispatch.MessageAttributesHeader]), &list); err != nil {
		t.Fatalf("dead-letter attributes %q: %v", m.Header[dispatch.MessageAttributesHeader], err)
	}
	out := map[string]string{}
	for _, a := range list {
		out[a["Name"]] = a["Value"]
	}
	return out
}
