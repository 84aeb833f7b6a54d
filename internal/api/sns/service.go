package sns

import (
	"context"
	"errors"

	"github.com/vigilhq/vigil/internal/api"
	"github.com/vigilhq/vigil/internal/request"
	snssvc "github.com/vigilhq/vigil/internal/sns"
)

// Provider implements the SNS operations on the service.
type Provider struct {
	Unimplemented
	svc *snssvc.Service
}

// New returns the SNS API over the service.
func New(s *snssvc.Service) *Provider { return &Provider{svc: s} }

// scope returns the request's account and region.
func scope(ctx context.Context) snssvc.Scope {
	info := request.FromContext(ctx)
	return snssvc.Scope{Account: info.Principal.Account, Region: info.Region}
}

// apiError maps the service's errors to the modeled exceptions.
func apiError(err error) error {
	var e *snssvc.Error
	if !errors.As(err, &e) {
		return err
	}
	msg := &e.Message
	switch e.Code {
	case snssvc.NotFound:
		return &NotFoundException{Message: msg}
	case snssvc.AuthorizationError:
		return &AuthorizationErrorException{Message: msg}
	case snssvc.TagLimitExceeded:
		return &TagLimitExceededException{Message: msg}
	case snssvc.ResourceNotFound:
		return &ResourceNotFoundException{Message: msg}
	case snssvc.EmptyBatch:
		return &EmptyBatchRequestException{Message: msg}
	case snssvc.TooManyEntries:
		return &TooManyEntriesInBatchRequestException{Message: msg}
	case snssvc.InvalidBatchEntryID:
		return &InvalidBatchEntryIdException{Message: msg}
	case snssvc.BatchEntryIDsNotDistinct:
		return &BatchEntryIdsNotDistinctException{Message: msg}
	case snssvc.BatchRequestTooLong:
		return &BatchRequestTooLongException{Message: msg}
	}
	return &InvalidParameterException{Message: msg}
}

func tagMap(tags []Tag) map[string]string {
	return api.TagMap(tags, func(t Tag) (*string, *string) { return t.Key, t.Value })
}

// CreateTopic creates a topic.
func (p *Provider) CreateTopic(ctx context.Context, in *CreateTopicInput) (*CreateTopicResponse, error) {
	arn, err := p.svc.CreateTopic(ctx, scope(ctx), snssvc.CreateTopicInput{Name: *in.Name, Attributes: in.Attributes, Tags: tagMap(in.Tags),
		DataProtectionPolicy: api.Value(in.DataProtectionPolicy)})
	if err != nil {
		return nil, apiError(err)
	}
	return &CreateTopicResponse{TopicArn: &arn}, nil
}

// DeleteTopic deletes a topic.
func (p *Provider) DeleteTopic(ctx context.Context, in *DeleteTopicInput) (*DeleteTopicOutput, error) {
	return nil, apiError(p.svc.DeleteTopic(ctx, scope(ctx), *in.TopicArn))
}

// ListTopics lists topics.
func (p *Provider) ListTopics(ctx context.Context, in *ListTopicsInput) (*ListTopicsResponse, error) {
	arns, next, err := p.svc.ListTopics(ctx, scope(ctx), api.Value(in.NextToken))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListTopicsResponse{Topics: make([]Topic, len(arns)), NextToken: api.OptionalString(next)}
	for i, a := range arns {
		out.Topics[i] = Topic{TopicArn: api.Ptr(a)}
	}
	return out, nil
}

// GetTopicAttributes returns a topic's attributes.
func (p *Provider) GetTopicAttributes(ctx context.Context, in *GetTopicAttributesInput) (*GetTopicAttributesResponse, error) {
	attrs, err := p.svc.GetTopicAttributes(ctx, scope(ctx), *in.TopicArn)
	if err != nil {
		return nil, apiError(err)
	}
	return &GetTopicAttributesResponse{Attributes: attrs}, nil
}

// SetTopicAttributes sets a topic's attribute.
func (p *Provider) SetTopicAttributes(ctx context.Context, in *SetTopicAttributesInput) (*SetTopicAttributesOutput, error) {
	return nil, apiError(p.svc.SetTopicAttributes(ctx, scope(ctx), *in.TopicArn, *in.AttributeName, api.Value(in.AttributeValue)))
}

