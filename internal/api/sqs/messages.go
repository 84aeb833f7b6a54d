package sqs

import (
	"context"

	"github.com/vigilhq/vigil/internal/api"
	sqssvc "github.com/vigilhq/vigil/internal/sqs"
)

// sendInput is a message to send, from SendMessage or a batch entry.
func sendInput(id string, body *string, delay *int32, attrs map[string]MessageAttributeValue,
	system map[MessageSystemAttributeNameForSends]MessageSystemAttributeValue, dedup, group *string) sqssvc.SendInput {
	in := sqssvc.SendInput{ID: id, Body: *body, DedupID: api.Value(dedup), GroupID: api.Value(group)}
	if delay != nil {
		d := int(*delay)
		in.DelaySeconds = &d
	}
	for name, v := range attrs {
		in.Attributes = append(in.Attributes, sqssvc.Attribute{Name: name, DataType: *v.DataType, StringValue: api.Value(v.StringValue), BinaryValue: v.BinaryValue})
	}
	if t, ok := system[MessageSystemAttributeNameForSendsAWSTraceHeader]; ok {
		in.TraceHeader = api.Value(t.StringValue)
	}
	return in
}

// SendMessage sends a message.
func (p *Provider) SendMessage(ctx context.Context, in *SendMessageRequest) (*SendMessageResult, error) {
	rs, err := p.svc.SendMessages(ctx, scope(ctx), scope(ctx).Account, *in.QueueUrl, []sqssvc.SendInput{
		sendInput("", in.MessageBody, in.DelaySeconds, in.MessageAttributes, in.MessageSystemAttributes, in.MessageDeduplicationId, in.MessageGroupId),
	}, false)
	if err != nil {
		return nil, apiError(err)
	}
	r := rs[0]
	return &SendMessageResult{MessageId: api.Ptr(r.MessageID), MD5OfMessageBody: api.Ptr(r.MD5Body),
		MD5OfMessageAttributes: api.OptionalString(r.MD5Attributes), MD5OfMessageSystemAttributes: api.OptionalString(r.MD5System),
		SequenceNumber: api.OptionalString(r.SequenceNumber)}, nil
}

// SendMessageBatch sends up to 10 messages.
func (p *Provider) SendMessageBatch(ctx context.Context, in *SendMessageBatchRequest) (*SendMessageBatchResult, error) {
	entries := make([]sqssvc.SendInput, len(in.Entries))
	for i, e := range in.Entries {
		entries[i] = sendInput(*e.Id, e.MessageBody, e.DelaySeconds, e.MessageAttributes, e.MessageSystemAttributes, e.MessageDeduplicationId, e.MessageGroupId)
	}
	rs, err := p.svc.SendMessages(ctx, scope(ctx), scope(ctx).Account, *in.QueueUrl, entries, true)
	if err != nil {
		return nil, apiError(err)
	}
	out := &SendMessageBatchResult{Successful: []SendMessageBatchResultEntry{}, Failed: []BatchResultErrorEntry{}}
	for _, r := range rs {
		if r.Err != nil {
			out.Failed = append(out.Failed, failed(r.ID, r.Err))
			continue
		}
		out.Successful = append(out.Successful, SendMessageBatchResultEntry{Id: api.Ptr(r.ID), MessageId: api.Ptr(r.MessageID),
			MD5OfMessageBody: api.Ptr(r.MD5Body), MD5OfMessageAttributes: api.OptionalString(r.MD5Attributes),
			MD5OfMessageSystemAttributes: api.OptionalString(r.MD5System), SequenceNumber: api.OptionalString(r.SequenceNumber)})
	}
	return out, nil
}

// failed is a refused batch entry.
func failed(id string, err error) BatchResultErrorEntry {
	msg := err.Error()
	return BatchResultErrorEntry{Id: api.Ptr(id), Code: api.Ptr(errorCode(err)), Message: &msg, SenderFault: api.Ptr(true)}
}

