package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/vigilhq/vigil/internal/store"
)

// migration is one step of the schema. Migrations are applied in order,
// each in its own transaction; the schema version is the number applied.
// Never edit a released migration: add a new one.
type migration struct {
	name string
	sql  string
	// fn, when set, runs after sql in the same transaction, for what SQL
	// cannot do.
	fn func(ctx context.Context, tx *sql.Tx) error
}

var migrations = []migration{
	{name: "meta and accounts", sql: `
CREATE TABLE accounts (
	id      VARCHAR PRIMARY KEY,
	name    VARCHAR NOT NULL,
	created TIMESTAMPTZ NOT NULL
);
CREATE TABLE access_keys (
	id            VARCHAR PRIMARY KEY,
	account_id    VARCHAR NOT NULL REFERENCES accounts(id),
	principal_arn VARCHAR NOT NULL,
	user_id       VARCHAR NOT NULL,
	sealed_secret BLOB NOT NULL,
	active        BOOLEAN NOT NULL,
	created       TIMESTAMPTZ NOT NULL
);
CREATE INDEX access_keys_account ON access_keys(account_id);
`},
	{name: "logs", sql: `
CREATE SEQUENCE log_ids;
CREATE TABLE log_groups (
	id                  BIGINT PRIMARY KEY,
	account             VARCHAR NOT NULL,
	region              VARCHAR NOT NULL,
	name                VARCHAR NOT NULL,
	created             BIGINT NOT NULL,
	retention_days      INTEGER,
	kms_key_id          VARCHAR,
	class               VARCHAR NOT NULL,
	deletion_protection BOOLEAN NOT NULL,
	UNIQUE (account, region, name)
);
CREATE TABLE log_streams (
	id       BIGINT PRIMARY KEY,
	group_id BIGINT NOT NULL,
	name     VARCHAR NOT NULL,
	created  BIGINT NOT NULL,
	UNIQUE (group_id, name)
);
-- Stream statistics as deltas: every ingestion appends a row (an UPDATE
-- costs milliseconds in DuckDB, an appended row microseconds); reads
-- aggregate by stream, and maintenance compacts the table.
CREATE TABLE log_stream_stats (
	stream_id      BIGINT NOT NULL,
	group_id       BIGINT NOT NULL,
	first_event    BIGINT,
	last_event     BIGINT,
	last_ingestion BIGINT,
	bytes          BIGINT NOT NULL
);
-- One row per log event. ts and ingest are milliseconds since the epoch;
-- seq is unique and increasing in ingestion order. Messages compress
-- with zstd (storage_compatibility_version=latest).
CREATE TABLE log_events (
	group_id  BIGINT NOT NULL,
	stream_id BIGINT NOT NULL,
	ts        BIGINT NOT NULL,
	ingest    BIGINT NOT NULL,
	seq       BIGINT NOT NULL,
	message   VARCHAR NOT NULL USING COMPRESSION zstd
);
CREATE TABLE log_metric_filters (
	group_id       BIGINT NOT NULL,
	name           VARCHAR NOT NULL,
	pattern        VARCHAR NOT NULL,
	transformation VARCHAR NOT NULL,
	created        BIGINT NOT NULL,
	PRIMARY KEY (group_id, name)
);
CREATE TABLE log_subscription_filters (
	group_id        BIGINT NOT NULL,
	name            VARCHAR NOT NULL,
	pattern         VARCHAR NOT NULL,
	destination_arn VARCHAR NOT NULL,
	role_arn        VARCHAR NOT NULL,
	distribution    VARCHAR NOT NULL,
	created         BIGINT NOT NULL,
	PRIMARY KEY (group_id, name)
);
CREATE TABLE log_destinations (
	account       VARCHAR NOT NULL,
	region        VARCHAR NOT NULL,
	name          VARCHAR NOT NULL,
	target_arn    VARCHAR NOT NULL,
	role_arn      VARCHAR NOT NULL,
	access_policy VARCHAR NOT NULL,
	created       BIGINT NOT NULL,
	PRIMARY KEY (account, region, name)
);
`},
	{name: "tags", sql: `
CREATE TABLE resource_tags (
	arn   VARCHAR NOT NULL,
	key   VARCHAR NOT NULL,
	value VARCHAR NOT NULL,
	PRIMARY KEY (arn, key)
);
`},
	{name: "metrics", sql: `
CREATE SEQUENCE metric_ids;
-- A metric is identified by its namespace, name and dimensions (a
-- canonical JSON array of [name, value] pairs sorted by name).
CREATE TABLE metrics (
	id         BIGINT PRIMARY KEY,
	account    VARCHAR NOT NULL,
	region     VARCHAR NOT NULL,
	namespace  VARCHAR NOT NULL,
	name       VARCHAR NOT NULL,
	dimensions VARCHAR NOT NULL,
	first_seen BIGINT NOT NULL,
	UNIQUE (account, region, namespace, name, dimensions)
);
-- When metrics last received data, as deltas (see log_stream_stats).
CREATE TABLE metric_activity (
	metric_id BIGINT NOT NULL,
	last_seen BIGINT NOT NULL
);
-- Data points as they were put, until the roll-up job folds them into
-- metric_rollups (or, for high-resolution points, moves them to
-- metric_points_hr): one value (count 1) or an aggregate, with the exact
-- distribution of its values when it has more than one. seq orders them
-- by commit, so that the job can take and then delete exactly what it
-- read.
CREATE TABLE metric_points (
	seq        BIGINT NOT NULL,
	metric_id  BIGINT NOT NULL,
	ts         BIGINT NOT NULL,
	resolution SMALLINT NOT NULL,
	unit       VARCHAR NOT NULL,
	count      DOUBLE NOT NULL,
	sum        DOUBLE NOT NULL,
	min        DOUBLE NOT NULL,
	max        DOUBLE NOT NULL,
	dist       BLOB
);
-- High-resolution (1-second) points, kept as they were put for three
-- hours before they are folded into 60-second roll-ups.
CREATE TABLE metric_points_hr (
	metric_id  BIGINT NOT NULL,
	ts         BIGINT NOT NULL,
	unit       VARCHAR NOT NULL,
	count      DOUBLE NOT NULL,
	sum        DOUBLE NOT NULL,
	min        DOUBLE NOT NULL,
	max        DOUBLE NOT NULL,
	dist       BLOB
);
-- Rolled-up samples of one metric and unit at one resolution (60, 300 or
-- 3600 seconds) over [start, stop) in milliseconds: a chunk (package
-- metrics/chunk). One row per (metric_id, unit, resolution, start).
CREATE TABLE metric_rollups (
	metric_id  BIGINT NOT NULL,
	unit       VARCHAR NOT NULL,
	resolution INTEGER NOT NULL,
	start      BIGINT NOT NULL,
	stop       BIGINT NOT NULL,
	data       BLOB NOT NULL
);
-- Anomaly detection models, identified by their metric or metric math
-- queries (spec, canonical JSON).
CREATE TABLE anomaly_detectors (
	account       VARCHAR NOT NULL,
	region        VARCHAR NOT NULL,
	spec          VARCHAR NOT NULL,
	configuration VARCHAR NOT NULL,
	created       BIGINT NOT NULL,
	PRIMARY KEY (account, region, spec)
);
`},
	{name: "log queries", sql: `
CREATE TABLE log_queries (
	id            VARCHAR PRIMARY KEY,
	account       VARCHAR NOT NULL,
	region        VARCHAR NOT NULL,
	query         VARCHAR NOT NULL,
	language      VARCHAR NOT NULL,
	groups        VARCHAR NOT NULL,
	status        VARCHAR NOT NULL,
	created       BIGINT NOT NULL,
	duration      BIGINT NOT NULL,
	user_identity VARCHAR NOT NULL,
	statistics    VARCHAR NOT NULL,
	results       BLOB
);
CREATE TABLE log_query_definitions (
	id            VARCHAR PRIMARY KEY,
	account       VARCHAR NOT NULL,
	region        VARCHAR NOT NULL,
	name          VARCHAR NOT NULL,
	query         VARCHAR NOT NULL,
	language      VARCHAR NOT NULL,
	groups        VARCHAR NOT NULL,
	last_modified BIGINT NOT NULL
);
`},
	{name: "outbox", sql: `
CREATE TABLE outbox (
	id           BIGINT PRIMARY KEY,
	kind         VARCHAR NOT NULL,
	account      VARCHAR NOT NULL,
	region       VARCHAR NOT NULL,
	target       VARCHAR NOT NULL,
	payload      BLOB NOT NULL,
	attempts     INTEGER NOT NULL,
	next_attempt BIGINT NOT NULL,
	last_error   VARCHAR NOT NULL
);
`},
	{name: "metric batches", sql: `
-- Data points as they were put, until the roll-up job folds them into
-- metric_rollups (or, for high-resolution points, moves them to
-- metric_points_hr): the points of one write per row, encoded (see
-- pointbatch.go), with their time range. seq orders the batches by
-- commit, so that the job can take and then delete exactly what it read.
-- Replaces metric_points (a row per point); databases made between the
-- two versions of the metrics migration already have it.
CREATE TABLE IF NOT EXISTS metric_batches (
	seq    BIGINT NOT NULL,
	min_ts BIGINT NOT NULL,
	max_ts BIGINT NOT NULL,
	points INTEGER NOT NULL,
	data   BLOB NOT NULL USING COMPRESSION uncompressed
);
`, fn: batchPendingPoints},
	{name: "outbox versions, claims and dead letters", sql: `
-- Every delivery's outbox (store/outbox.go): the version of an item's
-- payload encoding (the items before it are of version 1), when it was
-- enqueued (its age limit counts from it; next_attempt is the best
-- guess for the items before it), the claim that leases it to one node
-- (a fencing token and the lease's end), and when it was given up
-- (dead_at; 0 while pending). The table is rebuilt rather than altered:
-- DuckDB adds no NOT NULL column to a table.
CREATE TABLE outbox_v8 (
	id            BIGINT PRIMARY KEY,
	kind          VARCHAR NOT NULL,
	account       VARCHAR NOT NULL,
	region        VARCHAR NOT NULL,
	target        VARCHAR NOT NULL,
	payload       BLOB NOT NULL,
	attempts      INTEGER NOT NULL,
	next_attempt  BIGINT NOT NULL,
	last_error    VARCHAR NOT NULL,
	version       INTEGER NOT NULL,
	created       BIGINT NOT NULL,
	claim         BIGINT NOT NULL,
	claimed_until BIGINT NOT NULL,
	dead_at       BIGINT NOT NULL
);
INSERT INTO outbox_v8 SELECT id, kind, account, region, target, payload, attempts, next_attempt, last_error, 1, next_attempt, 0, 0, 0 FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v8 RENAME TO outbox;
`},
	{name: "cloudtrail lake events", sql: `
-- CloudTrail Lake (store/cloudtraillake.go): the events copied into each
-- event data store, the fields queries use in columns and the whole
-- record as JSON, and the Seq of the last event each store considered,
-- written in the same transaction as the events.
CREATE TABLE IF NOT EXISTS cloudtrail_lake_events (
	store_id             VARCHAR NOT NULL,
	seq                  BIGINT NOT NULL,
	event_time           TIMESTAMP NOT NULL,
	event_id             VARCHAR NOT NULL,
	event_name           VARCHAR NOT NULL,
	event_source         VARCHAR NOT NULL,
	aws_region           VARCHAR NOT NULL,
	recipient_account_id VARCHAR NOT NULL,
	event_type           VARCHAR NOT NULL,
	user_type            VARCHAR NOT NULL,
	principal_id         VARCHAR NOT NULL,
	user_arn             VARCHAR NOT NULL,
	user_account_id      VARCHAR NOT NULL,
	access_key_id        VARCHAR NOT NULL,
	user_name            VARCHAR NOT NULL,
	error_code           VARCHAR NOT NULL,
	error_message        VARCHAR NOT NULL,
	source_ip_address    VARCHAR NOT NULL,
	user_agent           VARCHAR NOT NULL,
	request_id           VARCHAR NOT NULL,
	read_only            BOOLEAN NOT NULL,
	record               VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS cloudtrail_lake_cursors (
	store_id VARCHAR PRIMARY KEY,
	seq      BIGINT NOT NULL
);
`},
}

