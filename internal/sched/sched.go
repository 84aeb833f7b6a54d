// Package sched runs Vigil's periodic jobs — metric roll-ups, log
// retention, store maintenance, deliveries, and later alarm evaluation,
// schedules and digests — in one scheduler, on a clock.Clock, so that a
// fake clock drives them in tests and the virtual clock of --dev mode
// drives them for users.
//
// The composition root registers each job with a name, a period or a
// next-run function, and a step: a plain function of (ctx, now) that
// tests also call directly with an explicit time, as Prometheus'
// rules.Group.Eval is. The scheduler never runs two steps of a job at
// once: a run that falls due while the previous one lasts is made when it
// ends (several such runs make one, at the latest time). Every run holds
// the job's lease (store.Leases), so that of several nodes sharing a
// database one runs each job; a run that loses its lease is cancelled.
// Local jobs run on every node, without a lease. Failures are logged with the job's name and counted in Prometheus
// metrics.
package sched

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/store"
)

// Job is a periodic job.
type Job struct {
	// Name names the job in logs, metrics and its lease.
	Name string
	// Every is the time between runs; the first run is Every after the
	// scheduler starts (or the job is registered).
	Every time.Duration
	// Next, when set instead of Every, returns the time of the run after
	// one at after (or of the first run, after the start time); the zero
	// time ends the job's runs.
	Next func(after time.Time) time.Time
	// Step does the work due at now.
	Step func(ctx context.Context, now time.Time) error
	// Local runs the job on every node, without a lease: for work about
	// the node itself (the heartbeats of what it runs), not a singleton.
	Local bool
}

// Options configure a Scheduler.
type Options struct {
	// Clock drives the jobs (clock.System{} when nil).
	Clock clock.Clock
	// Leases decide which node runs each job; nil grants every lease
	// (one process, no database to share).
	Leases store.Leases
	// Holder names this node in the leases.
	Holder string
	// LeaseTTL is how long a lease lasts past a job's period before a
	// holder that stopped renewing it loses it (DefaultLeaseTTL when 0).
	LeaseTTL time.Duration
	// Registerer receives the jobs' metrics (none when nil).
	Registerer prometheus.Registerer
	// Logger logs failed runs.
	Logger *slog.Logger
}

// DefaultLeaseTTL is Options.LeaseTTL's default.
const DefaultLeaseTTL = 30 * time.Second

// Scheduler runs jobs.
type Scheduler struct {
	opt    Options
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	m      metrics

	mu      sync.Mutex
	jobs    []*job
	started bool
	stopped bool
	// busy counts the jobs running; idle is closed when it drops to 0.
	busy int
	idle chan struct{}
}

// job is a registered Job and its state, guarded by the scheduler's mu
// unless noted.
type job struct {
	Job
	timer clock.Timer
	due   time.Time // when the timer fires
	// running is set while a goroutine runs the job's steps; pending
	// asks it for one more run, at pendingAt.
	running   bool
	pending   bool
	pendingAt time.Time

	leaseMu    sync.Mutex
	leaseUntil time.Time // the end of this node's lease (zero: not held)
}

type metrics struct {
	runs, failures, skipped *prometheus.CounterVec
	duration                *prometheus.GaugeVec
}

// New returns a scheduler; jobs run once it is started.
func New(opt Options) *Scheduler {
	if opt.Clock == nil {
		opt.Clock = clock.System{}
	}
	if opt.LeaseTTL == 0 {
		opt.LeaseTTL = DefaultLeaseTTL
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Scheduler{opt: opt, m: metrics{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_job_runs_total", Help: "Runs of each scheduled job.",
		}, []string{"job"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_job_failures_total", Help: "Runs of each scheduled job that failed.",
		}, []string{"job"}),
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_job_skipped_total", Help: "Runs of each scheduled job skipped because another node holds its lease.",
		}, []string{"job"}),
		duration: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "vigil_job_last_duration_seconds", Help: "How long the last run of each scheduled job took, in the scheduler's clock.",
		}, []string{"job"}),
	}}
	if opt.Registerer != nil {
		opt.Registerer.MustRegister(s.m.runs, s.m.failures, s.m.skipped, s.m.duration)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s
}

