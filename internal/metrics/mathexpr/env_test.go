package mathexpr

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/metrics/series"
)

// fakeEnv is a fixed Env: queries by Id, a metric catalog for SEARCH, and
// an anomaly band of ±stddevs around the series.
type fakeEnv struct {
	start, end, period int64
	order              []string // MetricStat query Ids in request order
	results            map[string]Value
	catalog            []Series
	searches           int
}

func newFakeEnv() *fakeEnv {
	return &fakeEnv{end: 300, period: 60, results: map[string]Value{}}
}

func (f *fakeEnv) Query(id string) (Value, bool) { v, ok := f.results[id]; return v, ok }

func (f *fakeEnv) All() []NamedValue {
	out := make([]NamedValue, 0, len(f.order))
	for _, id := range f.order {
		out = append(out, NamedValue{ID: id, Value: f.results[id]})
	}
	return out
}

func (f *fakeEnv) Search(q *SearchQuery, stat string, period int64) ([]Series, error) {
	f.searches++
	var out []Series
	for _, s := range f.catalog {
		if q.Match(s.Metric.Namespace, s.Metric.Name, s.Metric.Dimensions) {
			m := *s.Metric
			m.Stat = stat
			s.Metric = &m
			s.Period = period
			out = append(out, s)
		}
	}
	return out, nil
}

func (f *fakeEnv) AnomalyBand(s Series, n float64) (lower, upper Series, err error) {
	lo := make([]float64, len(s.Values))
	hi := make([]float64, len(s.Values))
	for i, v := range s.Values {
		lo[i], hi[i] = v-n, v+n
	}
	lower, upper = derive(s, s.Timestamps, lo), derive(s, s.Timestamps, hi)
	lower.Label, upper.Label = s.Label+" lower", s.Label+" upper"
	return lower, upper, nil
}

func (f *fakeEnv) Start() int64  { return f.start }
func (f *fakeEnv) End() int64    { return f.end }
func (f *fakeEnv) Period() int64 { return f.period }

// addMetric adds a MetricStat query result.
func (f *fakeEnv) addMetric(id string, s Series) {
	f.order = append(f.order, id)
	f.results[id] = SeriesValue(s)
}

// parseTime reads a Unix time or an RFC 3339 time.
func parseTime(s string) (int64, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return 0, fmt.Errorf("cannot parse time %q: %w", s, err)
	}
	return t.Unix(), nil
}

// parseEnv reads an "env" section: start, end and period lines.
func (f *fakeEnv) parseEnv(body string) error {
	for line := range strings.Lines(body) {
		fs := strings.Fields(line)
		if len(fs) == 0 || strings.HasPrefix(fs[0], "#") {
			continue
		}
		if len(fs) != 2 {
			return fmt.Errorf("bad env line %q", line)
		}
		v, err := parseTime(fs[1])
		if err != nil {
			return err
		}
		switch fs[0] {
		case "start":
			f.start = v
		case "end":
			f.end = v
		case "period":
			f.period = v
		default:
			return fmt.Errorf("unknown env key %q", fs[0])
		}
	}
	return nil
}

// parseMetricSpec reads "Namespace | Name | Dim=Value | …".
func parseMetricSpec(spec string) *Metric {
	parts := strings.Split(spec, "|")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	m := &Metric{Namespace: parts[0], Dimensions: map[string]string{}}
	if len(parts) > 1 {
		m.Name = parts[1]
	}
	for _, d := range parts[2:] {
		k, v, _ := strings.Cut(d, "=")
		m.Dimensions[k] = v
	}
	return m
}

// defaultLabel is the label the fake SEARCH gives a metric: its dimension
// values in name order, then its name.
func defaultLabel(m *Metric) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m.Dimensions)) {
		parts = append(parts, m.Dimensions[k])
	}
	return strings.Join(append(parts, m.Name), " ")
}

// parseSeries reads a series body: optional "label …", "period N" and
// "metric Namespace | Name | Dim=Value" lines, then points, as "t v"
// lines or one "values v0 v1 - v3" line on the request's grid ("-" is a
// missing point). It returns the series and, for a want section, whether
// it is a new series of an array ("series label" lines separate them).
func (f *fakeEnv) parseSeries(body string) ([]Series, error) {
	var out []Series
	cur := func() *Series {
		if len(out) == 0 {
			out = append(out, Series{Period: f.period})
		}
		return &out[len(out)-1]
	}
	for line := range strings.Lines(body) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, rest, _ := strings.Cut(line, " ")
		switch key {
		case "series":
			out = append(out, Series{Series: series.Series{Label: rest}, Period: f.period})
		case "label":
			cur().Label = rest
		case "period":
			p, err := strconv.ParseInt(rest, 10, 64)
			if err != nil {
				return nil, err
			}
			cur().Period = p
		case "metric":
			cur().Metric = parseMetricSpec(rest)
		case "values":
			s := cur()
			step := s.Period
			for i, fv := range strings.Fields(rest) {
				if fv == "-" {
					continue
				}
				v, err := strconv.ParseFloat(fv, 64)
				if err != nil {
					return nil, err
				}
				s.Timestamps = append(s.Timestamps, f.start+int64(i)*step)
				s.Values = append(s.Values, v)
			}
		default:
			t, err := parseTime(key)
			if err != nil {
				return nil, fmt.Errorf("bad series line %q: %w", line, err)
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err != nil {
				return nil, fmt.Errorf("bad series line %q: %w", line, err)
			}
			s := cur()
			s.Timestamps = append(s.Timestamps, t)
			s.Values = append(s.Values, v)
		}
	}
	for _, s := range out {
		if !sort.SliceIsSorted(s.Timestamps, func(i, j int) bool { return s.Timestamps[i] < s.Timestamps[j] }) {
			return nil, fmt.Errorf("series %q: timestamps out of order", s.Label)
		}
	}
	return out, nil
}

// formatValue prints a Value in the corpus's want notation.
func formatValue(v Value) string {
	var b strings.Builder
	for _, s := range v.Series {
		if v.Array {
			fmt.Fprintf(&b, "series %s\n", s.Label)
		}
		for i, t := range s.Timestamps {
			fmt.Fprintf(&b, "%d %s\n", t, strconv.FormatFloat(s.Values[i], 'g', -1, 64))
		}
	}
	return b.String()
}
