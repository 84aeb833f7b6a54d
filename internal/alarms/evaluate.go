package alarms

import (
	"math"
	"slices"
	"time"
)

// Evaluate decides the state of the alarm cfg, now in state current, at
// time now, from the datapoints the query returned for Window(cfg, now);
// see the package documentation for the rules. Points outside the window
// and values that are not finite numbers are ignored; of two points in one
// period the later in points wins. cfg must be valid (Config.Validate):
// Evaluate panics otherwise.
func Evaluate(cfg Config, current State, now time.Time, points []Datapoint) Result {
	if err := cfg.Validate(); err != nil {
		panic("BUG: alarms.Evaluate: invalid alarm: " + err.Error())
	}
	e := evaluation{cfg: cfg, now: now, n: cfg.EvaluationPeriods, m: cfg.m()}
	e.slot(points)
	return e.run(current)
}

// evaluation is one run of Evaluate.
type evaluation struct {
	cfg  Config
	now  time.Time
	n, m int
	// slots are the periods of the range, oldest first: a datapoint or
	// nil.
	slots []*Datapoint
	// starts are the periods' starts.
	starts []time.Time
}

// slot places points in the periods of the range.
func (e *evaluation) slot(points []Datapoint) {
	start, end := Window(e.cfg, e.now)
	r := RangePeriods(e.cfg)
	e.slots = make([]*Datapoint, r)
	e.starts = make([]time.Time, r)
	for i := range r {
		e.starts[i] = start.Add(time.Duration(i) * e.cfg.Period)
	}
	for _, p := range points {
		if !finite(p.Value) || e.cfg.Comparison.Band() && (!finite(p.Lower) || !finite(p.Upper)) ||
			p.Timestamp.Before(start) || !p.Timestamp.Before(end) {
			continue
		}
		i := int(p.Timestamp.Sub(start) / e.cfg.Period)
		p.Timestamp = e.starts[i]
		e.slots[i] = &p
	}
}

// outcome is a decided state and what decided it.
type outcome struct {
	state State
	// keep: the state is kept without a reason.
	keep bool
	// evaluated, oldest first.
	evaluated []Evaluated
	// filled is the number of datapoints filled in.
	filled int
}

func (e *evaluation) run(current State) Result {
	o := e.decide(current)
	if !o.keep && e.lowSamples(o.evaluated) {
		o.keep = true
	}
	if o.keep {
		return Result{State: current, Evaluated: o.evaluated}
	}
	res := Result{State: o.state, Changed: o.state != current, Evaluated: o.evaluated}
	res.Reason, res.ReasonData = e.reason(o)
	return res
}

// decide applies the guide's rules.
func (e *evaluation) decide(current State) outcome {
	var real []int
	for i, p := range e.slots {
		if p != nil {
			real = append(real, i)
		}
	}
	treat := e.cfg.treatment()
	switch {
	case len(real) >= e.n:
		// "CloudWatch evaluates the alarm state based on the most recent
		// real data points that were successfully retrieved."
		ev := e.evaluate(real[len(real)-e.n:], nil, false)
		return outcome{state: e.mOfN(ev), evaluated: ev}
	case treat == TreatBreaching || treat == TreatNotBreaching:
		// Fill the most recent missing periods, as few as possible.
		need := e.n - len(real)
		var fill []int
		for i := len(e.slots) - 1; i >= 0 && len(fill) < need; i-- {
			if e.slots[i] == nil {
				fill = append(fill, i)
			}
		}
		ev := e.evaluate(real, fill, treat == TreatBreaching)
		return outcome{state: e.mOfN(ev), evaluated: ev, filled: len(fill)}
	}
	// missing or ignore: only real datapoints.
	ev := e.evaluate(real, nil, false)
	var breaching, fine int
	for _, p := range ev {
		if p.Breaching {
			breaching++
		} else {
			fine++
		}
	}
	switch {
	case breaching >= e.m:
		return outcome{state: StateAlarm, evaluated: ev}
	case fine > 0:
		return outcome{state: StateOK, evaluated: ev}
	case treat == TreatIgnore:
		return outcome{keep: true, evaluated: ev}
	case len(real) > 0 && len(e.slots)-real[0] >= e.m:
		// Premature-transition rule: the oldest real datapoint breaches,
		// is at least M periods old, and nothing more recent is fine.
		return outcome{state: StateAlarm, evaluated: ev}
	}
	return outcome{state: StateInsufficientData, evaluated: ev}
}

// evaluate returns the datapoints of slots real and the filled slots fill,
// oldest first.
func (e *evaluation) evaluate(real, fill []int, fillBreaching bool) []Evaluated {
	filled := make(map[int]bool, len(fill))
	for _, i := range fill {
		filled[i] = true
	}
	var ev []Evaluated
	for i := range e.slots {
		switch {
		case filled[i]:
			ev = append(ev, Evaluated{Datapoint: Datapoint{Timestamp: e.starts[i]}, Filled: true, Breaching: fillBreaching})
		case e.slots[i] != nil && slices.Contains(real, i):
			p := *e.slots[i]
			ev = append(ev, Evaluated{Datapoint: p, Breaching: e.cfg.Comparison.Breaching(p, e.cfg.Threshold)})
		}
	}
	return ev
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// mOfN returns ALARM when M or more of ev breach, else OK.
func (e *evaluation) mOfN(ev []Evaluated) State {
	n := 0
	for _, p := range ev {
		if p.Breaching {
			n++
		}
	}
	if n >= e.m {
		return StateAlarm
	}
	return StateOK
}

// lowSamples reports whether the state must be kept because a real
// datapoint of ev has too few samples for the alarm's percentile.
func (e *evaluation) lowSamples(ev []Evaluated) bool {
	if e.cfg.EvaluateLowSampleCountPercentile != "ignore" {
		return false
	}
	minimum, ok := lowSampleMinimum(e.cfg.Statistic)
	if !ok {
		return false
	}
	for _, p := range ev {
		if !p.Filled && p.SampleCount > 0 && p.SampleCount < minimum {
			return true
		}
	}
	return false
}
