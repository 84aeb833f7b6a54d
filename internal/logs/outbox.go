package logs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/outbox"
	"github.com/vigilhq/vigil/internal/store"
)

// Deliveries are committed with the events that set them off, as outbox
// items (derive.go), and made by the outbox processor, which the
// composition root gives the engine's deliverers: DeliverMetrics for
// KindMetric, DeliverSubscription for KindSubscription. Subscription
// payloads reach their destination ARN through the dispatcher, where the
// engine serves log groups (LogGroupTarget) and destinations
// (DestinationTarget).

// MetricSink receives the data points of metric filters and of the
// embedded metric format: the metrics engine, wired by the composition
// root.
type MetricSink interface {
	// PutMetrics stores data points for an account and region. An error
	// for which outbox.IsPermanent holds refuses them for good (they are
	// kept as a dead letter); any other is retried.
	PutMetrics(ctx context.Context, account, region string, data []Datum) error
}

// Dispatcher delivers a message to the target its ARN names.
type Dispatcher interface {
	Dispatch(ctx context.Context, m dispatch.Message) error
}

// RegisterDeliveries makes the engine the deliverer of its outbox kinds
// in p, and the target of log group and destination ARNs in d: the
// composition root's wiring, which tests share.
func (e *Engine) RegisterDeliveries(p *outbox.Processor, d *dispatch.Dispatcher) {
	p.Register(KindMetric, outbox.DelivererFunc(e.DeliverMetrics), outbox.Policy{})
	p.Register(KindSubscription, outbox.DelivererFunc(e.DeliverSubscription), outbox.Policy{})
	d.Register(dispatch.Match{Service: "logs", Type: "log-group"}, e.LogGroupTarget())
	d.Register(dispatch.Match{Service: "logs", Type: "destination"}, e.DestinationTarget())
}

// Kick tells the outbox that deliveries were enqueued (Options.Notify).
func (e *Engine) Kick() {
	if e.opt.Notify != nil {
		e.opt.Notify()
	}
}

// DeliverMetrics delivers a KindMetric item to the metric sink.
func (e *Engine) DeliverMetrics(ctx context.Context, it store.OutboxItem) error {
	data, err := decodeMetrics(it.Version, it.Payload)
	if err != nil {
		return outbox.Permanent(err)
	}
	if e.opt.Metrics == nil {
		return errors.New("no metric sink is configured")
	}
	return e.opt.Metrics.PutMetrics(ctx, it.Account, it.Region, data)
}

// DeliverSubscription delivers a KindSubscription item to its destination
// through the dispatcher, from the account of the subscribed group.
func (e *Engine) DeliverSubscription(ctx context.Context, it store.OutboxItem) error {
	if it.Version != subscriptionPayloadVersion {
		return outbox.Permanent(fmt.Errorf("%w: logs.subscription payload of version %d (this build reads %d)", errPayload, it.Version, subscriptionPayloadVersion))
	}
	if e.opt.Dispatcher == nil {
		return errors.New("no dispatcher is configured")
	}
	return e.opt.Dispatcher.Dispatch(ctx, dispatch.Message{
		ID: outbox.IdempotencyKey(it), Kind: it.Kind, Version: it.Version,
		Source: dispatch.Source{Service: "logs", Account: it.Account, Region: it.Region},
		Target: it.Target, Payload: it.Payload,
	})
}

// LogGroupTarget returns the dispatch target of log group ARNs: it
// writes the events of a subscription's DATA_MESSAGE into the group, in a
// stream named after their source, "<owner>/<logGroup>/<logStream>"
// (Vigil's stand-in for a Kinesis stream). A group that does not exist
// (yet) fails the delivery, which is retried.
func (e *Engine) LogGroupTarget() dispatch.Target {
	return dispatch.NewTarget("logs:PutLogEvents", e.deliverToGroup)
}

// DestinationTarget returns the dispatch target of CloudWatch Logs
// destination ARNs: it sends the message on to the destination's target,
// as the destination's account and role.
func (e *Engine) DestinationTarget() dispatch.Target {
	// A destination's access policy grants other accounts
	// logs:PutSubscriptionFilter, which is what sending to it stands for:
	// https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CreateDestination.html
	return dispatch.NewTarget("logs:PutSubscriptionFilter", e.deliverToDestination)
}

func (e *Engine) deliverToDestination(ctx context.Context, to dispatch.Address, m *dispatch.Message) error {
	d, err := e.opt.Store.LogDestination(ctx, to.Account, to.Region, to.Resource)
	if err != nil {
		return fmt.Errorf("destination %s: %w", m.Target, err)
	}
	if e.opt.Dispatcher == nil {
		return errors.New("no dispatcher is configured")
	}
	next := *m
	next.Source = dispatch.Source{Service: "logs", Account: to.Account, Region: to.Region, Principal: d.RoleARN}
	next.Target = d.TargetARN
	return e.opt.Dispatcher.Dispatch(ctx, next)
}

