package logs

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/logs/filterpattern"
	"github.com/vigilhq/vigil/internal/store"
)

// maxMetricFilters is the number of metric filters a log group may have.
const maxMetricFilters = 100

// Transformation says what metric a metric filter publishes.
type Transformation struct {
	MetricName      string            `json:"metricName"`
	MetricNamespace string            `json:"metricNamespace"`
	MetricValue     string            `json:"metricValue"`
	DefaultValue    *float64          `json:"defaultValue,omitempty"`
	Dimensions      map[string]string `json:"dimensions,omitempty"`
	Unit            string            `json:"unit,omitempty"`
}

// MetricFilter is a metric filter as DescribeMetricFilters returns it.
type MetricFilter struct {
	Group          string
	Name           string
	Pattern        string
	Transformation Transformation
	Created        int64
}

// parsePattern compiles a filter pattern with AWS's error.
func parsePattern(pattern string) (*filterpattern.Pattern, error) {
	p, err := filterpattern.Parse(pattern)
	if err != nil {
		return nil, errorf(InvalidParameter, "Invalid filter pattern: %v", err)
	}
	return p, nil
}

// selector reports whether s names an extracted field ($.a.b or $name).
func selector(s string) bool { return strings.HasPrefix(s, "$") }

// checkTransformation applies AWS's rules to a metric transformation.
func checkTransformation(t Transformation) error {
	if strings.HasPrefix(t.MetricNamespace, "AWS/") {
		return errorf(InvalidParameter, "Invalid metric namespace %s: namespaces starting with AWS/ are reserved for AWS services.", t.MetricNamespace)
	}
	if !selector(t.MetricValue) {
		if _, ok := metricValue(t.MetricValue); !ok {
			return errorf(InvalidParameter, "Invalid metric value %q: use a number, $.jsonField or $namedField.", t.MetricValue)
		}
	}
	if len(t.Dimensions) > 3 {
		return errorf(InvalidParameter, "A metric filter can have at most 3 dimensions.")
	}
	if len(t.Dimensions) > 0 && t.DefaultValue != nil {
		return errorf(InvalidParameter, "Metric filters with dimensions cannot have a default value.")
	}
	for k, v := range t.Dimensions {
		if !selector(v) {
			return errorf(InvalidParameter, "Invalid dimension %s: its value %q must name a field ($.jsonField or $namedField).", k, v)
		}
	}
	return nil
}

// PutMetricFilter creates or replaces a metric filter.
func (e *Engine) PutMetricFilter(ctx context.Context, sc Scope, f MetricFilter) error {
	if _, err := parsePattern(f.Pattern); err != nil {
		return err
	}
	if err := checkTransformation(f.Transformation); err != nil {
		return err
	}
	g, err := e.group(ctx, sc, f.Group, "")
	if err != nil {
		return err
	}
	existing, err := e.opt.Store.MetricFilters(ctx, sc.Account, sc.Region, g.ID)
	if err != nil {
		return err
	}
	if len(existing) >= maxMetricFilters && !slices.ContainsFunc(existing, func(m store.MetricFilter) bool { return m.Name == f.Name }) {
		return errorf(LimitExceeded, "Resource limit exceeded.")
	}
	t, _ := json.Marshal(f.Transformation)
	defer e.forgetFilters(g.ID)
	return e.opt.Store.PutMetricFilter(ctx, store.MetricFilter{GroupID: g.ID, Name: f.Name, Pattern: f.Pattern, Transformation: string(t), Created: e.now()})
}

// DeleteMetricFilter deletes a metric filter.
func (e *Engine) DeleteMetricFilter(ctx context.Context, sc Scope, group, name string) error {
	g, err := e.group(ctx, sc, group, "")
	if err != nil {
		return err
	}
	defer e.forgetFilters(g.ID)
	err = e.opt.Store.DeleteMetricFilter(ctx, g.ID, name)
	if errors.Is(err, store.ErrNotFound) {
		return errorf(ResourceNotFound, "The specified metric filter does not exist.")
	}
	return err
}

// MetricFilterQuery is DescribeMetricFilters' input.
type MetricFilterQuery struct {
	Group      string
	NamePrefix string
	// MetricName and Namespace select filters publishing that metric.
	MetricName, Namespace string
	Limit                 int
	NextToken             string
}

