package metrics

import (
	"context"
	"slices"
	"time"

	"github.com/vigilhq/vigil/internal/metrics/chunk"
	"github.com/vigilhq/vigil/internal/metrics/series"
	"github.com/vigilhq/vigil/internal/metrics/stats"
	"github.com/vigilhq/vigil/internal/store"
)

// fetchQuery asks for the observations of metrics over the periods of a
// time range.
type fetchQuery struct {
	ids []int64
	// start (inclusive, already rounded) and end (exclusive), in Unix
	// seconds. Periods start at start + k × period.
	start, end int64
	period     int64
	// unit keeps the data put with that unit only; "" keeps all.
	unit string
	// dist asks for the distributions extended statistics need.
	dist bool
}

// periods are the observations of one metric, by period.
type periods struct {
	times []int64 // period starts, ascending
	obs   []*observations
}

// fetch reads the observations of metrics by period.
func (e *Engine) fetch(ctx context.Context, q fetchQuery) (map[int64]*periods, error) {
	var res []int
	for _, t := range tiers {
		if q.period%int64(t.res) == 0 || t.res == 60 && q.period < 60 {
			res = append(res, t.res)
		}
	}
	data, err := e.opt.Store.MetricData(ctx, store.MetricDataQuery{IDs: q.ids, Start: q.start * 1000, End: q.end * 1000, Resolutions: res})
	if err != nil {
		return nil, err
	}
	byMetric := map[int64]map[int64]*observations{}
	at := func(id, t int64) *observations {
		if t < q.start || t >= q.end {
			return nil
		}
		m := byMetric[id]
		if m == nil {
			m = map[int64]*observations{}
			byMetric[id] = m
		}
		b := q.start + (t-q.start)/q.period*q.period
		o := m[b]
		if o == nil {
			o = &observations{summaryOnly: !q.dist}
			m[b] = o
		}
		return o
	}
	for i := range data.Points {
		p := &data.Points[i]
		if q.unit != "" && p.Unit != q.unit {
			continue
		}
		t := p.Timestamp / 1000
		if p.Resolution != 1 {
			// Standard-resolution data is stored at one-minute granularity.
			t = floor(t, 60)
		}
		if o := at(p.MetricID, t); o != nil {
			o.addPoint(&p.PointValue)
		}
	}
	for _, r := range data.Rollups {
		if q.unit != "" && r.Unit != q.unit {
			continue
		}
		it := chunk.NewIterator(r.Data)
		for it.Next() {
			s := it.At()
			if o := at(r.MetricID, s.T); o != nil {
				o.addSample(&s, r.Unit)
			}
		}
		if err := it.Err(); err != nil {
			return nil, err
		}
	}
	out := make(map[int64]*periods, len(byMetric))
	for id, m := range byMetric {
		p := &periods{times: make([]int64, 0, len(m))}
		for t := range m {
			p.times = append(p.times, t)
		}
		slices.Sort(p.times)
		p.obs = make([]*observations, len(p.times))
		for i, t := range p.times {
			p.obs[i] = m[t]
		}
		out[id] = p
	}
	return out, nil
}

// value computes a statistic over a period's observations, reporting false
// when there is no datapoint. CloudWatch offers no percentile over data
// with negative values.
func value(st stats.Statistic, o *observations) (float64, bool) {
	if st.Extended() {
		if st.Kind() == stats.Percentile && o.stat().Min < 0 {
			return 0, false
		}
		return stats.Compute(st, o.distribution())
	}
	sum := o.stat()
	if sum.IsEmpty() {
		return 0, false
	}
	switch st.Kind() {
	case stats.SampleCount:
		return sum.Count, true
	case stats.Average:
		return sum.Sum / sum.Count, true
	case stats.Sum:
		return sum.Sum, true
	case stats.Minimum:
		return sum.Min, true
	}
	return sum.Max, true
}

// series returns the time series of a statistic.
func (p *periods) series(st stats.Statistic) series.Series {
	var s series.Series
	if p == nil {
		return s
	}
	for i, o := range p.obs {
		if v, ok := value(st, o); ok {
			s.Timestamps = append(s.Timestamps, p.times[i])
			s.Values = append(s.Values, v)
		}
	}
	return s
}

// roundStart rounds a request's StartTime as CloudWatch does: to the
// period when it is shorter than a minute, else to the minute, to five
// minutes past 15 days ago and to the hour past 63 days ago.
func roundStart(start, now time.Time, period int64) int64 {
	t := start.Unix()
	age := now.Sub(start)
	switch {
	case period < 60:
		return floor(t, period)
	case age > tiers[1].keep:
		return floor(t, 3600)
	case age > tiers[0].keep:
		return floor(t, 300)
	}
	return floor(t, 60)
}

// periodAvailable applies CloudWatch's rule: "If the StartTime parameter
// specifies a time stamp that is greater than 3 hours ago, you must
// specify the period as follows or no data points in that time range is
// returned": a multiple of 60 seconds up to 15 days ago, of 300 up to 63
// days ago and of 3600 beyond.
func periodAvailable(start, now time.Time, period int64) bool {
	age := now.Sub(start)
	switch {
	case age > tiers[1].keep:
		return period%3600 == 0
	case age > tiers[0].keep:
		return period%300 == 0
	case age > highResKeep:
		return period%60 == 0
	}
	return true
}

// validPeriod reports whether a period is one CloudWatch accepts: 1, 5,
// 10, 20, 30 or a multiple of 60 seconds.
func validPeriod(p int64) bool {
	return p > 0 && (p%60 == 0 || slices.Contains([]int64{1, 5, 10, 20, 30}, p))
}
