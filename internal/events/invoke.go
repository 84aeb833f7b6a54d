package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/outbox"
	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/svcevents"
)

// The outbox kind of target invocations, and the version of its payload.
const (
	KindInvocation    = "events.invocation"
	invocationVersion = 1
)

// invocationPolicy retries as EventBridge does, with exponential backoff
// and jitter, for at most 24 hours; each target's RetryPolicy lowers the
// attempts and the age (invocation.give).
var invocationPolicy = outbox.Policy{MinBackoff: time.Second, MaxBackoff: 10 * time.Minute, Jitter: 0.5,
	MaxAge: defaultEventAge * time.Second}

// invocation is a target's invocation waiting in the outbox.
type invocation struct {
	RuleARN  string `json:"rule"`
	TargetID string `json:"targetId"`
	EventID  string `json:"eventId"`
	// Time is the event's time (RFC 3339).
	Time string `json:"time"`
	// Input is what the target receives.
	Input          json.RawMessage `json:"input"`
	RoleARN        string          `json:"roleArn,omitempty"`
	MessageGroupID string          `json:"groupId,omitempty"`
	MaxAttempts    int             `json:"maxAttempts"`
	MaxAgeSeconds  int             `json:"maxAge"`
	DeadLetterARN  string          `json:"deadLetter,omitempty"`
	// HTTP are the HttpParameters of a target that is an API
	// destination.
	HTTP *targetHTTPParameters `json:"http,omitempty"`
}

// invocations returns what the targets of a rule an event (its
// envelope's JSON) matched are owed: an outbox item for each target but
// an archive's, and for an archive's target the event it archives.
func (s *Service) invocations(r *compiledRule, event []byte, now time.Time) (delivery, error) {
	var head struct {
		ID, Account, Region, Time string
	}
	if err := json.Unmarshal(event, &head); err != nil {
		return delivery{}, err
	}
	var d delivery
	for i := range r.Targets {
		t := &r.Targets[i]
		input, err := t.apply(event, inputContext{RuleARN: r.ARN, RuleName: r.Name, Ingestion: now})
		if err != nil {
			s.opt.Logger.Warn("target input cannot be made from the event; not invoked", "rule", r.ARN, "target", t.ID, "err", err)
			continue
		}
		if isArchiveTarget(t.ARN) {
			ev, err := archivedEvent(input, now)
			if err != nil {
				return delivery{}, fmt.Errorf("cannot archive event %s matched by rule %s: %w", head.ID, r.ARN, err)
			}
			d.archived = append(d.archived, ev)
			continue
		}
		inv := invocation{RuleARN: r.ARN, TargetID: t.ID, EventID: head.ID, Time: head.Time, Input: input, RoleARN: t.RoleARN,
			MessageGroupID: t.MessageGroupID, MaxAttempts: defaultRetryAttempts + 1, MaxAgeSeconds: defaultEventAge,
			DeadLetterARN: t.DeadLetterARN}
		if isAPIDestination(t.ARN) {
			inv.HTTP = t.resolvedHTTPParameters(event)
		}
		if t.MaximumRetryAttempts != nil {
			inv.MaxAttempts = *t.MaximumRetryAttempts + 1
		}
		if t.MaximumEventAgeSeconds != nil {
			inv.MaxAgeSeconds = *t.MaximumEventAgeSeconds
		}
		b, err := json.Marshal(inv)
		if err != nil {
			return delivery{}, err
		}
		d.items = append(d.items, store.OutboxItem{Kind: KindInvocation, Version: invocationVersion, Account: head.Account,
			Region: head.Region, Target: t.ARN, Payload: b, NextAttempt: now.UnixMilli()})
	}
	return d, nil
}

// deliverBatch invokes a target for items, which share it; those to an
// SQS queue are sent in one write (dispatch.DispatchBatch). An invocation
// that fails past its target's retry policy goes to the target's
// dead-letter queue; without one, it is kept as the outbox's dead letter.
func (s *Service) deliverBatch(ctx context.Context, items []store.OutboxItem) []error {
	errs := make([]error, len(items))
	invs := make([]*invocation, len(items))
	var msgs []dispatch.Message
	var at []int
	for i, it := range items {
		inv, err := readInvocation(it)
		if err != nil {
			errs[i] = err
			continue
		}
		invs[i] = inv
		msg, err := s.message(it, inv)
		if err != nil {
			errs[i] = s.finish(ctx, it, inv, err)
			continue
		}
		msgs, at = append(msgs, msg), append(at, i)
	}
	for j, err := range s.opt.Dispatcher.DispatchBatch(ctx, msgs) {
		errs[at[j]] = s.finish(ctx, items[at[j]], invs[at[j]], err)
	}
	return errs
}

