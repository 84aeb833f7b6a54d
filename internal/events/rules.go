package events

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/vigilhq/vigil/internal/eventpattern"
	"github.com/vigilhq/vigil/internal/schedexpr"
	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/svcevents"
)

// The states of a rule.
const (
	StateEnabled  = "ENABLED"
	StateDisabled = "DISABLED"
	// StateEnabledAllManagement also matches the read-only management
	// events (API calls that change nothing) from CloudTrail.
	StateEnabledAllManagement = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
)

// Rule is a rule as PutRule sets it and DescribeRule returns it.
type Rule struct {
	Name, Bus, ARN                   string
	EventPattern, ScheduleExpression string
	State, Description, RoleARN      string
	ManagedBy, CreatedBy             string
}

// ruleDefinition is what the store keeps of a rule.
type ruleDefinition struct {
	EventPattern       string `json:"eventPattern,omitempty"`
	ScheduleExpression string `json:"scheduleExpression,omitempty"`
	State              string `json:"state"`
	Description        string `json:"description,omitempty"`
	RoleARN            string `json:"roleArn,omitempty"`
	ManagedBy          string `json:"managedBy,omitempty"`
	CreatedBy          string `json:"createdBy,omitempty"`
}

func decodeRule(r *store.EventRule) (Rule, error) {
	var d ruleDefinition
	if err := json.Unmarshal(r.Definition, &d); err != nil {
		return Rule{}, err
	}
	return Rule{Name: r.Name, Bus: r.Bus, ARN: r.ARN, EventPattern: d.EventPattern, ScheduleExpression: d.ScheduleExpression,
		State: d.State, Description: d.Description, RoleARN: d.RoleARN, ManagedBy: d.ManagedBy, CreatedBy: d.CreatedBy}, nil
}

func (r Rule) definition() []byte {
	b, err := json.Marshal(ruleDefinition{EventPattern: r.EventPattern, ScheduleExpression: r.ScheduleExpression,
		State: r.State, Description: r.Description, RoleARN: r.RoleARN, ManagedBy: r.ManagedBy, CreatedBy: r.CreatedBy})
	if err != nil {
		panic("BUG: events: cannot encode a rule: " + err.Error())
	}
	return b
}

// parseSchedule parses a rule's schedule expression, AWS's message on
// failure.
func parseSchedule(expr string) (schedexpr.Schedule, error) {
	sch, err := schedexpr.ParseRuleSchedule(expr)
	if err != nil {
		var e *schedexpr.Error
		if errors.As(err, &e) {
			return nil, errorf(Validation, "%s", e.Message)
		}
		return nil, errorf(Validation, "Parameter ScheduleExpression is not valid.")
	}
	return sch, nil
}

// parsePattern parses an event pattern, AWS's message on failure.
func parsePattern(pattern string) (*eventpattern.Pattern, error) {
	p, err := eventpattern.Parse([]byte(pattern))
	if err != nil {
		var e *eventpattern.Error
		if errors.As(err, &e) {
			return nil, errorf(InvalidEventPattern, "%s", e.Message)
		}
		return nil, errorf(InvalidEventPattern, "Event pattern is not valid. Reason: %s", err.Error())
	}
	return p, nil
}

// nextFire is when an enabled scheduled rule created at created fires
// next after now (ms; 0 when it does not fire).
func nextFire(r Rule, created, now int64) int64 {
	if r.ScheduleExpression == "" || r.State == StateDisabled {
		return 0
	}
	sch, err := schedexpr.ParseRuleSchedule(r.ScheduleExpression)
	if err != nil {
		return 0
	}
	next, ok := schedexpr.Anchor(sch, msTime(created)).Next(msTime(now))
	if !ok {
		return 0
	}
	return next.UnixMilli()
}

// PutRule creates or replaces a rule and returns its ARN.
func (s *Service) PutRule(ctx context.Context, sc Scope, r Rule, tags map[string]string) (string, error) {
	bus, err := busName(sc, r.Bus)
	if err != nil {
		return "", err
	}
	r.Bus = bus
	if r.EventPattern == "" && r.ScheduleExpression == "" {
		return "", errorf(Validation, "Parameter(s) EventPattern or ScheduleExpression must be specified.")
	}
	if r.ScheduleExpression != "" {
		if bus != DefaultBus {
			return "", errorf(Validation, "ScheduleExpression is supported only on the default event bus.")
		}
		if _, err := parseSchedule(r.ScheduleExpression); err != nil {
			return "", err
		}
	}
	if r.EventPattern != "" {
		if _, err := parsePattern(r.EventPattern); err != nil {
			return "", err
		}
	}
	if r.State == "" {
		r.State = StateEnabled
	}
	if _, err := s.bus(ctx, sc, bus); err != nil {
		return "", err
	}
	r.ARN = ruleARN(sc, bus, r.Name)
	old, err := s.opt.Store.Rule(ctx, r.ARN)
	now := s.now()
	created := now
	switch {
	case err == nil:
		created = old.Created
		if d, err := decodeRule(old); err == nil && d.ManagedBy != "" {
			return "", managedRule(r.Name)
		}
	case !errors.Is(err, store.ErrNotFound):
		return "", err
	}
	if err := s.putRule(ctx, sc, r, created, now); err != nil {
		return "", err
	}
	if len(tags) > 0 {
		if err := s.tag(ctx, r.ARN, tags, nil); err != nil {
			return "", err
		}
	}
	return r.ARN, nil
}

