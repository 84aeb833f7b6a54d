package cloudwatch

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/vigilhq/vigil/internal/alarms"
	"github.com/vigilhq/vigil/internal/api"
	"github.com/vigilhq/vigil/internal/metrics"
	"github.com/vigilhq/vigil/internal/metrics/anomaly"
	"github.com/vigilhq/vigil/internal/metrics/dashboards"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/request"
)

// Provider implements the CloudWatch operations on the metrics engine
// and the alarms service.
type Provider struct {
	Unimplemented
	engine     *metrics.Engine
	alarms     *alarms.Service
	dashboards *dashboards.Service
}

// New returns the CloudWatch API over the metrics engine, the alarms
// service and the dashboards service.
func New(e *metrics.Engine, a *alarms.Service, d *dashboards.Service) *Provider {
	return &Provider{engine: e, alarms: a, dashboards: d}
}

// scope returns the request's account and region.
func scope(ctx context.Context) metrics.Scope {
	info := request.FromContext(ctx)
	return metrics.Scope{Account: info.Principal.Account, Region: info.Region}
}

// apiError maps engine errors to the modeled exceptions.
func apiError(err error) error {
	var e *metrics.Error
	if !errors.As(err, &e) {
		return err
	}
	msg := &e.Message
	switch e.Code {
	case metrics.InvalidParameterValue:
		return &InvalidParameterValueException{Message: msg}
	case metrics.InvalidParameterCombination:
		return &InvalidParameterCombinationException{Message: msg}
	case metrics.MissingParameter:
		return &MissingRequiredParameterException{Message: msg}
	case metrics.ResourceNotFound:
		return &ResourceNotFoundException{Message: msg}
	case metrics.LimitExceeded:
		return &LimitExceededException{Message: msg}
	case metrics.InvalidNextToken:
		return &InvalidNextToken{Message: msg}
	case metrics.ValidationError:
		return validationError(e.Message)
	}
	return err
}

// validationError is CloudWatch's ValidationError: the code of Coral's
// validation, which the service also uses for refused queries.
func validationError(msg string) error {
	return &protocol.Error{Code: Model.ValidationError, QueryCode: Model.ValidationQueryCode, Namespace: "com.amazon.coral.validate",
		Status: http.StatusBadRequest, Message: msg}
}

// PutMetricData stores data points.
func (s *Provider) PutMetricData(ctx context.Context, in *PutMetricDataInput) (*PutMetricDataOutput, error) {
	n, ndims := 0, 0
	count := func(list []MetricDatum) {
		n += len(list)
		for i := range list {
			ndims += len(list[i].Dimensions)
		}
	}
	count(in.MetricData)
	for _, e := range in.EntityMetricData {
		count(e.MetricData)
	}
	if n == 0 {
		return nil, &MissingRequiredParameterException{Message: api.Ptr("The parameter MetricData is required.")}
	}
	data := make([]metrics.Datum, 0, n)
	dims := make([]metrics.Dimension, 0, ndims) // one array for every datum's dimensions
	add := func(list []MetricDatum, param string) error {
		for i := range list {
			d, err := datum(*in.Namespace, &list[i], param, i+1)
			if err != nil {
				return err
			}
			start := len(dims)
			for _, dim := range list[i].Dimensions {
				dims = append(dims, metrics.Dimension{Name: *dim.Name, Value: *dim.Value})
			}
			d.Dimensions = dims[start:len(dims):len(dims)]
			data = append(data, d)
		}
		return nil
	}
	if err := add(in.MetricData, "MetricData"); err != nil {
		return nil, err
	}
	for i, e := range in.EntityMetricData {
		if err := add(e.MetricData, fmt.Sprintf("EntityMetricData.member.%d.MetricData", i+1)); err != nil {
			return nil, err
		}
	}
	sc := scope(ctx)
	return nil, apiError(s.engine.Ingest(ctx, sc.Account, sc.Region, data))
}

