package store

import "context"

// CloudTrail Lake: event data stores (resource state) and the events they
// hold (telemetry, queried with SQL). Times are milliseconds since the
// epoch, on the caller's clock.

// EventDataStore is a CloudTrail Lake event data store.
type EventDataStore struct {
	Account, Region string
	// ID is the UUID at the end of ARN
	// (arn:aws:cloudtrail:REGION:ACCOUNT:eventdatastore/ID).
	ID, ARN, Name string
	// Settings is a JSON document the engine owns (selectors, retention,
	// status, …); the store keeps it as it is.
	Settings []byte
	// Created and Updated are when it was created and last changed (ms).
	Created, Updated int64
}

// EventDataStores stores the event data stores.
type EventDataStores interface {
	// CreateEventDataStore stores a new event data store and its tags
	// (nil: none). It fails with ErrExists when the account has one of
	// that name in the region, and with ErrLimit when the account has
	// limit or more in the region.
	CreateEventDataStore(ctx context.Context, d EventDataStore, tags map[string]string, limit int) error
	// EventDataStore returns the event data store with the ARN, or
	// ErrNotFound.
	EventDataStore(ctx context.Context, arn string) (*EventDataStore, error)
	// EventDataStores lists the event data stores of an account's region
	// by ARN; every event data store of every account when account is "".
	EventDataStores(ctx context.Context, account, region string) ([]EventDataStore, error)
	// UpdateEventDataStore replaces the name, settings and Updated of the
	// event data store with d's ARN; ErrNotFound when it is gone,
	// ErrExists when another of the account's region has the name.
	UpdateEventDataStore(ctx context.Context, d EventDataStore) error
	// DeleteEventDataStore deletes an event data store and its tags, or
	// fails with ErrNotFound.
	DeleteEventDataStore(ctx context.Context, arn string) error
}

// LakeEvent is an event copied into an event data store, with the fields
// queries use taken out of its record.
type LakeEvent struct {
	// Seq is the event's TrailEvent.Seq.
	Seq int64
	// Time is the eventTime (ms).
	Time                                                  int64
	ID, Name, Source, Region, RecipientAccount, EventType string
	// The userIdentity's fields.
	UserType, PrincipalID, UserARN, UserAccount, AccessKey, UserName string
	ErrorCode, ErrorMessage, SourceIP, UserAgent, RequestID          string
	ReadOnly                                                         bool
	// Record is the CloudTrail record as JSON.
	Record []byte
}

// LakeBatch is what one ingestion run adds to an event data store: the
// events, and the Seq of the last event it considered (the store's new
// cursor), stored together.
type LakeBatch struct {
	Store  string
	Events []LakeEvent
	Cursor int64
}

// LakeTokenKind is the kind of a token of a checked query statement.
type LakeTokenKind int

// The kinds of LakeToken.
const (
	// LakeKeyword is an SQL keyword or operator word (SELECT, AND, …),
	// upper case.
	LakeKeyword LakeTokenKind = iota
	// LakeColumn is a column of the event data store (its CloudTrail
	// name), a field path into one (userIdentity.arn), or an alias the
	// statement defined.
	LakeColumn
	// LakeFunc is a function's CloudTrail Lake name, lower case; a "("
	// follows.
	LakeFunc
	// LakeString is a string literal's value (unquoted).
	LakeString
	// LakeNumber is a numeric literal.
	LakeNumber
	// LakePunct is an operator or punctuation: ( ) , . * + - / % = <> !=
	// < <= > >= ||.
	LakePunct
	// LakeTable stands for the event data store in FROM.
	LakeTable
	// LakeNow is the current time of the caller's clock (now(),
	// current_timestamp).
	LakeNow
	// LakeType is a type name of a CAST.
	LakeType
)

// LakeToken is a token of a checked query statement.
type LakeToken struct {
	Kind LakeTokenKind
	Text string
}

// LakeQuery is a checked SELECT over one event data store.
type LakeQuery struct {
	Store string
	// Statement is the SELECT, with one LakeTable token.
	Statement []LakeToken
	// Matched counts the events the statement's WHERE holds for (the
	// events it matched): a SELECT count(*) over the same LakeTable
	// (nil: the statement has no WHERE, every event matched).
	Matched []LakeToken
	// Now is what LakeNow stands for (ms).
	Now int64
	// MaxRows bounds the result: a query with more rows fails with
	// ErrLimit.
	MaxRows int
}

// LakeResult is what a query returned: its columns, its rows with every
// value as text (SQL NULL as ""), and what it read.
type LakeResult struct {
	Columns                                    []string
	Rows                                       [][]string
	EventsScanned, EventsMatched, BytesScanned int64
}

// LakeEvents stores the events of event data stores.
type LakeEvents interface {
	// IngestLake appends the events of the batches and sets the stores'
	// cursors, in one durable write.
	IngestLake(ctx context.Context, batches []LakeBatch) error
	// LakeCursor returns the cursor of an event data store (0: none).
	LakeCursor(ctx context.Context, storeID string) (int64, error)
	// ExpireLakeEvents deletes the events of an event data store older
	// than before and returns how many.
	ExpireLakeEvents(ctx context.Context, storeID string, before int64) (int64, error)
	// DropLakeEvents deletes every event and the cursor of an event data
	// store.
	DropLakeEvents(ctx context.Context, storeID string) error
	// QueryLake runs a query. An error of the statement (a type
	// mismatch, an unknown field) is a *LakeQueryError.
	QueryLake(ctx context.Context, q LakeQuery) (*LakeResult, error)
}

// LakeQueryError is a query the database refused, worded for the user.
type LakeQueryError struct{ Message string }

// Error returns the message.
func (e *LakeQueryError) Error() string { return e.Message }
