package events

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/vigilhq/vigil/internal/policy"
	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/svcevents"
)

// A bus's policy (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html)
// is edited by PutPermission and RemovePermission, checked with package
// policy, and decides who may put events on the bus: a caller of another
// account (PutEvents naming the bus by its ARN, or a rule of that account
// whose target the bus is) needs a statement allowing it
// events:PutEvents on the bus, and no caller may be explicitly denied.

// maxPolicySize is the most characters a bus's policy has ("Event bus
// policy size", EventBridge quotas).
const maxPolicySize = 10240

// actionPutEvents is the action a bus's policy grants, and the only one
// PutPermission takes.
const actionPutEvents = "events:PutEvents"

// Permission is what PutPermission sets: a whole Policy, which replaces
// the bus's, or a statement granting Action to Principal (an account id,
// or "*" for every account, usually under a Condition) as StatementID.
type Permission struct {
	Policy                         string
	Action, Principal, StatementID string
	Condition                      *PermissionCondition
}

// PermissionCondition limits a statement PutPermission adds: Type
// StringEquals, Key aws:PrincipalOrgID, Value an organization's id.
type PermissionCondition struct {
	Type, Key, Value string
}

// statement is a statement as PutPermission writes it, its members in
// AWS's order: Principal {"AWS": "arn:aws:iam::ACCOUNT:root"} for an
// account, "*" for every one.
type statement struct {
	Sid       string
	Effect    policy.Effect
	Principal any
	Action    string
	Resource  string
	Condition map[string]map[string]string `json:",omitempty"`
}

// emptyPolicy is the policy a first statement is added to.
const emptyPolicy = `{"Version":"2012-10-17","Statement":[]}`

// PutPermission sets a bus's policy (name "": the default bus), or adds
// a statement to it, replacing the statement of the same id.
func (s *Service) PutPermission(ctx context.Context, sc Scope, bus string, p Permission) error {
	if bus == "" {
		bus = DefaultBus
	}
	b, err := s.bus(ctx, sc, bus)
	if err != nil {
		return err
	}
	edit, err := permissionEdit(b.ARN, p)
	if err != nil {
		return err
	}
	return s.editPolicy(ctx, b.ARN, func(doc string) (string, error) {
		doc, err := edit(doc)
		if err == nil && len(doc) > maxPolicySize {
			err = errorf(PolicyLengthExceeded, "The policy of event bus %s would be %d characters long; it may have at most %d.", bus, len(doc), maxPolicySize)
		}
		return doc, err
	})
}

// permissionEdit checks what PutPermission is given and returns the
// edit it makes to a bus's policy ("" when the bus has none).
func permissionEdit(busARN string, p Permission) (func(doc string) (string, error), error) {
	if p.Policy != "" {
		if p.Action != "" || p.Principal != "" || p.StatementID != "" || p.Condition != nil {
			return nil, errorf(Validation, "Parameter Policy cannot be used with StatementId, Action, Principal or Condition.")
		}
		if _, err := policy.Parse([]byte(p.Policy)); err != nil {
			return nil, errorf(Validation, "Parameter Policy is not valid. Reason: %v", err)
		}
		var doc bytes.Buffer
		if err := json.Compact(&doc, []byte(p.Policy)); err != nil {
			return nil, err
		}
		return func(string) (string, error) { return doc.String(), nil }, nil
	}
	st, err := grant(busARN, p)
	if err != nil {
		return nil, err
	}
	return func(doc string) (string, error) {
		if doc == "" {
			doc = emptyPolicy
		}
		d, err := policy.ParseDocument([]byte(doc))
		if err != nil {
			return "", fmt.Errorf("cannot edit the policy of event bus %s: %w", busARN, err)
		}
		d.Remove(p.StatementID)
		d.Add(st)
		return string(d.Bytes()), nil
	}, nil
}

