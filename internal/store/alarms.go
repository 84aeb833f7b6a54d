package store

import "context"

// CloudWatch alarms: their configuration and state, and their history.
// The store knows no alarm engine: an alarm's configuration beyond its
// name, type and actions switch, and the state its evaluations carry
// between periods, are opaque bytes the engine encodes. Times are
// milliseconds since the epoch, on the clock of the caller, never of the
// database.

// The alarm types (Alarm.Type, AlarmHistoryItem.AlarmType).
const (
	MetricAlarm    = "MetricAlarm"
	CompositeAlarm = "CompositeAlarm"
)

// Alarm is a metric or composite alarm of an account and region.
type Alarm struct {
	// Account, Region and Name identify the alarm.
	Account, Region, Name string
	// ARN is the alarm's ARN.
	ARN string
	// Type is MetricAlarm or CompositeAlarm.
	Type string
	// Definition is the rest of the configuration, encoded by the engine;
	// the store keeps it as it is given.
	Definition []byte
	// ActionsEnabled is false while the alarm's actions are disabled.
	ActionsEnabled bool
	// State is OK, ALARM or INSUFFICIENT_DATA, with the reason AWS
	// reports for it (StateReasonData is JSON text, "" when none).
	State, StateReason, StateReasonData string
	// StateUpdated is when the state fields were last written (ms);
	// StateTransitioned when State last changed.
	StateUpdated, StateTransitioned int64
	// ConfigUpdated is when the configuration was last put (ms).
	ConfigUpdated int64
	// Evaluation is the engine's state between evaluations (the states of
	// its contributors …), kept as it is given: nil when put nil.
	Evaluation []byte
}

// AlarmKey identifies an alarm, and marks a place in the order of
// (account, region, name).
type AlarmKey struct {
	Account, Region, Name string
}

// The types of alarm history items (AlarmHistoryItem.Type).
const (
	HistoryConfigurationUpdate    = "ConfigurationUpdate"
	HistoryStateUpdate            = "StateUpdate"
	HistoryAction                 = "Action"
	HistoryContributorStateUpdate = "AlarmContributorStateUpdate"
	HistoryContributorAction      = "AlarmContributorAction"
)

// AlarmHistoryItem is an entry of an alarm's history.
type AlarmHistoryItem struct {
	// ID is assigned by the store when the item is written (it is ignored
	// when writing), and grows with every item written, so that it orders
	// items of equal Timestamp in the order they were written.
	ID int64
	// Account, Region, AlarmName and AlarmType say whose item it is; the
	// caller sets them, the store writes them as given.
	Account, Region, AlarmName, AlarmType string
	// Timestamp is when it happened (ms).
	Timestamp int64
	// Type is ConfigurationUpdate, StateUpdate, Action,
	// AlarmContributorStateUpdate or AlarmContributorAction.
	Type string
	// Summary is the human-readable summary; Data the item's JSON text.
	Summary, Data string
	// ContributorID and ContributorAttributes (a JSON object) name the
	// contributor of a multi-time-series alarm the item is about ("" for
	// the alarm's own items).
	ContributorID, ContributorAttributes string
}

// AlarmQuery selects the alarms of an account and region. The filters
// combine: an alarm is listed when it passes every one that is set.
type AlarmQuery struct {
	Account, Region string
	// Names keeps the alarms of these names (empty: any name).
	Names []string
	// NamePrefix keeps the names that begin with it, byte for byte
	// ("": any name).
	NamePrefix string
	// Types keeps the alarms of these types (empty: every type).
	Types []string
	// State keeps the alarms in this state ("": any state).
	State string
	// After keeps the names after it in byte order (the pagination
	// cursor: the name of the last alarm of the previous page; "": from
	// the first).
	After string
	// Limit caps the alarms returned (0: no cap).
	Limit int
}

// AlarmHistoryCursor marks an item in the order of (Timestamp, ID).
type AlarmHistoryCursor struct {
	Timestamp, ID int64
}

// AlarmHistoryQuery selects the history items of an account and region.
// The filters combine: an item is listed when it passes every one that is
// set.
type AlarmHistoryQuery struct {
	Account, Region string
	// AlarmName keeps the items of the alarm of this name, whether it
	// still exists or not ("": of every alarm).
	AlarmName string
	// AlarmTypes keeps the items of alarms of these types (empty: every
	// type; AWS's default of metric alarms only is the API's to apply).
	AlarmTypes []string
	// Type keeps the items of this type ("": every type).
	Type string
	// ContributorID keeps the items of this contributor ("": of any or
	// none).
	ContributorID string
	// Start and End keep the items whose Timestamp is in [Start, End):
	// Start inclusive, End exclusive (ms; 0: unbounded on that side).
	Start, End int64
	// Descending lists the newest first: by Timestamp, then by ID, both
	// descending (AWS's ScanBy TimestampDescending, its default). Else
	// the oldest first, both ascending.
	Descending bool
	// After keeps the items that come after it in the order listed (the
	// pagination cursor: the Timestamp and ID of the last item of the
	// previous page; ID 0: from the first).
	After AlarmHistoryCursor
	// Limit caps the items returned (0: no cap).
	Limit int
}

