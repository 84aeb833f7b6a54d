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
type LogQueries interface {
	// PutLogQuery creates or replaces a query record.
	PutLogQuery(ctx context.Context, q LogQueryRecord) error
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