// readInvocation decodes the invocation of an outbox item.
func readInvocation(it store.OutboxItem) (*invocation, error) {
	if it.Version != invocationVersion {
		return nil, outbox.Permanent(fmt.Errorf("EventBridge invocation payload of version %d; this Vigil reads version %d", it.Version, invocationVersion))
	}
	var inv invocation
	if err := json.Unmarshal(it.Payload, &inv); err != nil {
		return nil, outbox.Permanent(fmt.Errorf("cannot read an EventBridge invocation: %w", err))
	}
	return &inv, nil
}

// finish ends an attempt at an invocation that ended with err: it counts
// it, and past the target's retry policy sends the event to the target's
// dead-letter queue.
func (s *Service) finish(ctx context.Context, it store.OutboxItem, inv *invocation, err error) error {
	now := s.opt.Clock.Now()
	if err == nil {
		s.countRule(it.Account, it.Region, metricInvocations, inv.RuleARN, now)
		return nil
	}
	if _, over := outbox.Exhausted(it, err, inv.MaxAttempts, time.Duration(inv.MaxAgeSeconds)*time.Second, now); !over {
		return err
	}
	if inv.DeadLetterARN == "" {
		s.countRule(it.Account, it.Region, metricInvocations, inv.RuleARN, now)
		s.countRule(it.Account, it.Region, metricFailedInvocations, inv.RuleARN, now)
		return outbox.Permanent(err)
	}
	if derr := s.opt.Dispatcher.Dispatch(ctx, dispatch.Message{ID: outbox.IdempotencyKey(it) + "/dlq", Kind: dispatch.EventKind, Version: 1,
		Source: dispatch.Source{Service: "events", Account: it.Account, Region: it.Region, ARN: inv.RuleARN}, Target: inv.DeadLetterARN,
		Payload: inv.Input, Header: deadLetterHeader(inv, it, err)}); derr != nil {
		return fmt.Errorf("%w; and the dead-letter queue %s refused it: %v", err, inv.DeadLetterARN, derr)
	}
	s.countRule(it.Account, it.Region, metricDeadLetterInvocations, inv.RuleARN, now)
	s.opt.Logger.Info("EventBridge invocation moved to its dead-letter queue", "rule", inv.RuleARN, "target", inv.TargetID,
		"queue", inv.DeadLetterARN, "err", err)
	return nil
}

// deadLetterHeader is the metadata of an event sent to a dead-letter
// queue: AWS's message attributes naming the rule, the target and the
// error.
func deadLetterHeader(inv *invocation, it store.OutboxItem, err error) map[string]string {
	attrs := []map[string]string{
		{"Name": "RULE_ARN", "Type": "String", "Value": inv.RuleARN},
		{"Name": "TARGET_ARN", "Type": "String", "Value": it.Target},
		{"Name": "ERROR_CODE", "Type": "String", "Value": errorCode(err)},
		{"Name": "ERROR_MESSAGE", "Type": "String", "Value": err.Error()},
		{"Name": "RETRY_ATTEMPTS", "Type": "Number", "Value": fmt.Sprint(it.Attempts)},
	}
	b, jerr := json.Marshal(attrs)
	if jerr != nil {
		panic("BUG: events: cannot encode dead-letter attributes: " + jerr.Error())
	}
	return map[string]string{dispatch.MessageAttributesHeader: string(b)}
}

// errorCode names an invocation's failure as AWS's dead-letter
// attributes do.
func errorCode(err error) string {
	var de *dispatch.Error
	if errors.As(err, &de) && de.Code != "" {
		return de.Code
	}
	if outbox.IsPermanent(err) {
		return "InvalidTarget"
	}
	return "SDK_CLIENT_ERROR"
}