// DescribeMetricFilters lists metric filters, a page at a time.
func (e *Engine) DescribeMetricFilters(ctx context.Context, sc Scope, q MetricFilterQuery) ([]MetricFilter, string, error) {
	if (q.MetricName == "") != (q.Namespace == "") {
		return nil, "", errorf(InvalidParameter, "metricName and metricNamespace must be specified together.")
	}
	if q.NamePrefix != "" && q.Group == "" {
		return nil, "", errorf(InvalidParameter, "logGroupName is required when filterNamePrefix is specified.")
	}
	var groupID int64
	names := map[int64]string{}
	if q.Group != "" {
		g, err := e.group(ctx, sc, q.Group, "")
		if err != nil {
			return nil, "", err
		}
		groupID, names[g.ID] = g.ID, g.Name
	} else {
		groups, err := e.opt.Store.LogGroups(ctx, store.LogGroupQuery{Account: sc.Account, Region: sc.Region})
		if err != nil {
			return nil, "", err
		}
		for _, g := range groups {
			names[g.ID] = g.Name
		}
	}
	stored, err := e.opt.Store.MetricFilters(ctx, sc.Account, sc.Region, groupID)
	if err != nil {
		return nil, "", err
	}
	var all []MetricFilter
	for _, m := range stored {
		var t Transformation
		if err := json.Unmarshal([]byte(m.Transformation), &t); err != nil {
			return nil, "", err
		}
		if !strings.HasPrefix(m.Name, q.NamePrefix) || (q.MetricName != "" && (t.MetricName != q.MetricName || t.MetricNamespace != q.Namespace)) {
			continue
		}
		all = append(all, MetricFilter{Group: names[m.GroupID], Name: m.Name, Pattern: m.Pattern, Transformation: t, Created: m.Created})
	}
	return paginate(all, q.Limit, 50, q.NextToken, "metricfilters", func(f MetricFilter) string { return f.Group + "\x00" + f.Name })
}

// paginate pages a sorted list by a key, with an opaque token.
func paginate[T any](all []T, limit, defaultLimit int, token, kind string, key func(T) string) ([]T, string, error) {
	if limit == 0 {
		limit = defaultLimit
	}
	if token != "" {
		var after string
		if err := decodeToken(token, kind, &after); err != nil {
			return nil, "", err
		}
		i := 0
		for i < len(all) && key(all[i]) <= after {
			i++
		}
		all = all[i:]
	}
	if len(all) > limit {
		return all[:limit], encodeToken(kind, key(all[limit-1])), nil
	}
	return all, "", nil
}

// MatchRecord is one TestMetricFilter match.
type MatchRecord struct {
	EventNumber int64
	Message     string
	Extracted   map[string]string
}

// TestMetricFilter runs a pattern over sample messages.
func (e *Engine) TestMetricFilter(pattern string, messages []string) ([]MatchRecord, error) {
	p, err := parsePattern(pattern)
	if err != nil {
		return nil, err
	}
	var out []MatchRecord
	for i, m := range messages {
		fields, ok := p.Extract(m)
		if !ok {
			continue
		}
		out = append(out, MatchRecord{EventNumber: int64(i + 1), Message: m, Extracted: fields.All()})
	}
	return out, nil
}

// compiledMetricFilter is a metric filter ready to run on ingestion.
type compiledMetricFilter struct {
	name    string
	pattern *filterpattern.Pattern
	t       Transformation
}

// base returns the filter's data point at ts without value or dimensions.
func (f *compiledMetricFilter) base(ts int64) Datum {
	d := Datum{
		Namespace: f.t.MetricNamespace, Name: f.t.MetricName, Timestamp: time.UnixMilli(ts).UTC(),
		Unit: f.t.Unit, StorageResolution: 60,
	}
	if d.Unit == "" {
		d.Unit = "None"
	}
	return d
}

// datum computes the data point a matching event publishes; ok is false
// when the value or a dimension is missing or not a number.
func (f *compiledMetricFilter) datum(fields filterpattern.Fields, ts int64) (Datum, bool) {
	d := f.base(ts)
	raw := f.t.MetricValue
	if selector(raw) {
		v, ok := fields.Get(raw)
		if !ok {
			return d, false
		}
		raw = v
	}
	v, ok := metricValue(raw)
	if !ok {
		return d, false
	}
	d.Value = v
	for _, name := range slices.Sorted(maps.Keys(f.t.Dimensions)) {
		val, ok := fields.Get(f.t.Dimensions[name])
		if !ok || val == "" {
			return d, false
		}
		d.Dimensions = append(d.Dimensions, Dimension{Name: name, Value: val})
	}
	return d, true
}

// metricValue reads a metric filter's value: a finite number (CloudWatch
// stores neither NaN nor infinities, which strconv would read).
func metricValue(raw string) (float64, bool) {
	v, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
	return v, err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
}