// datum converts a MetricDatum but for its dimensions, refusing the
// combinations of Value, Values and StatisticValues CloudWatch refuses;
// param and i name it in messages (MetricData.member.3).
func datum(namespace string, m *MetricDatum, list string, i int) (metrics.Datum, error) {
	if m.Value == nil && m.StatisticValues == nil && len(m.Values) == 0 || m.Value != nil && (len(m.Values) > 0 || m.StatisticValues != nil) {
		return metrics.Datum{}, refusedCombination(m, fmt.Sprintf("%s.member.%d", list, i))
	}
	d := metrics.Datum{
		Namespace: namespace, Name: *m.MetricName, Value: api.Value(m.Value), Values: m.Values, Counts: m.Counts,
		Unit: string(m.Unit), StorageResolution: int(api.Value(m.StorageResolution)),
	}
	if m.Timestamp != nil {
		d.Timestamp = *m.Timestamp
	}
	if sv := m.StatisticValues; sv != nil {
		d.Stats = &metrics.StatisticSet{SampleCount: *sv.SampleCount, Sum: *sv.Sum, Minimum: *sv.Minimum, Maximum: *sv.Maximum}
	}
	return d, nil
}

// refusedCombination words the error of a datum that gives none or
// several of Value, Values and StatisticValues.
func refusedCombination(m *MetricDatum, param string) error {
	switch {
	case m.Value != nil && len(m.Values) > 0:
		return exclusive(param+".Value", param+".Values")
	case m.Value != nil && m.StatisticValues != nil:
		return exclusive(param+".Value", param+".StatisticValues")
	}
	return &InvalidParameterCombinationException{Message: api.Ptr(fmt.Sprintf(
		"At least one of the parameters %s.Value and %s.StatisticValues must be specified.", param, param))}
}

func exclusive(a, b string) error {
	return &InvalidParameterCombinationException{Message: api.Ptr(fmt.Sprintf(
		"The parameters %s and %s are mutually exclusive and you have specified both.", a, b))}
}

func dimensions(ds []Dimension) []metrics.Dimension {
	if len(ds) == 0 {
		return nil
	}
	out := make([]metrics.Dimension, len(ds))
	for i, d := range ds {
		out[i] = metrics.Dimension{Name: *d.Name, Value: *d.Value}
	}
	return out
}

func apiDimensions(ds []metrics.Dimension) []Dimension {
	out := make([]Dimension, len(ds))
	for i, d := range ds {
		out[i] = Dimension{Name: api.Ptr(d.Name), Value: api.Ptr(d.Value)}
	}
	return out
}

func metricID(m *Metric) metrics.MetricID {
	if m == nil {
		return metrics.MetricID{}
	}
	return metrics.MetricID{Namespace: api.Value(m.Namespace), Name: api.Value(m.MetricName), Dimensions: dimensions(m.Dimensions)}
}

func apiMetric(m metrics.MetricID) Metric {
	return Metric{Namespace: api.Ptr(m.Namespace), MetricName: api.Ptr(m.Name), Dimensions: apiDimensions(m.Dimensions)}
}

// ListMetrics lists metrics.
func (s *Provider) ListMetrics(ctx context.Context, in *ListMetricsInput) (*ListMetricsOutput, error) {
	sc := scope(ctx)
	if owner := api.Value(in.OwningAccount); owner != "" && owner != sc.Account {
		// Vigil has no linked source accounts: none owns a metric here.
		return &ListMetricsOutput{}, nil
	}
	q := metrics.ListQuery{
		Namespace: api.Value(in.Namespace), Name: api.Value(in.MetricName),
		RecentlyActive: in.RecentlyActive != "", NextToken: api.Value(in.NextToken),
	}
	for _, f := range in.Dimensions {
		q.Dimensions = append(q.Dimensions, metrics.DimensionFilter{Name: *f.Name, Value: f.Value})
	}
	ids, next, err := s.engine.ListMetrics(ctx, sc, q)
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListMetricsOutput{Metrics: make([]Metric, len(ids)), NextToken: api.OptionalString(next)}
	for i, id := range ids {
		out.Metrics[i] = apiMetric(id)
	}
	if api.Value(in.IncludeLinkedAccounts) {
		out.OwningAccounts = make([]string, len(ids))
		for i := range ids {
			out.OwningAccounts[i] = sc.Account
		}
	}
	return out, nil
}

