package sqs

import (
	"context"
	"errors"
	"net/http"

	"github.com/vigilhq/vigil/internal/api"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/request"
	sqssvc "github.com/vigilhq/vigil/internal/sqs"
)

// Provider implements the SQS operations on the service.
type Provider struct {
	Unimplemented
	svc *sqssvc.Service
}

// New returns the SQS API over the service.
func New(s *sqssvc.Service) *Provider { return &Provider{svc: s} }

// scope returns the request's account and region.
func scope(ctx context.Context) sqssvc.Scope {
	info := request.FromContext(ctx)
	return sqssvc.Scope{Account: info.Principal.Account, Region: info.Region}
}

// apiError maps the service's errors to the modeled exceptions.
func apiError(err error) error {
	var e *sqssvc.Error
	if !errors.As(err, &e) {
		return err
	}
	msg := &e.Message
	switch e.Code {
	case sqssvc.QueueDoesNotExist:
		return &QueueDoesNotExist{Message: msg}
	case sqssvc.QueueNameExists:
		return &QueueNameExists{Message: msg}
	case sqssvc.InvalidAttributeName:
		return &InvalidAttributeName{Message: msg}
	case sqssvc.InvalidAttributeValue:
		return &InvalidAttributeValue{Message: msg}
	case sqssvc.ReceiptHandleIsInvalid:
		return &ReceiptHandleIsInvalid{Message: msg}
	case sqssvc.MessageNotInflight:
		return &MessageNotInflight{Message: msg}
	case sqssvc.InvalidMessageContents:
		return &InvalidMessageContents{Message: msg}
	case sqssvc.EmptyBatchRequest:
		return &EmptyBatchRequest{Message: msg}
	case sqssvc.TooManyEntriesInBatchRequest:
		return &TooManyEntriesInBatchRequest{Message: msg}
	case sqssvc.BatchEntryIdsNotDistinct:
		return &BatchEntryIdsNotDistinct{Message: msg}
	case sqssvc.InvalidBatchEntryID:
		return &InvalidBatchEntryId{Message: msg}
	case sqssvc.BatchRequestTooLong:
		return &BatchRequestTooLong{Message: msg}
	case sqssvc.PurgeQueueInProgress:
		return &PurgeQueueInProgress{Message: msg}
	case sqssvc.ResourceNotFound:
		return &ResourceNotFoundException{Message: msg}
	case sqssvc.OverLimit:
		return &OverLimit{Message: msg}
	}
	return invalidParameter(e)
}

// invalidParameter is SQS's common InvalidParameterValue (or
// MissingParameter) error, which the model does not list.
func invalidParameter(e *sqssvc.Error) error {
	code := "InvalidParameterValue"
	if e.Code == sqssvc.MissingParameter {
		code = "MissingParameter"
	}
	return &protocol.Error{Code: code, Namespace: Model.Namespace, Status: http.StatusBadRequest, Message: e.Message}
}

// errorCode is the code of a refused batch entry.
func errorCode(err error) string {
	var e *sqssvc.Error
	if !errors.As(err, &e) {
		return "InternalError"
	}
	switch e.Code {
	case sqssvc.ReceiptHandleIsInvalid:
		return "ReceiptHandleIsInvalid"
	case sqssvc.MessageNotInflight:
		return "MessageNotInflight"
	case sqssvc.InvalidMessageContents:
		return "InvalidMessageContents"
	case sqssvc.MissingParameter:
		return "MissingParameter"
	}
	return "InvalidParameterValue"
}

func attributeMap[K ~string](m map[K]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[string(k)] = v
	}
	return out
}

// CreateQueue creates a queue.
func (p *Provider) CreateQueue(ctx context.Context, in *CreateQueueRequest) (*CreateQueueResult, error) {
	u, err := p.svc.CreateQueue(ctx, scope(ctx), p.svc.Base(), *in.QueueName, attributeMap(in.Attributes), in.Tags)
	if err != nil {
		return nil, apiError(err)
	}
	return &CreateQueueResult{QueueUrl: &u}, nil
}

