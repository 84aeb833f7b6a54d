package scheduler

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/vigilhq/vigil/internal/api"
	"github.com/vigilhq/vigil/internal/request"
	schedulersvc "github.com/vigilhq/vigil/internal/scheduler"
)

// Provider implements the EventBridge Scheduler operations on the
// service.
type Provider struct {
	Unimplemented
	svc *schedulersvc.Service
}

// New returns the EventBridge Scheduler API over the service.
func New(s *schedulersvc.Service) *Provider { return &Provider{svc: s} }

// scope returns the request's account and region.
func scope(ctx context.Context) schedulersvc.Scope {
	info := request.FromContext(ctx)
	return schedulersvc.Scope{Account: info.Principal.Account, Region: info.Region}
}

// apiError maps the service's errors to the modeled exceptions.
func apiError(err error) error {
	var e *schedulersvc.Error
	if !errors.As(err, &e) {
		return err
	}
	msg := &e.Message
	switch e.Code {
	case schedulersvc.ResourceNotFound:
		return &ResourceNotFoundException{Message: msg}
	case schedulersvc.Conflict:
		return &ConflictException{Message: msg}
	}
	return &ValidationException{Message: msg}
}

func tagMap(tags []Tag) map[string]string {
	return api.TagMap(tags, func(t Tag) (*string, *string) { return t.Key, t.Value })
}

// CreateScheduleGroup creates a schedule group.
func (p *Provider) CreateScheduleGroup(ctx context.Context, in *CreateScheduleGroupInput) (*CreateScheduleGroupOutput, error) {
	arn, err := p.svc.CreateGroup(ctx, scope(ctx), *in.Name, tagMap(in.Tags), api.Value(in.ClientToken))
	if err != nil {
		return nil, apiError(err)
	}
	return &CreateScheduleGroupOutput{ScheduleGroupArn: &arn}, nil
}

func groupSummary(g schedulersvc.Group) ScheduleGroupSummary {
	return ScheduleGroupSummary{Arn: api.Ptr(g.ARN), Name: api.Ptr(g.Name), State: ScheduleGroupStateACTIVE,
		CreationDate: api.Ptr(g.Created), LastModificationDate: api.Ptr(g.Updated)}
}

// GetScheduleGroup describes a schedule group.
func (p *Provider) GetScheduleGroup(ctx context.Context, in *GetScheduleGroupInput) (*GetScheduleGroupOutput, error) {
	g, err := p.svc.GetGroup(ctx, scope(ctx), *in.Name)
	if err != nil {
		return nil, apiError(err)
	}
	s := groupSummary(g)
	return &GetScheduleGroupOutput{Arn: s.Arn, Name: s.Name, State: s.State, CreationDate: s.CreationDate,
		LastModificationDate: s.LastModificationDate}, nil
}

// ListScheduleGroups lists the schedule groups.
func (p *Provider) ListScheduleGroups(ctx context.Context, in *ListScheduleGroupsInput) (*ListScheduleGroupsOutput, error) {
	gs, next, err := p.svc.ListGroups(ctx, scope(ctx), api.Value(in.NamePrefix), api.Value(in.NextToken), int(api.Value(in.MaxResults)))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListScheduleGroupsOutput{ScheduleGroups: make([]ScheduleGroupSummary, len(gs)), NextToken: api.OptionalString(next)}
	for i, g := range gs {
		out.ScheduleGroups[i] = groupSummary(g)
	}
	return out, nil
}

// DeleteScheduleGroup deletes a schedule group and its schedules.
func (p *Provider) DeleteScheduleGroup(ctx context.Context, in *DeleteScheduleGroupInput) (*DeleteScheduleGroupOutput, error) {
	if err := p.svc.DeleteGroup(ctx, scope(ctx), *in.Name, api.Value(in.ClientToken)); err != nil {
		return nil, apiError(err)
	}
	return &DeleteScheduleGroupOutput{}, nil
}

// otherParameters are the parameters of a target that Vigil keeps and
// returns but does not use.
type otherParameters struct {
	EcsParameters               *EcsParameters               `json:",omitempty"`
	KinesisParameters           *KinesisParameters           `json:",omitempty"`
	SageMakerPipelineParameters *SageMakerPipelineParameters `json:",omitempty"`
}

