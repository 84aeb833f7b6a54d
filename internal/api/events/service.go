package events

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/vigilhq/vigil/internal/api"
	eventssvc "github.com/vigilhq/vigil/internal/events"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/request"
)

// Provider implements the EventBridge operations on the service.
type Provider struct {
	Unimplemented
	svc *eventssvc.Service
}

// New returns the EventBridge API over the service.
func New(s *eventssvc.Service) *Provider { return &Provider{svc: s} }

// scope returns the request's account and region, and its caller.
func scope(ctx context.Context) eventssvc.Scope {
	info := request.FromContext(ctx)
	return eventssvc.Scope{Account: info.Principal.Account, Region: info.Region, Principal: info.Principal.ARN}
}

// apiError maps the service's errors to the modeled exceptions.
func apiError(err error) error {
	var e *eventssvc.Error
	if !errors.As(err, &e) {
		return err
	}
	msg := &e.Message
	switch e.Code {
	case eventssvc.ResourceNotFound:
		return &ResourceNotFoundException{Message: msg}
	case eventssvc.ResourceAlreadyExists:
		return &ResourceAlreadyExistsException{Message: msg}
	case eventssvc.InvalidEventPattern:
		return &InvalidEventPatternException{Message: msg}
	case eventssvc.LimitExceeded:
		return &LimitExceededException{Message: msg}
	case eventssvc.ManagedRule:
		return &ManagedRuleException{Message: msg}
	case eventssvc.IllegalStatus:
		return &IllegalStatusException{Message: msg}
	case eventssvc.PolicyLengthExceeded:
		return &PolicyLengthExceededException{Message: msg}
	}
	return validationError(*msg)
}

// validationError is EventBridge's ValidationException, which its model
// does not list among its shapes.
func validationError(msg string) error {
	return &protocol.Error{Code: Model.ValidationError, Status: http.StatusBadRequest, Message: msg}
}

func tagMap(tags []Tag) map[string]string {
	return api.TagMap(tags, func(t Tag) (*string, *string) { return t.Key, t.Value })
}

func deadLetterARN(d *DeadLetterConfig) string {
	if d == nil {
		return ""
	}
	return api.Value(d.Arn)
}

func deadLetterConfig(arn string) *DeadLetterConfig {
	if arn == "" {
		return nil
	}
	return &DeadLetterConfig{Arn: &arn}
}

// CreateEventBus creates a custom event bus.
func (p *Provider) CreateEventBus(ctx context.Context, in *CreateEventBusRequest) (*CreateEventBusResponse, error) {
	if in.LogConfig != nil {
		return nil, validationError("Vigil does not log a bus's events: LogConfig is not supported.")
	}
	set := eventssvc.BusSettings{Description: api.Value(in.Description), KmsKeyIdentifier: api.Value(in.KmsKeyIdentifier),
		DeadLetterARN: deadLetterARN(in.DeadLetterConfig)}
	arn, err := p.svc.CreateBus(ctx, scope(ctx), *in.Name, api.Value(in.EventSourceName), set, tagMap(in.Tags))
	if err != nil {
		return nil, apiError(err)
	}
	return &CreateEventBusResponse{EventBusArn: &arn, Description: in.Description, KmsKeyIdentifier: in.KmsKeyIdentifier,
		DeadLetterConfig: in.DeadLetterConfig}, nil
}

// DescribeEventBus describes a bus.
func (p *Provider) DescribeEventBus(ctx context.Context, in *DescribeEventBusRequest) (*DescribeEventBusResponse, error) {
	b, err := p.svc.DescribeBus(ctx, scope(ctx), api.Value(in.Name))
	if err != nil {
		return nil, apiError(err)
	}
	return &DescribeEventBusResponse{Name: &b.Name, Arn: &b.ARN, Description: api.OptionalString(b.Description),
		KmsKeyIdentifier: api.OptionalString(b.KmsKeyIdentifier), DeadLetterConfig: deadLetterConfig(b.DeadLetterARN),
		Policy: api.OptionalString(b.Policy), CreationTime: &b.Created, LastModifiedTime: &b.Updated}, nil
}