// GetQueueUrl returns a queue's URL.
func (p *Provider) GetQueueUrl(ctx context.Context, in *GetQueueUrlRequest) (*GetQueueUrlResult, error) {
	u, err := p.svc.GetQueueURL(ctx, scope(ctx), p.svc.Base(), *in.QueueName, api.Value(in.QueueOwnerAWSAccountId))
	if err != nil {
		return nil, apiError(err)
	}
	return &GetQueueUrlResult{QueueUrl: &u}, nil
}

// ListQueues lists queues.
func (p *Provider) ListQueues(ctx context.Context, in *ListQueuesRequest) (*ListQueuesResult, error) {
	urls, next, err := p.svc.ListQueues(ctx, scope(ctx), p.svc.Base(), api.Value(in.QueueNamePrefix), int(api.Value(in.MaxResults)), api.Value(in.NextToken))
	if err != nil {
		return nil, apiError(err)
	}
	return &ListQueuesResult{QueueUrls: urls, NextToken: api.OptionalString(next)}, nil
}

// DeleteQueue deletes a queue.
func (p *Provider) DeleteQueue(ctx context.Context, in *DeleteQueueRequest) (*DeleteQueueOutput, error) {
	return nil, apiError(p.svc.DeleteQueue(ctx, scope(ctx), *in.QueueUrl))
}

// GetQueueAttributes returns a queue's attributes.
func (p *Provider) GetQueueAttributes(ctx context.Context, in *GetQueueAttributesRequest) (*GetQueueAttributesResult, error) {
	names := make([]string, len(in.AttributeNames))
	for i, n := range in.AttributeNames {
		names[i] = string(n)
	}
	attrs, err := p.svc.GetQueueAttributes(ctx, scope(ctx), *in.QueueUrl, names)
	if err != nil {
		return nil, apiError(err)
	}
	out := &GetQueueAttributesResult{}
	if len(attrs) > 0 {
		out.Attributes = make(map[QueueAttributeName]string, len(attrs))
		for k, v := range attrs {
			out.Attributes[QueueAttributeName(k)] = v
		}
	}
	return out, nil
}

// SetQueueAttributes sets a queue's attributes.
func (p *Provider) SetQueueAttributes(ctx context.Context, in *SetQueueAttributesRequest) (*SetQueueAttributesOutput, error) {
	return nil, apiError(p.svc.SetQueueAttributes(ctx, scope(ctx), *in.QueueUrl, attributeMap(in.Attributes)))
}

// PurgeQueue deletes a queue's messages.
func (p *Provider) PurgeQueue(ctx context.Context, in *PurgeQueueRequest) (*PurgeQueueOutput, error) {
	return nil, apiError(p.svc.PurgeQueue(ctx, scope(ctx), *in.QueueUrl))
}

// TagQueue tags a queue.
func (p *Provider) TagQueue(ctx context.Context, in *TagQueueRequest) (*TagQueueOutput, error) {
	return nil, apiError(p.svc.Tag(ctx, scope(ctx), *in.QueueUrl, in.Tags, nil))
}

// UntagQueue removes a queue's tags.
func (p *Provider) UntagQueue(ctx context.Context, in *UntagQueueRequest) (*UntagQueueOutput, error) {
	return nil, apiError(p.svc.Tag(ctx, scope(ctx), *in.QueueUrl, nil, in.TagKeys))
}

// AddPermission adds a statement to a queue's policy.
func (p *Provider) AddPermission(ctx context.Context, in *AddPermissionRequest) (*AddPermissionOutput, error) {
	return nil, apiError(p.svc.AddPermission(ctx, scope(ctx), *in.QueueUrl, *in.Label, in.AWSAccountIds, in.Actions))
}

// RemovePermission removes a statement from a queue's policy.
func (p *Provider) RemovePermission(ctx context.Context, in *RemovePermissionRequest) (*RemovePermissionOutput, error) {
	return nil, apiError(p.svc.RemovePermission(ctx, scope(ctx), *in.QueueUrl, *in.Label))
}

// ListQueueTags lists a queue's tags.
func (p *Provider) ListQueueTags(ctx context.Context, in *ListQueueTagsRequest) (*ListQueueTagsResult, error) {
	tags, err := p.svc.Tags(ctx, scope(ctx), *in.QueueUrl)
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListQueueTagsResult{}
	if len(tags) > 0 {
		out.Tags = tags
	}
	return out, nil
}