// GetMetricStatistics returns a metric's statistics by period.
func (s *Provider) GetMetricStatistics(ctx context.Context, in *GetMetricStatisticsInput) (*GetMetricStatisticsOutput, error) {
	q := metrics.StatisticsQuery{
		Metric: metrics.MetricID{Namespace: *in.Namespace, Name: *in.MetricName, Dimensions: dimensions(in.Dimensions)},
		Start:  *in.StartTime, End: *in.EndTime, Period: int64(*in.Period),
		Extended: in.ExtendedStatistics, Unit: string(in.Unit),
	}
	for _, st := range in.Statistics {
		q.Statistics = append(q.Statistics, string(st))
	}
	label, dps, err := s.engine.GetMetricStatistics(ctx, scope(ctx), q)
	if err != nil {
		return nil, apiError(err)
	}
	out := &GetMetricStatisticsOutput{Label: &label, Datapoints: make([]Datapoint, len(dps))}
	for i, dp := range dps {
		d := Datapoint{Timestamp: api.Ptr(dp.Timestamp), Unit: StandardUnit(dp.Unit)}
		for _, st := range in.Statistics {
			v, ok := dp.Values[string(st)]
			if !ok {
				continue
			}
			switch st {
			case StatisticSampleCount:
				d.SampleCount = &v
			case StatisticAverage:
				d.Average = &v
			case StatisticSum:
				d.Sum = &v
			case StatisticMinimum:
				d.Minimum = &v
			case StatisticMaximum:
				d.Maximum = &v
			}
		}
		for _, st := range in.ExtendedStatistics {
			if v, ok := dp.Values[st]; ok {
				if d.ExtendedStatistics == nil {
					d.ExtendedStatistics = map[string]float64{}
				}
				d.ExtendedStatistics[st] = v
			}
		}
		out.Datapoints[i] = d
	}
	return out, nil
}

// GetMetricData retrieves metrics and evaluates expressions.
func (s *Provider) GetMetricData(ctx context.Context, in *GetMetricDataInput) (*GetMetricDataOutput, error) {
	q := metrics.DataQuery{
		Queries: dataQueries(in.MetricDataQueries),
		Start:   *in.StartTime, End: *in.EndTime, NextToken: api.Value(in.NextToken),
		ScanBy: string(in.ScanBy), MaxDatapoints: int(api.Value(in.MaxDatapoints)),
	}
	if in.LabelOptions != nil {
		q.Timezone = api.Value(in.LabelOptions.Timezone)
	}
	res, err := s.engine.GetMetricData(ctx, scope(ctx), q)
	if err != nil {
		return nil, apiError(err)
	}
	out := &GetMetricDataOutput{MetricDataResults: make([]MetricDataResult, len(res.Results)), NextToken: api.OptionalString(res.NextToken), Messages: messages(res.Messages)}
	for i, r := range res.Results {
		out.MetricDataResults[i] = MetricDataResult{
			Id: api.Ptr(r.ID), Label: api.Ptr(r.Label), Timestamps: r.Timestamps, Values: r.Values,
			StatusCode: StatusCode(r.StatusCode), Messages: messages(r.Messages),
		}
	}
	return out, nil
}

func dataQueries(qs []MetricDataQuery) []metrics.Query {
	out := make([]metrics.Query, len(qs))
	for i, q := range qs {
		out[i] = metrics.Query{
			ID: *q.Id, Label: api.Value(q.Label), Expression: api.Value(q.Expression), ReturnData: q.ReturnData,
			Period: int64(api.Value(q.Period)), AccountID: api.Value(q.AccountId),
		}
		if ms := q.MetricStat; ms != nil {
			out[i].Stat = &metrics.MetricStat{Metric: metricID(ms.Metric), Period: int64(*ms.Period), Stat: *ms.Stat, Unit: string(ms.Unit)}
		}
	}
	return out
}

func messages(ms []metrics.Message) []MessageData {
	if len(ms) == 0 {
		return nil
	}
	out := make([]MessageData, len(ms))
	for i, m := range ms {
		out[i] = MessageData{Code: api.Ptr(m.Code), Value: api.Ptr(m.Value)}
	}
	return out
}

// GetMetricWidgetImage renders a metric widget.
func (s *Provider) GetMetricWidgetImage(ctx context.Context, in *GetMetricWidgetImageInput) (*GetMetricWidgetImageOutput, error) {
	format := api.Value(in.OutputFormat)
	if format == "" {
		format = "png"
	}
	img, err := s.engine.GetMetricWidgetImage(ctx, scope(ctx), *in.MetricWidget, format)
	if err != nil {
		return nil, apiError(err)
	}
	return &GetMetricWidgetImageOutput{MetricWidgetImage: img}, nil
}

// exceptionError maps the errors of the operations whose missing resource
// is ResourceNotFoundException (tagging, GetAlarmMuteRule); the other
// alarm operations' is ResourceNotFound.
func exceptionError(err error) error {
	var e *alarms.Error
	if errors.As(err, &e) && e.Code == alarms.ResourceNotFound {
		return &ResourceNotFoundException{Message: &e.Message}
	}
	return alarmError(err)
}