// UpdateEventBus changes a bus's settings.
func (p *Provider) UpdateEventBus(ctx context.Context, in *UpdateEventBusRequest) (*UpdateEventBusResponse, error) {
	if in.LogConfig != nil {
		return nil, validationError("Vigil does not log a bus's events: LogConfig is not supported.")
	}
	b, err := p.svc.UpdateBus(ctx, scope(ctx), api.Value(in.Name), eventssvc.BusSettings{Description: api.Value(in.Description),
		KmsKeyIdentifier: api.Value(in.KmsKeyIdentifier), DeadLetterARN: deadLetterARN(in.DeadLetterConfig)})
	if err != nil {
		return nil, apiError(err)
	}
	return &UpdateEventBusResponse{Arn: &b.ARN, Name: &b.Name, Description: api.OptionalString(b.Description),
		KmsKeyIdentifier: api.OptionalString(b.KmsKeyIdentifier), DeadLetterConfig: deadLetterConfig(b.DeadLetterARN)}, nil
}

// ListEventBuses lists the buses.
func (p *Provider) ListEventBuses(ctx context.Context, in *ListEventBusesRequest) (*ListEventBusesResponse, error) {
	bs, next, err := p.svc.ListBuses(ctx, scope(ctx), api.Value(in.NamePrefix), api.Value(in.NextToken), int(api.Value(in.Limit)))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListEventBusesResponse{EventBuses: make([]EventBus, len(bs)), NextToken: api.OptionalString(next)}
	for i, b := range bs {
		out.EventBuses[i] = EventBus{Name: api.Ptr(b.Name), Arn: api.Ptr(b.ARN), Description: api.OptionalString(b.Description),
			Policy: api.OptionalString(b.Policy), CreationTime: api.Ptr(b.Created), LastModifiedTime: api.Ptr(b.Updated)}
	}
	return out, nil
}

// DeleteEventBus deletes a custom bus.
func (p *Provider) DeleteEventBus(ctx context.Context, in *DeleteEventBusRequest) (*DeleteEventBusOutput, error) {
	return nil, apiError(p.svc.DeleteBus(ctx, scope(ctx), *in.Name))
}

// PutRule creates or replaces a rule.
func (p *Provider) PutRule(ctx context.Context, in *PutRuleRequest) (*PutRuleResponse, error) {
	arn, err := p.svc.PutRule(ctx, scope(ctx), eventssvc.Rule{Name: *in.Name, Bus: api.Value(in.EventBusName),
		EventPattern: api.Value(in.EventPattern), ScheduleExpression: api.Value(in.ScheduleExpression), State: string(in.State),
		Description: api.Value(in.Description), RoleARN: api.Value(in.RoleArn)}, tagMap(in.Tags))
	if err != nil {
		return nil, apiError(err)
	}
	return &PutRuleResponse{RuleArn: &arn}, nil
}

// DescribeRule describes a rule.
func (p *Provider) DescribeRule(ctx context.Context, in *DescribeRuleRequest) (*DescribeRuleResponse, error) {
	r, err := p.svc.DescribeRule(ctx, scope(ctx), api.Value(in.EventBusName), *in.Name)
	if err != nil {
		return nil, apiError(err)
	}
	return &DescribeRuleResponse{Name: &r.Name, Arn: &r.ARN, EventPattern: api.OptionalString(r.EventPattern),
		ScheduleExpression: api.OptionalString(r.ScheduleExpression), State: RuleState(r.State),
		Description: api.OptionalString(r.Description), RoleArn: api.OptionalString(r.RoleARN),
		ManagedBy: api.OptionalString(r.ManagedBy), EventBusName: &r.Bus, CreatedBy: api.Ptr(scope(ctx).Account)}, nil
}

// EnableRule enables a rule.
func (p *Provider) EnableRule(ctx context.Context, in *EnableRuleRequest) (*EnableRuleOutput, error) {
	return nil, apiError(p.svc.SetRuleState(ctx, scope(ctx), api.Value(in.EventBusName), *in.Name, true))
}

