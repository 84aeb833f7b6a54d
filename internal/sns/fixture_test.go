package sns

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/outbox"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/snsmsg"
	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/store/embedded"
	"github.com/vigilhq/vigil/internal/store/embedded/embeddedtest"
)

// The tests run the service on a real embedded store, a fake clock, the
// real outbox processor and dispatcher, and a local HTTP server that
// receives the deliveries; a test moves the clock and calls the
// processor's Step itself, so nothing sleeps.

var (
	t0    = time.Date(2025, 3, 4, 5, 6, 7, 891_000_000, time.UTC)
	scope = Scope{Account: "123456789012", Region: "us-east-1"}
	other = Scope{Account: "210987654321", Region: "us-east-1"}
)

const baseURL = "https://vigil.example.test:4580"

// testSigner is one signer for every test: generating an RSA key takes a
// while.
var testSigner *snsmsg.Signer

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "vigil-sns-signer-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testSigner, err = snsmsg.LoadOrCreateSigner(dir, t0)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// hit is one request the endpoint received.
type hit struct {
	Path   string
	Header http.Header
	Body   []byte
}

type fixture struct {
	t      *testing.T
	ctx    context.Context
	clock  *clock.Fake
	store  *embedded.Store
	outbox *outbox.Processor
	// dispatcher makes the deliveries; tests register more targets.
	dispatcher *dispatch.Dispatcher
	svc        *Service
	srv        *httptest.Server

	mu      sync.Mutex
	hits    []hit
	status  map[string]int // by path; 200 when unset
	notifys int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st := embeddedtest.Open(t)
	f := &fixture{t: t, clock: clock.NewFake(t0), store: st, status: map[string]int{}}
	f.ctx = request.NewContext(context.Background(), &request.Info{
		ID: "req-1", Time: t0, Region: scope.Region, Service: "sns",
		Principal: request.Principal{Account: scope.Account, ARN: "arn:aws:iam::" + scope.Account + ":root", UserID: scope.Account},
	})
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.hits = append(f.hits, hit{Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
		code := f.status[r.URL.Path]
		f.mu.Unlock()
		if r.Method != http.MethodPost {
			code = http.StatusMethodNotAllowed
		}
		if code == 0 {
			code = http.StatusOK
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(f.srv.Close)
	f.outbox = outbox.New(outbox.Options{Store: st.Outbox(), Clock: f.clock, Rand: func() float64 { return 0.5 }})
	d := dispatch.New(dispatch.Options{Clock: f.clock})
	web := dispatch.HTTPTarget(f.srv.Client())
	d.Register(dispatch.Match{Service: "http", Type: "*"}, web)
	d.Register(dispatch.Match{Service: "https", Type: "*"}, web)
	f.svc = New(Options{
		Store: st.SNS(), Tags: st.Tags(), Outbox: st.Outbox(),
		Notify: func() { f.mu.Lock(); f.notifys++; f.mu.Unlock() },
		Signer: testSigner, Dispatcher: d, Clock: f.clock,
	})
	f.svc.SetBaseURL(baseURL + "/")
	f.svc.RegisterDeliveries(f.outbox, d)
	f.dispatcher = d
	return f
}

// endpoint returns the URL of a path of the local server.
func (f *fixture) endpoint(path string) string { return f.srv.URL + path }

func (f *fixture) setStatus(path string, code int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status[path] = code
}

// step runs the outbox at the fake clock's time.
func (f *fixture) step() {
	f.t.Helper()
	if err := f.outbox.Step(f.ctx, f.clock.Now()); err != nil {
		f.t.Fatalf("outbox step: %v", err)
	}
}

// take returns the requests received since the last take.
func (f *fixture) take() []hit {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := f.hits
	f.hits = nil
	return h
}

// takeOne returns the one request received since the last take.
func (f *fixture) takeOne() hit {
	f.t.Helper()
	h := f.take()
	if len(h) != 1 {
		f.t.Fatalf("the endpoint received %d requests, want 1: %v", len(h), paths(h))
	}
	return h[0]
}

func paths(hs []hit) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.Path+" "+h.Header.Get("x-amz-sns-message-type"))
	}
	return out
}

