package alarms

import (
	"context"
	"errors"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// runPage is how many alarms a run reads at a time.
const runPage = 1000

// Run evaluates the alarms due at now: the job the scheduler runs every
// 10 seconds. An alarm with a period of a minute or more is due once a
// minute, one of 10, 20 or 30 seconds once a period, and one put on this
// node since the previous run at once. Composite alarms
// are evaluated after the metric alarms, on their children's new states.
func (s *Service) Run(ctx context.Context, now time.Time) error {
	s.mu.Lock()
	last, fresh := s.lastRun, s.fresh
	s.lastRun, s.fresh = now, map[store.AlarmKey]bool{}
	s.mu.Unlock()

	var errs []error
	var composites []Alarm
	var after store.AlarmKey
	for {
		page, err := s.opt.Store.AllAlarms(ctx, after, runPage)
		if err != nil {
			return err
		}
		var batch []Alarm
		for _, sa := range page {
			a, err := read(sa)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if sa.Type == store.CompositeAlarm {
				composites = append(composites, a)
			} else if fresh[store.AlarmKey{Account: a.Account, Region: a.Region, Name: a.Name}] || due(a, last, now) {
				batch = append(batch, a)
			}
		}
		if err := s.evaluate(ctx, batch, now); err != nil {
			return err
		}
		if len(page) < runPage {
			break
		}
		l := page[len(page)-1]
		after = store.AlarmKey{Account: l.Account, Region: l.Region, Name: l.Name}
	}
	errs = append(errs, s.evaluateComposites(ctx, composites, now))
	return errors.Join(errs...)
}

// due reports whether the alarm a is evaluated by a run at now whose
// previous run was at last (zero: none on this node). An alarm put on
// another node since is evaluated at its next period.
func due(a Alarm, last, now time.Time) bool {
	if last.IsZero() {
		return true
	}
	unit := time.Minute
	if p := a.Definition.EvaluationPeriod(); p < unit {
		unit = p
	}
	return !now.Truncate(unit).Equal(last.Truncate(unit))
}

// evaluate evaluates metric alarms at now, reading their datapoints
// together. An alarm whose datapoints cannot be read keeps its state; the
// run fails only when its context ends.
func (s *Service) evaluate(ctx context.Context, batch []Alarm, now time.Time) error {
	if len(batch) == 0 {
		return nil
	}
	reqs := make([]Request, len(batch))
	for i, a := range batch {
		start, end := Window(a.Definition.Config(), now)
		reqs[i] = Request{Scope: Scope{a.Account, a.Region}, Definition: a.Definition, Start: start, End: end}
	}
	for i, r := range s.opt.Source.Datapoints(ctx, reqs) {
		a := batch[i]
		err := r.Err
		if err == nil && a.Definition.Grouped() {
			err = s.evaluateGrouped(ctx, a, r.Contributors, now)
		} else if err == nil {
			res := Evaluate(a.Definition.Config(), State(a.State), now, r.Points)
			if !res.Changed {
				s.evaluations.WithLabelValues("unchanged").Inc()
				continue
			}
			s.evaluations.WithLabelValues("changed").Inc()
			err = s.transition(ctx, a, res.State, res.Reason, string(res.ReasonData), now, nil)
		}
		if err != nil {
			s.evaluations.WithLabelValues("failed").Inc()
			s.opt.Logger.Warn("alarm evaluation failed", "alarm", a.ARN, "err", err)
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
	}
	return nil
}