// engineTarget is a target of the API as the engine takes it.
func engineTarget(t *Target) (schedulersvc.Target, error) {
	out := schedulersvc.Target{ARN: *t.Arn, RoleARN: *t.RoleArn, Input: t.Input}
	if t.DeadLetterConfig != nil {
		out.DeadLetterARN = api.Value(t.DeadLetterConfig.Arn)
	}
	if t.SqsParameters != nil {
		out.MessageGroupID = api.Value(t.SqsParameters.MessageGroupId)
	}
	if e := t.EventBridgeParameters; e != nil {
		out.EventBridge = &schedulersvc.EventBridgeParameters{DetailType: *e.DetailType, Source: *e.Source}
	}
	if r := t.RetryPolicy; r != nil {
		if r.MaximumRetryAttempts != nil {
			out.MaximumRetryAttempts = api.Ptr(int(*r.MaximumRetryAttempts))
		}
		if r.MaximumEventAgeInSeconds != nil {
			out.MaximumEventAgeSeconds = api.Ptr(int(*r.MaximumEventAgeInSeconds))
		}
	}
	other := otherParameters{EcsParameters: t.EcsParameters, KinesisParameters: t.KinesisParameters,
		SageMakerPipelineParameters: t.SageMakerPipelineParameters}
	if other != (otherParameters{}) {
		b, err := json.Marshal(other)
		if err != nil {
			return out, err
		}
		out.Parameters = b
	}
	return out, nil
}

// apiTarget is a target of the engine as the API returns it.
func apiTarget(t *schedulersvc.Target) (*Target, error) {
	out := &Target{Arn: api.Ptr(t.ARN), RoleArn: api.Ptr(t.RoleARN), Input: t.Input, RetryPolicy: &RetryPolicy{}}
	if t.DeadLetterARN != "" {
		out.DeadLetterConfig = &DeadLetterConfig{Arn: api.Ptr(t.DeadLetterARN)}
	}
	if t.MessageGroupID != "" {
		out.SqsParameters = &SqsParameters{MessageGroupId: api.Ptr(t.MessageGroupID)}
	}
	if e := t.EventBridge; e != nil {
		out.EventBridgeParameters = &EventBridgeParameters{DetailType: api.Ptr(e.DetailType), Source: api.Ptr(e.Source)}
	}
	if t.MaximumRetryAttempts != nil {
		out.RetryPolicy.MaximumRetryAttempts = api.Ptr(int32(*t.MaximumRetryAttempts))
	}
	if t.MaximumEventAgeSeconds != nil {
		out.RetryPolicy.MaximumEventAgeInSeconds = api.Ptr(int32(*t.MaximumEventAgeSeconds))
	}
	if len(t.Parameters) > 0 {
		var other otherParameters
		if err := json.Unmarshal(t.Parameters, &other); err != nil {
			return nil, err
		}
		out.EcsParameters, out.KinesisParameters = other.EcsParameters, other.KinesisParameters
		out.SageMakerPipelineParameters = other.SageMakerPipelineParameters
	}
	return out, nil
}

// engineSchedule is a schedule of the API as the engine takes it. An
// UpdateScheduleInput converts to a CreateScheduleInput: the two have
// the same members.
func engineSchedule(in *CreateScheduleInput) (schedulersvc.Schedule, error) {
	s := schedulersvc.Schedule{Name: *in.Name, Group: api.Value(in.GroupName), Expression: *in.ScheduleExpression,
		Timezone: api.Value(in.ScheduleExpressionTimezone), StartDate: in.StartDate, EndDate: in.EndDate,
		Description: api.Value(in.Description), State: string(in.State), WindowMode: string(in.FlexibleTimeWindow.Mode),
		WindowMinutes:         int(api.Value(in.FlexibleTimeWindow.MaximumWindowInMinutes)),
		ActionAfterCompletion: string(in.ActionAfterCompletion), KmsKeyARN: api.Value(in.KmsKeyArn)}
	var err error
	s.Target, err = engineTarget(in.Target)
	return s, err
}

// CreateSchedule creates a schedule.
func (p *Provider) CreateSchedule(ctx context.Context, in *CreateScheduleInput) (*CreateScheduleOutput, error) {
	s, err := engineSchedule(in)
	if err != nil {
		return nil, err
	}
	arn, err := p.svc.CreateSchedule(ctx, scope(ctx), s, api.Value(in.ClientToken))
	if err != nil {
		return nil, apiError(err)
	}
	return &CreateScheduleOutput{ScheduleArn: &arn}, nil
}

