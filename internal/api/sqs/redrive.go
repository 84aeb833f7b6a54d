package sqs

import (
	"context"

	"github.com/vigilhq/vigil/internal/api"
)

// optional converts an optional integer member.
func optional(v *int32) *int {
	if v == nil {
		return nil
	}
	n := int(*v)
	return &n
}

// ListDeadLetterSourceQueues lists the queues whose dead-letter queue is
// a queue.
func (p *Provider) ListDeadLetterSourceQueues(ctx context.Context, in *ListDeadLetterSourceQueuesRequest) (*ListDeadLetterSourceQueuesResult, error) {
	urls, next, err := p.svc.ListDeadLetterSourceQueues(ctx, scope(ctx), p.svc.Base(), *in.QueueUrl, int(api.Value(in.MaxResults)), api.Value(in.NextToken))
	if err != nil {
		return nil, apiError(err)
	}
	return &ListDeadLetterSourceQueuesResult{QueueUrls: urls, NextToken: api.OptionalString(next)}, nil
}

// StartMessageMoveTask starts moving a dead-letter queue's messages.
func (p *Provider) StartMessageMoveTask(ctx context.Context, in *StartMessageMoveTaskRequest) (*StartMessageMoveTaskResult, error) {
	h, err := p.svc.StartMoveTask(ctx, scope(ctx), *in.SourceArn, api.Value(in.DestinationArn), optional(in.MaxNumberOfMessagesPerSecond))
	if err != nil {
		return nil, apiError(err)
	}
	return &StartMessageMoveTaskResult{TaskHandle: &h}, nil
}

// ListMessageMoveTasks lists the latest move tasks of a queue.
func (p *Provider) ListMessageMoveTasks(ctx context.Context, in *ListMessageMoveTasksRequest) (*ListMessageMoveTasksResult, error) {
	tasks, err := p.svc.ListMoveTasks(ctx, scope(ctx), *in.SourceArn, optional(in.MaxResults))
	if err != nil {
		return nil, apiError(err)
	}
	out := &ListMessageMoveTasksResult{Results: make([]ListMessageMoveTasksResultEntry, len(tasks))}
	for i, t := range tasks {
		e := ListMessageMoveTasksResultEntry{TaskHandle: api.OptionalString(t.Handle), Status: api.Ptr(t.Status),
			SourceArn: api.Ptr(t.SourceARN), DestinationArn: api.OptionalString(t.DestinationARN), FailureReason: api.OptionalString(t.FailureReason),
			ApproximateNumberOfMessagesMoved: api.Ptr(t.Moved), ApproximateNumberOfMessagesToMove: api.Ptr(t.ToMove),
			StartedTimestamp: api.Ptr(t.Started)}
		if t.Rate > 0 {
			e.MaxNumberOfMessagesPerSecond = api.Ptr(int32(t.Rate))
		}
		out.Results[i] = e
	}
	return out, nil
}

// CancelMessageMoveTask cancels a running move task.
func (p *Provider) CancelMessageMoveTask(ctx context.Context, in *CancelMessageMoveTaskRequest) (*CancelMessageMoveTaskResult, error) {
	moved, err := p.svc.CancelMoveTask(ctx, scope(ctx), *in.TaskHandle)
	if err != nil {
		return nil, apiError(err)
	}
	return &CancelMessageMoveTaskResult{ApproximateNumberOfMessagesMoved: &moved}, nil
}
