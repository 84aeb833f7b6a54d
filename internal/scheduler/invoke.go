package scheduler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/outbox"
	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/svcevents"
)

// The outbox kind of invocations, and the version of its payload.
const (
	KindInvocation    = "scheduler.invocation"
	invocationVersion = 1
)

// InputKind is the dispatch kind of what a schedule sends to a queue or a
// topic: its target's input, context attributes replaced.
const InputKind = "scheduler.input"

// invocationPolicy retries with exponential backoff and jitter for at
// most 24 hours; each target's RetryPolicy lowers the attempts and the
// age (deliver).
var invocationPolicy = outbox.Policy{MinBackoff: time.Second, MaxBackoff: 10 * time.Minute, Jitter: 0.5,
	MaxAge: defaultEventAge * time.Second}

// invocation is a target's invocation waiting in the outbox: all it
// needs, so that it is made as the schedule was when it fired, deleted
// since or not.
type invocation struct {
	ScheduleARN string `json:"schedule"`
	// ScheduledTime is the invocation's scheduled time (ms).
	ScheduledTime int64  `json:"scheduledTime"`
	RoleARN       string `json:"roleArn,omitempty"`
	// Input is the target's input, its context attributes not replaced
	// (nil: none given).
	Input          *string                `json:"input,omitempty"`
	MessageGroupID string                 `json:"groupId,omitempty"`
	EventBridge    *EventBridgeParameters `json:"eventBridge,omitempty"`
	MaxAttempts    int                    `json:"maxAttempts"`
	MaxAgeSeconds  int                    `json:"maxAge"`
	DeadLetterARN  string                 `json:"deadLetter,omitempty"`
}

// invocationItem is the outbox item of a schedule's invocation scheduled
// at scheduled, made from now.
func invocationItem(r *store.Schedule, t *Target, scheduled, now time.Time) (store.OutboxItem, error) {
	b, err := json.Marshal(invocation{ScheduleARN: r.ARN, ScheduledTime: scheduled.UnixMilli(), RoleARN: t.RoleARN, Input: t.Input,
		MessageGroupID: t.MessageGroupID, EventBridge: t.EventBridge, MaxAttempts: *t.MaximumRetryAttempts + 1,
		MaxAgeSeconds: *t.MaximumEventAgeSeconds, DeadLetterARN: t.DeadLetterARN})
	if err != nil {
		return store.OutboxItem{}, err
	}
	return store.OutboxItem{Kind: KindInvocation, Version: invocationVersion, Account: r.Account, Region: r.Region, Target: t.ARN,
		Payload: b, NextAttempt: now.UnixMilli()}, nil
}

// defaultInput is what a target receives when the schedule gives no
// Input (AWS "delivers a default notification", which it does not
// document).
const defaultInput = "{}"

// input is what an attempt at an invocation delivers: its input with the
// context attributes replaced
// (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html).
func (inv *invocation) input(it store.OutboxItem) string {
	in := defaultInput
	if inv.Input != nil {
		in = *inv.Input
	}
	if !strings.Contains(in, "<aws.scheduler.") {
		return in
	}
	return strings.NewReplacer(
		"<aws.scheduler.schedule-arn>", inv.ScheduleARN,
		"<aws.scheduler.scheduled-time>", inv.scheduledTime(),
		"<aws.scheduler.execution-id>", executionID(it),
		"<aws.scheduler.attempt-number>", strconv.Itoa(it.Attempts+1),
	).Replace(in)
}

// scheduledTime is the invocation's scheduled time as AWS writes it
// (2022-03-22T18:59:43Z).
func (inv *invocation) scheduledTime() string {
	return msTime(inv.ScheduledTime).Format(time.RFC3339)
}

// executionID is the id of an attempt at an invocation: 16 hex digits
// drawn from the item and the attempt, the same on every node.
func executionID(it store.OutboxItem) string {
	sum := sha256.Sum256([]byte(outbox.IdempotencyKey(it) + "/" + strconv.Itoa(it.Attempts+1)))
	return hex.EncodeToString(sum[:8])
}

// invocationError is an invocation that cannot be made, whatever the
// retries: a target Vigil does not invoke, or an input it cannot send. Its
// code is the dead letter's ERROR_CODE.
type invocationError struct {
	code string
	err  error
}

func (e *invocationError) Error() string   { return e.err.Error() }
func (e *invocationError) Unwrap() error   { return e.err }
func (e *invocationError) Permanent() bool { return true }

func invalid(code, format string, args ...any) error {
	return &invocationError{code: code, err: fmt.Errorf(format, args...)}
}

