package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/store"
)

// The states of a schedule, the actions after its completion and the
// modes of its time window.
const (
	StateEnabled  = "ENABLED"
	StateDisabled = "DISABLED"
	ActionNone    = "NONE"
	ActionDelete  = "DELETE"
	ModeOff       = "OFF"
	ModeFlexible  = "FLEXIBLE"
)

// AWS's defaults of a RetryPolicy, which GetSchedule returns when the
// schedule was given none.
const (
	defaultRetryAttempts = 185
	defaultEventAge      = 86400
)

// Schedule is a schedule as CreateSchedule and UpdateSchedule set it and
// GetSchedule returns it: with the defaults filled in (State ENABLED,
// ScheduleExpressionTimezone UTC, ActionAfterCompletion NONE, AWS's
// RetryPolicy).
type Schedule struct {
	Name, Group string
	// ARN, Created and Updated are the service's, returned by
	// GetSchedule and ListSchedules.
	ARN              string
	Created, Updated time.Time
	// Expression is the ScheduleExpression, read in Timezone.
	Expression, Timezone string
	// StartDate and EndDate bound a recurring schedule (nil: no bound).
	StartDate, EndDate *time.Time
	Description        string
	State              string
	// WindowMode is the FlexibleTimeWindow's Mode, and WindowMinutes its
	// MaximumWindowInMinutes.
	WindowMode            string
	WindowMinutes         int
	ActionAfterCompletion string
	KmsKeyARN             string
	Target                Target
}

// Target is what a schedule invokes.
type Target struct {
	ARN     string `json:"arn"`
	RoleARN string `json:"roleArn"`
	// Input is what the target receives (nil: none given).
	Input *string `json:"input,omitempty"`
	// MaximumRetryAttempts and MaximumEventAgeSeconds are its
	// RetryPolicy.
	MaximumRetryAttempts   *int `json:"maxRetries,omitempty"`
	MaximumEventAgeSeconds *int `json:"maxAge,omitempty"`
	// DeadLetterARN is the SQS queue of the invocations that failed.
	DeadLetterARN string `json:"deadLetter,omitempty"`
	// MessageGroupID is the SqsParameters' group of a FIFO queue.
	MessageGroupID string `json:"groupId,omitempty"`
	// EventBridge are the EventBridgeParameters of an event bus.
	EventBridge *EventBridgeParameters `json:"eventBridge,omitempty"`
	// Parameters are its other parameters (ECS, Kinesis, SageMaker) as
	// the API encodes them, kept and returned as given.
	Parameters json.RawMessage `json:"parameters,omitempty"`
}

// EventBridgeParameters are the detail type and source of the events a
// schedule puts on an event bus.
type EventBridgeParameters struct {
	DetailType string `json:"detailType"`
	Source     string `json:"source"`
}

// definitionVersion is the version of the stored encoding of a
// schedule (testdata/golden pins it).
const definitionVersion = 1

// definition is a schedule as the store keeps it.
type definition struct {
	Version     int    `json:"v"`
	Expression  string `json:"expression"`
	Timezone    string `json:"timezone"`
	Start       int64  `json:"start,omitempty"`
	End         int64  `json:"end,omitempty"`
	Description string `json:"description,omitempty"`
	State       string `json:"state"`
	WindowMode  string `json:"windowMode"`
	Window      int    `json:"window,omitempty"`
	Action      string `json:"action"`
	KmsKeyARN   string `json:"kmsKey,omitempty"`
	Target      Target `json:"target"`
}

func definitionOf(s *Schedule) definition {
	d := definition{Version: definitionVersion, Expression: s.Expression, Timezone: s.Timezone, Description: s.Description,
		State: s.State, WindowMode: s.WindowMode, Window: s.WindowMinutes, Action: s.ActionAfterCompletion,
		KmsKeyARN: s.KmsKeyARN, Target: s.Target}
	if s.StartDate != nil {
		d.Start = s.StartDate.UnixMilli()
	}
	if s.EndDate != nil {
		d.End = s.EndDate.UnixMilli()
	}
	return d
}

func (d *definition) encode() []byte {
	b, err := json.Marshal(d)
	if err != nil {
		panic("BUG: scheduler: cannot encode a schedule: " + err.Error())
	}
	return b
}

func decodeDefinition(r *store.Schedule) (definition, error) {
	var d definition
	if err := json.Unmarshal(r.Definition, &d); err != nil {
		return d, fmt.Errorf("cannot read schedule %s: %w", r.ARN, err)
	}
	if d.Version != definitionVersion {
		return d, fmt.Errorf("cannot read schedule %s: encoding version %d; this Vigil reads version %d", r.ARN, d.Version, definitionVersion)
	}
	return d, nil
}