// TagResource tags a CloudWatch resource.
func (s *Provider) TagResource(ctx context.Context, in *TagResourceInput) (*TagResourceOutput, error) {
	if alarms.Owns(alarmScope(ctx), *in.ResourceARN) {
		return nil, exceptionError(s.alarms.Tag(ctx, alarmScope(ctx), *in.ResourceARN, tagMap(in.Tags), nil))
	}
	if dashboards.Owns(account(ctx), *in.ResourceARN) {
		return nil, s.tagDashboard(ctx, *in.ResourceARN, tagMap(in.Tags), nil)
	}
	return nil, apiError(s.engine.CheckTaggable(ctx, scope(ctx), *in.ResourceARN))
}

// UntagResource removes tags from a CloudWatch resource.
func (s *Provider) UntagResource(ctx context.Context, in *UntagResourceInput) (*UntagResourceOutput, error) {
	if alarms.Owns(alarmScope(ctx), *in.ResourceARN) {
		return nil, exceptionError(s.alarms.Tag(ctx, alarmScope(ctx), *in.ResourceARN, nil, in.TagKeys))
	}
	if dashboards.Owns(account(ctx), *in.ResourceARN) {
		return nil, s.tagDashboard(ctx, *in.ResourceARN, nil, in.TagKeys)
	}
	return nil, apiError(s.engine.CheckTaggable(ctx, scope(ctx), *in.ResourceARN))
}

// ListTagsForResource lists the tags of a CloudWatch resource.
func (s *Provider) ListTagsForResource(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	var tags map[string]string
	var err error
	switch {
	case alarms.Owns(alarmScope(ctx), *in.ResourceARN):
		tags, err = s.alarms.Tags(ctx, alarmScope(ctx), *in.ResourceARN)
		err = exceptionError(err)
	case dashboards.Owns(account(ctx), *in.ResourceARN):
		tags, err = s.dashboards.Tags(ctx, account(ctx), *in.ResourceARN)
		err = taggingError(err)
	default:
		return nil, apiError(s.engine.CheckTaggable(ctx, scope(ctx), *in.ResourceARN))
	}
	if err != nil {
		return nil, err
	}
	out := &ListTagsForResourceOutput{Tags: api.TagList(tags, func(k, v *string) Tag { return Tag{Key: k, Value: v} })}
	return out, nil
}

// detector reads the three ways an anomaly detector's identity is given:
// the legacy top-level members, SingleMetricAnomalyDetector or
// MetricMathAnomalyDetector.
func detector(ns, name *string, dims []Dimension, stat *string, single *SingleMetricAnomalyDetector, math *MetricMathAnomalyDetector, sc metrics.Scope) (metrics.AnomalyDetector, error) {
	legacy := ns != nil || name != nil || dims != nil || stat != nil
	given := 0
	for _, b := range []bool{legacy, single != nil, math != nil} {
		if b {
			given++
		}
	}
	if given > 1 {
		return metrics.AnomalyDetector{}, &InvalidParameterCombinationException{Message: api.Ptr(
			"Specify either the Namespace, MetricName, Dimensions and Stat parameters, a SingleMetricAnomalyDetector or a MetricMathAnomalyDetector, not several.")}
	}
	var d metrics.AnomalyDetector
	switch {
	case math != nil:
		d.MathQueries = dataQueries(math.MetricDataQueries)
	case single != nil:
		if acct := api.Value(single.AccountId); acct != "" && acct != sc.Account {
			return d, &InvalidParameterValueException{Message: api.Ptr("The value " + acct + " for parameter SingleMetricAnomalyDetector.AccountId is invalid: Vigil has no cross-account observability.")}
		}
		ns, name, dims, stat = single.Namespace, single.MetricName, single.Dimensions, single.Stat
		fallthrough
	default:
		d.Metric = &metrics.MetricID{Namespace: api.Value(ns), Name: api.Value(name), Dimensions: dimensions(dims)}
		d.Stat = api.Value(stat)
	}
	return d, nil
}