// grant checks the statement PutPermission is asked to add and returns
// it as AWS writes it.
func grant(busARN string, p Permission) ([]byte, error) {
	switch {
	case p.Action != actionPutEvents:
		return nil, errorf(Validation, "Provided value in parameter 'action' is not supported.")
	case p.Principal == "":
		return nil, errorf(Validation, "Parameter Principal must be specified.")
	case p.StatementID == "":
		return nil, errorf(Validation, "Parameter StatementId must be specified.")
	}
	st := statement{Sid: p.StatementID, Effect: policy.EffectAllow, Principal: p.Principal, Action: p.Action, Resource: busARN}
	if p.Principal != "*" {
		st.Principal = struct{ AWS string }{"arn:aws:iam::" + p.Principal + ":root"}
	}
	if c := p.Condition; c != nil {
		switch {
		case p.Principal != "*":
			return nil, errorf(Validation, "Value of the parameter 'principal' must be '*' when the parameter 'condition' is set.")
		case c.Type != "StringEquals":
			return nil, errorf(Validation, "Parameter Condition.Type is not valid. Reason: The only supported value is StringEquals.")
		case c.Key != "aws:PrincipalOrgID":
			return nil, errorf(Validation, "Parameter Condition.Key is not valid. Reason: The only supported key is aws:PrincipalOrgID.")
		}
		st.Condition = map[string]map[string]string{c.Type: {c.Key: c.Value}}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(st); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// RemovePermission removes the statement of an id from a bus's policy
// (name "": the default bus), or, with all, the whole policy. A policy
// left without statements is removed.
func (s *Service) RemovePermission(ctx context.Context, sc Scope, bus, statementID string, all bool) error {
	if bus == "" {
		bus = DefaultBus
	}
	b, err := s.bus(ctx, sc, bus)
	if err != nil {
		return err
	}
	if !all && statementID == "" {
		return errorf(Validation, "Parameter StatementId is required.")
	}
	return s.editPolicy(ctx, b.ARN, func(doc string) (string, error) {
		if all {
			return "", nil
		}
		notFound := errorf(ResourceNotFound, "Statement with the provided id does not exist.")
		if doc == "" {
			return "", notFound
		}
		d, err := policy.ParseDocument([]byte(doc))
		if err != nil {
			return "", fmt.Errorf("cannot edit the policy of event bus %s: %w", b.ARN, err)
		}
		if !d.Remove(statementID) {
			return "", notFound
		}
		if d.Len() == 0 {
			return "", nil
		}
		return string(d.Bytes()), nil
	})
}

// editPolicy changes a bus's policy in one store transaction.
func (s *Service) editPolicy(ctx context.Context, arn string, edit func(doc string) (string, error)) error {
	_, err := s.updateBus(ctx, arn, func(a *busAttributes) error {
		doc, err := edit(a.Policy)
		a.Policy = doc
		return err
	})
	if err == nil {
		s.invalidate(arn)
	}
	return err
}

// busPolicy returns a bus's policy, nil when it has none. A policy that
// no longer parses (an older Vigil's) is logged and taken for none.
func (s *Service) busPolicy(b *store.EventBus) *policy.Policy {
	a, err := decodeBus(b.Attributes)
	if err == nil && a.Policy == "" {
		return nil
	}
	var p *policy.Policy
	if err == nil {
		p, err = policy.Parse([]byte(a.Policy))
	}
	if err != nil {
		s.opt.Logger.Warn("event bus policy cannot be read; taken for none", "bus", b.ARN, "err", err)
	}
	return p
}

// caller is the principal of an account and ARN ("": the account's
// root) that a bus's policy decides on.
func caller(account, arn string) policy.Principal {
	if arn == "" {
		arn = "arn:aws:iam::" + account + ":root"
	}
	return policy.Principal{Account: account, ARN: arn}
}

// permits decides whether who may put an event on a bus of owner, as AWS
// evaluates a request across accounts: a Deny statement of the bus's
// policy that applies refuses it, and a caller of another account needs
// an Allow statement (a bus that does not exist has none). Statements
// may test the event's events:source and events:detail-type, and the
// aws:SourceArn of the rule that sends it (sourceARN, "" for a
// PutEvents call). It returns AWS's message when it refuses, worded as
// IAM words an access denied.
func (s *Service) permits(ctx context.Context, owner Scope, bus string, who policy.Principal, evt *svcevents.Event, sourceARN string) (string, error) {
	m, err := s.matcher(ctx, owner, bus)
	if err != nil {
		return "", err
	}
	arn := busARN(owner, bus)
	d := policy.ImplicitDeny
	if m != nil && m.policy != nil {
		keys := map[string][]string{"events:source": {evt.Source}, "events:detail-type": {evt.DetailType}}
		if sourceARN != "" {
			keys["aws:SourceArn"] = []string{sourceARN}
		}
		d = m.policy.Evaluate(&policy.Request{Principal: who, Action: actionPutEvents, Resource: arn, Context: keys})
	}
	switch {
	case d == policy.ExplicitDeny:
		return fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s with an explicit deny in a resource-based policy",
			who.ARN, actionPutEvents, arn), nil
	case d != policy.Allow && who.Account != owner.Account:
		return fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s because no resource-based policy allows the %s action",
			who.ARN, actionPutEvents, arn, actionPutEvents), nil
	}
	return "", nil
}

// parseBusARN reads an event bus's ARN,
// arn:aws:events:REGION:ACCOUNT:event-bus/NAME.
func parseBusARN(arn string) (account, region, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] != "aws" || parts[2] != "events" || parts[3] == "" || parts[4] == "" {
		return "", "", "", false
	}
	name, ok = strings.CutPrefix(parts[5], "event-bus/")
	return parts[4], parts[3], name, ok && name != ""
}

// BusPolicy returns the policy of the event bus with an ARN (nil when it
// has none, or there is no such bus) and the bus's account, for the front
// door: a bus's Deny statements bind its owner's principals too.
func (s *Service) BusPolicy(ctx context.Context, arn string) (*policy.Policy, string, error) {
	b, err := s.opt.Store.Bus(ctx, arn)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	return s.busPolicy(b), b.Account, nil
}
