package alarms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/schedexpr"
	"github.com/vigilhq/vigil/internal/store"
)

// muteRuleVersion is the version of MuteRule's encoding.
const muteRuleVersion = 1

// maxMuteTargets is how many alarms a mute rule names at most.
const maxMuteTargets = 100

// MuteRule is an alarm mute rule: from each activation of its schedule,
// for its duration, the actions of its target alarms do not run (their
// states still change). It is what the store keeps, encoded.
type MuteRule struct {
	Version     int    `json:"v,omitempty"`
	Description string `json:"description,omitempty"`
	// Expression is cron() with five fields or at(); Duration an ISO 8601
	// duration; Timezone an IANA zone ("" is UTC).
	Expression string `json:"expression"`
	Duration   string `json:"duration"`
	Timezone   string `json:"timezone,omitempty"`
	// AlarmNames are the alarms it mutes.
	AlarmNames []string `json:"alarmNames,omitempty"`
	// StartDate and ExpireDate bound when it mutes (ms; 0: unbounded).
	StartDate  int64 `json:"startDate,omitempty"`
	ExpireDate int64 `json:"expireDate,omitempty"`
}

// The types and statuses of mute rules.
const (
	MuteOneTime   = "ONE_TIME"
	MuteRecurring = "RECURRING"

	MuteScheduled = "SCHEDULED"
	MuteActive    = "ACTIVE"
	MuteExpired   = "EXPIRED"
)

// MuteRuleView is a mute rule as GetAlarmMuteRule describes it.
type MuteRuleView struct {
	Name, ARN string
	Rule      MuteRule
	// Type is ONE_TIME or RECURRING; Status SCHEDULED, ACTIVE or EXPIRED
	// at the time it was read.
	Type, Status string
	Updated      time.Time
}

// muteRuleARN is the ARN of a mute rule.
func muteRuleARN(sc Scope, name string) string {
	return "arn:aws:cloudwatch:" + sc.Region + ":" + sc.Account + ":alarm-mute-rule:" + name
}

// schedule parses the rule's schedule and duration.
func (r *MuteRule) schedule() (schedexpr.Schedule, time.Duration, error) {
	loc := time.UTC
	if r.Timezone != "" {
		l, err := time.LoadLocation(r.Timezone)
		if err != nil || strings.HasPrefix(r.Timezone, "Local") {
			return nil, 0, errorf(ValidationError, "The value %s for parameter Rule.Schedule.Timezone is invalid: it must be an IANA time zone such as Europe/Paris.", r.Timezone)
		}
		loc = l
	}
	s, err := schedexpr.ParseMuteSchedule(r.Expression, loc)
	if err != nil {
		return nil, 0, errorf(ValidationError, "%s", scheduleMessage(err))
	}
	d, err := schedexpr.ParseMuteDuration(r.Duration)
	if err != nil {
		return nil, 0, errorf(ValidationError, "%s", scheduleMessage(err))
	}
	return s, d, nil
}

// scheduleMessage is the message of a refused expression or duration.
func scheduleMessage(err error) string {
	var e *schedexpr.Error
	if errors.As(err, &e) {
		return e.Error()
	}
	return err.Error()
}

// kind returns ONE_TIME for an at() schedule, else RECURRING.
func (r *MuteRule) kind() string {
	if strings.HasPrefix(r.Expression, "at(") {
		return MuteOneTime
	}
	return MuteRecurring
}

// status returns the rule's status at now: ACTIVE while a window of its
// schedule holds now within its dates, EXPIRED when no window is to
// come, else SCHEDULED.
func (r *MuteRule) status(now time.Time) string {
	s, d, err := r.schedule()
	if err != nil {
		// A stored rule was valid when put; a zone database that lost its
		// zone leaves it unable to mute.
		return MuteExpired
	}
	at := ms(now)
	if r.ExpireDate > 0 && at >= r.ExpireDate {
		return MuteExpired
	}
	if r.StartDate == 0 || at >= r.StartDate {
		if _, ok := schedexpr.ActiveAt(s, d, now); ok {
			return MuteActive
		}
	}
	from := now
	if r.StartDate > at {
		from = time.UnixMilli(r.StartDate).Add(-d)
	}
	next, ok := s.Next(from)
	if !ok || r.ExpireDate > 0 && ms(next) >= r.ExpireDate {
		return MuteExpired
	}
	return MuteScheduled
}

