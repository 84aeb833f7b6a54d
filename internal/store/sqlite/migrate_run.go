package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
)

// migrate brings the schema to the newest version, each migration in a
// transaction with its version, and refuses a database newer than this
// build.
func migrate(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS vigil_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("cannot create the schema table: %w", err)
	}
	version := 0
	var v string
	err := conn.QueryRowContext(ctx, `SELECT value FROM vigil_meta WHERE key = 'schema_version'`).Scan(&v)
	switch {
	case err == sql.ErrNoRows:
	case err != nil:
		return fmt.Errorf("cannot read the schema version: %w", err)
	default:
		if version, err = strconv.Atoi(v); err != nil {
			return fmt.Errorf("cannot read the schema version %q: %w", v, err)
		}
	}
	if version > len(migrations) {
		return fmt.Errorf("the state database was written by a newer Vigil (schema version %d, this build knows up to %d); refusing to open it", version, len(migrations))
	}
	for i := version; i < len(migrations); i++ {
		m := migrations[i]
		tx, err := conn.BeginTx(ctx, nil)
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