func (e *Engine) deliverToGroup(ctx context.Context, to dispatch.Address, m *dispatch.Message) error {
	var (
		msg *subscriptionMessage
		err error
	)
	switch m.Kind {
	case KindSubscription:
		msg, err = decodeDataMessage(m.Version, m.Payload)
	case dispatch.EventKind:
		msg, err = eventMessage(m)
	case dispatch.LogEventsKind:
		msg, err = logEventsMessage(m)
	default:
		err = fmt.Errorf("a log group receives subscription data, events and log events, not %s", m.Kind)
	}
	if err != nil {
		return outbox.Permanent(err)
	}
	target, err := parseARN(m.Target)
	if err != nil || target.resourceType != "log-group" {
		return outbox.Permanent(fmt.Errorf("invalid log group ARN %q", m.Target))
	}
	sc := Scope{Account: to.Account, Region: to.Region}
	g, err := e.group(ctx, sc, target.resource, "")
	if err != nil {
		return fmt.Errorf("target log group %s: %w", target.resource, err)
	}
	streamName := msg.LogStream
	if m.Kind == KindSubscription {
		streamName = msg.Owner + "/" + msg.LogGroup + "/" + msg.LogStream
	}
	s, err := e.stream(ctx, g, streamName)
	if errors.Is(err, errStreamNotFound) {
		if err := e.CreateLogStream(ctx, sc, g.Name, streamName); err != nil && !isCode(err, ResourceAlreadyExists) {
			return err
		}
		s, err = e.stream(ctx, g, streamName)
	}
	if err != nil {
		return err
	}
	if len(msg.LogEvents) == 0 {
		return nil
	}
	b := &store.IngestBatch{GroupID: g.ID, StreamID: s.ID, Ingestion: e.now()}
	first, err := e.opt.Store.ReserveSeqs(ctx, len(msg.LogEvents))
	if err != nil {
		return err
	}
	for i, ev := range msg.LogEvents {
		b.Events = append(b.Events, store.LogEvent{StreamID: s.ID, Stream: s.Name, Timestamp: ev.Timestamp, Ingestion: b.Ingestion,
			Seq: first + int64(i), Message: ev.Message})
	}
	return e.ingest(ctx, sc, g, s, b)
}

func isCode(err error, code Code) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// logEventsMessage is what a service delivers to a log group: events
// for a stream it names.
func logEventsMessage(m *dispatch.Message) (*subscriptionMessage, error) {
	var in dispatch.LogEvents
	if m.Version != 1 {
		return nil, fmt.Errorf("%s payloads of version %d are not known", m.Kind, m.Version)
	}
	if err := json.Unmarshal(m.Payload, &in); err != nil || in.Stream == "" {
		return nil, fmt.Errorf("invalid %s payload: %v", m.Kind, err)
	}
	msg := &subscriptionMessage{LogStream: in.Stream, LogEvents: make([]subscriptionEvent, len(in.Events))}
	for i, e := range in.Events {
		msg.LogEvents[i] = subscriptionEvent{Timestamp: e.Timestamp, Message: e.Message}
	}
	return msg, nil
}

// eventMessage is what an EventBridge rule's event (or its target's
// input) puts in a log group: one event in a stream named by the event's
// id, at the event's time, as AWS logs it; an input transformed to
// {"timestamp": ms, "message": text} gives the time and the message.
func eventMessage(m *dispatch.Message) (*subscriptionMessage, error) {
	id := m.Header["EventId"]
	if id == "" {
		return nil, errors.New("an event delivered to a log group has no EventId")
	}
	t, err := time.Parse(time.RFC3339, m.Header["Time"])
	if err != nil {
		return nil, fmt.Errorf("an event delivered to a log group has no valid Time: %w", err)
	}
	ev := subscriptionEvent{Timestamp: t.UnixMilli(), Message: string(m.Payload)}
	var shaped struct {
		Timestamp *int64           `json:"timestamp"`
		Message   *json.RawMessage `json:"message"`
	}
	if json.Unmarshal(m.Payload, &shaped) == nil && shaped.Timestamp != nil && shaped.Message != nil {
		ev.Timestamp = *shaped.Timestamp
		var text string
		if json.Unmarshal(*shaped.Message, &text) == nil {
			ev.Message = text
		} else {
			ev.Message = string(*shaped.Message)
		}
	}
	return &subscriptionMessage{LogStream: id, LogEvents: []subscriptionEvent{ev}}, nil
}