// scheduleOf is a stored schedule as the API returns it.
func scheduleOf(r *store.Schedule) (Schedule, error) {
	d, err := decodeDefinition(r)
	if err != nil {
		return Schedule{}, err
	}
	s := Schedule{Name: r.Name, Group: r.Group, ARN: r.ARN, Created: msTime(r.Created), Updated: msTime(r.Updated),
		Expression: d.Expression, Timezone: d.Timezone, Description: d.Description, State: d.State, WindowMode: d.WindowMode,
		WindowMinutes: d.Window, ActionAfterCompletion: d.Action, KmsKeyARN: d.KmsKeyARN, Target: d.Target}
	if d.Start != 0 {
		t := msTime(d.Start)
		s.StartDate = &t
	}
	if d.End != 0 {
		t := msTime(d.End)
		s.EndDate = &t
	}
	return s, nil
}

func scheduleNotFound(name string) error {
	return errorf(ResourceNotFound, "Schedule %s does not exist.", name)
}

// startDateSlack is how far in the past a recurring schedule's StartDate
// may be: "The StartDate you specify cannot be earlier than 5 minutes
// ago."
const startDateSlack = 5 * time.Minute

// readOnlyActions are the prefixes of the API actions a universal target
// cannot call
// (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-universal.html).
var readOnlyActions = []string{"get", "describe", "list", "poll", "receive", "search", "scan", "query", "select", "read",
	"lookup", "discover", "validate", "batchGet", "batchDescribe", "batchRead", "transactGet", "adminGet", "adminList",
	"testMigration", "retrieve", "testConnection", "translateDocument", "isAuthorized", "invokeModel"}

// universalAction returns the service and action of a universal target's
// ARN (arn:aws:scheduler:::aws-sdk:SERVICE:ACTION), and false for a
// templated target.
func universalAction(to dispatch.Address) (service, action string, ok bool) {
	if to.Service != "scheduler" || to.Type != "aws-sdk" {
		return "", "", false
	}
	service, action, _ = strings.Cut(to.Resource, ":")
	return service, action, true
}

// check validates a schedule and fills in its defaults, as
// CreateSchedule and UpdateSchedule do at now; old is the schedule an
// update replaces (nil for a creation), whose StartDate may stay in the
// past. It returns when the schedule invokes its target.
func check(s *Schedule, created time.Time, old *Schedule, now time.Time) (*plan, error) {
	if s.Timezone == "" {
		s.Timezone = "UTC"
	}
	if s.State == "" {
		s.State = StateEnabled
	}
	if s.ActionAfterCompletion == "" {
		s.ActionAfterCompletion = ActionNone
	}
	switch {
	case s.WindowMode == ModeFlexible && s.WindowMinutes == 0:
		return nil, errorf(Validation, "MaximumWindowInMinutes must be specified when the FlexibleTimeWindow's Mode is FLEXIBLE.")
	case s.WindowMode == ModeOff && s.WindowMinutes != 0:
		return nil, errorf(Validation, "MaximumWindowInMinutes must not be specified when the FlexibleTimeWindow's Mode is OFF.")
	}
	if err := checkTarget(&s.Target); err != nil {
		return nil, err
	}
	d := definitionOf(s)
	p, err := d.plan(created)
	if err != nil {
		return nil, err
	}
	if p.once {
		if _, ok := p.next(now); !ok {
			return nil, errorf(Validation, "The schedule expression %s is in the past: a one-time schedule must be in the future.", s.Expression)
		}
		return p, nil
	}
	startChanged := old == nil || old.StartDate == nil || s.StartDate == nil || !old.StartDate.Equal(*s.StartDate)
	if s.StartDate != nil && startChanged && s.StartDate.Before(now.Add(-startDateSlack)) {
		return nil, errorf(Validation, "The StartDate you specify cannot be earlier than 5 minutes ago.")
	}
	if s.StartDate != nil && s.EndDate != nil && !s.EndDate.After(*s.StartDate) {
		return nil, errorf(Validation, "The EndDate you specify must be later than the StartDate.")
	}
	return p, nil
}

// checkTarget validates a target and fills in its RetryPolicy's
// defaults.
func checkTarget(t *Target) error {
	to, err := dispatch.Parse(t.ARN)
	if err != nil || !strings.HasPrefix(t.ARN, "arn:") {
		return errorf(Validation, "The target ARN %s is not valid.", t.ARN)
	}
	if service, action, ok := universalAction(to); ok {
		if service == "" || action == "" || to.Region != "" || to.Account != "" {
			return errorf(Validation, "The target ARN %s is not valid: a universal target is arn:aws:scheduler:::aws-sdk:service:apiAction.", t.ARN)
		}
		for _, p := range readOnlyActions {
			if strings.HasPrefix(action, p) {
				return errorf(Validation, "EventBridge Scheduler does not support the read-only API action %s of the target %s.", action, t.ARN)
			}
		}
	}
	if t.MaximumRetryAttempts == nil {
		n := defaultRetryAttempts
		t.MaximumRetryAttempts = &n
	}
	if t.MaximumEventAgeSeconds == nil {
		n := defaultEventAge
		t.MaximumEventAgeSeconds = &n
	}
	return nil
}

