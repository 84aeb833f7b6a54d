package metrics

import (
	"context"
	"errors"
	"time"

	"github.com/vigilhq/vigil/internal/metrics/series"
	"github.com/vigilhq/vigil/internal/metrics/widget"
)

// GetMetricWidgetImage renders a metric widget (the JSON of
// GetMetricWidgetImage's MetricWidget) as a PNG or SVG image: it fetches
// the widget's queries through GetMetricData and draws them.
func (e *Engine) GetMetricWidgetImage(ctx context.Context, sc Scope, widgetJSON, format string) ([]byte, error) {
	w, err := widget.ParseWidget(widgetJSON)
	if err != nil {
		return nil, widgetError(err)
	}
	now := e.opt.Clock.Now()
	req, err := w.Queries(now)
	if err != nil {
		return nil, widgetError(err)
	}
	end := req.End
	if !req.LiveData {
		// The last minute is still filling: leave it out unless asked.
		end = minTime(end, now.Truncate(time.Minute))
	}
	dq := DataQuery{Start: req.Start, End: end, ScanBy: "TimestampAscending"}
	for _, q := range req.Queries {
		if q.Region != "" && q.Region != sc.Region {
			return nil, errorf(InvalidParameterValue, "The value %s for a metric's region is invalid: Vigil renders the metrics of the request's region (%s) only.", q.Region, sc.Region)
		}
		returnData := q.ReturnData
		dq.Queries = append(dq.Queries, Query{ID: q.ID, Label: q.Label, ReturnData: &returnData})
		last := &dq.Queries[len(dq.Queries)-1]
		if q.Expression != "" {
			last.Expression, last.Period = q.Expression, int64(q.Period)
			continue
		}
		dims := make([]Dimension, len(q.Dimensions))
		for i, d := range q.Dimensions {
			dims[i] = Dimension{Name: d.Name, Value: d.Value}
		}
		last.Stat = &MetricStat{Metric: MetricID{Namespace: q.Namespace, Name: q.MetricName, Dimensions: dims}, Period: int64(q.Period), Stat: q.Stat}
	}
	data := map[string][]series.Series{}
	if dq.Start.Before(dq.End) && len(dq.Queries) > 0 {
		res, err := e.GetMetricData(ctx, sc, dq)
		if err != nil {
			return nil, err
		}
		for _, r := range res.Results {
			s := series.Series{Label: r.Label, Values: r.Values, Timestamps: make([]int64, len(r.Timestamps))}
			for i, t := range r.Timestamps {
				s.Timestamps[i] = t.Unix()
			}
			data[r.ID] = append(data[r.ID], s)
		}
	}
	img, err := w.Render(data, format)
	if err != nil {
		return nil, widgetError(err)
	}
	return img, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// widgetError turns a refused widget into an engine error.
func widgetError(err error) error {
	var we *widget.Error
	if !errors.As(err, &we) {
		return err
	}
	switch we.Code {
	case widget.CodeInvalidParameterCombination:
		return &Error{Code: InvalidParameterCombination, Message: we.Message}
	case widget.CodeMissingParameter:
		return &Error{Code: MissingParameter, Message: we.Message}
	}
	return &Error{Code: InvalidParameterValue, Message: we.Message}
}
