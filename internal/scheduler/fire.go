package scheduler

import (
	"context"
	"encoding/binary"
	"errors"
	"hash/fnv"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/schedexpr"
	"github.com/vigilhq/vigil/internal/store"
)

// plan is when a schedule invokes its target.
type plan struct {
	// expr is the expression, a rate anchored at the StartDate or, without
	// one, at the schedule's creation.
	expr schedexpr.Schedule
	// once is true for an at() expression, which ignores the dates: "EventBridge
	// Scheduler ignores StartDate for one-time schedules" (and EndDate).
	once bool
	// start and end bound a recurring schedule's invocations (zero: no
	// bound).
	start, end time.Time
	// window is the flexible time window (0: OFF).
	window time.Duration
}

// location is a ScheduleExpressionTimezone.
func location(tz string) (*time.Location, error) {
	loc, err := time.LoadLocation(tz)
	if err != nil || strings.HasPrefix(tz, "Local") {
		return nil, errorf(Validation, "Invalid ScheduleExpressionTimezone %s: it must be an IANA time zone such as America/New_York.", tz)
	}
	return loc, nil
}

// plan parses a schedule's expression in its time zone.
func (d *definition) plan(created time.Time) (*plan, error) {
	loc, err := location(d.Timezone)
	if err != nil {
		return nil, err
	}
	expr, err := schedexpr.ParseSchedulerSchedule(d.Expression, loc)
	if err != nil {
		return nil, errorf(Validation, "%s", err.Error())
	}
	_, once := expr.(*schedexpr.AtSchedule)
	anchor := created
	p := &plan{once: once, window: time.Duration(d.Window) * time.Minute}
	if !once && d.Start != 0 {
		p.start, anchor = msTime(d.Start), msTime(d.Start)
	}
	if !once && d.End != 0 {
		p.end = msTime(d.End)
	}
	p.expr = schedexpr.Anchor(expr, anchor)
	return p, nil
}

// next returns the scheduled time of the first invocation strictly after
// t, and false when there is none (an at() past, a recurring schedule
// past its EndDate or its cron's years). An invocation may fall on the
// EndDate: "invocations might stop on, or before, the EndDate".
func (p *plan) next(t time.Time) (time.Time, bool) {
	if !p.start.IsZero() && t.Before(p.start) {
		t = p.start.Add(-time.Nanosecond)
	}
	n, ok := p.expr.Next(t)
	if !ok || !p.end.IsZero() && n.After(p.end) {
		return time.Time{}, false
	}
	return n, true
}

// due returns when the invocation scheduled at n is made: at n, or,
// within a flexible time window, that many whole seconds after n that a
// hash of the schedule's ARN and n draws below the window's length. Every
// node draws the same, and the invocations of schedules due together
// spread over their windows.
func (p *plan) due(arn string, n time.Time) time.Time {
	if p.window <= 0 {
		return n
	}
	h := fnv.New64a()
	h.Write([]byte(arn))
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(n.UnixMilli())))
	return n.Add(time.Duration(h.Sum64()%uint64(p.window/time.Second)) * time.Second)
}

// maxDue bounds the schedules one run fires.
const maxDue = 1000

// FireSchedules makes the invocations due at now: for each schedule due,
// one outbox item, after the schedule was advanced to its next invocation
// (a conditional write, so that of nodes firing at once one fires it). A
// schedule with none left completes: deleted when its
// ActionAfterCompletion is DELETE, kept (invoking nothing more)
// otherwise. The next invocation is the first after the one made, if its
// window is still open, else the first after now: what was missed while
// Vigil was down is not made up. The scheduler's job.
func (s *Service) FireSchedules(ctx context.Context, now time.Time) error {
	due, err := s.opt.Store.DueSchedules(ctx, now.UnixMilli(), maxDue)
	if err != nil {
		return err
	}
	fired := false
	var errs []error
	for i := range due {
		ok, err := s.fire(ctx, &due[i], now)
		if err != nil {
			errs = append(errs, err)
		}
		fired = fired || ok
	}
	if fired && s.opt.Notify != nil {
		s.opt.Notify()
	}
	return errors.Join(errs...)
}

// fire advances a due schedule and enqueues its invocation in the same
// transaction; it reports whether it did (not when another node or a
// change came first).
func (s *Service) fire(ctx context.Context, r *store.Schedule, now time.Time) (bool, error) {
	d, err := decodeDefinition(r)
	if err != nil {
		return false, err
	}
	adv := store.ScheduleAdvance{ARN: r.ARN, FromNext: r.NextFire, FromDue: r.Due}
	p, err := d.plan(msTime(r.Created))
	if err != nil {
		// An expression this Vigil no longer reads: the schedule stops.
		s.opt.Logger.Warn("schedule with an expression that no longer parses; it invokes nothing more", "schedule", r.ARN, "err", err)
		_, err = s.opt.Store.AdvanceSchedule(ctx, adv)
		return false, err
	}
	scheduled := msTime(r.NextFire)
	if next, ok := p.next(latest(scheduled, now.Add(-p.window))); ok {
		adv.Next, adv.Due = next.UnixMilli(), p.due(r.ARN, next).UnixMilli()
	} else {
		adv.Delete = d.Action == ActionDelete
	}
	it, ierr := invocationItem(r, &d.Target, scheduled, now)
	if ierr == nil {
		adv.Outbox = []store.OutboxItem{it}
	}
	// An invocation that cannot be encoded is not made; the schedule
	// goes on all the same.
	ok, err := s.opt.Store.AdvanceSchedule(ctx, adv)
	if err != nil || !ok {
		return false, err
	}
	return ierr == nil, ierr
}

// latest returns the later of two times.
func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