// deliver invokes a target. An invocation that fails past its target's
// retry policy, or for good, goes to the target's dead-letter queue;
// without one, it is kept as the outbox's dead letter.
func (s *Service) deliver(ctx context.Context, it store.OutboxItem) error {
	if it.Version != invocationVersion {
		return outbox.Permanent(fmt.Errorf("EventBridge Scheduler invocation payload of version %d; this Vigil reads version %d", it.Version, invocationVersion))
	}
	var inv invocation
	if err := json.Unmarshal(it.Payload, &inv); err != nil {
		return outbox.Permanent(fmt.Errorf("cannot read an EventBridge Scheduler invocation: %w", err))
	}
	input := inv.input(it)
	err := s.invoke(ctx, it, &inv, input)
	if err == nil {
		return nil
	}
	exhausted, over := outbox.Exhausted(it, err, inv.MaxAttempts, time.Duration(inv.MaxAgeSeconds)*time.Second, s.opt.Clock.Now())
	if !over {
		return err
	}
	if inv.DeadLetterARN == "" {
		return outbox.Permanent(err)
	}
	derr := s.opt.Dispatcher.Dispatch(ctx, dispatch.Message{ID: outbox.IdempotencyKey(it) + "/dlq", Kind: InputKind, Version: 1,
		Source: dispatch.Source{Service: "scheduler", Account: it.Account, Region: it.Region, Principal: inv.RoleARN},
		Target: inv.DeadLetterARN, Payload: []byte(input), Header: deadLetterHeader(&inv, it, err, exhausted)})
	if derr != nil {
		derr = fmt.Errorf("%w; and the dead-letter queue %s refused it: %w", err, inv.DeadLetterARN, derr)
		if outbox.IsPermanent(derr) {
			return outbox.Permanent(derr)
		}
		return derr
	}
	s.opt.Logger.Info("EventBridge Scheduler invocation moved to its dead-letter queue", "schedule", inv.ScheduleARN,
		"target", it.Target, "queue", inv.DeadLetterARN, "err", err)
	return nil
}

// deadLetterHeader is the metadata of an invocation sent to a dead-letter
// queue: the message attributes of AWS's dead-letter events, which name
// the schedule, the target, the error and the retry condition that ran
// out (none for an error retrying cannot cure).
func deadLetterHeader(inv *invocation, it store.OutboxItem, err error, exhausted string) map[string]string {
	attr := func(name, value string) map[string]string {
		return map[string]string{"Name": name, "Type": "String", "Value": value}
	}
	attrs := []map[string]string{
		attr("ERROR_CODE", errorCode(err)),
		attr("ERROR_MESSAGE", err.Error()),
		attr("EXECUTION_ID", executionID(it)),
		attr("IS_PAYLOAD_TRUNCATED", "false"),
		attr("RETRY_ATTEMPTS", strconv.Itoa(it.Attempts)),
		attr("SCHEDULED_TIME", inv.scheduledTime()),
		attr("SCHEDULE_ARN", inv.ScheduleARN),
		attr("TARGET_ARN", it.Target),
	}
	if exhausted != "" {
		attrs = append(attrs, attr("EXHAUSTED_RETRY_CONDITION", exhausted))
	}
	b, jerr := json.Marshal(attrs)
	if jerr != nil {
		panic("BUG: scheduler: cannot encode dead-letter attributes: " + jerr.Error())
	}
	return map[string]string{dispatch.MessageAttributesHeader: string(b)}
}

// errorCode names an invocation's failure in its dead letter.
func errorCode(err error) string {
	var ie *invocationError
	var de *dispatch.Error
	switch {
	case errors.As(err, &ie):
		return ie.code
	case errors.As(err, &de) && de.Code != "":
		return de.Code
	case outbox.IsPermanent(err):
		return "InvalidTarget"
	}
	return "SDK_CLIENT_ERROR"
}

// invoke makes one attempt at an invocation, through the dispatcher: an
// SQS queue or an SNS topic receives the input (a FIFO queue in the
// target's message group), an event bus an event whose detail is the
// input, and a universal target's call is made as the dispatcher's
// delivery it stands for.
func (s *Service) invoke(ctx context.Context, it store.OutboxItem, inv *invocation, input string) error {
	to, err := dispatch.Parse(it.Target)
	if err != nil {
		return invalid("InvalidTarget", "%w", err)
	}
	msg := dispatch.Message{ID: outbox.IdempotencyKey(it), Kind: InputKind, Version: 1,
		Source: dispatch.Source{Service: "scheduler", Account: it.Account, Region: it.Region, Principal: inv.RoleARN},
		Target: it.Target, Payload: []byte(input)}
	if service, action, ok := universalAction(to); ok {
		if err := universal(service+":"+action, input, it, &msg); err != nil {
			return err
		}
		if to, err = dispatch.Parse(msg.Target); err != nil {
			return invalid("InvalidRequest", "%w", err)
		}
	} else if to.Service == "events" && to.Type == "event-bus" {
		if msg.Payload, err = inv.event(it, input, s.opt.Clock.Now()); err != nil {
			return err
		}
		msg.Kind = dispatch.EventKind
	} else if inv.MessageGroupID != "" {
		msg.Header = map[string]string{"MessageGroupId": inv.MessageGroupID}
	}
	if s.opt.Dispatcher.Route(to) == nil {
		return invalid("InvalidTarget", "Vigil does not invoke %s targets (%s)", to.Service, msg.Target)
	}
	return s.opt.Dispatcher.Dispatch(ctx, msg)
}