// row is the store's record of a schedule checked at now.
func row(sc Scope, s *Schedule, p *plan, created, now time.Time) store.Schedule {
	d := definitionOf(s)
	r := store.Schedule{ARN: scheduleARN(sc, s.Group, s.Name), Account: sc.Account, Region: sc.Region, Group: s.Group, Name: s.Name,
		Enabled: s.State == StateEnabled, Definition: d.encode(), Created: created.UnixMilli(), Updated: now.UnixMilli()}
	if r.Enabled {
		// The first invocation at or after now.
		if next, ok := p.next(now.Add(-time.Nanosecond)); ok {
			r.NextFire, r.Due = next.UnixMilli(), p.due(r.ARN, next).UnixMilli()
		}
	}
	return r
}

// CreateSchedule creates a schedule and returns its ARN.
func (s *Service) CreateSchedule(ctx context.Context, sc Scope, sch Schedule, token string) (string, error) {
	sch.Group = groupName(sch.Group)
	now := s.now()
	p, err := check(&sch, now, nil, now)
	if err != nil {
		return "", err
	}
	if _, err := s.group(ctx, sc, sch.Group); err != nil {
		return "", err
	}
	r := row(sc, &sch, p, now, now)
	err = s.opt.Store.CreateSchedule(ctx, r, s.clientToken(sc, "CreateSchedule", token, sch.Group, sch.Name, string(r.Definition)))
	if err != nil {
		return "", storeError(err, token, func() error { return groupNotFound(sch.Group) },
			func() error { return errorf(Conflict, "Schedule %s already exists.", sch.Name) })
	}
	return r.ARN, nil
}

// schedule reads a schedule of the caller's scope.
func (s *Service) schedule(ctx context.Context, sc Scope, group, name string) (*store.Schedule, error) {
	r, err := s.opt.Store.Schedule(ctx, scheduleARN(sc, group, name))
	if errors.Is(err, store.ErrNotFound) {
		return nil, scheduleNotFound(name)
	}
	return r, err
}

// GetSchedule describes a schedule.
func (s *Service) GetSchedule(ctx context.Context, sc Scope, group, name string) (Schedule, error) {
	r, err := s.schedule(ctx, sc, groupName(group), name)
	if err != nil {
		return Schedule{}, err
	}
	return scheduleOf(r)
}

// UpdateSchedule replaces a schedule with sch, as AWS does: what sch
// leaves out takes its default. It returns the schedule's ARN.
func (s *Service) UpdateSchedule(ctx context.Context, sc Scope, sch Schedule, token string) (string, error) {
	sch.Group = groupName(sch.Group)
	old, err := s.schedule(ctx, sc, sch.Group, sch.Name)
	if err != nil {
		return "", err
	}
	prev, err := scheduleOf(old)
	if err != nil {
		return "", err
	}
	now := s.now()
	created := msTime(old.Created)
	p, err := check(&sch, created, &prev, now)
	if err != nil {
		return "", err
	}
	r := row(sc, &sch, p, created, now)
	err = s.opt.Store.UpdateSchedule(ctx, r, s.clientToken(sc, "UpdateSchedule", token, sch.Group, sch.Name, string(r.Definition)))
	if err != nil {
		return "", storeError(err, token, func() error { return scheduleNotFound(sch.Name) }, nil)
	}
	return r.ARN, nil
}

// DeleteSchedule deletes a schedule.
func (s *Service) DeleteSchedule(ctx context.Context, sc Scope, group, name, token string) error {
	group = groupName(group)
	err := s.opt.Store.DeleteSchedule(ctx, scheduleARN(sc, group, name), s.clientToken(sc, "DeleteSchedule", token, group, name))
	return storeError(err, token, func() error { return scheduleNotFound(name) }, nil)
}

// ListQuery selects the schedules ListSchedules lists.
type ListQuery struct {
	// Group, Prefix and State keep the schedules of a group, whose names
	// begin with a prefix, in a state ("": any).
	Group, Prefix, State string
}

// ListSchedules lists schedules by group and name, a page of at most
// limit (0: all) after the page of nextToken.
func (s *Service) ListSchedules(ctx context.Context, sc Scope, q ListQuery, nextToken string, limit int) ([]Schedule, string, error) {
	after, err := decodeToken(nextToken)
	if err != nil {
		return nil, "", err
	}
	if q.Group != "" {
		if _, err := s.group(ctx, sc, q.Group); err != nil {
			return nil, "", err
		}
	}
	sq := store.ScheduleQuery{Account: sc.Account, Region: sc.Region, Group: q.Group, Prefix: q.Prefix, Limit: limitPlusOne(limit)}
	sq.AfterGroup, sq.AfterName, _ = strings.Cut(after, "/")
	if q.State != "" {
		enabled := q.State == StateEnabled
		sq.Enabled = &enabled
	}
	rs, err := s.opt.Store.Schedules(ctx, sq)
	if err != nil {
		return nil, "", err
	}
	rs, next := page(rs, limit, func(r *store.Schedule) string { return r.Group + "/" + r.Name })
	out := make([]Schedule, len(rs))
	for i := range rs {
		if out[i], err = scheduleOf(&rs[i]); err != nil {
			return nil, "", err
		}
	}
	return out, next, nil
}
