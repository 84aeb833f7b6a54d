package sqlite

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/store/outboxsql"
)

// FirstOutboxID is the first id the state store gives an outbox item (the
// start of table outbox's AUTOINCREMENT sequence). The telemetry store
// numbers its own outbox items from 1, far below it, so that a store over
// both routes a settlement by its item's id alone.
const FirstOutboxID = 1 << 52

// Outbox returns the outbox of the deliveries that state changes set off
// (table outbox): notifications, event-bus targets, schedules. Enqueued in
// the state database, they commit with the writer's group commits, and a
// state write can enqueue in its own transaction (enqueue).
func (s *Store) Outbox() store.Outbox { return outbox{s} }

type outbox struct{ s *Store }

// enqueue adds outbox items in the caller's transaction, setting their
// ids.
func enqueue(tx *Tx, items []store.OutboxItem) error {
	for i := range items {
		it := &items[i]
		if it.Version < 1 {
			return fmt.Errorf("BUG: outbox item of kind %q without a payload version", it.Kind)
		}
		if it.Created == 0 {
			it.Created = it.NextAttempt
		}
		it.Claim, it.ClaimedUntil, it.DeadAt = 0, 0, 0
	}
	return outboxInsert.exec(tx, len(items), func(i int, args []any) []any {
		it := &items[i]
		return append(args, it.Kind, it.Account, it.Region, it.Target, blobOrEmpty(it.Payload), it.Attempts, it.NextAttempt, it.LastError,
			it.Version, it.Created)
	}, func(i int, id int64) { items[i].ID = id })
}

// deleteOutboxSQLs delete 1, 2, 4 … maxRowsPerInsert items by id.
var deleteOutboxSQLs = func() []string {
	var out []string
	for n := 1; n <= maxRowsPerInsert; n *= 2 {
		out = append(out, `DELETE FROM outbox WHERE id IN (?`+strings.Repeat(", ?", n-1)+`)`)
	}
	return out
}()

var outboxInsert = newMultiInsert(`INSERT INTO outbox (kind, account, region, target, payload, attempts, next_attempt, last_error,
	version, created, claim, claimed_until, dead_at)`, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0)")

func (o outbox) EnqueueOutbox(ctx context.Context, items []store.OutboxItem) error {
	if len(items) == 0 {
		return nil
	}
	// A failed write gives the items no ids: enqueue sets them on a copy.
	staged := slices.Clone(items)
	if err := o.s.write(ctx, func(tx *Tx) error { return enqueue(tx, staged) }); err != nil {
		return fmt.Errorf("cannot enqueue %d deliveries: %w", len(items), err)
	}
	copy(items, staged)
	return nil
}

func (o outbox) ClaimOutbox(ctx context.Context, kind string, now, until int64, limit int) ([]store.OutboxItem, error) {
	if limit <= 0 {
		return nil, nil
	}
	// A read first, so that a step that finds nothing due costs no write.
	rows, err := o.s.query(ctx, `SELECT 1 FROM outbox WHERE kind = ? AND `+outboxsql.Claimable+` LIMIT 1`, kind, now, now)
	if err != nil {
		return nil, fmt.Errorf("cannot read the outbox: %w", err)
	}
	due := rows.Next()
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("cannot read the outbox: %w", err)
	}
	if !due {
		return nil, nil
	}
	// The writer runs one write at a time: selecting in the update makes
	// the claim exclusive.
	var out []store.OutboxItem
	err = o.s.write(ctx, func(tx *Tx) error {
		rows, err := tx.Query(`UPDATE outbox SET claim = claim + 1, claimed_until = ?
			WHERE id IN (SELECT id FROM outbox WHERE kind = ? AND `+outboxsql.Claimable+` ORDER BY id LIMIT ?) RETURNING `+outboxsql.Columns,
			until, kind, now, now, limit)
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
	for _, r := range results {
		if r.Outcome < store.Delivered || r.Outcome > store.Release {
			return fmt.Errorf("BUG: outbox result of item %d without an outcome", r.ID)
		}
	}
	if len(results) == 0 {
		return nil
	}
	var delivered []any
	for _, r := range results {
		if r.Outcome == store.Delivered {
			delivered = append(delivered, r.ID)
		}
	}
	err := o.s.write(ctx, func(tx *Tx) error {
		// Delivered items go in statements of up to maxRowsPerInsert ids,
		// in powers of two, as multiInsert adds rows.
		for ids := delivered; len(ids) > 0; {
			n, stmt := chunk(len(ids))
			if _, err := tx.Exec(deleteOutboxSQLs[stmt], ids[:n]...); err != nil {
				return err
			}
			ids = ids[n:]
		}
		for _, r := range results {
			var err error
			switch r.Outcome {
			case store.Retry:
				_, err = tx.Exec(`UPDATE outbox SET attempts = attempts + 1, next_attempt = ?, last_error = ?, claimed_until = 0
					WHERE id = ? AND claim = ? AND dead_at = 0`, r.Next, r.Error, r.ID, r.Claim)
			case store.Dead:
				_, err = tx.Exec(`UPDATE outbox SET attempts = attempts + 1, last_error = ?, dead_at = ?, claimed_until = 0
					WHERE id = ? AND claim = ? AND dead_at = 0`, r.Error, max(r.At, 1), r.ID, r.Claim)
			case store.Release:
				_, err = tx.Exec(`UPDATE outbox SET claimed_until = 0 WHERE id = ? AND claim = ? AND dead_at = 0`, r.ID, r.Claim)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("cannot settle %d deliveries: %w", len(results), err)
	}
	return nil
}

func (o outbox) DeadOutbox(ctx context.Context, q store.DeadOutboxQuery) ([]store.OutboxItem, error) {
	return outboxsql.DeadOutbox(ctx, o.s.query, q)
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
	return outboxsql.OutboxStats(ctx, o.s.query)
}
