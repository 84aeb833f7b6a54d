// Package outboxsql holds the SQL that the backends' outbox tables share:
// the same columns, and the same statements wherever their dialects agree
// (SQLite and DuckDB both read these).
package outboxsql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/vigilhq/vigil/internal/store"
)

// Columns are the outbox table's columns, in the order Scan reads them.
const Columns = `id, kind, account, region, target, payload, attempts, next_attempt, last_error,
	version, created, claim, claimed_until, dead_at`

// Claimable is the condition of the items a claim at ? (now, twice) may
// take.
const Claimable = `dead_at = 0 AND next_attempt <= ? AND claimed_until <= ?`

// Scan reads an item's Columns.
func Scan(r interface{ Scan(...any) error }) (store.OutboxItem, error) {
	var it store.OutboxItem
	err := r.Scan(&it.ID, &it.Kind, &it.Account, &it.Region, &it.Target, &it.Payload, &it.Attempts, &it.NextAttempt, &it.LastError,
		&it.Version, &it.Created, &it.Claim, &it.ClaimedUntil, &it.DeadAt)
	return it, err
}

// Items reads the items of rows of Columns, and closes rows.
func Items(rows *sql.Rows) ([]store.OutboxItem, error) {
	defer rows.Close()
	var out []store.OutboxItem
	for rows.Next() {
		it, err := Scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// Query runs a query on a backend's readers.
type Query func(ctx context.Context, query string, args ...any) (*sql.Rows, error)

// DeadOutbox lists dead letters, as store.Outbox's method.
func DeadOutbox(ctx context.Context, read Query, q store.DeadOutboxQuery) ([]store.OutboxItem, error) {
	query, args := dead(q)
	rows, err := read(ctx, query, args...)
	if err == nil {
		var out []store.OutboxItem
		if out, err = Items(rows); err == nil {
			return out, nil
		}
	}
	return nil, fmt.Errorf("cannot read the dead deliveries: %w", err)
}

// dead is the query of DeadOutbox.
func dead(q store.DeadOutboxQuery) (string, []any) {
	query, args := `SELECT `+Columns+` FROM outbox WHERE dead_at > 0 AND id > ?`, []any{q.After}
	if q.Kind != "" {
		query, args = query+` AND kind = ?`, append(args, q.Kind)
	}
	query += ` ORDER BY id`
	if q.Limit > 0 {
		query, args = query+` LIMIT ?`, append(args, q.Limit)
	}
	return query, args
}

// Revive is the statement of ReviveOutbox.
func Revive(kind string, ids []int64, now int64) (string, []any) {
	query, args := `UPDATE outbox SET dead_at = 0, attempts = 0, next_attempt = ?, created = ?, claimed_until = 0 WHERE dead_at > 0`, []any{now, now}
	switch {
	case len(ids) > 0:
		query += ` AND id IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + `)`
		for _, id := range ids {
			args = append(args, id)
		}
	case kind != "":
		query, args = query+` AND kind = ?`, append(args, kind)
	}
	return query, args
}

// OutboxStats counts the items of every kind, as store.Outbox's method.
func OutboxStats(ctx context.Context, read Query) ([]store.OutboxStats, error) {
	rows, err := read(ctx, stats)
	if err == nil {
		var out []store.OutboxStats
		if out, err = readStats(rows); err == nil {
			return out, nil
		}
	}
	return nil, fmt.Errorf("cannot count the outbox: %w", err)
}

// stats is the query of OutboxStats.
const stats = `SELECT kind,
		count(*) FILTER (WHERE dead_at = 0),
		count(*) FILTER (WHERE dead_at = 0 AND attempts > 0),
		count(*) FILTER (WHERE dead_at > 0),
		coalesce(min(created) FILTER (WHERE dead_at = 0), 0)
	FROM outbox GROUP BY kind ORDER BY kind`

// readStats reads the rows of stats, and closes rows.
func readStats(rows *sql.Rows) ([]store.OutboxStats, error) {
	defer rows.Close()
	var out []store.OutboxStats
	for rows.Next() {
		var st store.OutboxStats
		if err := rows.Scan(&st.Kind, &st.Pending, &st.Retrying, &st.Dead, &st.OldestPending); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, rows.Err()
}
