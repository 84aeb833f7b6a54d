package insightsql

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/vigilhq/vigil/internal/metrics/series"
	"github.com/vigilhq/vigil/internal/metrics/stats"
)

// fakeMetric is a metric with its raw observations by timestamp.
type fakeMetric struct {
	Metric
	obs map[int64][]float64
}

// fakeEnv is an in-memory Env. Series computes each statistic from the
// raw observations of each period with stats.Compute, as CloudWatch
// computes them from what was put.
type fakeEnv struct {
	horizon     int64
	metrics     []*fakeMetric
	byKey       map[string]*fakeMetric
	listCalls   int
	seriesCalls int
	// series, when set, answers Series instead (benchmarks).
	series map[string][]series.Series
}

func newFakeEnv() *fakeEnv { return &fakeEnv{byKey: map[string]*fakeMetric{}} }

func metricKey(m Metric) string {
	var b strings.Builder
	b.WriteString(strconv.Quote(m.Namespace) + strconv.Quote(m.Name))
	for _, k := range slices.Sorted(maps.Keys(m.Dimensions)) {
		b.WriteString(strconv.Quote(k) + strconv.Quote(m.Dimensions[k]))
	}
	return b.String()
}

func (f *fakeEnv) add(m Metric, obs map[int64][]float64) {
	fm := &fakeMetric{Metric: m, obs: obs}
	f.metrics = append(f.metrics, fm)
	f.byKey[metricKey(m)] = fm
}

func (f *fakeEnv) Horizon() int64 { return f.horizon }

func (f *fakeEnv) Metrics(namespace, name string, match func(Metric) bool, limit int) ([]Metric, error) {
	f.listCalls++
	var out []Metric
	for _, m := range f.metrics {
		if m.Namespace == namespace && m.Name == name && match(m.Metric) {
			out = append(out, m.Metric)
			if len(out) > limit {
				break
			}
		}
	}
	return out, nil
}

func (f *fakeEnv) Series(ms []Metric, stat string, period, start, end int64) ([]series.Series, error) {
	f.seriesCalls++
	if f.series != nil {
		return f.series[stat][:len(ms)], nil
	}
	st, err := stats.Parse(stat)
	if err != nil {
		return nil, err
	}
	out := make([]series.Series, len(ms))
	for i, m := range ms {
		fm := f.byKey[metricKey(m)]
		if fm == nil {
			return nil, fmt.Errorf("unknown metric %v", m)
		}
		buckets := map[int64]*stats.Values{}
		for t, vs := range fm.obs {
			if t < start || t >= end {
				continue
			}
			b := start + (t-start)/period*period
			if buckets[b] == nil {
				buckets[b] = &stats.Values{}
			}
			for _, v := range vs {
				buckets[b].Add(v)
			}
		}
		for _, b := range slices.Sorted(maps.Keys(buckets)) {
			if v, ok := stats.Compute(st, buckets[b]); ok {
				out[i].Timestamps = append(out[i].Timestamps, b)
				out[i].Values = append(out[i].Values, v)
			}
		}
	}
	return out, nil
}

// parseMetricSpec reads "namespace | name | k=v; k=v".
func parseMetricSpec(spec string) (Metric, error) {
	parts := strings.Split(spec, " | ")
	if len(parts) < 2 || len(parts) > 3 {
		return Metric{}, fmt.Errorf("metric %q: want namespace | name [| dims]", spec)
	}
	m := Metric{Namespace: strings.TrimSpace(parts[0]), Name: strings.TrimSpace(parts[1])}
	if len(parts) == 3 && strings.TrimSpace(parts[2]) != "" {
		m.Dimensions = map[string]string{}
		for _, d := range strings.Split(parts[2], ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(d), "=")
			if !ok {
				return Metric{}, fmt.Errorf("metric %q: dimension %q is not k=v", spec, d)
			}
			m.Dimensions[k] = v
		}
	}
	return m, nil
}

// parseObservations reads "t v v …" lines.
func parseObservations(body string) (map[int64][]float64, error) {
	obs := map[int64][]float64{}
	for line := range strings.Lines(body) {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		t, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("line %q: %v", line, err)
		}
		for _, s := range f[1:] {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, fmt.Errorf("line %q: %v", line, err)
			}
			obs[t] = append(obs[t], v)
		}
	}
	return obs, nil
}

// formatSeries writes a series as a want line: its quoted label and its
// "t:v" points.
func formatSeries(s series.Series) string {
	var b strings.Builder
	b.WriteString(strconv.Quote(s.Label))
	for i, t := range s.Timestamps {
		fmt.Fprintf(&b, " %d:%s", t, strconv.FormatFloat(s.Values[i], 'g', -1, 64))
	}
	return b.String()
}

// parseWant reads want lines back into series.
func parseWant(body string) ([]series.Series, error) {
	var out []series.Series
	for line := range strings.Lines(body) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		label, err := strconv.QuotedPrefix(line)
		if err != nil {
			return nil, fmt.Errorf("want line %q: the label must be quoted", line)
		}
		s := series.Series{}
		s.Label, _ = strconv.Unquote(label)
		for _, p := range strings.Fields(line[len(label):]) {
			ts, vs, ok := strings.Cut(p, ":")
			t, err1 := strconv.ParseInt(ts, 10, 64)
			v, err2 := strconv.ParseFloat(vs, 64)
			if !ok || err1 != nil || err2 != nil {
				return nil, fmt.Errorf("want line %q: point %q is not t:v", line, p)
			}
			s.Timestamps = append(s.Timestamps, t)
			s.Values = append(s.Values, v)
		}
		out = append(out, s)
	}
	return out, nil
}