// event is the event an invocation puts on an event bus: of the target's
// EventBridgeParameters, its detail the input (a JSON object), naming the
// schedule among its resources. Its id is drawn from the outbox item, the
// same for every attempt.
func (inv *invocation) event(it store.OutboxItem, input string, now time.Time) ([]byte, error) {
	if inv.EventBridge == nil {
		return nil, invalid("InvalidArgument", "an event bus target needs EventBridgeParameters (DetailType and Source)")
	}
	if !json.Valid([]byte(input)) || !strings.HasPrefix(strings.TrimLeft(input, " \t\r\n"), "{") {
		return nil, invalid("MalformedDetail", "the input of an event bus target is the event's detail, which must be a JSON object")
	}
	sum := sha256.Sum256([]byte(outbox.IdempotencyKey(it)))
	sum[6], sum[8] = sum[6]&0x0f|0x40, sum[8]&0x3f|0x80
	h := hex.EncodeToString(sum[:16])
	evt := svcevents.Event{ID: h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:],
		DetailType: inv.EventBridge.DetailType, Source: inv.EventBridge.Source, Account: it.Account, Region: it.Region,
		Time: now, Resources: []string{inv.ScheduleARN}, Detail: json.RawMessage(input)}
	return json.Marshal(evt)
}

// sqsSendMessage is the input of the universal target
// aws-sdk:sqs:sendMessage: SendMessage's parameters.
type sqsSendMessage struct {
	QueueUrl, MessageBody                  string
	MessageGroupId, MessageDeduplicationId string
	MessageAttributes                      map[string]struct{ DataType, StringValue, BinaryValue string }
}

// snsPublish is the input of the universal target aws-sdk:sns:publish:
// Publish's parameters.
type snsPublish struct {
	TopicArn, Message, Subject string
}

// universal makes msg the delivery a universal target's call stands for,
// from its input (the call's parameters): SQS SendMessage to the queue of
// its QueueUrl, in the schedule's region, and SNS Publish to its topic.
// Vigil calls no other action, and refuses parameters it does not send.
func universal(call, input string, it store.OutboxItem, msg *dispatch.Message) error {
	decode := func(v any) error {
		dec := json.NewDecoder(strings.NewReader(input))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			return invalid("InvalidRequest", "the input of aws-sdk:%s is not parameters Vigil sends: %w", call, err)
		}
		return nil
	}
	switch call {
	case "sqs:sendMessage":
		var in sqsSendMessage
		if err := decode(&in); err != nil {
			return err
		}
		parts := strings.Split(strings.TrimRight(in.QueueUrl, "/"), "/")
		if len(parts) < 2 || in.MessageBody == "" {
			return invalid("InvalidRequest", "aws-sdk:%s needs a QueueUrl (…/ACCOUNT/NAME) and a MessageBody", call)
		}
		msg.Target = "arn:aws:sqs:" + it.Region + ":" + parts[len(parts)-2] + ":" + parts[len(parts)-1]
		msg.Payload = []byte(in.MessageBody)
		msg.Header = map[string]string{"MessageGroupId": in.MessageGroupId, "MessageDeduplicationId": in.MessageDeduplicationId}
		if len(in.MessageAttributes) > 0 {
			attrs := make([]map[string]string, 0, len(in.MessageAttributes))
			for name, a := range in.MessageAttributes {
				value := a.StringValue
				if strings.HasPrefix(a.DataType, "Binary") {
					value = a.BinaryValue
				}
				attrs = append(attrs, map[string]string{"Name": name, "Type": a.DataType, "Value": value})
			}
			b, err := json.Marshal(attrs)
			if err != nil {
				return invalid("InvalidRequest", "%w", err)
			}
			msg.Header[dispatch.MessageAttributesHeader] = string(b)
		}
		return nil
	case "sns:publish":
		var in snsPublish
		if err := decode(&in); err != nil {
			return err
		}
		if in.TopicArn == "" || in.Message == "" {
			return invalid("InvalidRequest", "aws-sdk:%s needs a TopicArn and a Message", call)
		}
		msg.Target, msg.Payload, msg.Subject = in.TopicArn, []byte(in.Message), in.Subject
		return nil
	}
	return invalid("InvalidTarget", "Vigil does not call aws-sdk:%s: its universal targets are aws-sdk:sqs:sendMessage and aws-sdk:sns:publish", call)
}