// AlarmMuteRule is a mute rule of an account and region: when and which
// alarms' actions it mutes, encoded by the engine.
type AlarmMuteRule struct {
	Account, Region, Name, ARN string
	// Definition is the rule, encoded by the engine.
	Definition []byte
	// Updated is when it was last put (ms).
	Updated int64
}

// Alarms stores CloudWatch alarms and their history.
//
// History is kept apart from the alarms: deleting an alarm keeps its
// history, as CloudWatch does ("CloudWatch retains the history of an
// alarm even if you delete the alarm", DescribeAlarmHistory in the API
// reference), until DeleteAlarmHistoryBefore expires it by age. An alarm
// created again under the name of a deleted one sees the old history.
type Alarms interface {
	// PutAlarm creates the alarm a with every field given, or, when an
	// alarm of its account, region and name exists, replaces its
	// configuration (ARN, Type, Definition, ActionsEnabled and
	// ConfigUpdated) and keeps its state fields and Evaluation, as
	// PutMetricAlarm leaves the state of an alarm it updates; and writes
	// the history items, in one transaction. It reports whether it
	// created the alarm.
	PutAlarm(ctx context.Context, a Alarm, history ...AlarmHistoryItem) (created bool, err error)
	// Alarm returns the alarm of an account, region and name, or
	// ErrNotFound.
	Alarm(ctx context.Context, account, region, name string) (*Alarm, error)
	// Alarms lists the alarms of an account and region that q selects, by
	// name in byte order.
	Alarms(ctx context.Context, q AlarmQuery) ([]Alarm, error)
	// AllAlarms lists the alarms of every account and region after the
	// key after (the zero key: from the first), by account, region and
	// name in byte order, at most limit of them (0: no cap): the
	// scheduler pages through every alarm with the key of the last alarm
	// of a page.
	AllAlarms(ctx context.Context, after AlarmKey, limit int) ([]Alarm, error)
	// DeleteAlarms deletes the alarms of these names of an account and
	// region, in one transaction; names of no alarm are ignored. Their
	// history is kept.
	DeleteAlarms(ctx context.Context, account, region string, names []string) error
	// SetActionsEnabled sets ActionsEnabled of the alarms of these names
	// of an account and region, in one transaction; names of no alarm
	// are ignored.
	SetActionsEnabled(ctx context.Context, account, region string, names []string, enabled bool) error
	// SetAlarmState writes the state fields of an alarm — State,
	// StateReason, StateReasonData, StateUpdated (updated),
	// StateTransitioned (transitioned) and Evaluation (nil stores nil) —
	// leaving its configuration (Definition, ARN, Type, ActionsEnabled,
	// ConfigUpdated) as it is, writes the history items and enqueues the
	// deliveries of outbox to the backend's Outbox (setting their IDs), in
	// one transaction. It fails with ErrNotFound, writing nothing, when
	// there is no such alarm.
	SetAlarmState(ctx context.Context, account, region, name string, state, reason, reasonData string,
		updated, transitioned int64, evaluation []byte, outbox []OutboxItem, history ...AlarmHistoryItem) error
	// AddAlarmHistory writes history items alone (the outcomes of
	// actions), in one transaction.
	AddAlarmHistory(ctx context.Context, items ...AlarmHistoryItem) error
	// AlarmHistory lists the history items q selects, in the order q
	// asks for.
	AlarmHistory(ctx context.Context, q AlarmHistoryQuery) ([]AlarmHistoryItem, error)
	// PutMuteRule creates or replaces a mute rule.
	PutMuteRule(ctx context.Context, r AlarmMuteRule) error
	// MuteRule returns the mute rule of an account, region and name, or
	// ErrNotFound.
	MuteRule(ctx context.Context, account, region, name string) (*AlarmMuteRule, error)
	// MuteRules lists the mute rules of an account and region by name.
	MuteRules(ctx context.Context, account, region string) ([]AlarmMuteRule, error)
	// DeleteMuteRule deletes a mute rule, or fails with ErrNotFound.
	DeleteMuteRule(ctx context.Context, account, region, name string) error
	// DeleteAlarmHistoryBefore deletes the history items of every account
	// whose Timestamp is before the given time (ms), and returns how many.
	DeleteAlarmHistoryBefore(ctx context.Context, before int64) (int64, error)
}
