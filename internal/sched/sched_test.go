package sched

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/promtest"
)

var t0 = time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC)

// The tests move a fake clock and wait on channels the steps write to:
// nothing sleeps. A run that must not happen is shown not to by the time
// of the next run that does.

// memLeases is an in-memory store.Leases that reports each acquisition.
type memLeases struct {
	mu       sync.Mutex
	holder   map[string]string
	until    map[string]time.Time
	refuse   bool // refuse every acquisition from now on
	acquired chan bool
	released []string
}

func newMemLeases() *memLeases {
	return &memLeases{holder: map[string]string{}, until: map[string]time.Time{}, acquired: make(chan bool, 100)}
}

func (m *memLeases) AcquireLease(_ context.Context, name, holder string, now, until time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ok := !m.refuse && (m.holder[name] == "" || m.holder[name] == holder || !m.until[name].After(now))
	if ok {
		m.holder[name], m.until[name] = holder, until
	}
	m.acquired <- ok
	return ok, nil
}

func (m *memLeases) ReleaseLease(_ context.Context, name, holder string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.holder[name] == holder {
		delete(m.holder, name)
		m.released = append(m.released, name)
	}
	return nil
}

type fixture struct {
	clk    *clock.Fake
	leases *memLeases
	reg    *prometheus.Registry
	log    *syncBuffer
	s      *Scheduler
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{clk: clock.NewFake(t0), leases: newMemLeases(), reg: prometheus.NewRegistry(), log: &syncBuffer{}}
	f.s = New(Options{Clock: f.clk, Leases: f.leases, Holder: "node-a", Registerer: f.reg,
		Logger: slog.New(slog.NewTextHandler(f.log, nil))})
	t.Cleanup(func() { f.s.Shutdown(context.Background()) })
	return f
}

// value returns the value of a job's counter or gauge in the registry.
func (f *fixture) value(t *testing.T, name, job string) float64 {
	t.Helper()
	v, ok := promtest.Value(t, f.reg, name, "job", job)
	if !ok {
		t.Fatalf("no %s{job=%q} in the registry", name, job)
	}
	return v
}

// recorder is a step that sends the time of each run.
func recorder() (chan time.Time, func(context.Context, time.Time) error) {
	runs := make(chan time.Time, 100)
	return runs, func(_ context.Context, now time.Time) error {
		runs <- now
		return nil
	}
}

func wantRun(t *testing.T, runs <-chan time.Time, want time.Time) {
	t.Helper()
	if got := <-runs; !got.Equal(want) {
		t.Fatalf("ran at %v; want %v", got, want)
	}
}

func (f *fixture) register(t *testing.T, j Job) {
	t.Helper()
	if err := f.s.Register(j); err != nil {
		t.Fatal(err)
	}
}

func TestRunsOnTheClock(t *testing.T) {
	f := newFixture(t)
	runs, step := recorder()
	f.register(t, Job{Name: "rollup", Every: time.Minute, Step: step})
	f.s.Start()
	f.clk.Advance(time.Minute)
	wantRun(t, runs, t0.Add(time.Minute))
	f.clk.Advance(time.Minute)
	wantRun(t, runs, t0.Add(2*time.Minute))
	// Half a period: no run; the next is on the minute.
	f.clk.Advance(30 * time.Second)
	f.clk.Advance(30 * time.Second)
	wantRun(t, runs, t0.Add(3*time.Minute))
	if got := f.value(t, "vigil_job_runs_total", "rollup"); got < 2 {
		t.Errorf("vigil_job_runs_total = %v; want at least 2", got)
	}
}

// TestVirtualJump: moving the virtual clock of --dev mode past a job's
// time runs it at once, at the new time, and once.
func TestVirtualJump(t *testing.T) {
	base := clock.NewFake(t0)
	v := clock.NewVirtual(base)
	s := New(Options{Clock: v})
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	runs, step := recorder()
	if err := s.Register(Job{Name: "retention", Every: time.Minute, Step: step}); err != nil {
		t.Fatal(err)
	}
	s.Start()
	base.Advance(time.Minute)
	wantRun(t, runs, t0.Add(time.Minute))
	if err := v.Advance(48 * time.Hour); err != nil {
		t.Fatal(err)
	}
	wantRun(t, runs, t0.Add(48*time.Hour+time.Minute))
	base.Advance(time.Minute)
	wantRun(t, runs, t0.Add(48*time.Hour+2*time.Minute))
}

func TestNextRunFunction(t *testing.T) {
	f := newFixture(t)
	runs, step := recorder()
	hourly := func(after time.Time) time.Time { return after.Truncate(time.Hour).Add(time.Hour) }
	f.clk.Set(t0.Add(20 * time.Minute))
	f.register(t, Job{Name: "digest", Next: hourly, Step: step})
	f.s.Start()
	f.clk.Advance(40 * time.Minute)
	wantRun(t, runs, t0.Add(time.Hour))
	f.clk.Advance(time.Hour)
	wantRun(t, runs, t0.Add(2*time.Hour))
}

