package logs

import (
	"context"

	"github.com/vigilhq/vigil/internal/api"
	engine "github.com/vigilhq/vigil/internal/logs"
)

// PutMetricFilter creates or replaces a metric filter.
func (s *Provider) PutMetricFilter(ctx context.Context, in *PutMetricFilterRequest) (*PutMetricFilterOutput, error) {
	if err := unsupportedFilterOptions(in.ApplyOnTransformedLogs, in.FieldSelectionCriteria, len(in.EmitSystemFieldDimensions)); err != nil {
		return nil, err
	}
	t := in.MetricTransformations[0]
	return nil, apiError(s.engine.PutMetricFilter(ctx, scope(ctx), engine.MetricFilter{
		Group: *in.LogGroupName, Name: *in.FilterName, Pattern: *in.FilterPattern,
		Transformation: engine.Transformation{
			MetricName: *t.MetricName, MetricNamespace: *t.MetricNamespace, MetricValue: *t.MetricValue,
			DefaultValue: t.DefaultValue, Dimensions: t.Dimensions, Unit: string(t.Unit),
		},
	}))
}

// unsupportedFilterOptions refuses the filter options Vigil does not have
// (log transformers and field selection).
func unsupportedFilterOptions(transformed *bool, selection *string, systemFields int) error {
	if api.Value(transformed) || selection != nil || systemFields > 0 {
		return &InvalidParameterException{Message: api.Ptr("Vigil does not support log transformers: applyOnTransformedLogs, fieldSelectionCriteria and emitSystemField(Dimension)s are not supported.")}
	}
	return nil
}

// DescribeMetricFilters lists metric filters.
func (s *Provider) DescribeMetricFilters(ctx context.Context, in *DescribeMetricFiltersRequest) (*DescribeMetricFiltersResponse, error) {
	filters, next, err := s.engine.DescribeMetricFilters(ctx, scope(ctx), engine.MetricFilterQuery{
		Group: api.Value(in.LogGroupName), NamePrefix: api.Value(in.FilterNamePrefix),
		MetricName: api.Value(in.MetricName), Namespace: api.Value(in.MetricNamespace),
		Limit: int(api.Value(in.Limit)), NextToken: api.Value(in.NextToken),
	})
	if err != nil {
		return nil, apiError(err)
	}
	out := &DescribeMetricFiltersResponse{MetricFilters: make([]MetricFilter, len(filters)), NextToken: api.OptionalString(next)}
	for i, f := range filters {
		t := f.Transformation
		out.MetricFilters[i] = MetricFilter{
			FilterName: api.Ptr(f.Name), FilterPattern: api.Ptr(f.Pattern), CreationTime: api.Ptr(f.Created), LogGroupName: api.Ptr(f.Group),
			MetricTransformations: []MetricTransformation{{
				MetricName: api.Ptr(t.MetricName), MetricNamespace: api.Ptr(t.MetricNamespace), MetricValue: api.Ptr(t.MetricValue),
				DefaultValue: t.DefaultValue, Dimensions: t.Dimensions, Unit: StandardUnit(t.Unit),
			}},
		}
	}
	return out, nil
}

// DeleteMetricFilter deletes a metric filter.
func (s *Provider) DeleteMetricFilter(ctx context.Context, in *DeleteMetricFilterRequest) (*DeleteMetricFilterOutput, error) {
	return nil, apiError(s.engine.DeleteMetricFilter(ctx, scope(ctx), *in.LogGroupName, *in.FilterName))
}

// TestMetricFilter runs a filter pattern over sample messages.
func (s *Provider) TestMetricFilter(ctx context.Context, in *TestMetricFilterRequest) (*TestMetricFilterResponse, error) {
	matches, err := s.engine.TestMetricFilter(*in.FilterPattern, in.LogEventMessages)
	if err != nil {
		return nil, apiError(err)
	}
	out := &TestMetricFilterResponse{Matches: make([]MetricFilterMatchRecord, len(matches))}
	for i, m := range matches {
		out.Matches[i] = MetricFilterMatchRecord{EventNumber: api.Ptr(m.EventNumber), EventMessage: api.Ptr(m.Message), ExtractedValues: m.Extracted}
	}
	return out, nil
}

