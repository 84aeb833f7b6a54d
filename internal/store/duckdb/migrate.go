package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
)

// migration is one step of the schema. Migrations are applied in order,
// each in its own transaction; the schema version is the number applied.
// Never edit a released migration: add a new one.
type migration struct {
	name string
	sql  string
}

var migrations = []migration{
	{"meta and accounts", `
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

// migrate applies the migrations the database lacks.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS vigil_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`); err != nil {
		return fmt.Errorf("cannot create the schema table: %w", err)
	}
	version, err := schemaVersion(ctx, s.db)
	if err != nil {
		return fmt.Errorf("cannot read the schema version: %w", err)
	}
	if version > len(migrations) {
		return fmt.Errorf("database schema version %d is newer than this build's %d", version, len(migrations))
	}
	for i := version; i < len(migrations); i++ {
		m := migrations[i]
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("cannot begin migration %d (%s): %w", i+1, m.name, err)
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
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