// DisableRule disables a rule.
func (p *Provider) DisableRule(ctx context.Context, in *DisableRuleRequest) (*DisableRuleOutput, error) {
	return nil, apiError(p.svc.SetRuleState(ctx, scope(ctx), api.Value(in.EventBusName), *in.Name, false))
}

// ListRules lists the rules of a bus.
func (p *Provider) ListRules(ctx context.Context, in *ListRulesRequest) (*ListRulesResponse, error) {
	rs, next, err := p.svc.ListRules(ctx, scope(ctx), api.Value(in.EventBusName), api.Value(in.NamePrefix),
		api.Value(in.NextToken), int(api.Value(in.Limit)))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListRulesResponse{Rules: make([]Rule, len(rs)), NextToken: api.OptionalString(next)}
	for i, r := range rs {
		out.Rules[i] = Rule{Name: api.Ptr(r.Name), Arn: api.Ptr(r.ARN), EventPattern: api.OptionalString(r.EventPattern),
			State: RuleState(r.State), Description: api.OptionalString(r.Description),
			ScheduleExpression: api.OptionalString(r.ScheduleExpression), RoleArn: api.OptionalString(r.RoleARN),
			ManagedBy: api.OptionalString(r.ManagedBy), EventBusName: api.Ptr(r.Bus)}
	}
	return out, nil
}

// DeleteRule deletes a rule.
func (p *Provider) DeleteRule(ctx context.Context, in *DeleteRuleRequest) (*DeleteRuleOutput, error) {
	return nil, apiError(p.svc.DeleteRule(ctx, scope(ctx), api.Value(in.EventBusName), *in.Name, api.Value(in.Force)))
}

// otherParameters are the parameters of a target that Vigil keeps and
// returns but does not use.
type otherParameters struct {
	KinesisParameters           *KinesisParameters           `json:",omitempty"`
	RunCommandParameters        *RunCommandParameters        `json:",omitempty"`
	EcsParameters               *EcsParameters               `json:",omitempty"`
	BatchParameters             *BatchParameters             `json:",omitempty"`
	HttpParameters              *HttpParameters              `json:",omitempty"`
	RedshiftDataParameters      *RedshiftDataParameters      `json:",omitempty"`
	SageMakerPipelineParameters *SageMakerPipelineParameters `json:",omitempty"`
	AppSyncParameters           *AppSyncParameters           `json:",omitempty"`
}