// ReceiveMessage receives messages, long-polling when asked.
func (p *Provider) ReceiveMessage(ctx context.Context, in *ReceiveMessageRequest) (*ReceiveMessageResult, error) {
	r := sqssvc.ReceiveInput{QueueURL: *in.QueueUrl, MessageAttributes: in.MessageAttributeNames, AttemptID: api.Value(in.ReceiveRequestAttemptId)}
	r.Max, r.Visibility, r.Wait = optional(in.MaxNumberOfMessages), optional(in.VisibilityTimeout), optional(in.WaitTimeSeconds)
	for _, n := range in.AttributeNames {
		r.SystemAttributes = append(r.SystemAttributes, string(n))
	}
	for _, n := range in.MessageSystemAttributeNames {
		r.SystemAttributes = append(r.SystemAttributes, string(n))
	}
	got, err := p.svc.ReceiveMessages(ctx, scope(ctx), r)
	if err != nil {
		return nil, apiError(err)
	}
	out := &ReceiveMessageResult{}
	for _, m := range got {
		msg := Message{MessageId: api.Ptr(m.MessageID), ReceiptHandle: api.Ptr(m.ReceiptHandle), Body: api.Ptr(m.Body),
			MD5OfBody: api.Ptr(m.MD5Body), MD5OfMessageAttributes: api.OptionalString(m.MD5Attributes)}
		if len(m.SystemAttributes) > 0 {
			msg.Attributes = make(map[MessageSystemAttributeName]string, len(m.SystemAttributes))
			for k, v := range m.SystemAttributes {
				msg.Attributes[MessageSystemAttributeName(k)] = v
			}
		}
		if len(m.Attributes) > 0 {
			msg.MessageAttributes = make(map[string]MessageAttributeValue, len(m.Attributes))
			for _, a := range m.Attributes {
				v := MessageAttributeValue{DataType: api.Ptr(a.DataType), BinaryValue: a.BinaryValue}
				if a.BinaryValue == nil {
					v.StringValue = api.Ptr(a.StringValue)
				}
				msg.MessageAttributes[a.Name] = v
			}
		}
		out.Messages = append(out.Messages, msg)
	}
	return out, nil
}

// DeleteMessage deletes a received message.
func (p *Provider) DeleteMessage(ctx context.Context, in *DeleteMessageRequest) (*DeleteMessageOutput, error) {
	_, err := p.svc.DeleteMessages(ctx, scope(ctx), *in.QueueUrl, nil, []string{*in.ReceiptHandle}, false)
	return nil, apiError(err)
}

// DeleteMessageBatch deletes up to 10 received messages.
func (p *Provider) DeleteMessageBatch(ctx context.Context, in *DeleteMessageBatchRequest) (*DeleteMessageBatchResult, error) {
	ids, handles := make([]string, len(in.Entries)), make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i], handles[i] = *e.Id, *e.ReceiptHandle
	}
	errs, err := p.svc.DeleteMessages(ctx, scope(ctx), *in.QueueUrl, ids, handles, true)
	if err != nil {
		return nil, apiError(err)
	}
	out := &DeleteMessageBatchResult{Successful: []DeleteMessageBatchResultEntry{}, Failed: []BatchResultErrorEntry{}}
	for i, e := range errs {
		if e != nil {
			out.Failed = append(out.Failed, failed(ids[i], e))
		} else {
			out.Successful = append(out.Successful, DeleteMessageBatchResultEntry{Id: api.Ptr(ids[i])})
		}
	}
	return out, nil
}

// ChangeMessageVisibility changes a received message's visibility
// timeout.
func (p *Provider) ChangeMessageVisibility(ctx context.Context, in *ChangeMessageVisibilityRequest) (*ChangeMessageVisibilityOutput, error) {
	_, err := p.svc.ChangeVisibility(ctx, scope(ctx), *in.QueueUrl, nil, []string{*in.ReceiptHandle}, []int{int(*in.VisibilityTimeout)}, false)
	return nil, apiError(err)
}

// ChangeMessageVisibilityBatch changes the visibility timeouts of up to
// 10 received messages.
func (p *Provider) ChangeMessageVisibilityBatch(ctx context.Context, in *ChangeMessageVisibilityBatchRequest) (*ChangeMessageVisibilityBatchResult, error) {
	ids, handles, timeouts := make([]string, len(in.Entries)), make([]string, len(in.Entries)), make([]int, len(in.Entries))
	for i, e := range in.Entries {
		ids[i], handles[i], timeouts[i] = *e.Id, *e.ReceiptHandle, int(api.Value(e.VisibilityTimeout))
	}
	errs, err := p.svc.ChangeVisibility(ctx, scope(ctx), *in.QueueUrl, ids, handles, timeouts, true)
	if err != nil {
		return nil, apiError(err)
	}
	out := &ChangeMessageVisibilityBatchResult{Successful: []ChangeMessageVisibilityBatchResultEntry{}, Failed: []BatchResultErrorEntry{}}
	for i, e := range errs {
		if e != nil {
			out.Failed = append(out.Failed, failed(ids[i], e))
		} else {
			out.Successful = append(out.Successful, ChangeMessageVisibilityBatchResultEntry{Id: api.Ptr(ids[i])})
		}
	}
	return out, nil
}