// message returns the dispatcher's message of one attempt at an
// invocation.
func (s *Service) message(it store.OutboxItem, inv *invocation) (dispatch.Message, error) {
	to, err := dispatch.Parse(it.Target)
	if err != nil {
		return dispatch.Message{}, outbox.Permanent(err)
	}
	if s.opt.Dispatcher.Route(to) == nil {
		return dispatch.Message{}, outbox.Permanent(&dispatch.Error{Code: "InvalidTarget",
			Err: fmt.Errorf("Vigil does not deliver to %s targets (%s)", to.Service, it.Target)})
	}
	header := map[string]string{"EventId": inv.EventID, "Time": inv.Time, "MessageGroupId": inv.MessageGroupID}
	if inv.MessageGroupID != "" {
		// A FIFO queue deduplicates an event's retries by its id.
		header["MessageDeduplicationId"] = inv.EventID
	}
	if inv.HTTP != nil {
		b, err := json.Marshal(inv.HTTP)
		if err != nil {
			return dispatch.Message{}, outbox.Permanent(err)
		}
		header[httpParametersHeader] = string(b)
	}
	return dispatch.Message{ID: outbox.IdempotencyKey(it), Kind: dispatch.EventKind, Version: 1,
		Source: dispatch.Source{Service: "events", Account: it.Account, Region: it.Region, Principal: inv.RoleARN, ARN: inv.RuleARN},
		Target: it.Target, Payload: inv.Input, Header: header}, nil
}

// BusTarget returns the dispatcher's target of event bus ARNs: an event
// a rule sends to another bus is put on it, as PutEvents would, and
// matched against that bus's rules. The bus's policy decides on a
// delivery as on a PutEvents call by the rule's account (or role), the
// rule its aws:SourceArn: one from another account must be allowed, and
// none explicitly denied.
func (s *Service) BusTarget() dispatch.Target {
	return dispatch.NewTarget("events:PutEvents", func(ctx context.Context, to dispatch.Address, m *dispatch.Message) error {
		var evt svcevents.Event
		if err := json.Unmarshal(m.Payload, &evt); err != nil {
			return &dispatch.Error{Code: "InvalidTarget", Err: fmt.Errorf("an event bus receives events: %w", err)}
		}
		sc := Scope{Account: to.Account, Region: to.Region}
		msg, err := s.permits(ctx, sc, to.Resource, caller(m.Source.Account, m.Source.Principal), &evt, m.Source.ARN)
		if err != nil {
			return err
		}
		if msg != "" {
			return &dispatch.Error{Code: "AccessDenied", Err: errors.New(msg)}
		}
		d, err := s.route(ctx, sc, to.Resource, &evt, nil)
		if err != nil {
			return err
		}
		return s.commit(ctx, d)
	})
}

// maxDue bounds the scheduled rules one run fires.
const maxDue = 1000

// FireSchedules fires the scheduled rules due at now: each sends a
// "Scheduled Event" of its time to its targets, once, and is set to fire
// next at its first time after now (the times it missed while Vigil was
// down are not made up). The scheduler's job.
func (s *Service) FireSchedules(ctx context.Context, now time.Time) error {
	due, err := s.opt.Store.DueRules(ctx, now.UnixMilli(), maxDue)
	if err != nil {
		return err
	}
	for i := range due {
		r := &due[i]
		def, err := decodeRule(r)
		if err != nil {
			return err
		}
		next := nextFire(def, r.Created, now.UnixMilli())
		ok, err := s.opt.Store.AdvanceRule(ctx, r.ARN, r.NextFire, next)
		if err != nil {
			return err
		}
		if !ok {
			continue // changed, or fired by another node, since read
		}
		ts, err := s.opt.Store.Targets(ctx, r.ARN, "", 0)
		if err != nil {
			return err
		}
		c := &compiledRule{ARN: r.ARN, Name: r.Name, State: def.State}
		for j := range ts {
			t, err := decodeTarget(&ts[j])
			if err != nil {
				return err
			}
			c.Targets = append(c.Targets, t)
		}
		evt := scheduledEvent(r, time.UnixMilli(r.NextFire))
		body, err := json.Marshal(&evt)
		if err != nil {
			return err
		}
		d, err := s.invocations(c, body, now)
		if err != nil {
			return err
		}
		if err := s.commit(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

// ServiceEvents puts the events of Vigil's services (alarm state changes,
// API calls recorded by CloudTrail) on their account's default bus: the
// handler of the service-event bus's subscription. Read-only API calls
// match only rules in state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS.
func (s *Service) ServiceEvents(ctx context.Context, e *svcevents.Event) {
	var only func(*compiledRule) bool
	if e.ReadOnly {
		only = func(r *compiledRule) bool { return r.State == StateEnabledAllManagement }
	}
	d, err := s.route(ctx, Scope{Account: e.Account, Region: e.Region}, DefaultBus, e, only)
	if err == nil {
		err = s.commit(ctx, d)
	}
	if err != nil {
		s.opt.Logger.Warn("service event not routed", "source", e.Source, "detailType", e.DetailType, "err", err)
	}
}
