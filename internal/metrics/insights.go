package metrics

import (
	"errors"
	"fmt"

	"github.com/vigilhq/vigil/internal/metrics/insightsql"
	"github.com/vigilhq/vigil/internal/metrics/mathexpr"
	"github.com/vigilhq/vigil/internal/metrics/series"
	"github.com/vigilhq/vigil/internal/metrics/stats"
	"github.com/vigilhq/vigil/internal/store"
)

// parseInsights parses the Metrics Insights queries of a request, so that
// a malformed one fails it before anything runs.
func parseInsights(qs []Query) (map[string]*insightsql.Query, error) {
	out := map[string]*insightsql.Query{}
	var msgs []error
	for _, q := range qs {
		if !mathexpr.IsInsightsQuery(q.Expression) {
			continue
		}
		parsed, err := insightsql.Parse(q.Expression)
		if err != nil {
			var ie *insightsql.Error
			if errors.As(err, &ie) {
				err = fmt.Errorf("Error in expression '%s': %s", q.ID, ie.Message)
			}
			msgs = append(msgs, err)
			continue
		}
		out[q.ID] = parsed
	}
	if len(msgs) > 0 {
		return nil, &Error{Code: ValidationError, Message: errors.Join(msgs...).Error()}
	}
	return out, nil
}

// insightsQuery runs a Metrics Insights query of a GetMetricData request.
func (v *dataEnv) insightsQuery(q *insightsql.Query, period int64) (mathexpr.Value, []Message, error) {
	start := roundStart(v.startTime, v.now, period)
	res, err := q.Eval(&insightsEnv{v: v, ids: map[string]int64{}}, period, start, v.end)
	if err != nil {
		return mathexpr.Value{}, nil, err
	}
	out := make([]mathexpr.Series, len(res.Series))
	for i, s := range res.Series {
		m := &mathexpr.Metric{Namespace: q.Namespace, Name: q.MetricName, Stat: q.Function.String()}
		if res.Groups != nil {
			m.Dimensions = res.Groups[i]
		}
		out[i] = mathexpr.Series{Series: s, Period: max(period, insightsql.MinPeriod), Metric: m}
	}
	val := mathexpr.ArrayValue(out)
	if !res.Array && len(out) == 1 {
		val = mathexpr.SeriesValue(out[0])
	}
	msgs := make([]Message, len(res.Messages))
	for i, m := range res.Messages {
		msgs[i] = Message{Code: m.Code, Value: m.Value}
	}
	return val, msgs, nil
}

// insightsEnv is the metrics a Metrics Insights query reads: those of
// the request's account and region.
type insightsEnv struct {
	v   *dataEnv
	ids map[string]int64 // metric ids by insightsKey
}

func (x *insightsEnv) Horizon() int64 {
	return x.v.now.Unix() - insightsql.Lookback
}

func (x *insightsEnv) Metrics(namespace, metricName string, match func(insightsql.Metric) bool, limit int) ([]insightsql.Metric, error) {
	v := x.v
	sq := store.MetricQuery{Account: v.sc.Account, Region: v.sc.Region, Namespace: namespace, Name: metricName,
		SeenSince: x.Horizon() * 1000, Limit: listPage}
	var out []insightsql.Metric
	for {
		page, err := v.e.opt.Store.ListMetrics(v.ctx, sq)
		if err != nil {
			return nil, err
		}
		for _, m := range page {
			im := insightsql.Metric{Namespace: m.Key.Namespace, Name: m.Key.Name, Dimensions: dimensionMap(DecodeDimensions(m.Key.Dimensions))}
			if !match(im) {
				continue
			}
			x.ids[insightsKey(im)] = m.ID
			if out = append(out, im); len(out) > limit {
				return out, nil
			}
		}
		if len(page) < sq.Limit {
			return out, nil
		}
		sq.AfterKey = &page[len(page)-1].Key
	}
}

func (x *insightsEnv) Series(metrics []insightsql.Metric, stat string, period, start, end int64) ([]series.Series, error) {
	st, err := stats.Parse(stat)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(metrics))
	for i, m := range metrics {
		ids[i] = x.ids[insightsKey(m)]
	}
	data, err := x.v.e.fetch(x.v.ctx, fetchQuery{ids: ids, start: start, end: end, period: period})
	if err != nil {
		return nil, err
	}
	out := make([]series.Series, len(metrics))
	for i, id := range ids {
		out[i] = data[id].series(st)
	}
	return out, nil
}

// insightsKey identifies a metric of a query: Metrics Insights reads one
// namespace and metric name, so its dimensions tell metrics apart.
func insightsKey(m insightsql.Metric) string {
	dims := make([]Dimension, 0, len(m.Dimensions))
	for k, v := range m.Dimensions {
		dims = append(dims, Dimension{Name: k, Value: v})
	}
	key, _ := canonicalDimensions(dims, paramPath{})
	return m.Namespace + "\x00" + m.Name + "\x00" + key
}
