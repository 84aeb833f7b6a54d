package cloudwatch

import (
	"context"
	"errors"
	"time"

	"github.com/vigilhq/vigil/internal/api"
	"github.com/vigilhq/vigil/internal/metrics/dashboards"
	"github.com/vigilhq/vigil/internal/request"
)

// account is the request's account: dashboards have no region.
func account(ctx context.Context) string { return request.FromContext(ctx).Principal.Account }

// dashboardError maps the dashboards service's errors to the modeled
// exceptions.
func dashboardError(err error) error {
	var e *dashboards.Error
	if !errors.As(err, &e) {
		return err
	}
	msg := &e.Message
	switch e.Code {
	case dashboards.InvalidInput:
		return &DashboardInvalidInputError{Message: msg, DashboardValidationMessages: validationMessages(e.Messages)}
	case dashboards.NotFound:
		return &DashboardNotFoundError{Message: msg}
	case dashboards.InvalidParameterValue:
		return &InvalidParameterValueException{Message: msg}
	case dashboards.LimitExceeded:
		return &LimitExceededException{Message: msg}
	}
	return err
}

func validationMessages(ms []dashboards.Message) []DashboardValidationMessage {
	if len(ms) == 0 {
		return nil
	}
	out := make([]DashboardValidationMessage, len(ms))
	for i, m := range ms {
		out[i] = DashboardValidationMessage{DataPath: api.Ptr(m.DataPath), Message: api.Ptr(m.Message)}
	}
	return out
}

// PutDashboard creates or replaces a dashboard.
func (s *Provider) PutDashboard(ctx context.Context, in *PutDashboardInput) (*PutDashboardOutput, error) {
	warns, err := s.dashboards.Put(ctx, account(ctx), *in.DashboardName, *in.DashboardBody, tagMap(in.Tags))
	if err != nil {
		return nil, dashboardError(err)
	}
	return &PutDashboardOutput{DashboardValidationMessages: validationMessages(warns)}, nil
}

// GetDashboard returns a dashboard's body.
func (s *Provider) GetDashboard(ctx context.Context, in *GetDashboardInput) (*GetDashboardOutput, error) {
	d, err := s.dashboards.Get(ctx, account(ctx), *in.DashboardName)
	if err != nil {
		return nil, dashboardError(err)
	}
	return &GetDashboardOutput{DashboardArn: api.Ptr(d.ARN), DashboardBody: api.Ptr(d.Body), DashboardName: api.Ptr(d.Name)}, nil
}

// ListDashboards lists dashboards by name.
func (s *Provider) ListDashboards(ctx context.Context, in *ListDashboardsInput) (*ListDashboardsOutput, error) {
	ds, next, err := s.dashboards.List(ctx, account(ctx), api.Value(in.DashboardNamePrefix), api.Value(in.NextToken))
	if err != nil {
		return nil, dashboardError(err)
	}
	out := &ListDashboardsOutput{DashboardEntries: make([]DashboardEntry, len(ds)), NextToken: api.OptionalString(next)}
	for i, d := range ds {
		out.DashboardEntries[i] = DashboardEntry{
			DashboardName: api.Ptr(d.Name), DashboardArn: api.Ptr(d.ARN),
			LastModified: api.Ptr(time.UnixMilli(d.Modified).UTC()), Size: api.Ptr(int64(len(d.Body))),
		}
	}
	return out, nil
}

// DeleteDashboards deletes dashboards, all or none.
func (s *Provider) DeleteDashboards(ctx context.Context, in *DeleteDashboardsInput) (*DeleteDashboardsOutput, error) {
	return nil, dashboardError(s.dashboards.Delete(ctx, account(ctx), in.DashboardNames))
}

// tagDashboard tags a dashboard (an ARN dashboards.Owns); missing, it is
// ResourceNotFoundException, as for the other tagging operations.
func (s *Provider) tagDashboard(ctx context.Context, arn string, add map[string]string, remove []string) error {
	return taggingError(s.dashboards.Tag(ctx, account(ctx), arn, add, remove))
}

func taggingError(err error) error {
	var e *dashboards.Error
	if errors.As(err, &e) && e.Code == dashboards.NotFound {
		return &ResourceNotFoundException{Message: &e.Message}
	}
	return dashboardError(err)
}
