package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/eventinput"
	"github.com/vigilhq/vigil/internal/store"
)

// maxTargets is how many targets a rule takes.
const maxTargets = 5

// Target is a rule's target as PutTargets sets it.
type Target struct {
	ID, ARN, RoleARN string `json:",omitempty"`
	// Input is the target's input configuration.
	Input Input `json:",omitzero"`
	// MessageGroupID is the SqsParameters' group of a FIFO queue.
	MessageGroupID string `json:",omitempty"`
	// MaximumRetryAttempts and MaximumEventAgeSeconds are its
	// RetryPolicy (nil: AWS's defaults, 185 and 86,400).
	MaximumRetryAttempts   *int `json:",omitempty"`
	MaximumEventAgeSeconds *int `json:",omitempty"`
	// DeadLetterARN is the SQS queue of the events it could not take.
	DeadLetterARN string `json:",omitempty"`
	// Parameters are its other parameters (Kinesis, ECS, HTTP …) as the
	// API encodes them, kept and returned as given.
	Parameters json.RawMessage `json:",omitempty"`
	// compiled is Input compiled (decodeTarget).
	compiled *eventinput.Input
}

// AWS's defaults of a RetryPolicy.
const (
	defaultRetryAttempts = 185
	defaultEventAge      = 86400
)

// FailedTarget is a target PutTargets or RemoveTargets did not change.
type FailedTarget struct {
	ID, Code, Message string
}

// checkTarget validates a target as PutTargets does.
func checkTarget(t *Target, fifoQueue func(arn string) bool) error {
	to, err := dispatch.Parse(t.ARN)
	if err != nil || !strings.HasPrefix(t.ARN, "arn:") {
		return errorf(Validation, "Parameter %s is not valid. Reason: Provided Arn is not in correct format.", t.ARN)
	}
	if _, err := t.Input.compile(t.ID); err != nil {
		return err
	}
	if err := checkHTTPParameters(t); err != nil {
		return err
	}
	if err := checkDeadLetter(t.DeadLetterARN); err != nil {
		return err
	}
	if to.Service == "sqs" && fifoQueue(t.ARN) && t.MessageGroupID == "" {
		return errorf(Validation, "Parameter(s) SqsParameters must be specified for target: %s.", t.ID)
	}
	// EventBridge invokes an API destination as the target's role
	// (events:InvokeApiDestination), and AWS refuses the target without
	// one. (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-api-destination-target.html)
	// Nothing AWS documents has PutTargets check that the destination
	// exists or that its connection is authorized: those fail the
	// invocations (invokeAPIDestination).
	if isAPIDestination(t.ARN) && t.RoleARN == "" {
		return errorf(Validation, "RoleArn is required for target %s.", t.ARN)
	}
	return nil
}

// PutTargets adds or replaces targets of a rule.
func (s *Service) PutTargets(ctx context.Context, sc Scope, bus, rule string, ts []Target) ([]FailedTarget, error) {
	stored, r, err := s.rule(ctx, sc, bus, rule)
	if err != nil {
		return nil, err
	}
	if r.ManagedBy != "" {
		return nil, managedRule(rule)
	}
	ids := map[string]bool{}
	out := make([]store.EventTarget, len(ts))
	for i := range ts {
		t := &ts[i]
		if ids[t.ID] {
			return nil, errorf(Validation, "Target ids must be unique within a request.")
		}
		ids[t.ID] = true
		if err := checkTarget(t, func(arn string) bool { return strings.HasSuffix(arn, ".fifo") }); err != nil {
			return nil, err
		}
		def, err := json.Marshal(t)
		if err != nil {
			return nil, err
		}
		out[i] = store.EventTarget{RuleARN: stored.ARN, ID: t.ID, ARN: t.ARN, Definition: def}
	}
	err = s.opt.Store.PutTargets(ctx, stored.ARN, out, maxTargets)
	switch {
	case errors.Is(err, store.ErrTooManyTargets):
		return nil, errorf(LimitExceeded, "The requested resource exceeds the maximum number allowed.")
	case errors.Is(err, store.ErrNotFound):
		return nil, errorf(ResourceNotFound, "Rule %s does not exist on EventBus %s.", rule, r.Bus)
	case err != nil:
		return nil, err
	}
	s.invalidate(busARN(sc, r.Bus))
	return nil, nil
}

// RemoveTargets removes targets of a rule by id.
func (s *Service) RemoveTargets(ctx context.Context, sc Scope, bus, rule string, ids []string, force bool) ([]FailedTarget, error) {
	stored, r, err := s.rule(ctx, sc, bus, rule)
	if err != nil {
		return nil, err
	}
	if r.ManagedBy != "" && !force {
		return nil, managedRule(rule)
	}
	if _, err := s.opt.Store.RemoveTargets(ctx, stored.ARN, slices.Compact(slices.Sorted(slices.Values(ids)))); err != nil {
		return nil, err
	}
	s.invalidate(busARN(sc, r.Bus))
	return nil, nil
}

func decodeTarget(t *store.EventTarget) (Target, error) {
	var out Target
	if err := json.Unmarshal(t.Definition, &out); err != nil {
		return Target{}, fmt.Errorf("cannot read target %s of %s: %w", t.ID, t.RuleARN, err)
	}
	// Checked when it was put: a failure here (a configuration an older
	// Vigil took) leaves compiled nil, and its invocations are skipped.
	out.compiled, _ = out.Input.compile(out.ID)
	return out, nil
}

// ListTargets lists the targets of a rule by id.
func (s *Service) ListTargets(ctx context.Context, sc Scope, bus, rule, token string, limit int) ([]Target, string, error) {
	stored, _, err := s.rule(ctx, sc, bus, rule)
	if err != nil {
		return nil, "", err
	}
	after, err := decodeToken(token)
	if err != nil {
		return nil, "", err
	}
	ts, err := s.opt.Store.Targets(ctx, stored.ARN, after, limitPlusOne(limit))
	if err != nil {
		return nil, "", err
	}
	return listPage(ts, limit, func(t store.EventTarget) string { return t.ID }, decodeTarget)
}

// RuleNamesByTarget lists the names of the rules of a bus with a target
// of an ARN.
func (s *Service) RuleNamesByTarget(ctx context.Context, sc Scope, bus, targetARN, token string, limit int) ([]string, string, error) {
	name, err := busName(sc, bus)
	if err != nil {
		return nil, "", err
	}
	if _, err := s.bus(ctx, sc, name); err != nil {
		return nil, "", err
	}
	after, err := decodeToken(token)
	if err != nil {
		return nil, "", err
	}
	arns, err := s.opt.Store.RulesByTarget(ctx, sc.Account, sc.Region, name, targetARN, after, limitPlusOne(limit))
	if err != nil {
		return nil, "", err
	}
	arns, next := page(arns, limit, func(a string) string { return a })
	names := make([]string, len(arns))
	for i, a := range arns {
		names[i] = resourceName(a)
	}
	return names, next, nil
}