// putRule writes a rule, with when it fires next.
func (s *Service) putRule(ctx context.Context, sc Scope, r Rule, created, now int64) error {
	_, err := s.opt.Store.PutRule(ctx, store.EventRule{ARN: r.ARN, Account: sc.Account, Region: sc.Region, Bus: r.Bus,
		Name: r.Name, Enabled: r.State != StateDisabled, Scheduled: r.ScheduleExpression != "", Definition: r.definition(),
		NextFire: nextFire(r, created, now), Created: created})
	if errors.Is(err, store.ErrNotFound) {
		return errorf(ResourceNotFound, "Event bus %s does not exist.", r.Bus)
	}
	if err == nil {
		s.invalidate(busARN(sc, r.Bus))
	}
	return err
}

func managedRule(name string) error {
	return errorf(ManagedRule, "Rule %s is managed by an AWS service and can only be modified by that service.", name)
}

// rule reads a rule of a bus (a name or ARN; "" the default bus) by
// name.
func (s *Service) rule(ctx context.Context, sc Scope, busNameOrARN, name string) (*store.EventRule, Rule, error) {
	bus, err := busName(sc, busNameOrARN)
	if err != nil {
		return nil, Rule{}, err
	}
	stored, err := s.opt.Store.Rule(ctx, ruleARN(sc, bus, name))
	if errors.Is(err, store.ErrNotFound) {
		return nil, Rule{}, errorf(ResourceNotFound, "Rule %s does not exist on EventBus %s.", name, bus)
	}
	if err != nil {
		return nil, Rule{}, err
	}
	r, err := decodeRule(stored)
	return stored, r, err
}

// DescribeRule describes a rule.
func (s *Service) DescribeRule(ctx context.Context, sc Scope, bus, name string) (Rule, error) {
	_, r, err := s.rule(ctx, sc, bus, name)
	return r, err
}

// SetRuleState enables or disables a rule.
func (s *Service) SetRuleState(ctx context.Context, sc Scope, bus, name string, enabled bool) error {
	stored, r, err := s.rule(ctx, sc, bus, name)
	if err != nil {
		return err
	}
	if r.ManagedBy != "" {
		return managedRule(name)
	}
	switch {
	case !enabled:
		r.State = StateDisabled
	case r.State == StateDisabled:
		r.State = StateEnabled
	}
	return s.putRule(ctx, sc, r, stored.Created, s.now())
}

// ListRules lists the rules of a bus whose names begin with prefix.
func (s *Service) ListRules(ctx context.Context, sc Scope, bus, prefix, token string, limit int) ([]Rule, string, error) {
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
	stored, err := s.opt.Store.Rules(ctx, sc.Account, sc.Region, name, prefix, after, limitPlusOne(limit))
	if err != nil {
		return nil, "", err
	}
	return listPage(stored, limit, func(r store.EventRule) string { return r.Name }, decodeRule)
}

// DeleteRule deletes a rule without targets; a rule that does not exist
// is no error, as in AWS.
func (s *Service) DeleteRule(ctx context.Context, sc Scope, bus, name string, force bool) error {
	stored, r, err := s.rule(ctx, sc, bus, name)
	var e *Error
	if errors.As(err, &e) && e.Code == ResourceNotFound && stored == nil {
		if _, berr := s.DescribeBus(ctx, sc, bus); berr != nil {
			return berr
		}
		return nil
	}
	if err != nil {
		return err
	}
	if r.ManagedBy != "" && !force {
		return managedRule(name)
	}
	err = s.opt.Store.DeleteRule(ctx, stored.ARN)
	switch {
	case errors.Is(err, store.ErrHasTargets):
		return errorf(Validation, "Rule can't be deleted since it has targets.")
	case errors.Is(err, store.ErrNotFound):
		return nil
	case err != nil:
		return err
	}
	s.invalidate(busARN(sc, stored.Bus))
	return store.RemoveTags(ctx, s.opt.Tags, stored.ARN)
}

// scheduledEvent is the event a scheduled rule sends at t.
func scheduledEvent(r *store.EventRule, t time.Time) svcevents.Event {
	return svcevents.Event{ID: svcevents.NewID(), DetailType: "Scheduled Event", Source: "aws.events", Account: r.Account,
		Time: t, Region: r.Region, Resources: []string{r.ARN}, Detail: json.RawMessage("{}")}
}