// Register adds a job; a started scheduler arms it at once. A job needs a
// unique name, a step, and a period or a next-run function.
func (s *Scheduler) Register(j Job) error {
	switch {
	case j.Name == "":
		return errors.New("cannot register a job without a name")
	case j.Step == nil:
		return fmt.Errorf("cannot register job %q without a step", j.Name)
	case (j.Every > 0) == (j.Next != nil):
		return fmt.Errorf("cannot register job %q: it needs a period or a next-run function, not both", j.Name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return fmt.Errorf("cannot register job %q: the scheduler is shut down", j.Name)
	}
	for _, o := range s.jobs {
		if o.Name == j.Name {
			return fmt.Errorf("cannot register job %q twice", j.Name)
		}
	}
	jb := &job{Job: j}
	s.jobs = append(s.jobs, jb)
	for _, c := range []*prometheus.CounterVec{s.m.runs, s.m.failures, s.m.skipped} {
		c.WithLabelValues(j.Name) // shown as 0 before the first run
	}
	if s.started {
		s.arm(jb, s.opt.Clock.Now())
	}
	return nil
}

// Start arms every job.
func (s *Scheduler) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.stopped {
		return
	}
	s.started = true
	now := s.opt.Clock.Now()
	for _, j := range s.jobs {
		s.arm(j, now)
	}
}

// Kick runs a job as soon as possible (after its current run, if one
// lasts), besides its schedule. It reports whether the job exists.
func (s *Scheduler) Kick(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, j := range s.jobs {
		if j.Name == name {
			if s.started && !s.stopped {
				s.start(j, s.opt.Clock.Now())
			}
			return true
		}
	}
	return false
}

// Shutdown stops the jobs: no run starts any more, running steps see
// their context end, and once they have returned (or ctx ends) the leases
// this node holds are released.
func (s *Scheduler) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.stopped = true
	for _, j := range s.jobs {
		if j.timer != nil {
			j.timer.Stop()
		}
	}
	s.mu.Unlock()
	s.cancel()
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("cannot stop the scheduler's jobs: %w", ctx.Err())
	}
	var errs []error
	if s.opt.Leases != nil {
		for _, j := range s.jobs {
			j.leaseMu.Lock()
			held := !j.leaseUntil.IsZero()
			j.leaseUntil = time.Time{}
			j.leaseMu.Unlock()
			if held {
				errs = append(errs, s.opt.Leases.ReleaseLease(ctx, j.Name, s.opt.Holder))
			}
		}
	}
	return errors.Join(errs...)
}

// arm sets the job's timer for its next run after now; mu is held.
func (s *Scheduler) arm(j *job, now time.Time) {
	var next time.Time
	if j.Next != nil {
		if next = j.Next(now); next.IsZero() {
			return
		}
	} else {
		// On the period's grid from the first run, unless the clock
		// moved past it (a long run, a virtual jump).
		next = j.due.Add(j.Every)
		if j.due.IsZero() || !next.After(now) {
			next = now.Add(j.Every)
		}
	}
	j.due = next
	d := max(next.Sub(now), 0)
	if j.timer == nil {
		j.timer = s.opt.Clock.AfterFunc(d, func() { s.fire(j) })
	} else {
		j.timer.Reset(d)
	}
}

// fire is a job's timer: it re-arms it and starts the run.
func (s *Scheduler) fire(j *job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return
	}
	now := s.opt.Clock.Now()
	s.arm(j, now)
	s.start(j, now)
}

// start runs the job at now, or asks its running goroutine for one more
// run; mu is held.
func (s *Scheduler) start(j *job, now time.Time) {
	if j.running {
		j.pending, j.pendingAt = true, now
		return
	}
	j.running = true
	if s.busy++; s.busy == 1 {
		s.idle = make(chan struct{})
	}
	s.wg.Add(1)
	go s.loop(j, now)
}

// WaitIdle waits until no job runs or waits to run again, or ctx ends:
// after the clock moved, it waits for the runs the move made due.
func (s *Scheduler) WaitIdle(ctx context.Context) error {
	s.mu.Lock()
	idle := s.idle
	busy := s.busy
	s.mu.Unlock()
	if busy == 0 {
		return nil
	}
	select {
	case <-idle:
		return s.WaitIdle(ctx) // a run may have started another meanwhile
	case <-ctx.Done():
		return fmt.Errorf("jobs still running: %w", ctx.Err())
	}
}