func TestNeverTwoRunsAtOnce(t *testing.T) {
	f := newFixture(t)
	var mu sync.Mutex
	running, most := 0, 0
	started := make(chan time.Time, 10)
	release := make(chan struct{})
	f.register(t, Job{Name: "slow", Every: time.Minute, Step: func(_ context.Context, now time.Time) error {
		mu.Lock()
		running++
		most = max(most, running)
		mu.Unlock()
		started <- now
		<-release
		mu.Lock()
		running--
		mu.Unlock()
		return nil
	}})
	f.s.Start()
	f.clk.Advance(time.Minute)
	wantRun(t, started, t0.Add(time.Minute))
	// Two runs fall due while the first lasts: one more run follows it,
	// at the later time.
	f.clk.Advance(time.Minute)
	f.clk.Advance(time.Minute)
	release <- struct{}{}
	wantRun(t, started, t0.Add(3*time.Minute))
	release <- struct{}{}
	f.clk.Advance(time.Minute)
	wantRun(t, started, t0.Add(4*time.Minute))
	release <- struct{}{}
	mu.Lock()
	defer mu.Unlock()
	if most != 1 {
		t.Errorf("%d runs at once; want 1", most)
	}
}

func TestKick(t *testing.T) {
	f := newFixture(t)
	runs, step := recorder()
	f.register(t, Job{Name: "deliveries", Every: time.Hour, Step: step})
	f.s.Start()
	f.clk.Advance(time.Minute)
	if !f.s.Kick("deliveries") {
		t.Fatal("Kick of a registered job = false")
	}
	wantRun(t, runs, t0.Add(time.Minute))
	if f.s.Kick("absent") {
		t.Error("Kick of an unknown job = true")
	}
	// The schedule stays.
	f.clk.Advance(59 * time.Minute)
	wantRun(t, runs, t0.Add(time.Hour))
}

func TestFailuresAreLoggedAndCounted(t *testing.T) {
	f := newFixture(t)
	runs := make(chan time.Time, 10)
	f.register(t, Job{Name: "retention", Every: time.Minute, Step: func(_ context.Context, now time.Time) error {
		runs <- now
		if now.Equal(t0.Add(time.Minute)) {
			return errors.New("disk on fire")
		}
		if now.Equal(t0.Add(2 * time.Minute)) {
			panic("boom")
		}
		return nil
	}})
	f.s.Start()
	for i := 1; i <= 3; i++ {
		f.clk.Advance(time.Minute)
		wantRun(t, runs, t0.Add(time.Duration(i)*time.Minute))
	}
	// The third run started once the second had been accounted for.
	if got := f.value(t, "vigil_job_failures_total", "retention"); got != 2 {
		t.Errorf("vigil_job_failures_total = %v; want 2", got)
	}
	log := f.log.String()
	for _, want := range []string{"job=retention error=\"disk on fire\"", "BUG: panic in job retention: boom"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	// Shutdown waits for the third run to be accounted for.
	if err := f.s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := f.value(t, "vigil_job_last_duration_seconds", "retention"); got != 0 {
		t.Errorf("vigil_job_last_duration_seconds = %v on a clock that did not move during the run; want 0", got)
	}
}

func TestRunsUnderALease(t *testing.T) {
	f := newFixture(t)
	// Another node holds the lease for 90 seconds.
	f.leases.holder["rollup"], f.leases.until["rollup"] = "node-b", t0.Add(90*time.Second)
	runs, step := recorder()
	f.register(t, Job{Name: "rollup", Every: time.Minute, Step: step})
	f.s.Start()
	f.clk.Advance(time.Minute)
	if <-f.leases.acquired {
		t.Fatal("took a lease another node holds")
	}
	f.clk.Advance(time.Minute)
	if !<-f.leases.acquired {
		t.Fatal("did not take an expired lease")
	}
	wantRun(t, runs, t0.Add(2*time.Minute))
	f.clk.BlockUntil(1) // the run has ended: its lease keeper is stopped
	if got := f.value(t, "vigil_job_skipped_total", "rollup"); got != 1 {
		t.Errorf("vigil_job_skipped_total = %v; want 1", got)
	}
	// The lease lasts a period and LeaseTTL: the next run renews it.
	f.clk.Advance(time.Minute)
	if !<-f.leases.acquired {
		t.Fatal("did not renew its lease")
	}
	wantRun(t, runs, t0.Add(3*time.Minute))
	f.clk.BlockUntil(1)
	if until := f.leases.until["rollup"]; !until.Equal(t0.Add(3*time.Minute + time.Minute + DefaultLeaseTTL)) {
		t.Errorf("lease until %v", until)
	}

	// Shutdown releases it.
	if err := f.s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.leases.released, []string{"rollup"}) {
		t.Errorf("released %v; want [rollup]", f.leases.released)
	}
}

