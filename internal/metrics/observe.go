package metrics

import (
	"github.com/vigilhq/vigil/internal/metrics/chunk"
	"github.com/vigilhq/vigil/internal/metrics/stats"
	"github.com/vigilhq/vigil/internal/store"
)

// observations accumulates the observations of one period. It keeps the
// exact values while only stored points were added, and switches to a
// sketch once a rolled-up sample joins them, so that statistics are exact
// whenever the raw values are still at hand. With summaryOnly it keeps
// the count, sum, minimum and maximum alone, which is all the simple
// statistics need.
type observations struct {
	summaryOnly bool
	summary     stats.Summary
	values      stats.Values
	sketch      *stats.Sketch
	unit        string
}

// addPoint adds a stored data point.
func (o *observations) addPoint(p *store.PointValue) {
	o.note(p.Unit)
	s := stats.Summary{Count: p.Count, Sum: p.Sum, Min: p.Min, Max: p.Max}
	if o.summaryOnly {
		o.summary = o.summary.Merge(s)
		return
	}
	if o.sketch != nil {
		addPointTo(o.sketch, p, s)
		return
	}
	addPointTo(&o.values, p, s)
}

// observer is what stored points are added to: exact values or a sketch.
type observer interface {
	AddN(x, n float64)
	AddSummary(s stats.Summary)
}

func addPointTo(o observer, p *store.PointValue, s stats.Summary) {
	if p.Dist == nil {
		o.AddSummary(s)
		return
	}
	values, counts := DecodeDistribution(p.Dist)
	for i, v := range values {
		o.AddN(v, counts[i])
	}
}

// addSample adds a rolled-up sample.
func (o *observations) addSample(s *chunk.Sample, unit string) {
	o.note(unit)
	if o.summaryOnly {
		o.summary = o.summary.Merge(s.Summary())
		return
	}
	if o.sketch == nil {
		o.toSketch()
	}
	if s.Sketch != nil {
		o.sketch.Merge(s.Sketch)
	} else {
		o.sketch.AddSummary(s.Summary())
	}
}

// toSketch moves the values added so far into a sketch, where the next
// ones go too.
func (o *observations) toSketch() {
	o.sketch = o.values.Sketch()
	o.values = stats.Values{}
}

// note records the unit of what was added: the first one stands for the
// period when several were put.
func (o *observations) note(unit string) {
	if o.unit == "" {
		o.unit = unit
	}
}

// distribution returns the observations for stats.Compute.
func (o *observations) distribution() stats.Distribution {
	if o.sketch != nil {
		return o.sketch
	}
	return &o.values
}

// stat returns the summary of the observations.
func (o *observations) stat() stats.Summary {
	if o.summaryOnly {
		return o.summary
	}
	return o.distribution().Summary()
}

// sample returns the observations as a rolled-up sample at t (seconds).
func (o *observations) sample(t int64) chunk.Sample {
	sum := o.stat()
	s := chunk.Sample{T: t, Count: sum.Count, Sum: sum.Sum, Min: sum.Min, Max: sum.Max}
	if sum.Min < sum.Max {
		if o.sketch != nil {
			s.Sketch = o.sketch
		} else {
			s.Sketch = o.values.Sketch()
		}
	}
	return s
}
