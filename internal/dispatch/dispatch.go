// Package dispatch delivers a payload to a target named by its ARN — a
// log group, a CloudWatch Logs destination, and, as services come, an SNS
// topic, an SQS queue, an event bus or an HTTP(S) endpoint — without the
// sender knowing which service serves it.
//
// Each service registers the targets it serves at the composition root,
// by service and resource type (Register); an engine that sends (a
// subscription filter, an alarm action, an event rule) calls Dispatch with
// the target's ARN and never imports the service that receives. A
// delivery to another account than the sender's goes through the same
// authorisation as an API call would (Options.Authorize, the
// auth.Authorizer of the front door) and is recorded by the audit hook as
// a call of the target's action.
//
// Deliveries are made at least once: the outbox retries them, and a
// Message carries an ID, the same for every retry, that targets able to
// deduplicate use (an SQS deduplication id, an HTTP header).
package dispatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/vigilhq/vigil/internal/audit"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/request"
)

// Address is a parsed target: an ARN
// (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE); an http or https URL,
// whose Service is its scheme and Resource the whole URL; or a mailto:
// URL, whose Service is "mailto" and Resource the email address.
type Address struct {
	Partition, Service, Region, Account string
	// Type is the resource type, the part of the resource before its
	// first ':' or '/' when it has one ("log-group", "destination",
	// "stream"); "" for resources without (SNS topics, SQS queues).
	Type string
	// Resource is the resource's name within its type, as the ARN has it
	// ("/app/web:*" for a log group's ARN).
	Resource string
	// Raw is the target as given.
	Raw string
}

// Parse parses a target.
func Parse(target string) (Address, error) {
	if strings.HasPrefix(target, "https://") || strings.HasPrefix(target, "http://") {
		scheme, _, _ := strings.Cut(target, ":")
		return Address{Service: scheme, Resource: target, Raw: target}, nil
	}
	if to, ok := strings.CutPrefix(target, "mailto:"); ok {
		if to == "" {
			return Address{}, fmt.Errorf("%q names no address", target)
		}
		return Address{Service: "mailto", Resource: to, Raw: target}, nil
	}
	parts := strings.SplitN(target, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" || parts[5] == "" {
		return Address{}, fmt.Errorf("%q is not an ARN", target)
	}
	a := Address{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5], Raw: target}
	if i := strings.IndexAny(a.Resource, ":/"); i >= 0 {
		a.Type, a.Resource = a.Resource[:i], a.Resource[i+1:]
	}
	return a, nil
}

// Match selects the targets a Target serves.
type Match struct {
	// Service is the ARN's service ("logs", "sns") or the URL's scheme.
	Service string
	// Type is the resource type; "*" matches any (a route for the exact
	// type is preferred).
	Type string
}

// Source is who sends a message.
type Source struct {
	// Service is the sending service ("logs"): the audit records the
	// delivery as a call from it.
	Service string
	// Account and Region are the sender's.
	Account, Region string
	// Principal is the identity the delivery acts as (the role a
	// subscription or a destination names); "" for the account's root.
	Principal string
	// ARN is the resource that sends it (an SNS topic, an EventBridge
	// rule), which a target's resource policy may name as aws:SourceArn;
	// "" when there is none.
	ARN string
}

// Message is a payload on its way to a target.
type Message struct {
	// ID identifies the delivery across its retries: the idempotency key.
	ID string
	// Kind and Version name the payload's format (e.g.
	// "logs.subscription", 1), which a target checks it can read.
	Kind    string
	Version int
	// Source sends it.
	Source Source
	// Target is the ARN (or URL) it goes to.
	Target string
	// Payload is the data.
	Payload []byte
	// Subject is the title of a notification, which SNS publishes as its
	// Subject and email as its subject line ("" for other payloads).
	Subject string
	// Header are the HTTP headers of a delivery to an http or https URL,
	// and the message's metadata for other targets (an SQS queue's
	// MessageGroupId, MessageDeduplicationId and MessageAttributesHeader).
	Header map[string]string
}

// EventKind is the kind of what an EventBridge rule delivers: an event,
// or what its target's input configuration makes of it. Its header
// EventId names the event, and Time says when it happened (RFC 3339).
const EventKind = "events.event"

