package duckdb

import (
	"context"
	"database/sql/driver"
	"fmt"

	"github.com/vigilhq/vigil/internal/store"
)

// Outbox returns the store of pending deliveries.
func (s *Store) Outbox() store.Outbox { return outbox{s} }

type outbox struct{ s *Store }

// enqueue appends outbox items in the caller's transaction, numbering
// them from the store's counter.
func enqueue(tx *Tx, items []store.OutboxItem) error {
	if len(items) == 0 {
		return nil
	}
	rows := make([][]driver.Value, len(items))
	for i := range items {
		it := &items[i]
		it.ID = tx.w.store.outboxID.Add(1)
		rows[i] = []driver.Value{it.ID, it.Kind, it.Account, it.Region, it.Target, it.Payload, int32(it.Attempts), it.NextAttempt, it.LastError}
	}
	return tx.Append("outbox", rows)
}

func (o outbox) EnqueueOutbox(ctx context.Context, items []store.OutboxItem) error {
	if err := o.s.write(ctx, func(tx *Tx) error { return enqueue(tx, items) }); err != nil {
		return fmt.Errorf("cannot enqueue %d deliveries: %w", len(items), err)
	}
	return nil
}

func (o outbox) DueOutbox(ctx context.Context, kind string, now int64, limit int) ([]store.OutboxItem, error) {
	rows, err := o.s.db.QueryContext(ctx, `SELECT id, kind, account, region, target, payload, attempts, next_attempt, last_error
		FROM outbox WHERE kind = ? AND next_attempt <= ? ORDER BY id LIMIT ?`, kind, now, limit)
	if err != nil {
		return nil, fmt.Errorf("cannot read the outbox: %w", err)
	}
	defer rows.Close()
	var out []store.OutboxItem
	for rows.Next() {
		var it store.OutboxItem
		if err := rows.Scan(&it.ID, &it.Kind, &it.Account, &it.Region, &it.Target, &it.Payload, &it.Attempts, &it.NextAttempt, &it.LastError); err != nil {
			return nil, fmt.Errorf("cannot read the outbox: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

func (o outbox) CompleteOutbox(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	err := o.s.write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`DELETE FROM outbox WHERE id IN (`+placeholders(len(ids))+`)`, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("cannot complete %d deliveries: %w", len(ids), err)
	}
	return nil
}

func (o outbox) RetryOutbox(ctx context.Context, id int64, next int64, lastError string) error {
	err := o.s.write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`UPDATE outbox SET attempts = attempts + 1, next_attempt = ?, last_error = ? WHERE id = ?`, next, lastError, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("cannot reschedule delivery %d: %w", id, err)
	}
	return nil
}