// schemaVersion reads the applied schema version; 0 for a new database.
func schemaVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_name = 'vigil_meta'`).Scan(&n)
	if err != nil || n == 0 {
		return 0, err
	}
	var v string
	err = q.QueryRowContext(ctx, `SELECT value FROM vigil_meta WHERE key = 'schema_version'`).Scan(&v)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(v)
}

// ensureMeta creates the table of Vigil's own settings (schema version,
// journal position, counters) in a new database.
func (s *Store) ensureMeta(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS vigil_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`); err != nil {
		return fmt.Errorf("cannot create the schema table: %w", err)
	}
	return nil
}

// migrate applies the migrations a database at schema version version
// lacks (start refuses a database newer than this build).
func (s *Store) migrate(ctx context.Context, version int) error {
	for i := version; i < len(s.migrations); i++ {
		m := s.migrations[i]
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("cannot begin migration %d (%s): %w", i+1, m.name, err)
		}
		_, err = tx.ExecContext(ctx, m.sql)
		if err == nil && m.fn != nil {
			err = m.fn(ctx, tx)
		}
		if err != nil {
			tx.Rollback()
			return fmt.Errorf("cannot apply migration %d (%s): %w", i+1, m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO vigil_meta VALUES ('schema_version', ?)`, strconv.Itoa(i+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("cannot record migration %d (%s): %w", i+1, m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("cannot commit migration %d (%s): %w", i+1, m.name, err)
		}
	}
	return nil
}

// batchPendingPoints moves the points of metric_points, one write (seq)
// to a batch, into metric_batches and drops the table.
func batchPendingPoints(ctx context.Context, tx *sql.Tx) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_name = 'metric_points'`).Scan(&n); err != nil || n == 0 {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT seq, metric_id, ts, resolution, unit, count, sum, min, max, dist FROM metric_points ORDER BY seq, rowid`)
	if err != nil {
		return err
	}
	var seqs, ids []int64
	var points []store.MetricPoint
	for rows.Next() {
		var seq, id int64
		var p store.PointValue
		if err := rows.Scan(&seq, &id, &p.Timestamp, &p.Resolution, &p.Unit, &p.Count, &p.Sum, &p.Min, &p.Max, &p.Dist); err != nil {
			rows.Close()
			return err
		}
		seqs, ids, points = append(seqs, seq), append(ids, id), append(points, store.MetricPoint{PointValue: p})
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for start := 0; start < len(seqs); {
		end := start + 1
		for end < len(seqs) && seqs[end] == seqs[start] {
			end++
		}
		data, lo, hi := encodePoints(ids[start:end], points[start:end])
		if _, err := tx.ExecContext(ctx, `INSERT INTO metric_batches VALUES (?, ?, ?, ?, ?)`, seqs[start], lo, hi, end-start, data); err != nil {
			return err
		}
		start = end
	}
	_, err = tx.ExecContext(ctx, `DROP TABLE metric_points`)
	return err
}