// PutSubscriptionFilter creates or replaces a subscription filter.
func (s *Provider) PutSubscriptionFilter(ctx context.Context, in *PutSubscriptionFilterRequest) (*PutSubscriptionFilterOutput, error) {
	if err := unsupportedFilterOptions(in.ApplyOnTransformedLogs, in.FieldSelectionCriteria, len(in.EmitSystemFields)); err != nil {
		return nil, err
	}
	return nil, apiError(s.engine.PutSubscriptionFilter(ctx, scope(ctx), engine.SubscriptionFilter{
		Group: *in.LogGroupName, Name: *in.FilterName, Pattern: *in.FilterPattern, DestinationARN: *in.DestinationArn,
		RoleARN: api.Value(in.RoleArn), Distribution: string(in.Distribution),
	}))
}

// DescribeSubscriptionFilters lists a log group's subscription filters.
func (s *Provider) DescribeSubscriptionFilters(ctx context.Context, in *DescribeSubscriptionFiltersRequest) (*DescribeSubscriptionFiltersResponse, error) {
	filters, next, err := s.engine.DescribeSubscriptionFilters(ctx, scope(ctx), *in.LogGroupName, api.Value(in.FilterNamePrefix),
		int(api.Value(in.Limit)), api.Value(in.NextToken))
	if err != nil {
		return nil, apiError(err)
	}
	out := &DescribeSubscriptionFiltersResponse{SubscriptionFilters: make([]SubscriptionFilter, len(filters)), NextToken: api.OptionalString(next)}
	for i, f := range filters {
		out.SubscriptionFilters[i] = SubscriptionFilter{
			FilterName: api.Ptr(f.Name), LogGroupName: api.Ptr(f.Group), FilterPattern: api.Ptr(f.Pattern),
			DestinationArn: api.Ptr(f.DestinationARN), RoleArn: api.OptionalString(f.RoleARN),
			Distribution: Distribution(f.Distribution), CreationTime: api.Ptr(f.Created),
		}
	}
	return out, nil
}

// DeleteSubscriptionFilter deletes a subscription filter.
func (s *Provider) DeleteSubscriptionFilter(ctx context.Context, in *DeleteSubscriptionFilterRequest) (*DeleteSubscriptionFilterOutput, error) {
	return nil, apiError(s.engine.DeleteSubscriptionFilter(ctx, scope(ctx), *in.LogGroupName, *in.FilterName))
}

func destination(d engine.Destination) *Destination {
	return &Destination{
		DestinationName: api.Ptr(d.Name), TargetArn: api.Ptr(d.TargetARN), RoleArn: api.Ptr(d.RoleARN),
		AccessPolicy: api.OptionalString(d.AccessPolicy), Arn: api.Ptr(d.ARN), CreationTime: api.Ptr(d.Created),
	}
}

// PutDestination creates or updates a destination.
func (s *Provider) PutDestination(ctx context.Context, in *PutDestinationRequest) (*PutDestinationResponse, error) {
	d, err := s.engine.PutDestination(ctx, scope(ctx), *in.DestinationName, *in.TargetArn, *in.RoleArn, in.Tags)
	if err != nil {
		return nil, apiError(err)
	}
	return &PutDestinationResponse{Destination: destination(*d)}, nil
}

// PutDestinationPolicy sets a destination's access policy.
func (s *Provider) PutDestinationPolicy(ctx context.Context, in *PutDestinationPolicyRequest) (*PutDestinationPolicyOutput, error) {
	return nil, apiError(s.engine.PutDestinationPolicy(ctx, scope(ctx), *in.DestinationName, *in.AccessPolicy))
}

// DescribeDestinations lists destinations.
func (s *Provider) DescribeDestinations(ctx context.Context, in *DescribeDestinationsRequest) (*DescribeDestinationsResponse, error) {
	list, next, err := s.engine.DescribeDestinations(ctx, scope(ctx), api.Value(in.DestinationNamePrefix), int(api.Value(in.Limit)), api.Value(in.NextToken))
	if err != nil {
		return nil, apiError(err)
	}
	out := &DescribeDestinationsResponse{Destinations: make([]Destination, len(list)), NextToken: api.OptionalString(next)}
	for i, d := range list {
		out.Destinations[i] = *destination(d)
	}
	return out, nil
}

// DeleteDestination deletes a destination.
func (s *Provider) DeleteDestination(ctx context.Context, in *DeleteDestinationRequest) (*DeleteDestinationOutput, error) {
	return nil, apiError(s.engine.DeleteDestination(ctx, scope(ctx), *in.DestinationName))
}
