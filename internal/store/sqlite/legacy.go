package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Table is the content of a table of an earlier store, its values in the
// column order of the table of the same name here.
type Table struct {
	Name string
	Rows [][]any
}

// Imported reports whether ImportLegacy has run.
func (s *Store) Imported(ctx context.Context) (bool, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM vigil_meta WHERE key = 'imported_legacy'`).Scan(&v)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("cannot read the state store's settings: %w", err)
	}
	return v == "1", nil
}

// ImportLegacy copies the resource state that earlier Vigils kept in
// DuckDB, in one transaction that also records that it ran. Rows whose
// group or account is gone (an earlier store did not check) are dropped.
func (s *Store) ImportLegacy(ctx context.Context, tables []Table) error {
	err := s.write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`PRAGMA defer_foreign_keys = ON`); err != nil {
			return err
		}
		for _, t := range tables {
			for _, row := range t.Rows {
				for i, v := range row {
					if ts, ok := v.(time.Time); ok {
						row[i] = ts.UnixNano()
					}
				}
				if _, err := tx.Exec(`INSERT INTO `+t.Name+` VALUES (`+placeholders(len(row))+`)`, row...); err != nil {
					return fmt.Errorf("cannot import a row of %s: %w", t.Name, err)
				}
			}
		}
		for _, q := range []string{
			`DELETE FROM access_keys WHERE account_id NOT IN (SELECT id FROM accounts)`,
			`DELETE FROM log_streams WHERE group_id NOT IN (SELECT id FROM log_groups)`,
			`DELETE FROM log_metric_filters WHERE group_id NOT IN (SELECT id FROM log_groups)`,
			`DELETE FROM log_subscription_filters WHERE group_id NOT IN (SELECT id FROM log_groups)`,
			`INSERT OR REPLACE INTO vigil_meta VALUES ('imported_legacy', '1')`,
		} {
			if _, err := tx.Exec(q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("cannot import the resource state of the DuckDB store: %w", err)
	}
	return nil
}