// parse reads a delivered JSON document and checks its signature.
func (f *fixture) parse(h hit) *snsmsg.Message {
	f.t.Helper()
	m, err := snsmsg.Parse(h.Body)
	if err != nil {
		f.t.Fatalf("the delivery does not parse: %v\n%s", err, h.Body)
	}
	if err := testSigner.Verify(m); err != nil {
		f.t.Fatalf("the delivery does not verify: %v\n%s", err, h.Body)
	}
	return m
}

func (f *fixture) createTopic(name string, attrs map[string]string) string {
	f.t.Helper()
	arn, err := f.svc.CreateTopic(f.ctx, scope, CreateTopicInput{Name: name, Attributes: attrs})
	if err != nil {
		f.t.Fatalf("CreateTopic %s: %v", name, err)
	}
	return arn
}

// subscribe subscribes a path of the local server and returns the
// subscription's ARN.
func (f *fixture) subscribe(topic, path string, attrs map[string]string) string {
	f.t.Helper()
	arn, err := f.svc.Subscribe(f.ctx, scope, topic, "http", f.endpoint(path), attrs, true)
	if err != nil {
		f.t.Fatalf("Subscribe %s: %v", path, err)
	}
	return arn
}

// confirmed subscribes a path, delivers the SubscriptionConfirmation and
// confirms with its token; it returns the subscription's ARN.
func (f *fixture) confirmed(topic, path string, attrs map[string]string) string {
	f.t.Helper()
	arn := f.subscribe(topic, path, attrs)
	f.step()
	m := f.parse(f.takeOne())
	if m.Type != snsmsg.SubscriptionConfirmation {
		f.t.Fatalf("got a %s, want a SubscriptionConfirmation", m.Type)
	}
	got, err := f.svc.ConfirmSubscription(f.ctx, topic, m.Token)
	if err != nil {
		f.t.Fatalf("ConfirmSubscription: %v", err)
	}
	if got != arn {
		f.t.Fatalf("ConfirmSubscription = %s, want %s", got, arn)
	}
	return arn
}

func (f *fixture) publish(in PublishInput) string {
	f.t.Helper()
	p, err := f.svc.Publish(f.ctx, scope, in)
	if err != nil {
		f.t.Fatalf("Publish: %v", err)
	}
	return p.MessageID
}

func (f *fixture) dead() []store.OutboxItem {
	f.t.Helper()
	items, err := f.store.Outbox().DeadOutbox(f.ctx, store.DeadOutboxQuery{Kind: KindDelivery})
	if err != nil {
		f.t.Fatal(err)
	}
	return items
}

// pending returns the outbox's pending SNS deliveries.
func (f *fixture) pending() int64 {
	f.t.Helper()
	stats, err := f.store.Outbox().OutboxStats(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, s := range stats {
		if s.Kind == KindDelivery {
			return s.Pending
		}
	}
	return 0
}

// wantErr checks that err is an Error of code whose message is msg ("":
// any).
func wantErr(t *testing.T, err error, code Code, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want an Error %d %q", err, code, msg)
	}
	if e.Code != code || msg != "" && e.Message != msg {
		t.Fatalf("err = %d %q, want %d %q", e.Code, e.Message, code, msg)
	}
}

// wantPrefix checks that err is an Error of code whose message starts
// with prefix.
func wantPrefix(t *testing.T, err error, code Code, prefix string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want an Error %d %q…", err, code, prefix)
	}
	if e.Code != code || !strings.HasPrefix(e.Message, prefix) {
		t.Fatalf("err = %d %q, want %d %q…", e.Code, e.Message, code, prefix)
	}
}
