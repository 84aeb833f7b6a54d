// Package embedded is Vigil's default storage: two embedded databases in
// the data directory, each for the work it is made for, behind the store
// interfaces. Resource state — accounts, log groups and streams, filters,
// tags, queries — lives in SQLite (package sqlite): many small durable
// transactions, group-committed, read concurrently. Telemetry — log events
// and their statistics, metric data, deliveries derived from ingestion —
// lives in DuckDB (package duckdb): bulk appends made durable by its
// journal, columnar scans. A small state change never queues behind an
// ingestion commit, and resolving a group or stream never waits for one.
//
// The two meet by id: events carry the ids of their group and stream,
// whose names the state store resolves. Deleting a group or stream is
// recorded in the state store in the same transaction as the deletion
// (a purge), then carried out in the telemetry store; a crash between
// the two leaves the purge to finish at the next start.
package embedded

import (
	"context"
	"errors"
	"fmt"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/store/duckdb"
	"github.com/vigilhq/vigil/internal/store/sqlite"
)

// Options configure the store.
type Options struct {
	// Threads bounds DuckDB's worker threads (0: DuckDB's default).
	Threads int
	// MemoryLimit bounds DuckDB's memory, e.g. "1GB" ("": DuckDB's default).
	MemoryLimit string
	// Clock times the telemetry journal's commit delay (clock.System{}
	// when nil).
	Clock clock.Clock
}

// Store is the embedded storage of one data directory.
type Store struct {
	state  *sqlite.Store
	tel    *duckdb.Store
	outbox *outbox
}

// Open opens (creating if needed) the databases in dir. Resource state
// that an earlier Vigil kept in DuckDB is moved to the state store once.
func Open(ctx context.Context, dir string, opt Options) (*Store, error) {
	state, err := sqlite.Open(ctx, dir)
	if err != nil {
		return nil, err
	}
	tel, err := duckdb.Open(ctx, dir, duckdb.Options{Threads: opt.Threads, MemoryLimit: opt.MemoryLimit, Names: state.Logs(), Clock: opt.Clock})
	if err != nil {
		state.Close()
		return nil, err
	}
	s := &Store{state: state, tel: tel}
	if err := s.start(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// start opens the outbox, moves legacy state and finishes the purges a
// crash left.
func (s *Store) start(ctx context.Context) error {
	o, err := newOutbox(ctx, s.state.Outbox(), s.tel.Outbox())
	if err != nil {
		return err
	}
	s.outbox = o
	legacy, err := s.tel.LegacyState(ctx)
	if err != nil {
		return err
	}
	if len(legacy) > 0 {
		imported, err := s.state.Imported(ctx)
		if err != nil {
			return err
		}
		if !imported {
			tables := make([]sqlite.Table, len(legacy))
			for i, t := range legacy {
				tables[i] = sqlite.Table{Name: t.Name, Rows: t.Rows}
			}
			if err := s.state.ImportLegacy(ctx, tables); err != nil {
				return err
			}
		}
		if err := s.tel.DropLegacyState(ctx); err != nil {
			return fmt.Errorf("cannot drop the resource tables moved out of DuckDB: %w", err)
		}
	}
	return s.Logs().(logs).purge(ctx)
}

// Close closes both databases.
func (s *Store) Close() error {
	return errors.Join(s.tel.Close(), s.state.Close())
}

// Accounts returns the store of accounts and access keys.
func (s *Store) Accounts() store.Accounts { return s.state.Accounts() }

// Tags returns the store of resource tags.
func (s *Store) Tags() store.Tags { return s.state.Tags() }

// LogQueries returns the store of Logs Insights queries.
func (s *Store) LogQueries() store.LogQueries { return s.state.LogQueries() }

// LogExports returns the store of CloudWatch Logs export tasks.
func (s *Store) LogExports() store.LogExports { return s.state.LogExports() }

// Leases returns the leases of singleton jobs, kept with the resource
// state.
func (s *Store) Leases() store.Leases { return s.state.Leases() }

// Alarms returns the store of CloudWatch alarms and their history, kept
// with the resource state.
func (s *Store) Alarms() store.Alarms { return s.state.Alarms() }

// SNS returns the store of SNS topics and subscriptions, kept with the
// resource state.
func (s *Store) SNS() store.SNS { return s.state.SNS() }

// SQS returns the store of SQS queues and their messages, kept with the
// resource state.
func (s *Store) SQS() store.SQS { return s.state.SQS() }

// Outbox returns the pending deliveries: those of ingestion in DuckDB,
// the others with the resource state.
func (s *Store) Outbox() store.Outbox { return s.outbox }

// Metrics returns the store of CloudWatch metrics.
func (s *Store) Metrics() store.Metrics { return metrics{s.tel.Metrics(), s.state} }

// metrics is metric data from DuckDB and anomaly detectors, which are
// resource state, from SQLite.
type metrics struct {
	duckdb.Metrics
	anomalyDetectors
}

type anomalyDetectors interface {
	AnomalyDetectors(ctx context.Context, account, region string) ([]store.AnomalyDetector, error)
	PutAnomalyDetector(ctx context.Context, account, region string, d store.AnomalyDetector) error
	DeleteAnomalyDetector(ctx context.Context, account, region, spec string) error
}

// Querier runs Logs Insights queries.
func (s *Store) Querier() store.LogQuerier { return s.tel }

// SizeBytes returns the bytes the databases occupy on disk.
func (s *Store) SizeBytes() int64 { return s.tel.SizeBytes() + s.state.SizeBytes() }

// CommitStats counts the commits of both writers.
type CommitStats struct {
	// Telemetry counts DuckDB's commits; State SQLite's.
	Telemetry duckdb.CommitStats
	State     sqlite.CommitStats
}

// CommitStats returns both writers' counts.
func (s *Store) CommitStats() CommitStats {
	return CommitStats{Telemetry: s.tel.CommitStats(), State: s.state.CommitStats()}
}

// Maintain compacts the telemetry store's delta tables and records its
// counters: a periodic job the composition root schedules.
func (s *Store) Maintain(ctx context.Context) error { return s.tel.Maintain(ctx) }

// Events returns the store of EventBridge buses, rules and targets, kept
// with the resource state.
func (s *Store) Events() store.Events { return s.state.Events() }

// Schedules returns the store of EventBridge Scheduler's groups and
// schedules, kept with the resource state.
func (s *Store) Schedules() store.Schedules { return s.state.Schedules() }

// SchemaRegistry returns the store of EventBridge Schema Registry's
// registries, schemas and discoverers, kept in the state database.
func (s *Store) SchemaRegistry() store.SchemaRegistry { return s.state.SchemaRegistry() }

// Dashboards returns the store of CloudWatch dashboards, kept in the
// state database.
func (s *Store) Dashboards() store.Dashboards { return s.state.Dashboards() }

// CloudTrail returns the store of CloudTrail's events, trails and keys,
// kept in the state database.
func (s *Store) CloudTrail() store.CloudTrail { return s.state.CloudTrail() }

// Buckets returns the store of S3 buckets and objects' metadata, kept in
// the state database (the objects' bytes are the bucket engine's files).
func (s *Store) Buckets() store.Buckets { return s.state.Buckets() }