// UpdateSchedule replaces a schedule.
func (p *Provider) UpdateSchedule(ctx context.Context, in *UpdateScheduleInput) (*UpdateScheduleOutput, error) {
	s, err := engineSchedule((*CreateScheduleInput)(in))
	if err != nil {
		return nil, err
	}
	arn, err := p.svc.UpdateSchedule(ctx, scope(ctx), s, api.Value(in.ClientToken))
	if err != nil {
		return nil, apiError(err)
	}
	return &UpdateScheduleOutput{ScheduleArn: &arn}, nil
}

// GetSchedule describes a schedule.
func (p *Provider) GetSchedule(ctx context.Context, in *GetScheduleInput) (*GetScheduleOutput, error) {
	s, err := p.svc.GetSchedule(ctx, scope(ctx), api.Value(in.GroupName), *in.Name)
	if err != nil {
		return nil, apiError(err)
	}
	t, err := apiTarget(&s.Target)
	if err != nil {
		return nil, err
	}
	window := &FlexibleTimeWindow{Mode: FlexibleTimeWindowMode(s.WindowMode)}
	if s.WindowMinutes != 0 {
		window.MaximumWindowInMinutes = api.Ptr(int32(s.WindowMinutes))
	}
	return &GetScheduleOutput{Arn: api.Ptr(s.ARN), Name: api.Ptr(s.Name), GroupName: api.Ptr(s.Group),
		ScheduleExpression: api.Ptr(s.Expression), ScheduleExpressionTimezone: api.Ptr(s.Timezone), StartDate: s.StartDate,
		EndDate: s.EndDate, Description: api.OptionalString(s.Description), State: ScheduleState(s.State),
		FlexibleTimeWindow: window, ActionAfterCompletion: ActionAfterCompletion(s.ActionAfterCompletion),
		KmsKeyArn: api.OptionalString(s.KmsKeyARN), Target: t, CreationDate: api.Ptr(s.Created),
		LastModificationDate: api.Ptr(s.Updated)}, nil
}

// DeleteSchedule deletes a schedule.
func (p *Provider) DeleteSchedule(ctx context.Context, in *DeleteScheduleInput) (*DeleteScheduleOutput, error) {
	if err := p.svc.DeleteSchedule(ctx, scope(ctx), api.Value(in.GroupName), *in.Name, api.Value(in.ClientToken)); err != nil {
		return nil, apiError(err)
	}
	return &DeleteScheduleOutput{}, nil
}

// ListSchedules lists schedules.
func (p *Provider) ListSchedules(ctx context.Context, in *ListSchedulesInput) (*ListSchedulesOutput, error) {
	q := schedulersvc.ListQuery{Group: api.Value(in.GroupName), Prefix: api.Value(in.NamePrefix), State: string(in.State)}
	ss, next, err := p.svc.ListSchedules(ctx, scope(ctx), q, api.Value(in.NextToken), int(api.Value(in.MaxResults)))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListSchedulesOutput{Schedules: make([]ScheduleSummary, len(ss)), NextToken: api.OptionalString(next)}
	for i, s := range ss {
		out.Schedules[i] = ScheduleSummary{Arn: api.Ptr(s.ARN), Name: api.Ptr(s.Name), GroupName: api.Ptr(s.Group),
			State: ScheduleState(s.State), Target: &TargetSummary{Arn: api.Ptr(s.Target.ARN)}, CreationDate: api.Ptr(s.Created),
			LastModificationDate: api.Ptr(s.Updated)}
	}
	return out, nil
}

// TagResource tags a schedule group.
func (p *Provider) TagResource(ctx context.Context, in *TagResourceInput) (*TagResourceOutput, error) {
	if err := p.svc.Tag(ctx, scope(ctx), *in.ResourceArn, tagMap(in.Tags), nil); err != nil {
		return nil, apiError(err)
	}
	return &TagResourceOutput{}, nil
}

// UntagResource removes tags of a schedule group.
func (p *Provider) UntagResource(ctx context.Context, in *UntagResourceInput) (*UntagResourceOutput, error) {
	if err := p.svc.Tag(ctx, scope(ctx), *in.ResourceArn, nil, in.TagKeys); err != nil {
		return nil, apiError(err)
	}
	return &UntagResourceOutput{}, nil
}

// ListTagsForResource lists the tags of a schedule group.
func (p *Provider) ListTagsForResource(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	tags, err := p.svc.Tags(ctx, scope(ctx), *in.ResourceArn)
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListTagsForResourceOutput{Tags: api.TagList(tags, func(k, v *string) Tag { return Tag{Key: k, Value: v} })}
	return out, nil
}