// PutAnomalyDetector creates an anomaly detection model.
func (s *Provider) PutAnomalyDetector(ctx context.Context, in *PutAnomalyDetectorInput) (*PutAnomalyDetectorOutput, error) {
	sc := scope(ctx)
	d, err := detector(in.Namespace, in.MetricName, in.Dimensions, in.Stat, in.SingleMetricAnomalyDetector, in.MetricMathAnomalyDetector, sc)
	if err != nil {
		return nil, err
	}
	if c := in.Configuration; c != nil {
		d.Timezone = api.Value(c.MetricTimezone)
		for _, r := range c.ExcludedTimeRanges {
			d.Excluded = append(d.Excluded, anomaly.TimeRange{Start: *r.StartTime, End: *r.EndTime})
		}
	}
	if mc := in.MetricCharacteristics; mc != nil {
		d.PeriodicSpikes = api.Value(mc.PeriodicSpikes)
	}
	return nil, apiError(s.engine.PutAnomalyDetector(ctx, sc, d))
}

// DeleteAnomalyDetector deletes an anomaly detection model.
func (s *Provider) DeleteAnomalyDetector(ctx context.Context, in *DeleteAnomalyDetectorInput) (*DeleteAnomalyDetectorOutput, error) {
	sc := scope(ctx)
	d, err := detector(in.Namespace, in.MetricName, in.Dimensions, in.Stat, in.SingleMetricAnomalyDetector, in.MetricMathAnomalyDetector, sc)
	if err != nil {
		return nil, err
	}
	return nil, apiError(s.engine.DeleteAnomalyDetector(ctx, sc, d))
}

// DescribeAnomalyDetectors lists anomaly detection models.
func (s *Provider) DescribeAnomalyDetectors(ctx context.Context, in *DescribeAnomalyDetectorsInput) (*DescribeAnomalyDetectorsOutput, error) {
	q := metrics.DetectorQuery{
		Namespace: api.Value(in.Namespace), Name: api.Value(in.MetricName), Dimensions: dimensions(in.Dimensions),
		MaxResults: int(api.Value(in.MaxResults)), NextToken: api.Value(in.NextToken),
	}
	for _, t := range in.AnomalyDetectorTypes {
		q.Types = append(q.Types, string(t))
	}
	ds, next, err := s.engine.DescribeAnomalyDetectors(ctx, scope(ctx), q)
	if err != nil {
		return nil, apiError(err)
	}
	out := &DescribeAnomalyDetectorsOutput{AnomalyDetectors: make([]AnomalyDetector, len(ds)), NextToken: api.OptionalString(next)}
	for i, d := range ds {
		a := AnomalyDetector{StateValue: AnomalyDetectorStateValue(d.State)}
		if d.PeriodicSpikes {
			a.MetricCharacteristics = &MetricCharacteristics{PeriodicSpikes: api.Ptr(true)}
		}
		a.Configuration = &AnomalyDetectorConfiguration{MetricTimezone: api.OptionalString(d.Timezone)}
		for _, r := range d.Excluded {
			a.Configuration.ExcludedTimeRanges = append(a.Configuration.ExcludedTimeRanges, Range{StartTime: api.Ptr(r.Start), EndTime: api.Ptr(r.End)})
		}
		if d.Metric != nil {
			m := apiMetric(*d.Metric)
			a.SingleMetricAnomalyDetector = &SingleMetricAnomalyDetector{Namespace: m.Namespace, MetricName: m.MetricName, Dimensions: m.Dimensions, Stat: api.Ptr(d.Stat)}
			// The deprecated top-level members, which older clients read.
			a.Namespace, a.MetricName, a.Dimensions, a.Stat = m.Namespace, m.MetricName, m.Dimensions, api.Ptr(d.Stat)
		} else {
			a.MetricMathAnomalyDetector = &MetricMathAnomalyDetector{MetricDataQueries: apiDataQueries(d.MathQueries)}
		}
		out.AnomalyDetectors[i] = a
	}
	return out, nil
}

func apiDataQueries(qs []metrics.Query) []MetricDataQuery {
	out := make([]MetricDataQuery, len(qs))
	for i, q := range qs {
		out[i] = MetricDataQuery{Id: api.Ptr(q.ID), Label: api.OptionalString(q.Label), Expression: api.OptionalString(q.Expression), ReturnData: q.ReturnData, AccountId: api.OptionalString(q.AccountID)}
		if q.Period != 0 {
			out[i].Period = api.Ptr(int32(q.Period))
		}
		if ms := q.Stat; ms != nil {
			m := apiMetric(ms.Metric)
			out[i].MetricStat = &MetricStat{Metric: &m, Period: api.Ptr(int32(ms.Period)), Stat: api.Ptr(ms.Stat), Unit: StandardUnit(ms.Unit)}
		}
	}
	return out
}
