package store

import (
	"context"
	"errors"
)

// EventBridge buses, their rules and the rules' targets, archives of the
// events put on buses, and replays of archived events. What a bus, a
// rule, a target, an archive or a replay holds beyond what the store
// looks them up by is the engine's to encode. Times are milliseconds
// since the epoch, on the caller's clock.

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
	// UpdateBus changes a bus in one transaction: update gets the bus
	// and sets its Attributes and Updated (the rest is kept); an error of
	// update is returned and changes nothing. It fails with ErrNotFound
	// when the bus does not exist.
	UpdateBus(ctx context.Context, arn string, update func(b *EventBus) error) error
	// DeleteBus deletes a bus with its rules and their targets, and its
	// archives and their events, in one transaction; a bus that does not
	// exist is no error.
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

	EventArchives
	EventReplays
	EventConnections
}

// EventArchive is an archive of the events put on a bus.
type EventArchive struct {
	// ARN is arn:aws:events:REGION:ACCOUNT:archive/NAME.
	ARN                   string
	Account, Region, Name string
	// ID tells the archive from one created again under its name: the
	// events its rule sends carry it.
	ID string
	// BusARN is the bus it archives the events of; RuleARN the rule of
	// that bus that sends them to it.
	BusARN, RuleARN string
	// RetentionDays is how many days of 24 hours it keeps an event after
	// archiving it (0: for ever).
	RetentionDays int
	// Attributes are its description, pattern and settings, encoded by
	// the engine.
	Attributes []byte
	// Created is when it was created (ms).
	Created int64
	// EventCount and SizeBytes count its events and the bytes of their
	// Event; the store keeps them (what CreateArchive is given is
	// ignored).
	EventCount, SizeBytes int64
}

// ArchivedEvent is an event in an archive.
type ArchivedEvent struct {
	// ArchiveARN and ArchiveID are its archive's.
	ArchiveARN, ArchiveID string
	// Time is the event's time; Archived when it was archived (ms).
	Time, Archived int64
	// Seq is assigned by ArchiveEvents, growing with each event of the
	// archive: with Time, the order of its events.
	Seq int64
	// Event is the event as the engine encodes it.
	Event []byte
}

// EventArchives stores archives and their events.
type EventArchives interface {
	// CreateArchive creates an archive with the rule that sends it
	// events and that rule's target, in one transaction. It fails with
	// ErrExists when the archive's account, region and name have one, or
	// the rule's ARN has one, and with ErrNotFound when the archive's bus
	// or the rule's does not exist; either way it writes nothing.
	CreateArchive(ctx context.Context, a EventArchive, r EventRule, t EventTarget) error
	// Archive returns the archive of an ARN, or ErrNotFound.
	Archive(ctx context.Context, arn string) (*EventArchive, error)
	// Archives lists the archives of an account and region whose names
	// begin with prefix, of the bus busARN ("": of every bus), by name,
	// after the name after, at most limit (0: no cap).
	Archives(ctx context.Context, account, region, prefix, busARN, after string, limit int) ([]EventArchive, error)
	// UpdateArchive changes an archive in one transaction: update gets
	// the archive, sets its Attributes and RetentionDays (the rest is
	// kept) and returns the definition of its rule, which replaces the
	// rule's when the rule exists; an error of update is returned and
	// changes nothing. It fails with ErrNotFound when the archive does not
	// exist.
	UpdateArchive(ctx context.Context, arn string, update func(a *EventArchive) (ruleDefinition []byte, err error)) error
	// DeleteArchive deletes an archive with its events, and its rule with
	// the rule's targets, in one transaction, or fails with ErrNotFound.
	DeleteArchive(ctx context.Context, arn string) error
	// ArchiveEvents adds events to their archives, each with the next Seq
	// of its archive (an event whose archive does not exist, or has
	// another ID, is dropped), and enqueues the deliveries of outbox to
	// the backend's Outbox (setting their IDs), in one transaction.
	ArchiveEvents(ctx context.Context, events []ArchivedEvent, outbox []OutboxItem) error
	// ArchivedEvents lists the events of an archive after (afterTime,
	// afterSeq) and with a Time before before, by Time and Seq, at most
	// limit.
	ArchivedEvents(ctx context.Context, archiveARN string, afterTime, afterSeq, before int64, limit int) ([]ArchivedEvent, error)
	// ExpireArchivedEvents deletes, in every archive whose RetentionDays
	// is not 0, the events archived RetentionDays days of 24 hours or
	// more before now, and returns how many.
	ExpireArchivedEvents(ctx context.Context, now int64) (int64, error)
}

// The states of a replay.
const (
	ReplayStarting   = "STARTING"
	ReplayRunning    = "RUNNING"
	ReplayCancelling = "CANCELLING"
	ReplayCompleted  = "COMPLETED"
	ReplayCancelled  = "CANCELLED"
	ReplayFailed     = "FAILED"
)

// EventReplay is a replay of an archive's events to its bus.
type EventReplay struct {
	// ARN is arn:aws:events:REGION:ACCOUNT:replay/NAME.
	ARN                   string
	Account, Region, Name string
	// ArchiveARN is the archive it replays.
	ArchiveARN string
	// Definition is its description and destination, encoded by the
	// engine.
	Definition []byte
	// EventStart and EventEnd bound the times of the events it replays:
	// from EventStart, before EventEnd (ms).
	EventStart, EventEnd int64
	// Started is when it was started (ms).
	Started int64
	ReplayProgress
}