// engineTarget is a target of the API as the engine takes it.
func engineTarget(t *Target) (eventssvc.Target, error) {
	out := eventssvc.Target{ID: *t.Id, ARN: *t.Arn, RoleARN: api.Value(t.RoleArn), DeadLetterARN: deadLetterARN(t.DeadLetterConfig),
		Input: eventssvc.Input{Constant: t.Input, Path: t.InputPath}}
	if t.InputTransformer != nil {
		out.Input.PathsMap, out.Input.Template = t.InputTransformer.InputPathsMap, t.InputTransformer.InputTemplate
	}
	if t.SqsParameters != nil {
		out.MessageGroupID = api.Value(t.SqsParameters.MessageGroupId)
	}
	if r := t.RetryPolicy; r != nil {
		if r.MaximumRetryAttempts != nil {
			out.MaximumRetryAttempts = api.Ptr(int(*r.MaximumRetryAttempts))
		}
		if r.MaximumEventAgeInSeconds != nil {
			out.MaximumEventAgeSeconds = api.Ptr(int(*r.MaximumEventAgeInSeconds))
		}
	}
	other := otherParameters{KinesisParameters: t.KinesisParameters, RunCommandParameters: t.RunCommandParameters,
		EcsParameters: t.EcsParameters, BatchParameters: t.BatchParameters, HttpParameters: t.HttpParameters,
		RedshiftDataParameters: t.RedshiftDataParameters, SageMakerPipelineParameters: t.SageMakerPipelineParameters,
		AppSyncParameters: t.AppSyncParameters}
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
func apiTarget(t *eventssvc.Target) (Target, error) {
	out := Target{Id: api.Ptr(t.ID), Arn: api.Ptr(t.ARN), RoleArn: api.OptionalString(t.RoleARN), Input: t.Input.Constant,
		InputPath: t.Input.Path, DeadLetterConfig: deadLetterConfig(t.DeadLetterARN)}
	if t.Input.Template != nil {
		out.InputTransformer = &InputTransformer{InputPathsMap: t.Input.PathsMap, InputTemplate: t.Input.Template}
	}
	if t.MessageGroupID != "" {
		out.SqsParameters = &SqsParameters{MessageGroupId: api.Ptr(t.MessageGroupID)}
	}
	if t.MaximumRetryAttempts != nil || t.MaximumEventAgeSeconds != nil {
		out.RetryPolicy = &RetryPolicy{}
		if t.MaximumRetryAttempts != nil {
			out.RetryPolicy.MaximumRetryAttempts = api.Ptr(int32(*t.MaximumRetryAttempts))
		}
		if t.MaximumEventAgeSeconds != nil {
			out.RetryPolicy.MaximumEventAgeInSeconds = api.Ptr(int32(*t.MaximumEventAgeSeconds))
		}
	}
	if len(t.Parameters) > 0 {
		var other otherParameters
		if err := json.Unmarshal(t.Parameters, &other); err != nil {
			return out, err
		}
		out.KinesisParameters, out.RunCommandParameters, out.EcsParameters = other.KinesisParameters, other.RunCommandParameters, other.EcsParameters
		out.BatchParameters, out.HttpParameters = other.BatchParameters, other.HttpParameters
		out.RedshiftDataParameters, out.SageMakerPipelineParameters = other.RedshiftDataParameters, other.SageMakerPipelineParameters
		out.AppSyncParameters = other.AppSyncParameters
	}
	return out, nil
}

// PutTargets adds or replaces targets of a rule.
func (p *Provider) PutTargets(ctx context.Context, in *PutTargetsRequest) (*PutTargetsResponse, error) {
	ts := make([]eventssvc.Target, len(in.Targets))
	for i := range in.Targets {
		var err error
		if ts[i], err = engineTarget(&in.Targets[i]); err != nil {
			return nil, err
		}
	}
	failed, err := p.svc.PutTargets(ctx, scope(ctx), api.Value(in.EventBusName), *in.Rule, ts)
	if err != nil {
		return nil, apiError(err)
	}
	out := &PutTargetsResponse{FailedEntryCount: api.Ptr(int32(len(failed))), FailedEntries: []PutTargetsResultEntry{}}
	for _, f := range failed {
		out.FailedEntries = append(out.FailedEntries, PutTargetsResultEntry{TargetId: api.Ptr(f.ID), ErrorCode: api.Ptr(f.Code),
			ErrorMessage: api.Ptr(f.Message)})
	}
	return out, nil
}

// RemoveTargets removes targets of a rule.
func (p *Provider) RemoveTargets(ctx context.Context, in *RemoveTargetsRequest) (*RemoveTargetsResponse, error) {
	failed, err := p.svc.RemoveTargets(ctx, scope(ctx), api.Value(in.EventBusName), *in.Rule, in.Ids, api.Value(in.Force))
	if err != nil {
		return nil, apiError(err)
	}
	out := &RemoveTargetsResponse{FailedEntryCount: api.Ptr(int32(len(failed))), FailedEntries: []RemoveTargetsResultEntry{}}
	for _, f := range failed {
		out.FailedEntries = append(out.FailedEntries, RemoveTargetsResultEntry{TargetId: api.Ptr(f.ID), ErrorCode: api.Ptr(f.Code),
			ErrorMessage: api.Ptr(f.Message)})
	}
	return out, nil
}

// ListTargetsByRule lists the targets of a rule.
func (p *Provider) ListTargetsByRule(ctx context.Context, in *ListTargetsByRuleRequest) (*ListTargetsByRuleResponse, error) {
	ts, next, err := p.svc.ListTargets(ctx, scope(ctx), api.Value(in.EventBusName), *in.Rule, api.Value(in.NextToken), int(api.Value(in.Limit)))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListTargetsByRuleResponse{Targets: make([]Target, len(ts)), NextToken: api.OptionalString(next)}
	for i := range ts {
		if out.Targets[i], err = apiTarget(&ts[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ListRuleNamesByTarget lists the rules with a target of an ARN.
func (p *Provider) ListRuleNamesByTarget(ctx context.Context, in *ListRuleNamesByTargetRequest) (*ListRuleNamesByTargetResponse, error) {
	names, next, err := p.svc.RuleNamesByTarget(ctx, scope(ctx), api.Value(in.EventBusName), *in.TargetArn,
		api.Value(in.NextToken), int(api.Value(in.Limit)))
	if err != nil {
		return nil, apiError(err)
	}
	return &ListRuleNamesByTargetResponse{RuleNames: names, NextToken: api.OptionalString(next)}, nil
}

// PutEvents puts events on buses.
func (p *Provider) PutEvents(ctx context.Context, in *PutEventsRequest) (*PutEventsResponse, error) {
	if in.EndpointId != nil {
		return nil, validationError("Vigil has no global endpoints: EndpointId is not supported.")
	}
	entries := make([]eventssvc.Entry, len(in.Entries))
	for i, e := range in.Entries {
		entries[i] = eventssvc.Entry{Time: e.Time, Source: api.Value(e.Source), DetailType: api.Value(e.DetailType),
			Detail: api.Value(e.Detail), Bus: api.Value(e.EventBusName), TraceHeader: api.Value(e.TraceHeader), Resources: e.Resources,
			HasSource: e.Source != nil, HasDetailType: e.DetailType != nil, HasDetail: e.Detail != nil}
	}
	results, err := p.svc.PutEvents(ctx, scope(ctx), entries)
	if err != nil {
		return nil, apiError(err)
	}
	out := &PutEventsResponse{Entries: make([]PutEventsResultEntry, len(results))}
	failed := int32(0)
	for i, r := range results {
		if r.Code != "" {
			failed++
			out.Entries[i] = PutEventsResultEntry{ErrorCode: api.Ptr(r.Code), ErrorMessage: api.Ptr(r.Message)}
			continue
		}
		out.Entries[i] = PutEventsResultEntry{EventId: api.Ptr(r.EventID)}
	}
	out.FailedEntryCount = &failed
	return out, nil
}

// TestEventPattern tests whether an event matches a pattern.
func (p *Provider) TestEventPattern(ctx context.Context, in *TestEventPatternRequest) (*TestEventPatternResponse, error) {
	ok, err := eventssvc.TestEventPattern(*in.EventPattern, *in.Event)
	if err != nil {
		return nil, apiError(err)
	}
	return &TestEventPatternResponse{Result: &ok}, nil
}

// TagResource tags a bus or rule.
func (p *Provider) TagResource(ctx context.Context, in *TagResourceRequest) (*TagResourceResponse, error) {
	if err := p.svc.Tag(ctx, scope(ctx), *in.ResourceARN, tagMap(in.Tags), nil); err != nil {
		return nil, apiError(err)
	}
	return &TagResourceResponse{}, nil
}

// UntagResource removes tags of a bus or rule.
func (p *Provider) UntagResource(ctx context.Context, in *UntagResourceRequest) (*UntagResourceResponse, error) {
	if err := p.svc.Tag(ctx, scope(ctx), *in.ResourceARN, nil, in.TagKeys); err != nil {
		return nil, apiError(err)
	}
	return &UntagResourceResponse{}, nil
}

// ListTagsForResource lists the tags of a bus or rule.
func (p *Provider) ListTagsForResource(ctx context.Context, in *ListTagsForResourceRequest) (*ListTagsForResourceResponse, error) {
	tags, err := p.svc.Tags(ctx, scope(ctx), *in.ResourceARN)
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListTagsForResourceResponse{Tags: api.TagList(tags, func(k, v *string) Tag { return Tag{Key: k, Value: v} })}
	return out, nil
}