// Subscribe subscribes an endpoint to a topic.
func (p *Provider) Subscribe(ctx context.Context, in *SubscribeInput) (*SubscribeResponse, error) {
	arn, err := p.svc.Subscribe(ctx, scope(ctx), *in.TopicArn, *in.Protocol, api.Value(in.Endpoint), in.Attributes, api.Value(in.ReturnSubscriptionArn))
	if err != nil {
		return nil, apiError(err)
	}
	return &SubscribeResponse{SubscriptionArn: &arn}, nil
}

// ConfirmSubscription confirms a subscription with its token.
func (p *Provider) ConfirmSubscription(ctx context.Context, in *ConfirmSubscriptionInput) (*ConfirmSubscriptionResponse, error) {
	arn, err := p.svc.ConfirmSubscription(ctx, *in.TopicArn, *in.Token)
	if err != nil {
		return nil, apiError(err)
	}
	return &ConfirmSubscriptionResponse{SubscriptionArn: &arn}, nil
}

// Unsubscribe deletes a subscription.
func (p *Provider) Unsubscribe(ctx context.Context, in *UnsubscribeInput) (*UnsubscribeOutput, error) {
	return nil, apiError(p.svc.Unsubscribe(ctx, scope(ctx), *in.SubscriptionArn))
}

func subscriptions(list []snssvc.SubscriptionView) []Subscription {
	out := make([]Subscription, len(list))
	for i, s := range list {
		out[i] = Subscription{SubscriptionArn: api.Ptr(s.ARN), Owner: api.Ptr(s.Owner), Protocol: api.Ptr(s.Protocol),
			Endpoint: api.Ptr(s.Endpoint), TopicArn: api.Ptr(s.TopicARN)}
	}
	return out
}

// ListSubscriptions lists the subscriptions of every topic.
func (p *Provider) ListSubscriptions(ctx context.Context, in *ListSubscriptionsInput) (*ListSubscriptionsResponse, error) {
	list, next, err := p.svc.ListSubscriptions(ctx, scope(ctx), "", api.Value(in.NextToken))
	if err != nil {
		return nil, apiError(err)
	}
	return &ListSubscriptionsResponse{Subscriptions: subscriptions(list), NextToken: api.OptionalString(next)}, nil
}

// ListSubscriptionsByTopic lists the subscriptions of a topic.
func (p *Provider) ListSubscriptionsByTopic(ctx context.Context, in *ListSubscriptionsByTopicInput) (*ListSubscriptionsByTopicResponse, error) {
	list, next, err := p.svc.ListSubscriptions(ctx, scope(ctx), *in.TopicArn, api.Value(in.NextToken))
	if err != nil {
		return nil, apiError(err)
	}
	return &ListSubscriptionsByTopicResponse{Subscriptions: subscriptions(list), NextToken: api.OptionalString(next)}, nil
}

// GetSubscriptionAttributes returns a subscription's attributes.
func (p *Provider) GetSubscriptionAttributes(ctx context.Context, in *GetSubscriptionAttributesInput) (*GetSubscriptionAttributesResponse, error) {
	attrs, err := p.svc.GetSubscriptionAttributes(ctx, scope(ctx), *in.SubscriptionArn)
	if err != nil {
		return nil, apiError(err)
	}
	return &GetSubscriptionAttributesResponse{Attributes: attrs}, nil
}

// SetSubscriptionAttributes sets a subscription's attribute.
func (p *Provider) SetSubscriptionAttributes(ctx context.Context, in *SetSubscriptionAttributesInput) (*SetSubscriptionAttributesOutput, error) {
	return nil, apiError(p.svc.SetSubscriptionAttributes(ctx, scope(ctx), *in.SubscriptionArn, *in.AttributeName, api.Value(in.AttributeValue)))
}