// ReplayProgress is how far a replay has gone.
type ReplayProgress struct {
	// State is one of the Replay states; Reason says why it is in it.
	State, Reason string
	// CursorTime and CursorSeq are the Time and Seq of the last event
	// replayed (EventStart and 0 before the first).
	CursorTime, CursorSeq int64
	// LastReplayed is the Time of the last event replayed, and Ended when
	// the replay ended (ms; 0 before).
	LastReplayed, Ended int64
}

// EventReplays stores replays.
type EventReplays interface {
	// StartReplay stores a new replay, or fails with ErrExists when its
	// account, region and name have one, or with ErrLimit when its
	// account and region have maxActive replays STARTING or RUNNING.
	StartReplay(ctx context.Context, r EventReplay, maxActive int) error
	// Replay returns the replay of an ARN, or ErrNotFound.
	Replay(ctx context.Context, arn string) (*EventReplay, error)
	// Replays lists the replays of an account and region whose names
	// begin with prefix, of the archive archiveARN ("": of any), in the
	// state state ("": in any), by name, after the name after, at most
	// limit (0: no cap).
	Replays(ctx context.Context, account, region, prefix, archiveARN, state, after string, limit int) ([]EventReplay, error)
	// ActiveReplays lists the replays STARTING, RUNNING or CANCELLING, of
	// every account, by Started, at most limit.
	ActiveReplays(ctx context.Context, limit int) ([]EventReplay, error)
	// CancelReplay makes a STARTING or RUNNING replay CANCELLING and
	// returns it, or fails with ErrNotFound when no replay of that ARN is
	// STARTING or RUNNING.
	CancelReplay(ctx context.Context, arn string) (*EventReplay, error)
	// AdvanceReplay sets the progress of a replay whose State, CursorTime
	// and CursorSeq are still from's, and reports whether it did (false:
	// the replay is gone, or was cancelled or advanced since read).
	AdvanceReplay(ctx context.Context, arn string, from, to ReplayProgress) (bool, error)
}

// EventConnection is a connection: the authorization, and the HTTP
// parameters, of the API destinations that use it.
type EventConnection struct {
	// ARN is arn:aws:events:REGION:ACCOUNT:connection/NAME/UUID.
	ARN                   string
	Account, Region, Name string
	// State is its ConnectionState (AUTHORIZED, AUTHORIZING,
	// DEAUTHORIZED …), which ListConnections filters on.
	State string
	// Definition is its authorization type, parameters (their secrets
	// included) and description, encoded by the engine.
	Definition []byte
	// Created and Updated are when it was created and last changed;
	// Authorized when it was last authorized (ms, 0 for never).
	Created, Updated, Authorized int64
}

// EventAPIDestination is an API destination: an HTTP endpoint that
// rules invoke through a connection.
type EventAPIDestination struct {
	// ARN is arn:aws:events:REGION:ACCOUNT:api-destination/NAME/UUID.
	ARN                   string
	Account, Region, Name string
	// ConnectionARN is the connection it invokes its endpoint with.
	ConnectionARN string
	// Definition is its endpoint, method, rate and description, encoded
	// by the engine.
	Definition []byte
	// Created and Updated are when it was created and last changed (ms).
	Created, Updated int64
}

// EventConnections stores connections and API destinations, each unique
// by account, region and name.
type EventConnections interface {
	// CreateConnection creates a connection, or fails with ErrExists
	// when its account, region and name have one.
	CreateConnection(ctx context.Context, c EventConnection) error
	// Connection returns the connection of a name, or ErrNotFound.
	Connection(ctx context.Context, account, region, name string) (*EventConnection, error)
	// Connections lists the connections of an account and region whose
	// names begin with prefix and, when state is not "", whose State is
	// state, by name, after the name after, at most limit (0: no cap).
	Connections(ctx context.Context, account, region, prefix, state, after string, limit int) ([]EventConnection, error)
	// UpdateConnection changes a connection in one transaction: update
	// gets it and sets its State, Definition, Updated and Authorized (the
	// rest is kept); an error of update is returned and changes nothing.
	// It fails with ErrNotFound when the connection does not exist, and
	// returns the connection as changed.
	UpdateConnection(ctx context.Context, account, region, name string, update func(c *EventConnection) error) (*EventConnection, error)
	// DeleteConnection deletes a connection and returns it, or fails with
	// ErrNotFound.
	DeleteConnection(ctx context.Context, account, region, name string) (*EventConnection, error)

	// CreateAPIDestination creates an API destination, or fails with
	// ErrExists when its account, region and name have one.
	CreateAPIDestination(ctx context.Context, d EventAPIDestination) error
	// APIDestination returns the API destination of a name, or
	// ErrNotFound.
	APIDestination(ctx context.Context, account, region, name string) (*EventAPIDestination, error)
	// APIDestinations lists the API destinations of an account and region
	// whose names begin with prefix and, when connectionARN is not "",
	// that use that connection, by name, after the name after, at most
	// limit (0: no cap).
	APIDestinations(ctx context.Context, account, region, prefix, connectionARN, after string, limit int) ([]EventAPIDestination, error)
	// UpdateAPIDestination changes an API destination in one transaction:
	// update gets it and sets its ConnectionARN, Definition and Updated
	// (the rest is kept); an error of update is returned and changes
	// nothing. It fails with ErrNotFound when the destination does not
	// exist, and returns it as changed.
	UpdateAPIDestination(ctx context.Context, account, region, name string, update func(d *EventAPIDestination) error) (*EventAPIDestination, error)
	// DeleteAPIDestination deletes an API destination, or fails with
	// ErrNotFound.
	DeleteAPIDestination(ctx context.Context, account, region, name string) error
}
