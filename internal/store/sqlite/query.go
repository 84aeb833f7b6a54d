package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/vigilhq/vigil/internal/store"
)

// scanner is a row to scan: *sql.Row or *sql.Rows.
type scanner interface{ Scan(...any) error }

// list runs a query on the readers and scans each row with scan.
func list[T any](ctx context.Context, s *Store, what string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("cannot list %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("cannot list %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cannot list %s: %w", what, err)
	}
	return out, nil
}

// one reads one row: ErrNotFound (naming what) when there is none.
func one[T any](ctx context.Context, s *Store, what string, scan func(scanner) (T, error), query string, args ...any) (T, error) {
	var v T
	st, err := s.stmts.get(ctx, s.db, query)
	if err != nil {
		return v, fmt.Errorf("cannot read %s: %w", what, err)
	}
	v, err = scan(st.QueryRowContext(ctx, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return v, fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	if err != nil {
		return v, fmt.Errorf("cannot read %s: %w", what, err)
	}
	return v, nil
}

// exec runs one write statement.
func (s *Store) exec(ctx context.Context, what, query string, args ...any) error {
	err := s.write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(query, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("cannot %s: %w", what, err)
	}
	return nil
}

// execOne runs a statement that must affect exactly one row (a delete or
// an update), or fails with ErrNotFound naming what.
func (s *Store) execOne(ctx context.Context, what, query string, args ...any) error {
	return wrapOne(s.write(ctx, func(tx *Tx) error { return txOne(tx, query, args...) }), what)
}

// wrapOne words the outcome of a write that changes one resource.
func wrapOne(err error, what string) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("cannot change %s: %w", what, err)
	}
	return nil
}

// txOne runs, in a write, a statement that must affect exactly one row.
func txOne(tx *Tx, query string, args ...any) error {
	res, err := tx.Exec(query, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// txRow reads, in a write, one row that must exist: store.ErrNotFound
// when there is none.
func txRow[T any](tx *Tx, scan func(scanner) (T, error), query string, args ...any) (T, error) {
	v, err := scan(tx.QueryRow(query, args...))
	if isNoRows(err) {
		return v, store.ErrNotFound
	}
	return v, err
}

// nullIfZero stores a zero value as NULL.
func nullIfZero[T comparable](v T) any {
	var zero T
	if v == zero {
		return nil
	}
	return v
}