// loop runs the job at now and then the runs asked for meanwhile.
func (s *Scheduler) loop(j *job, now time.Time) {
	defer s.wg.Done()
	for {
		s.run(j, now)
		s.mu.Lock()
		if !j.pending || s.stopped {
			j.running, j.pending = false, false
			if s.busy--; s.busy == 0 {
				close(s.idle)
			}
			s.mu.Unlock()
			return
		}
		now, j.pending = j.pendingAt, false
		s.mu.Unlock()
	}
}

// run makes one run of the job under its lease.
func (s *Scheduler) run(j *job, now time.Time) {
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	held, err := s.lease(ctx, j, now)
	switch {
	case s.ctx.Err() != nil:
		return
	case err != nil:
		s.m.failures.WithLabelValues(j.Name).Inc()
		s.opt.Logger.Error("job skipped: cannot take its lease", "job", j.Name, "error", err)
		return
	case !held:
		s.m.skipped.WithLabelValues(j.Name).Inc()
		return
	}
	keep := s.keepLease(ctx, cancel, j)
	defer keep.stop()

	started := s.opt.Clock.Now()
	err = step(ctx, j, now)
	s.m.runs.WithLabelValues(j.Name).Inc()
	s.m.duration.WithLabelValues(j.Name).Set(s.opt.Clock.Now().Sub(started).Seconds())
	if err != nil && s.ctx.Err() == nil {
		s.m.failures.WithLabelValues(j.Name).Inc()
		if keep.lost() {
			s.opt.Logger.Warn("job cancelled: its lease was lost", "job", j.Name, "error", err)
			return
		}
		s.opt.Logger.Error("job failed", "job", j.Name, "error", err)
	}
}

// step runs a job's step, turning a panic into an error so that one bad
// run cannot stop Vigil.
func step(ctx context.Context, j *job, now time.Time) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("BUG: panic in job %s: %v\n%s", j.Name, r, debug.Stack())
		}
	}()
	return j.Step(ctx, now)
}

// ttl is how long the job's lease lasts: its period and LeaseTTL, so that
// a holder running on time renews it before it expires.
func (s *Scheduler) ttl(j *job) time.Duration { return j.Every + s.opt.LeaseTTL }

// lease makes sure this node holds the job's lease for at least half its
// length from now, renewing or taking it as needed.
func (s *Scheduler) lease(ctx context.Context, j *job, now time.Time) (bool, error) {
	if s.opt.Leases == nil || j.Local {
		return true, nil
	}
	j.leaseMu.Lock()
	defer j.leaseMu.Unlock()
	ttl := s.ttl(j)
	if j.leaseUntil.Sub(now) > ttl/2 {
		return true, nil
	}
	ok, err := s.opt.Leases.AcquireLease(ctx, j.Name, s.opt.Holder, now, now.Add(ttl))
	switch {
	case err != nil:
		if j.leaseUntil.After(now) {
			return true, nil // still held; renewing can wait for the next run
		}
		j.leaseUntil = time.Time{}
		return false, err
	case ok:
		j.leaseUntil = now.Add(ttl)
	default:
		j.leaseUntil = time.Time{}
	}
	return ok, nil
}

// keeper renews a job's lease while a run lasts, and cancels the run
// when the lease is lost.
type keeper struct {
	mu      sync.Mutex
	t       clock.Timer
	done    bool
	wasLost bool
}

func (s *Scheduler) keepLease(ctx context.Context, cancel context.CancelFunc, j *job) *keeper {
	k := &keeper{}
	if s.opt.Leases == nil || j.Local {
		return k
	}
	every := s.ttl(j) / 4
	k.mu.Lock()
	defer k.mu.Unlock()
	k.t = s.opt.Clock.AfterFunc(every, func() {
		k.mu.Lock()
		defer k.mu.Unlock()
		if k.done {
			return
		}
		held, err := s.lease(ctx, j, s.opt.Clock.Now())
		if err != nil && s.ctx.Err() == nil {
			s.opt.Logger.Warn("cannot renew a running job's lease", "job", j.Name, "error", err)
		}
		if !held {
			k.wasLost = true
			cancel()
			return
		}
		k.t.Reset(every)
	})
	return k
}

func (k *keeper) stop() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.done = true
	if k.t != nil {
		k.t.Stop()
	}
}

func (k *keeper) lost() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.wasLost
}