// Publish publishes a message to a topic.
func (p *Provider) Publish(ctx context.Context, in *PublishInput) (*PublishResponse, error) {
	switch {
	case in.PhoneNumber != nil:
		return nil, noSMS("PhoneNumber")
	case in.TargetArn != nil && in.TopicArn != nil:
		return nil, &InvalidParameterException{Message: api.Ptr("Invalid parameter: TopicArn or TargetArn Reason: Only one of TopicArn or TargetArn may be specified")}
	case in.TopicArn == nil && in.TargetArn == nil:
		return nil, &InvalidParameterException{Message: api.Ptr("Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter")}
	}
	topic := api.Value(in.TopicArn)
	if topic == "" {
		topic = *in.TargetArn
	}
	pi := publishInput(topic, *in.Message, in.Subject, in.MessageStructure, in.MessageGroupId, in.MessageDeduplicationId, in.MessageAttributes)
	out, err := p.svc.Publish(ctx, scope(ctx), pi)
	if err != nil {
		return nil, apiError(err)
	}
	return &PublishResponse{MessageId: &out.MessageID, SequenceNumber: api.OptionalString(out.SequenceNumber)}, nil
}

// publishInput is a message to publish, from Publish or a PublishBatch
// entry.
func publishInput(topic, message string, subject, structure, group, dedup *string, attrs map[string]MessageAttributeValue) snssvc.PublishInput {
	pi := snssvc.PublishInput{TopicARN: topic, Message: message, Subject: api.Value(subject), MessageStructure: api.Value(structure),
		MessageGroupID: api.Value(group), MessageDeduplicationID: api.Value(dedup)}
	if len(attrs) > 0 {
		pi.Attributes = map[string]snssvc.Attribute{}
		for k, v := range attrs {
			pi.Attributes[k] = snssvc.Attribute{DataType: *v.DataType, StringValue: api.Value(v.StringValue), BinaryValue: v.BinaryValue}
		}
	}
	return pi
}

// PublishBatch publishes up to 10 messages to a topic.
func (p *Provider) PublishBatch(ctx context.Context, in *PublishBatchInput) (*PublishBatchResponse, error) {
	ids := make([]string, len(in.PublishBatchRequestEntries))
	entries := make([]snssvc.PublishInput, len(ids))
	for i, e := range in.PublishBatchRequestEntries {
		ids[i] = *e.Id
		entries[i] = publishInput(*in.TopicArn, *e.Message, e.Subject, e.MessageStructure, e.MessageGroupId, e.MessageDeduplicationId, e.MessageAttributes)
	}
	results, err := p.svc.PublishBatch(ctx, scope(ctx), *in.TopicArn, ids, entries)
	if err != nil {
		return nil, apiError(err)
	}
	out := &PublishBatchResponse{Successful: []PublishBatchResultEntry{}, Failed: []BatchResultErrorEntry{}}
	for _, r := range results {
		if r.Err != nil {
			msg := r.Err.Error()
			out.Failed = append(out.Failed, BatchResultErrorEntry{Id: api.Ptr(r.ID), Code: api.Ptr("InvalidParameter"), Message: &msg, SenderFault: api.Ptr(true)})
			continue
		}
		out.Successful = append(out.Successful, PublishBatchResultEntry{Id: api.Ptr(r.ID), MessageId: api.Ptr(r.MessageID),
			SequenceNumber: api.OptionalString(r.SequenceNumber)})
	}
	return out, nil
}

// TagResource tags a topic.
func (p *Provider) TagResource(ctx context.Context, in *TagResourceRequest) (*TagResourceResponse, error) {
	return nil, apiError(p.svc.Tag(ctx, scope(ctx), *in.ResourceArn, tagMap(in.Tags), nil))
}

// UntagResource removes a topic's tags.
func (p *Provider) UntagResource(ctx context.Context, in *UntagResourceRequest) (*UntagResourceResponse, error) {
	return nil, apiError(p.svc.Tag(ctx, scope(ctx), *in.ResourceArn, nil, in.TagKeys))
}

// ListTagsForResource lists a topic's tags.
func (p *Provider) ListTagsForResource(ctx context.Context, in *ListTagsForResourceRequest) (*ListTagsForResourceResponse, error) {
	tags, err := p.svc.Tags(ctx, scope(ctx), *in.ResourceArn)
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListTagsForResourceResponse{Tags: api.TagList(tags, func(k, v *string) Tag { return Tag{Key: k, Value: v} })}
	return out, nil
}