// LogEventsKind is the kind of log events a service puts into a log
// group it delivers to (a trail's events): a LogEvents in JSON, version 1.
const LogEventsKind = "logs.events"

// LogEvents is the payload of LogEventsKind: events for the named stream
// of the target log group, which creates the stream when it is missing.
type LogEvents struct {
	Stream string     `json:"logStream"`
	Events []LogEvent `json:"logEvents"`
}

// LogEvent is one event of a LogEvents.
type LogEvent struct {
	// Timestamp is the event's time in milliseconds since the epoch.
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

// MessageAttributesHeader carries a message's attributes to a queue, as
// the JSON array of {"Name", "Type", "Value"} that SNS's documents hold
// (binary values in base64).
const MessageAttributesHeader = "MessageAttributes"

// Target receives the messages of the addresses it is registered for.
type Target interface {
	// Action is the API action a delivery stands for
	// ("logs:PutLogEvents"): one from another account than the target's
	// must be authorized for it on the target's ARN.
	Action() string
	// Deliver delivers m to the resource at to; its errors follow the
	// outbox's rules (outbox.IsPermanent for those retrying cannot cure).
	Deliver(ctx context.Context, to Address, m *Message) error
}

// BatchTarget is a Target that can take several messages to one address
// at once (one write for all of them).
type BatchTarget interface {
	Target
	// DeliverBatch delivers ms, in order, to the resource at to and
	// returns one outcome per message, as Deliver would.
	DeliverBatch(ctx context.Context, to Address, ms []*Message) []error
}

// NewTarget returns a Target of an action and a function.
func NewTarget(action string, deliver func(ctx context.Context, to Address, m *Message) error) Target {
	return funcTarget{action, deliver}
}

type funcTarget struct {
	action  string
	deliver func(context.Context, Address, *Message) error
}

func (t funcTarget) Action() string { return t.action }
func (t funcTarget) Deliver(ctx context.Context, to Address, m *Message) error {
	return t.deliver(ctx, to, m)
}

// Error is a delivery the dispatcher refuses for good: a target it cannot
// parse or that no service serves, or one the sender is not allowed to
// reach. Retrying cannot cure it (it reports Permanent, which the outbox
// reads).
type Error struct {
	// Code is "InvalidTarget", "NoTarget" or "AccessDenied".
	Code string
	Err  error
}

func (e *Error) Error() string   { return e.Err.Error() }
func (e *Error) Unwrap() error   { return e.Err }
func (e *Error) Permanent() bool { return true }

// Options configure a Dispatcher.
type Options struct {
	// Authorize decides whether a principal may perform an action on a
	// resource, as for an API call (the front door's
	// auth.Authorizer.Authorize); nil allows everything.
	Authorize func(ctx context.Context, p request.Principal, action, resource string) error
	// Audit records the deliveries across accounts (nil: not recorded).
	Audit audit.Sink
	// Clock dates the audit records (clock.System{} when nil).
	Clock clock.Clock
	// Logger logs refused deliveries.
	Logger *slog.Logger
}

// Dispatcher routes messages to targets.
type Dispatcher struct {
	opt    Options
	mu     sync.RWMutex
	routes map[Match]Target
}

// New returns a dispatcher without targets.
func New(opt Options) *Dispatcher {
	if opt.Clock == nil {
		opt.Clock = clock.System{}
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Dispatcher{opt: opt, routes: map[Match]Target{}}
}

// Register makes t the target of the addresses m matches; a match is
// registered once.
func (d *Dispatcher) Register(m Match, t Target) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.routes[m]; ok {
		panic(fmt.Sprintf("BUG: dispatch target %s/%s registered twice", m.Service, m.Type))
	}
	d.routes[m] = t
}

// Route returns the target of an address, or nil.
func (d *Dispatcher) Route(a Address) Target {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if t, ok := d.routes[Match{a.Service, a.Type}]; ok {
		return t
	}
	return d.routes[Match{a.Service, "*"}]
}

// Dispatch delivers m to its target.
func (d *Dispatcher) Dispatch(ctx context.Context, m Message) error {
	to, err := Parse(m.Target)
	if err != nil {
		return &Error{Code: "InvalidTarget", Err: fmt.Errorf("cannot deliver to %q: %w", m.Target, err)}
	}
	t := d.Route(to)
	if t == nil {
		return &Error{Code: "NoTarget", Err: fmt.Errorf("cannot deliver to %s: Vigil serves no %s target of type %q", m.Target, to.Service, to.Type)}
	}
	if to.Account == "" || to.Account == m.Source.Account {
		return t.Deliver(ctx, to, &m)
	}
	// Across accounts: authorized and audited as the target's API call.
	p := principal(m.Source)
	action := t.Action()
	err = nil
	if d.opt.Authorize != nil {
		if aerr := d.opt.Authorize(ctx, p, action, m.Target); aerr != nil {
			err = &Error{Code: "AccessDenied", Err: fmt.Errorf("%s is not authorized to perform %s on %s: %w", p.ARN, action, m.Target, aerr)}
			d.opt.Logger.Warn("cross-account delivery refused", "source", p.ARN, "action", action, "target", m.Target, "error", aerr)
		}
	}
	if err == nil {
		err = t.Deliver(ctx, to, &m)
	}
	d.record(ctx, p, to, action, &m, err)
	return err
}

// Batches reports whether the messages to target go in one call of its
// Target (a BatchTarget), so that a sender may hand them over together.
func (d *Dispatcher) Batches(target string) bool {
	to, err := Parse(target)
	if err != nil {
		return false
	}
	_, ok := d.Route(to).(BatchTarget)
	return ok
}

// DispatchBatch delivers messages that share their Target, in order, and
// returns one outcome per message: in one call of the target when it is
// a BatchTarget and every message comes from the target's own account,
// else one Dispatch after another.
func (d *Dispatcher) DispatchBatch(ctx context.Context, ms []Message) []error {
	errs := make([]error, len(ms))
	if len(ms) == 0 {
		return errs
	}
	to, err := Parse(ms[0].Target)
	bt, batches := d.Route(to).(BatchTarget)
	ptrs := make([]*Message, len(ms))
	for i := range ms {
		if ms[i].Target != ms[0].Target {
			panic("BUG: DispatchBatch of messages to different targets")
		}
		batches = batches && to.Account == ms[i].Source.Account
		ptrs[i] = &ms[i]
	}
	if err != nil || !batches {
		for i := range ms {
			errs[i] = d.Dispatch(ctx, ms[i])
		}
		return errs
	}
	return bt.DeliverBatch(ctx, to, ptrs)
}

// principal is the identity a source acts as.
func principal(s Source) request.Principal {
	p := request.Principal{Account: s.Account, ARN: s.Principal, UserID: s.Account}
	if p.ARN == "" {
		p.ARN = "arn:aws:iam::" + s.Account + ":root"
	}
	return p
}

// Delivery is the request of a delivery's audit record.
type Delivery struct {
	// Target is the target's ARN; MessageID, Kind and Version are the
	// message's; Bytes its payload's size.
	Target    string
	MessageID string
	Kind      string
	Version   int
	Bytes     int
}

// record hands a delivery across accounts to the audit hook, as a call of
// the target's action by the source's principal.
func (d *Dispatcher) record(ctx context.Context, p request.Principal, to Address, action string, m *Message, err error) {
	if d.opt.Audit == nil {
		return
	}
	service, op, _ := strings.Cut(action, ":")
	via := m.Source.Service + ".amazonaws.com"
	e := &audit.Event{
		Time: d.opt.Clock.Now(), Principal: p, SourceIP: via, UserAgent: via, Region: to.Region,
		Service: service, EventSource: service + ".amazonaws.com", Operation: op,
		Request:   &Delivery{Target: m.Target, MessageID: m.ID, Kind: m.Kind, Version: m.Version, Bytes: len(m.Payload)},
		RequestID: m.ID,
	}
	if err != nil {
		e.ErrorCode, e.ErrorMessage = "DeliveryFailed", err.Error()
		var de *Error
		if errors.As(err, &de) {
			e.ErrorCode = de.Code
		}
	}
	d.opt.Audit.Record(context.WithoutCancel(ctx), e)
}
