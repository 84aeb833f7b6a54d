package duckdb

import (
	"cmp"
	"context"
	"database/sql/driver"
	"fmt"
	"slices"
	"strings"

	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/store/outboxsql"
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
		if it.Version < 1 {
			return fmt.Errorf("BUG: outbox item of kind %q without a payload version", it.Kind)
		}
		it.ID = tx.w.store.outboxID.Add(1)
		if it.Created == 0 {
			it.Created = it.NextAttempt
		}
		it.Claim, it.ClaimedUntil, it.DeadAt = 0, 0, 0
		rows[i] = []driver.Value{it.ID, it.Kind, it.Account, it.Region, it.Target, it.Payload, int32(it.Attempts), it.NextAttempt, it.LastError,
			int32(it.Version), it.Created, int64(0), int64(0), int64(0)}
	}
	return tx.Append("outbox", rows)
}

func (o outbox) EnqueueOutbox(ctx context.Context, items []store.OutboxItem) error {
	if err := o.s.write(ctx, func(tx *Tx) error { return enqueue(tx, items) }); err != nil {
		return fmt.Errorf("cannot enqueue %d deliveries: %w", len(items), err)
	}
	return nil
}

func (o outbox) ClaimOutbox(ctx context.Context, kind string, now, until int64, limit int) ([]store.OutboxItem, error) {
	if limit <= 0 {
		return nil, nil
	}
	// Find the candidates with a read, so that a step that finds nothing
	// due costs no write.
	rows, err := o.s.db.QueryContext(ctx, `SELECT id FROM outbox WHERE kind = ? AND `+outboxsql.Claimable+` ORDER BY id LIMIT ?`, kind, now, now, limit)
	if err != nil {
		return nil, fmt.Errorf("cannot read the outbox: %w", err)
	}
	var args []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("cannot read the outbox: %w", err)
		}
		args = append(args, id)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("cannot read the outbox: %w", err)
	}
	if len(args) == 0 {
		return nil, nil
	}
	// The writer runs one write at a time: checking the condition again in
	// the update makes the claim exclusive.
	var out []store.OutboxItem
	err = o.s.write(ctx, func(tx *Tx) error {
		rows, err := tx.Query(`UPDATE outbox SET claim = claim + 1, claimed_until = ?
			WHERE id IN (`+placeholders(len(args))+`) AND `+outboxsql.Claimable+` RETURNING `+outboxsql.Columns,
			slices.Concat([]any{until}, args, []any{now, now})...)
		if err != nil {
			return err
		}
		out, err = outboxsql.Items(rows)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cannot claim deliveries of %s: %w", kind, err)
	}
	slices.SortFunc(out, func(a, b store.OutboxItem) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

func (o outbox) SettleOutbox(ctx context.Context, results []store.OutboxResult) error {
	var done []any
	var values []string
	var args []any
	for _, r := range results {
		switch r.Outcome {
		case store.Delivered:
			done = append(done, r.ID)
		case store.Retry, store.Dead, store.Release:
			values = append(values, "(?::BIGINT, ?::BIGINT, ?::INTEGER, ?::BIGINT, ?::BIGINT, ?::VARCHAR)")
			args = append(args, r.ID, r.Claim, int32(r.Outcome), r.Next, max(r.At, 1), r.Error)
		default:
			return fmt.Errorf("BUG: outbox result of item %d without an outcome", r.ID)
		}
	}
	if len(done) == 0 && len(values) == 0 {
		return nil
	}
	err := o.s.write(ctx, func(tx *Tx) error {
		if len(done) > 0 {
			if _, err := tx.Exec(`DELETE FROM outbox WHERE id IN (`+placeholders(len(done))+`)`, done...); err != nil {
				return err
			}
		}
		if len(values) == 0 {
			return nil
		}
		_, err := tx.Exec(fmt.Sprintf(`UPDATE outbox SET
				attempts = outbox.attempts + CASE WHEN v.outcome = %[1]d THEN 0 ELSE 1 END,
				next_attempt = CASE WHEN v.outcome = %[2]d THEN v.next_at ELSE outbox.next_attempt END,
				last_error = CASE WHEN v.outcome = %[1]d THEN outbox.last_error ELSE v.error END,
				dead_at = CASE WHEN v.outcome = %[3]d THEN v.dead_at ELSE 0 END,
				claimed_until = 0
			FROM (VALUES %[4]s) v(id, claim, outcome, next_at, dead_at, error)
			WHERE outbox.id = v.id AND outbox.claim = v.claim AND outbox.dead_at = 0`,
			store.Release, store.Retry, store.Dead, strings.Join(values, ", ")), args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("cannot settle %d deliveries: %w", len(results), err)
	}
	return nil
}

func (o outbox) DeadOutbox(ctx context.Context, q store.DeadOutboxQuery) ([]store.OutboxItem, error) {
	return outboxsql.DeadOutbox(ctx, o.s.db.QueryContext, q)
}

func (o outbox) ReviveOutbox(ctx context.Context, kind string, ids []int64, now int64) (int, error) {
	query, args := outboxsql.Revive(kind, ids, now)
	var n int64
	err := o.s.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(query, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("cannot revive dead deliveries: %w", err)
	}
	return int(n), nil
}

func (o outbox) OutboxStats(ctx context.Context) ([]store.OutboxStats, error) {
	return outboxsql.OutboxStats(ctx, o.s.db.QueryContext)
}
