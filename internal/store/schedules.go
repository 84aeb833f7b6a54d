package store

import (
	"context"
	"errors"
)

// EventBridge Scheduler's schedule groups and schedules. What a schedule
// holds beyond what the store looks it up and fires it by is the
// engine's to encode. Times are milliseconds since the epoch, on the
// caller's clock.

// ErrTokenReused is returned by a write whose client token was used
// before, within its lifetime, with another request.
var ErrTokenReused = errors.New("client token used with another request")

// ScheduleGroup is a schedule group of an account and region.
type ScheduleGroup struct {
	Account, Region, Name string
	// ARN is arn:aws:scheduler:REGION:ACCOUNT:schedule-group/NAME.
	ARN string
	// Created and Updated are when it was created and last changed (ms).
	Created, Updated int64
}

// Schedule is a schedule of a group.
type Schedule struct {
	// ARN is arn:aws:scheduler:REGION:ACCOUNT:schedule/GROUP/NAME.
	ARN             string
	Account, Region string
	// Group is the name of its group; Name its own.
	Group, Name string
	// Enabled is false for a DISABLED schedule.
	Enabled bool
	// Definition is the schedule as the engine encodes it (expression,
	// time zone, dates, window, target …).
	Definition []byte
	// NextFire is the scheduled time of its next invocation, and Due when
	// that invocation is made: NextFire, or later within a flexible time
	// window. Both are 0 when it invokes nothing more (disabled, or
	// completed).
	NextFire, Due int64
	// Created and Updated are when it was created and last changed (ms).
	Created, Updated int64
}

// ScheduleQuery selects schedules of an account and region, by group
// and name.
type ScheduleQuery struct {
	Account, Region string
	// Group keeps the schedules of a group ("": of every group).
	Group string
	// Prefix keeps the names that begin with it.
	Prefix string
	// Enabled keeps the enabled schedules, or the disabled ones (nil:
	// both).
	Enabled *bool
	// AfterGroup and AfterName keep the schedules after that group and
	// name (the pagination cursor; "" and "": from the first).
	AfterGroup, AfterName string
	// Limit caps the schedules returned (0: no cap).
	Limit int
}

// ScheduleAdvance moves a schedule on after an invocation.
type ScheduleAdvance struct {
	ARN string
	// FromNext and FromDue are the NextFire and Due the caller read: the
	// advance happens only while they are still the schedule's.
	FromNext, FromDue int64
	// Next and Due are its new NextFire and Due (0 and 0: it invokes
	// nothing more).
	Next, Due int64
	// Delete deletes the schedule instead (it completed, and its
	// ActionAfterCompletion is DELETE).
	Delete bool
	// Outbox holds the invocation's deliveries, enqueued in the same
	// transaction as the advance, to the backend's Outbox, and only when
	// the advance happens (their IDs are set then).
	Outbox []OutboxItem
}

// ClientToken makes a write idempotent: a write that comes again with a
// token already used for the same operation, account and region, and
// with the same Fingerprint, changes nothing and succeeds; with another
// Fingerprint, it fails with ErrTokenReused.
type ClientToken struct {
	// Account and Region are the request's, which scope the token.
	Account, Region string
	// Operation and Token name the use ("": no token; the write is not
	// idempotent).
	Operation, Token string
	// Fingerprint identifies the request.
	Fingerprint string
	// At is when it is used (ms); tokens used at or before Expired are
	// forgotten.
	At, Expired int64
}

// Schedules stores EventBridge Scheduler's groups and schedules. Every
// write takes a ClientToken, recorded in the same transaction.
type Schedules interface {
	// CreateScheduleGroup creates a group, or fails with ErrExists when
	// its account, region and name have one.
	CreateScheduleGroup(ctx context.Context, g ScheduleGroup, tok ClientToken) error
	// ScheduleGroup returns the group of an ARN, or ErrNotFound.
	ScheduleGroup(ctx context.Context, arn string) (*ScheduleGroup, error)
	// ScheduleGroups lists the groups of an account and region whose
	// names begin with prefix, by name, after the name after, at most
	// limit (0: no cap).
	ScheduleGroups(ctx context.Context, account, region, prefix, after string, limit int) ([]ScheduleGroup, error)
	// DeleteScheduleGroup deletes a group with its schedules in one
	// transaction, or fails with ErrNotFound.
	DeleteScheduleGroup(ctx context.Context, arn string, tok ClientToken) error

	// CreateSchedule creates a schedule; it fails with ErrNotFound,
	// writing nothing, when its group (account, region and Group) does
	// not exist, and with ErrExists when the group has a schedule of its
	// name.
	CreateSchedule(ctx context.Context, s Schedule, tok ClientToken) error
	// Schedule returns the schedule of an ARN, or ErrNotFound.
	Schedule(ctx context.Context, arn string) (*Schedule, error)
	// Schedules lists schedules by group and name.
	Schedules(ctx context.Context, q ScheduleQuery) ([]Schedule, error)
	// UpdateSchedule replaces a schedule (by ARN) but its Created, or
	// fails with ErrNotFound.
	UpdateSchedule(ctx context.Context, s Schedule, tok ClientToken) error
	// DeleteSchedule deletes a schedule, or fails with ErrNotFound.
	DeleteSchedule(ctx context.Context, arn string, tok ClientToken) error
	// DueSchedules returns the schedules of every account whose Due is
	// at or before now (and not 0), by Due, at most limit.
	DueSchedules(ctx context.Context, now int64, limit int) ([]Schedule, error)
	// AdvanceSchedule applies an advance and reports whether it did
	// (false: the schedule is gone, or another caller advanced or changed
	// it first).
	AdvanceSchedule(ctx context.Context, a ScheduleAdvance) (bool, error)
}