func TestALostLeaseCancelsTheRun(t *testing.T) {
	f := newFixture(t)
	started, ended := make(chan struct{}), make(chan error)
	f.register(t, Job{Name: "worker", Every: time.Second, Step: func(ctx context.Context, _ time.Time) error {
		close(started)
		<-ctx.Done()
		ended <- ctx.Err()
		return ctx.Err()
	}})
	f.s.Start()
	f.clk.Advance(time.Second)
	<-f.leases.acquired
	<-started
	// The run outlasts its lease (a second and 30 s): renewals every
	// quarter keep it until the store refuses one.
	ttl := time.Second + DefaultLeaseTTL
	f.clk.Advance(ttl / 4)
	f.clk.Advance(ttl / 4)
	if !<-f.leases.acquired {
		t.Fatal("renewal refused")
	}
	f.leases.mu.Lock()
	f.leases.refuse = true
	f.leases.mu.Unlock()
	// Renewed at half its length; the next renewal is due at half again.
	f.clk.Advance(ttl / 4)
	f.clk.Advance(ttl / 4)
	if <-f.leases.acquired {
		t.Fatal("renewal granted")
	}
	if err := <-ended; !errors.Is(err, context.Canceled) {
		t.Errorf("the run ended with %v; want its context canceled", err)
	}
}

func TestShutdownEndsRunsAndTimers(t *testing.T) {
	f := newFixture(t)
	started := make(chan struct{})
	var sawEnd bool
	f.register(t, Job{Name: "long", Every: time.Minute, Step: func(ctx context.Context, _ time.Time) error {
		close(started)
		<-ctx.Done()
		sawEnd = true
		return ctx.Err()
	}})
	f.s.Start()
	f.clk.Advance(time.Minute)
	<-started
	if err := f.s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !sawEnd {
		t.Error("Shutdown returned before the running step did")
	}
	if n := f.clk.Waiters(); n != 0 {
		t.Errorf("%d timers left armed", n)
	}
	if strings.Contains(f.log.String(), "job failed") {
		t.Errorf("a step ended by Shutdown was logged as failed:\n%s", f.log.String())
	}
	if err := f.s.Register(Job{Name: "late", Every: time.Minute, Step: func(context.Context, time.Time) error { return nil }}); err == nil {
		t.Error("Register after Shutdown succeeded")
	}
}

func TestRegisterRefuses(t *testing.T) {
	f := newFixture(t)
	nop := func(context.Context, time.Time) error { return nil }
	f.register(t, Job{Name: "a", Every: time.Minute, Step: nop})
	for _, j := range []Job{
		{Every: time.Minute, Step: nop},
		{Name: "b", Every: time.Minute},
		{Name: "c", Step: nop},
		{Name: "d", Every: time.Minute, Next: func(time.Time) time.Time { return t0 }, Step: nop},
		{Name: "a", Every: time.Hour, Step: nop},
	} {
		if err := f.s.Register(j); err == nil {
			t.Errorf("Register(%+v) succeeded", j)
		}
	}
}

// syncBuffer is a bytes.Buffer for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func TestLocalJobsTakeNoLease(t *testing.T) {
	f := newFixture(t)
	// Another node holds a lease of the job's name: a local job runs all
	// the same, on every node.
	f.leases.holder["heartbeat"], f.leases.until["heartbeat"] = "node-b", t0.Add(time.Hour)
	runs, step := recorder()
	f.register(t, Job{Name: "heartbeat", Every: time.Minute, Step: step, Local: true})
	f.s.Start()
	f.clk.Advance(time.Minute)
	wantRun(t, runs, t0.Add(time.Minute))
	f.clk.Advance(time.Minute)
	wantRun(t, runs, t0.Add(2*time.Minute))
	if err := f.s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(f.leases.acquired); n != 0 || len(f.leases.released) != 0 {
		t.Errorf("a local job acquired %d leases and released %v; want none", n, f.leases.released)
	}
}

func TestWaitIdle(t *testing.T) {
	f := newFixture(t)
	if err := f.s.WaitIdle(context.Background()); err != nil {
		t.Fatalf("WaitIdle with nothing running = %v", err)
	}
	started, release := make(chan struct{}), make(chan struct{})
	f.register(t, Job{Name: "slow", Every: time.Minute, Step: func(context.Context, time.Time) error {
		started <- struct{}{}
		<-release
		return nil
	}})
	f.s.Start()
	f.clk.Advance(time.Minute)
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.s.WaitIdle(ctx); err == nil {
		t.Error("WaitIdle returned nil while a run lasts")
	}
	done := make(chan error)
	go func() { done <- f.s.WaitIdle(context.Background()) }()
	close(release)
	if err := <-done; err != nil {
		t.Errorf("WaitIdle after the run ended = %v", err)
	}
}
