package schemaregistry

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/store/embedded/embeddedtest"
	"github.com/vigilhq/vigil/internal/svcevents"
)

// The tests run the service on a real embedded store and a fake clock;
// a test runs the discovery job itself.

var (
	t0    = time.Date(2025, 3, 4, 5, 6, 0, 0, time.UTC)
	scope = Scope{Account: "123456789012", Region: "us-east-1"}
	other = Scope{Account: "210987654321", Region: "us-east-1"}
)

const (
	orders  = "arn:aws:events:us-east-1:123456789012:event-bus/orders"
	openAPI = `{"openapi":"3.0.0","info":{"version":"1.0.0","title":"Order"},"paths":{},` +
		`"components":{"schemas":{"Order":{"type":"object","properties":{"id":{"type":"string"}}}}}}`
)

type fixture struct {
	t     testing.TB
	ctx   context.Context
	clock *clock.Fake
	svc   *Service
	// kicks counts the discovery job's kicks; buses are the buses that
	// exist (but default).
	kicks int
	buses map[string]bool
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	st := embeddedtest.Open(t)
	f := &fixture{t: t, ctx: context.Background(), clock: clock.NewFake(t0), buses: map[string]bool{orders: true}}
	f.svc = New(Options{Store: st.SchemaRegistry(), Tags: st.Tags(), Clock: f.clock,
		BusExists:  func(_ context.Context, arn string) (bool, error) { return f.buses[arn], nil },
		APISources: func() []string { return []string{"aws.logs", "aws.sqs"} },
		Notify:     func() { f.kicks++ }})
	return f
}

// code returns the code of a service error (0: none).
func code(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// namesOf returns the names of listed resources.
func namesOf[T any](xs []T, name func(T) string) []string {
	var out []string
	for _, x := range xs {
		out = append(out, name(x))
	}
	return out
}

// must fails the test on an error.
func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// refuses fails the test unless err is a service error of code c.
func (f *fixture) refuses(err error, c Code) {
	f.t.Helper()
	if code(err) != c {
		f.t.Fatalf("error %v (code %d); want code %d", err, code(err), c)
	}
}

// put shows the service an event accepted on a bus, as the events
// engine does.
func (f *fixture) put(bus, account, source, detailType, detail string, resources ...string) {
	f.svc.Observe(f.ctx, bus, &svcevents.Event{ID: "e", Source: source, DetailType: detailType, Account: account,
		Region: "us-east-1", Time: f.clock.Now(), Resources: resources, Detail: json.RawMessage(detail)})
}

// discover runs the discovery job.
func (f *fixture) discover() {
	f.t.Helper()
	f.must(f.svc.Discover(f.ctx, f.clock.Now()))
}

// listedName is the name of a listed schema.
func listedName(x Schema) string { return x.Name }
