package store

import "context"

// LogQueryRecord is a Logs Insights query as DescribeQueries and
// GetQueryResults report it.
type LogQueryRecord struct {
	ID, Account, Region string
	Query, Language     string
	// Groups are the names of the queried log groups.
	Groups []string
	// Status is Scheduled, Running, Complete, Failed, Cancelled or Timeout.
	Status string
	// Created is when the query started (ms); Duration how long it ran.
	Created, Duration int64
	UserIdentity      string
	// Statistics and Results are the outcome, as JSON; Results are nil
	// until the query has completed.
	Statistics string
	Results    []byte
	// Owner names the node that runs the query, and Heartbeat is when
	// that node last told it still does (ms, on the node's clock): a
	// Running record whose Heartbeat is old was left by a node that died.
	Owner     string
	Heartbeat int64
	// StopRequested is set by RequestStopLogQuery: the owner is to cancel
	// the query.
	StopRequested bool
}

// LogQueryDefinition is a saved Logs Insights query.
type LogQueryDefinition struct {
	ID, Account, Region string
	Name, Query         string
	Language            string
	Groups              []string
	LastModified        int64
}

// LogQueries stores Logs Insights queries and saved query definitions.
//
// The queries that run are shared by the nodes of one database: each
// node starts its queries through StartLogQuery, which enforces the
// account's limit of concurrent queries whatever node runs them, and
// keeps them alive with HeartbeatLogQueries; any node asks a query's
// owner to stop it with RequestStopLogQuery. A Running record is alive
// while its Heartbeat is after the caller's aliveAfter, a time (ms) the
// caller derives from its clock: the store never reads a clock of its
// own, so the nodes' clocks must agree to well within the heartbeat
// timeout they use.
type LogQueries interface {
	// PutLogQuery creates or replaces a query record, all its fields.
	PutLogQuery(ctx context.Context, q LogQueryRecord) error
	// StartLogQuery creates the query record q unless its account and
	// region already have limit alive queries — records whose Status is
	// "Running" and whose Heartbeat is after aliveAfter; it reports
	// whether it created q. Counting and creating are atomic: concurrent
	// calls, from any node, never make more than limit alive queries.
	StartLogQuery(ctx context.Context, q LogQueryRecord, limit int, aliveAfter int64) (bool, error)
	// HeartbeatLogQueries sets Heartbeat to now on the records of ids
	// that are Running and owned by owner (the others are left alone),
	// and returns those of them whose stop was requested, in no
	// particular order.
	HeartbeatLogQueries(ctx context.Context, owner string, ids []string, now int64) (stop []string, err error)
	// RequestStopLogQuery sets StopRequested on a query of an account and
	// region that is Running with a Heartbeat after aliveAfter, and
	// reports whether it did: false when the query is not running or its
	// owner died. It fails with ErrNotFound when there is no such query.
	RequestStopLogQuery(ctx context.Context, account, region, id string, aliveAfter int64) (bool, error)
	// DeleteLogQueriesBefore deletes the query records of every account
	// created before the given time (ms), and returns how many.
	DeleteLogQueriesBefore(ctx context.Context, created int64) (int64, error)
	// LogQueryRecord returns a query of an account and region, with its
	// Results as they were put (nil when put nil), or ErrNotFound.
	LogQueryRecord(ctx context.Context, account, region, id string) (*LogQueryRecord, error)
	// LogQueryRecords lists an account's queries, newest first (by
	// Created, then by ID), without their results.
	LogQueryRecords(ctx context.Context, account, region string) ([]LogQueryRecord, error)
	// PutLogQueryDefinition creates or replaces (by ID) a saved query.
	PutLogQueryDefinition(ctx context.Context, d LogQueryDefinition) error
	// LogQueryDefinitions lists an account's saved queries by name, then
	// by ID.
	LogQueryDefinitions(ctx context.Context, account, region string) ([]LogQueryDefinition, error)
	// DeleteLogQueryDefinition deletes a saved query, or fails with
	// ErrNotFound.
	DeleteLogQueryDefinition(ctx context.Context, account, region, id string) error
}
