package store

import (
	"context"
	"errors"
)

// EventBridge buses, their rules and the rules' targets. What a bus, a
// rule or a target holds beyond what the store looks them up by is the
// engine's to encode. Times are milliseconds since the epoch, on the
// caller's clock.

// ErrHasTargets is returned when deleting a rule that still has targets:
// AWS requires them removed first.
var ErrHasTargets = errors.New("rule has targets")

// ErrTooManyTargets is returned when putting targets would leave a rule
// with more than it may have.
var ErrTooManyTargets = errors.New("too many targets")

// EventBus is an event bus of an account and region.
type EventBus struct {
	Account, Region, Name string
	// ARN is arn:aws:events:REGION:ACCOUNT:event-bus/NAME.
	ARN string
	// Attributes are the bus's description, policy and settings, encoded
	// by the engine.
	Attributes []byte
	// Created and Updated are when it was created and last changed (ms).
	Created, Updated int64
}

// EventRule is a rule of a bus.
type EventRule struct {
	// ARN is arn:aws:events:REGION:ACCOUNT:rule/NAME on the default bus,
	// rule/BUS/NAME on another.
	ARN             string
	Account, Region string
	// Bus is the name of its bus; Name its own.
	Bus, Name string
	// Enabled is false for a DISABLED rule; Scheduled true for a rule
	// with a schedule expression.
	Enabled, Scheduled bool
	// Definition is the rule as the engine encodes it (pattern,
	// schedule, state, description, role, managed by).
	Definition []byte
	// NextFire is when an enabled scheduled rule fires next (ms); 0 for
	// others.
	NextFire int64
	// Created is when it was created (ms).
	Created int64
}

// EventTarget is a target of a rule.
type EventTarget struct {
	// RuleARN is its rule; ID its id in the rule; ARN what it delivers
	// to.
	RuleARN, ID, ARN string
	// Definition is the target as the engine encodes it (input, retry
	// policy, dead-letter queue, role, parameters).
	Definition []byte
}

// Events stores EventBridge buses, rules and targets.
type Events interface {
	// CreateBus creates a bus, or fails with ErrExists when its account,
	// region and name have one.
	CreateBus(ctx context.Context, b EventBus) error
	// Bus returns the bus of an ARN, or ErrNotFound.
	Bus(ctx context.Context, arn string) (*EventBus, error)
	// Buses lists the buses of an account and region whose names begin
	// with prefix, by name, after the name after, at most limit (0: no
	// cap).
	Buses(ctx context.Context, account, region, prefix, after string, limit int) ([]EventBus, error)
	// SetBusAttributes replaces a bus's attributes, or fails with
	// ErrNotFound.
	SetBusAttributes(ctx context.Context, arn string, attributes []byte, updated int64) error
	// DeleteBus deletes a bus with its rules and their targets in one
	// transaction; a bus that does not exist is no error.
	DeleteBus(ctx context.Context, arn string) error

	// PutRule creates or replaces a rule (by ARN), keeping its targets
	// and, when it existed, its Created; it fails with ErrNotFound,
	// writing nothing, when its bus (account, region and Bus) does not
	// exist. It returns whether it created the rule.
	PutRule(ctx context.Context, r EventRule) (bool, error)
	// Rule returns the rule of an ARN, or ErrNotFound.
	Rule(ctx context.Context, arn string) (*EventRule, error)
	// Rules lists the rules of a bus whose names begin with prefix, by
	// name, after the name after, at most limit (0: no cap).
	Rules(ctx context.Context, account, region, bus, prefix, after string, limit int) ([]EventRule, error)
	// DeleteRule deletes a rule, or fails with ErrNotFound, or with
	// ErrHasTargets when it has targets.
	DeleteRule(ctx context.Context, arn string) error
	// DueRules returns the enabled scheduled rules of every bus whose
	// NextFire is at or before now, by NextFire, at most limit.
	DueRules(ctx context.Context, now int64, limit int) ([]EventRule, error)
	// AdvanceRule sets the NextFire of a rule whose NextFire is still
	// from, and reports whether it did (false: the rule is gone, or
	// another caller advanced or changed it first).
	AdvanceRule(ctx context.Context, arn string, from, to int64) (bool, error)

	// PutTargets creates or replaces targets of a rule (by ID) in one
	// transaction; it fails with ErrNotFound when the rule does not
	// exist, and with ErrTooManyTargets, writing nothing, when the rule
	// would have more than max.
	PutTargets(ctx context.Context, ruleARN string, ts []EventTarget, max int) error
	// RemoveTargets removes targets of a rule by ID, ignoring the IDs of
	// none, and returns the IDs it removed.
	RemoveTargets(ctx context.Context, ruleARN string, ids []string) ([]string, error)
	// Targets lists the targets of a rule by ID, after the ID after, at
	// most limit (0: no cap).
	Targets(ctx context.Context, ruleARN, after string, limit int) ([]EventTarget, error)
	// RulesByTarget lists the ARNs of the rules of a bus that have a
	// target whose ARN is targetARN, by ARN, after the ARN after, at most
	// limit (0: no cap).
	RulesByTarget(ctx context.Context, account, region, bus, targetARN, after string, limit int) ([]string, error)
}
