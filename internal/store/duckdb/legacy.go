package duckdb

import (
	"context"
	"fmt"
)

// Resource state — accounts and keys, log groups and streams, filters,
// destinations, tags, Logs Insights queries, anomaly detectors — was kept
// in DuckDB until it moved to the state store (package sqlite), where
// small transactions cost microseconds instead of milliseconds. The
// released migrations still create these tables; the embedded backend
// copies their rows into the state store once (LegacyState) and then
// drops them (DropLegacyState).

// LegacyTables are the tables whose rows moved to the state store, in an
// order that respects their references.
var LegacyTables = []string{
	"accounts", "access_keys", "log_groups", "log_streams", "log_metric_filters", "log_subscription_filters",
	"log_destinations", "resource_tags", "anomaly_detectors", "log_queries", "log_query_definitions",
}

// LegacyTable is the content of one legacy table.
type LegacyTable struct {
	Name string
	// Rows are the rows, their values in the table's column order.
	Rows [][]any
}

// LegacyState returns the rows of the legacy tables that still exist.
func (s *Store) LegacyState(ctx context.Context) ([]LegacyTable, error) {
	var out []LegacyTable
	for _, name := range LegacyTables {
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_name = ?`, name).Scan(&n); err != nil {
			return nil, fmt.Errorf("cannot look for table %s: %w", name, err)
		}
		if n == 0 {
			continue
		}
		rows, err := s.db.QueryContext(ctx, `SELECT * FROM `+name)
		if err != nil {
			return nil, fmt.Errorf("cannot read table %s: %w", name, err)
		}
		cols, err := rows.Columns()
		if err != nil {
			rows.Close()
			return nil, err
		}
		t := LegacyTable{Name: name}
		for rows.Next() {
			row := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range row {
				ptrs[i] = &row[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, fmt.Errorf("cannot read table %s: %w", name, err)
			}
			t.Rows = append(t.Rows, row)
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("cannot read table %s: %w", name, err)
		}
		out = append(out, t)
	}
	return out, nil
}

// DropLegacyState drops the legacy tables, once the state store holds
// their rows.
func (s *Store) DropLegacyState(ctx context.Context) error {
	return s.write(ctx, func(tx *Tx) error {
		for i := len(LegacyTables) - 1; i >= 0; i-- {
			if _, err := tx.Exec(`DROP TABLE IF EXISTS ` + LegacyTables[i]); err != nil {
				return fmt.Errorf("cannot drop table %s: %w", LegacyTables[i], err)
			}
		}
		_, err := tx.Exec(`DROP SEQUENCE IF EXISTS log_ids`)
		return err
	})
}