// PutMuteRule creates or replaces a mute rule.
func (s *Service) PutMuteRule(ctx context.Context, sc Scope, name string, r MuteRule, tags map[string]string) error {
	if _, _, err := r.schedule(); err != nil {
		return err
	}
	if len(r.AlarmNames) > maxMuteTargets {
		return errorf(ValidationError, "The collection MuteTargets.AlarmNames must not have a size greater than %d.", maxMuteTargets)
	}
	if r.kind() == MuteOneTime && (r.StartDate != 0 || r.ExpireDate != 0) {
		return errorf(ValidationError, "StartDate and ExpireDate are for recurring (cron) mute rules; an at() rule gives its own time.")
	}
	for _, d := range []struct {
		param string
		at    int64
	}{{"StartDate", r.StartDate}, {"ExpireDate", r.ExpireDate}} {
		if d.at%60_000 != 0 {
			return errorf(ValidationError, "The value of %s must be a whole minute (its seconds 00).", d.param)
		}
	}
	if r.StartDate != 0 && r.ExpireDate != 0 && r.ExpireDate <= r.StartDate {
		return errorf(ValidationError, "ExpireDate must be after StartDate.")
	}
	if len(tags) > maxTags {
		return errorf(LimitExceeded, "The maximum number of tags for a resource is %d.", maxTags)
	}
	r.Version = muteRuleVersion
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	arn := muteRuleARN(sc, name)
	_, err = s.opt.Store.MuteRule(ctx, sc.Account, sc.Region, name)
	created := errors.Is(err, store.ErrNotFound)
	if err != nil && !created {
		return err
	}
	if err := s.opt.Store.PutMuteRule(ctx, store.AlarmMuteRule{Account: sc.Account, Region: sc.Region, Name: name, ARN: arn,
		Definition: b, Updated: ms(s.opt.Clock.Now())}); err != nil {
		return err
	}
	if created && len(tags) > 0 {
		return s.opt.Tags.TagResource(ctx, arn, tags, nil, maxTags)
	}
	return nil
}

// readMuteRule decodes a stored mute rule at now.
func readMuteRule(r store.AlarmMuteRule, now time.Time) (MuteRuleView, error) {
	v := MuteRuleView{Name: r.Name, ARN: r.ARN, Updated: time.UnixMilli(r.Updated)}
	if err := json.Unmarshal(r.Definition, &v.Rule); err != nil {
		return v, fmt.Errorf("cannot read mute rule %s: %w", r.Name, err)
	}
	if v.Rule.Version != muteRuleVersion {
		return v, fmt.Errorf("cannot read mute rule %s of version %d (this Vigil reads version %d)", r.Name, v.Rule.Version, muteRuleVersion)
	}
	v.Type, v.Status = v.Rule.kind(), v.Rule.status(now)
	return v, nil
}

// GetMuteRule returns a mute rule, or ResourceNotFound.
func (s *Service) GetMuteRule(ctx context.Context, sc Scope, name string) (MuteRuleView, error) {
	r, err := s.opt.Store.MuteRule(ctx, sc.Account, sc.Region, name)
	if errors.Is(err, store.ErrNotFound) {
		return MuteRuleView{}, errorf(ResourceNotFound, "The alarm mute rule %s does not exist.", name)
	}
	if err != nil {
		return MuteRuleView{}, err
	}
	return readMuteRule(*r, s.opt.Clock.Now())
}

// ListMuteRules lists the mute rules, by name, that target alarmName (""
// any) and are in one of statuses (empty: any), a page at a time.
func (s *Service) ListMuteRules(ctx context.Context, sc Scope, alarmName string, statuses []string, maxRecords int, token string) ([]MuteRuleView, string, error) {
	limit, err := pageSize(maxRecords)
	if err != nil {
		return nil, "", err
	}
	after, err := decodeToken(token)
	if err != nil {
		return nil, "", err
	}
	all, err := s.opt.Store.MuteRules(ctx, sc.Account, sc.Region)
	if err != nil {
		return nil, "", err
	}
	now := s.opt.Clock.Now()
	var out []MuteRuleView
	for _, r := range all {
		if r.Name <= after && after != "" {
			continue
		}
		v, err := readMuteRule(r, now)
		if err != nil {
			return nil, "", err
		}
		if alarmName != "" && !slices.Contains(v.Rule.AlarmNames, alarmName) || len(statuses) > 0 && !slices.Contains(statuses, v.Status) {
			continue
		}
		if len(out) == limit {
			return out, encodeToken(out[limit-1].Name), nil
		}
		out = append(out, v)
	}
	return out, "", nil
}

// DeleteMuteRule deletes a mute rule and its tags, or answers
// ResourceNotFound.
func (s *Service) DeleteMuteRule(ctx context.Context, sc Scope, name string) error {
	err := s.opt.Store.DeleteMuteRule(ctx, sc.Account, sc.Region, name)
	if errors.Is(err, store.ErrNotFound) {
		return errorf(ResourceNotFound, "The alarm mute rule %s does not exist.", name)
	}
	if err != nil {
		return err
	}
	return store.RemoveTags(ctx, s.opt.Tags, muteRuleARN(sc, name))
}

// mutedBy returns the name of an active mute rule that mutes the alarm a
// at now, or "".
func (s *Service) mutedBy(ctx context.Context, a store.Alarm, now time.Time) (string, error) {
	rules, err := s.opt.Store.MuteRules(ctx, a.Account, a.Region)
	if err != nil {
		return "", err
	}
	for _, r := range rules {
		v, err := readMuteRule(r, now)
		if err != nil {
			return "", err
		}
		if v.Status == MuteActive && slices.Contains(v.Rule.AlarmNames, a.Name) {
			return v.Name, nil
		}
	}
	return "", nil
}
