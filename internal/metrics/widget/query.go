package widget

import (
	"strings"
	"time"
)

// Request is what a widget needs fetched, in the terms of GetMetricData:
// the queries, over one time range.
type Request struct {
	// Start and End bound the time range, resolved against now.
	Start, End time.Time
	// Queries are the widget's rows, in order.
	Queries []Query
	// LiveData asks for the last, not yet complete, minute too.
	LiveData bool
}

// Query is one metric or expression to fetch, as a MetricDataQuery.
type Query struct {
	// ID names the query; Render expects the data under it.
	ID string
	// Expression is set for a math expression; otherwise Namespace,
	// MetricName and Dimensions identify the metric.
	Expression string
	Namespace  string
	MetricName string
	Dimensions []Dimension
	// Stat is the statistic of a metric; empty for expressions.
	Stat string
	// Period is in seconds.
	Period int
	// Label is the row's label option, or the generated one.
	Label string
	// ReturnData is false for rows that only feed expressions.
	ReturnData bool
	// Region is the row's region option, if any.
	Region string
}

// timeRange is a resolved time range.
type timeRange struct {
	start, end time.Time
}

// Queries returns the queries the widget needs, with its time range
// resolved against now and each row's statistic and period settled. It
// also pins that time range for Render, so call it before Render; a Widget
// is not safe for concurrent use.
func (w *Widget) Queries(now time.Time) (Request, error) {
	start, end := w.Start.At(now).UTC(), w.End.At(now).UTC()
	if !start.Before(end) {
		return Request{}, &Error{Code: CodeInvalidParameterCombination, Message: "The parameter MetricWidget.start must be less than the parameter MetricWidget.end."}
	}
	w.resolved = &timeRange{start: start, end: end}
	wholeRange := 0
	if w.SetPeriodToTimeRange && w.View != ViewTimeSeries {
		// One period spanning the range, rounded up to whole minutes.
		secs := int64(end.Sub(start).Seconds()+59) / 60 * 60
		wholeRange = int(min(secs, 1<<31-1-59) / 60 * 60)
	}
	req := Request{Start: start, End: end, LiveData: w.LiveData}
	for i := range w.Metrics {
		m := &w.Metrics[i]
		q := Query{
			ID:         m.ID,
			Expression: m.Expression,
			Namespace:  m.Namespace,
			MetricName: m.MetricName,
			Dimensions: m.Dimensions,
			Period:     w.periodOf(m),
			Label:      w.labelOf(i),
			ReturnData: m.Visible,
			Region:     m.Region,
		}
		if m.Expression == "" {
			q.Stat = w.statOf(m)
		}
		if wholeRange > 0 {
			q.Period = wholeRange
		}
		req.Queries = append(req.Queries, q)
	}
	return req, nil
}

// periodOf returns a row's period.
func (w *Widget) periodOf(m *Metric) int {
	if m.Period != 0 {
		return m.Period
	}
	return w.Period
}

// statOf returns a metric row's statistic.
func (w *Widget) statOf(m *Metric) string {
	if m.Stat != "" {
		return m.Stat
	}
	return w.Stat
}

// labelOf returns row i's label: its label option, or, as the console
// generates them, the metric name, followed by the dimension values when
// another row has the same metric name, or the expression's id.
func (w *Widget) labelOf(i int) string {
	m := &w.Metrics[i]
	if m.Label != "" {
		return m.Label
	}
	if m.Expression != "" {
		return m.ID
	}
	shared := false
	for j := range w.Metrics {
		if j != i && w.Metrics[j].Expression == "" && w.Metrics[j].MetricName == m.MetricName {
			shared = true
			break
		}
	}
	if !shared || len(m.Dimensions) == 0 {
		return m.MetricName
	}
	var b strings.Builder
	b.WriteString(m.MetricName)
	for _, d := range m.Dimensions {
		b.WriteByte(' ')
		b.WriteString(d.Value)
	}
	return b.String()
}
