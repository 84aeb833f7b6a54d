package sqlite

import (
	"context"
	"errors"
	"fmt"

	"github.com/vigilhq/vigil/internal/store"
)

// Events returns the store of EventBridge buses, rules and targets
// (tables events_buses, events_rules and events_targets), archives and
// their events (events_archives, events_archived) and replays
// (events_replays).
func (s *Store) Events() store.Events { return events{s} }

type events struct{ s *Store }

const busColumns = `account, region, name, arn, attributes, created, updated`

func scanBus(row scanner) (store.EventBus, error) {
	var b store.EventBus
	err := row.Scan(&b.Account, &b.Region, &b.Name, &b.ARN, &b.Attributes, &b.Created, &b.Updated)
	return b, err
}

func (e events) CreateBus(ctx context.Context, b store.EventBus) error {
	err := e.s.exec(ctx, "create event bus "+b.ARN, `INSERT INTO events_buses (`+busColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		b.Account, b.Region, b.Name, b.ARN, blobOrEmpty(b.Attributes), b.Created, b.Updated)
	if isUnique(err) {
		return fmt.Errorf("event bus %s: %w", b.ARN, store.ErrExists)
	}
	return err
}

func (e events) Bus(ctx context.Context, arn string) (*store.EventBus, error) {
	b, err := one(ctx, e.s, "event bus "+arn, scanBus, `SELECT `+busColumns+` FROM events_buses WHERE arn = ?`, arn)
	if err != nil {
		return nil, err
	}
	return &b, nil
}

func (e events) Buses(ctx context.Context, account, region, prefix, after string, limit int) ([]store.EventBus, error) {
	return list(ctx, e.s, "event buses", scanBus, `SELECT `+busColumns+` FROM events_buses
		WHERE account = ? AND region = ? AND substr(name, 1, length(?3)) = ?3 AND name > ? ORDER BY name LIMIT ?`,
		account, region, prefix, after, limitArg(limit))
}

func (e events) UpdateBus(ctx context.Context, arn string, update func(b *store.EventBus) error) error {
	err := e.s.write(ctx, func(tx *Tx) error {
		b, err := txRow(tx, scanBus, `SELECT `+busColumns+` FROM events_buses WHERE arn = ?`, arn)
		if err != nil {
			return err
		}
		if err := update(&b); err != nil {
			return err
		}
		return txOne(tx, `UPDATE events_buses SET attributes = ?, updated = ? WHERE arn = ?`, blobOrEmpty(b.Attributes), b.Updated, arn)
	})
	return wrapOne(err, "event bus "+arn)
}

// DeleteBus deletes the bus; its rules and their targets, and its
// archives and their events, go by the foreign keys' cascades.
func (e events) DeleteBus(ctx context.Context, arn string) error {
	return e.s.exec(ctx, "delete event bus "+arn, `DELETE FROM events_buses WHERE arn = ?`, arn)
}

const ruleColumns = `arn, account, region, bus, name, enabled, scheduled, definition, next_fire, created`

func scanRule(row scanner) (store.EventRule, error) {
	var r store.EventRule
	err := row.Scan(&r.ARN, &r.Account, &r.Region, &r.Bus, &r.Name, &r.Enabled, &r.Scheduled, &r.Definition, &r.NextFire, &r.Created)
	return r, err
}

func (e events) PutRule(ctx context.Context, r store.EventRule) (bool, error) {
	var created bool
	err := e.s.write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM events_rules WHERE arn = ?`, r.ARN).Scan(&n); err != nil {
			return err
		}
		created = n == 0
		_, err := tx.Exec(`INSERT INTO events_rules (`+ruleColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (arn) DO UPDATE SET enabled = excluded.enabled, scheduled = excluded.scheduled,
			definition = excluded.definition, next_fire = excluded.next_fire`,
			r.ARN, r.Account, r.Region, r.Bus, r.Name, r.Enabled, r.Scheduled, blobOrEmpty(r.Definition), r.NextFire, r.Created)
		if isForeignKey(err) {
			return store.ErrNotFound
		}
		return err
	})
	return created, wrapOne(err, "event bus "+r.Bus+" of rule "+r.ARN)
}

func (e events) Rule(ctx context.Context, arn string) (*store.EventRule, error) {
	r, err := one(ctx, e.s, "rule "+arn, scanRule, `SELECT `+ruleColumns+` FROM events_rules WHERE arn = ?`, arn)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

func (e events) Rules(ctx context.Context, account, region, bus, prefix, after string, limit int) ([]store.EventRule, error) {
	return list(ctx, e.s, "rules", scanRule, `SELECT `+ruleColumns+` FROM events_rules
		WHERE account = ? AND region = ? AND bus = ? AND substr(name, 1, length(?4)) = ?4 AND name > ? ORDER BY name LIMIT ?`,
		account, region, bus, prefix, after, limitArg(limit))
}

func (e events) DeleteRule(ctx context.Context, arn string) error {
	err := e.s.write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM events_targets WHERE rule_arn = ?`, arn).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return store.ErrHasTargets
		}
		return txOne(tx, `DELETE FROM events_rules WHERE arn = ?`, arn)
	})
	if errors.Is(err, store.ErrHasTargets) {
		return fmt.Errorf("rule %s: %w", arn, err)
	}
	return wrapOne(err, "rule "+arn)
}

func (e events) DueRules(ctx context.Context, now int64, limit int) ([]store.EventRule, error) {
	return list(ctx, e.s, "due rules", scanRule, `SELECT `+ruleColumns+` FROM events_rules
		WHERE next_fire > 0 AND next_fire <= ? ORDER BY next_fire LIMIT ?`, now, limitArg(limit))
}

func (e events) AdvanceRule(ctx context.Context, arn string, from, to int64) (bool, error) {
	err := e.s.execOne(ctx, "rule "+arn, `UPDATE events_rules SET next_fire = ? WHERE arn = ? AND next_fire = ?`, to, arn, from)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

const targetColumns = `rule_arn, id, arn, definition`

func scanTarget(row scanner) (store.EventTarget, error) {
	var t store.EventTarget
	err := row.Scan(&t.RuleARN, &t.ID, &t.ARN, &t.Definition)
	return t, err
}

func (e events) PutTargets(ctx context.Context, ruleARN string, ts []store.EventTarget, max int) error {
	err := e.s.write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM events_rules WHERE arn = ?`, ruleARN).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return store.ErrNotFound
		}
		for _, t := range ts {
			if _, err := tx.Exec(`INSERT INTO events_targets (`+targetColumns+`) VALUES (?, ?, ?, ?)
				ON CONFLICT (rule_arn, id) DO UPDATE SET arn = excluded.arn, definition = excluded.definition`,
				ruleARN, t.ID, t.ARN, blobOrEmpty(t.Definition)); err != nil {
				return err
			}
		}
		if err := tx.QueryRow(`SELECT count(*) FROM events_targets WHERE rule_arn = ?`, ruleARN).Scan(&n); err != nil {
			return err
		}
		if n > max {
			return store.ErrTooManyTargets
		}
		return nil
	})
	if errors.Is(err, store.ErrTooManyTargets) {
		return fmt.Errorf("rule %s: %w", ruleARN, err)
	}
	return wrapOne(err, "rule "+ruleARN)
}

func (e events) RemoveTargets(ctx context.Context, ruleARN string, ids []string) ([]string, error) {
	var removed []string
	err := e.s.write(ctx, func(tx *Tx) error {
		removed = removed[:0]
		for _, id := range ids {
			res, err := tx.Exec(`DELETE FROM events_targets WHERE rule_arn = ? AND id = ?`, ruleARN, id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				removed = append(removed, id)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cannot remove targets of %s: %w", ruleARN, err)
	}
	return removed, nil
}

func (e events) Targets(ctx context.Context, ruleARN, after string, limit int) ([]store.EventTarget, error) {
	return list(ctx, e.s, "targets", scanTarget, `SELECT `+targetColumns+` FROM events_targets
		WHERE rule_arn = ? AND id > ? ORDER BY id LIMIT ?`, ruleARN, after, limitArg(limit))
}

func (e events) RulesByTarget(ctx context.Context, account, region, bus, targetARN, after string, limit int) ([]string, error) {
	scan := func(row scanner) (string, error) {
		var arn string
		return arn, row.Scan(&arn)
	}
	return list(ctx, e.s, "rules by target", scan, `SELECT DISTINCT r.arn FROM events_targets t
		JOIN events_rules r ON r.arn = t.rule_arn
		WHERE t.arn = ? AND r.account = ? AND r.region = ? AND r.bus = ? AND r.arn > ? ORDER BY r.arn LIMIT ?`,
		targetARN, account, region, bus, after, limitArg(limit))
}

const archiveColumns = `arn, account, region, name, id, bus_arn, rule_arn, retention_days, attributes, created, event_count, size_bytes`

func scanArchive(row scanner) (store.EventArchive, error) {
	var a store.EventArchive
	err := row.Scan(&a.ARN, &a.Account, &a.Region, &a.Name, &a.ID, &a.BusARN, &a.RuleARN, &a.RetentionDays, &a.Attributes,
		&a.Created, &a.EventCount, &a.SizeBytes)
	return a, err
}

// CreateArchive inserts the archive, its rule and the rule's target; the
// archive's bus and the rule's are foreign keys.
func (e events) CreateArchive(ctx context.Context, a store.EventArchive, r store.EventRule, t store.EventTarget) error {
	err := e.s.write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`INSERT INTO events_archives (`+archiveColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)`,
			a.ARN, a.Account, a.Region, a.Name, a.ID, a.BusARN, a.RuleARN, a.RetentionDays, blobOrEmpty(a.Attributes), a.Created); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO events_rules (`+ruleColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ARN, r.Account, r.Region, r.Bus, r.Name, r.Enabled, r.Scheduled, blobOrEmpty(r.Definition), r.NextFire, r.Created); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO events_targets (`+targetColumns+`) VALUES (?, ?, ?, ?)`, r.ARN, t.ID, t.ARN, blobOrEmpty(t.Definition))
		return err
	})
	switch {
	case isUnique(err):
		return fmt.Errorf("archive %s or rule %s: %w", a.ARN, r.ARN, store.ErrExists)
	case isForeignKey(err):
		return fmt.Errorf("event bus of archive %s: %w", a.ARN, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("cannot create archive %s: %w", a.ARN, err)
	}
	return nil
}

func (e events) Archive(ctx context.Context, arn string) (*store.EventArchive, error) {
	a, err := one(ctx, e.s, "archive "+arn, scanArchive, `SELECT `+archiveColumns+` FROM events_archives WHERE arn = ?`, arn)
	if err != nil {
		return nil, err
	}
	return &a, nil
}

func (e events) Archives(ctx context.Context, account, region, prefix, busARN, after string, limit int) ([]store.EventArchive, error) {
	return list(ctx, e.s, "archives", scanArchive, `SELECT `+archiveColumns+` FROM events_archives
		WHERE account = ? AND region = ? AND substr(name, 1, length(?3)) = ?3 AND (?4 = '' OR bus_arn = ?4) AND name > ?
		ORDER BY name LIMIT ?`, account, region, prefix, busARN, after, limitArg(limit))
}

func (e events) UpdateArchive(ctx context.Context, arn string, update func(a *store.EventArchive) ([]byte, error)) error {
	return wrapOne(e.s.write(ctx, func(tx *Tx) error {
		a, err := txRow(tx, scanArchive, `SELECT `+archiveColumns+` FROM events_archives WHERE arn = ?`, arn)
		if err != nil {
			return err
		}
		rule, err := update(&a)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE events_archives SET attributes = ?, retention_days = ? WHERE arn = ?`,
			blobOrEmpty(a.Attributes), a.RetentionDays, arn); err != nil {
			return err
		}
		_, err = tx.Exec(`UPDATE events_rules SET definition = ? WHERE arn = ?`, blobOrEmpty(rule), a.RuleARN)
		return err
	}), "archive "+arn)
}

// DeleteArchive deletes the archive's rule (its targets go by the
// cascade), then the archive (its events go by the cascade).
func (e events) DeleteArchive(ctx context.Context, arn string) error {
	return wrapOne(e.s.write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`DELETE FROM events_rules WHERE arn = (SELECT rule_arn FROM events_archives WHERE arn = ?)`, arn); err != nil {
			return err
		}
		return txOne(tx, `DELETE FROM events_archives WHERE arn = ?`, arn)
	}), "archive "+arn)
}

// ArchiveEvents numbers each event with its archive's next sequence
// number, counting it in the same statement.
func (e events) ArchiveEvents(ctx context.Context, evs []store.ArchivedEvent, outbox []store.OutboxItem) error {
	err := e.s.write(ctx, func(tx *Tx) error {
		if err := enqueue(tx, outbox); err != nil {
			return err
		}
		for _, ev := range evs {
			var seq int64
			err := tx.QueryRow(`UPDATE events_archives SET last_seq = last_seq + 1, event_count = event_count + 1,
				size_bytes = size_bytes + ? WHERE arn = ? AND id = ? RETURNING last_seq`, len(ev.Event), ev.ArchiveARN, ev.ArchiveID).Scan(&seq)
			if isNoRows(err) {
				continue // deleted, or created again, since its rule matched
			}
			if err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO events_archived (archive_arn, time, seq, archived, event) VALUES (?, ?, ?, ?, ?)`,
				ev.ArchiveARN, ev.Time, seq, ev.Archived, blobOrEmpty(ev.Event)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("cannot archive %d events and enqueue %d deliveries: %w", len(evs), len(outbox), err)
	}
	return nil
}

func (e events) ArchivedEvents(ctx context.Context, archiveARN string, afterTime, afterSeq, before int64, limit int) ([]store.ArchivedEvent, error) {
	scan := func(row scanner) (store.ArchivedEvent, error) {
		var ev store.ArchivedEvent
		err := row.Scan(&ev.ArchiveARN, &ev.ArchiveID, &ev.Time, &ev.Seq, &ev.Archived, &ev.Event)
		return ev, err
	}
	return list(ctx, e.s, "archived events", scan, `SELECT e.archive_arn, a.id, e.time, e.seq, e.archived, e.event
		FROM events_archived e JOIN events_archives a ON a.arn = e.archive_arn
		WHERE e.archive_arn = ? AND (e.time, e.seq) > (?, ?) AND e.time < ? ORDER BY e.time, e.seq LIMIT ?`,
		archiveARN, afterTime, afterSeq, before, limitArg(limit))
}

// dayMillis is a day of retention.
const dayMillis = 24 * 60 * 60 * 1000

func (e events) ExpireArchivedEvents(ctx context.Context, now int64) (int64, error) {
	var total int64
	err := e.s.write(ctx, func(tx *Tx) error {
		total = 0
		type retained struct {
			arn  string
			days int64
		}
		rows, err := tx.Query(`SELECT arn, retention_days FROM events_archives WHERE retention_days > 0`)
		if err != nil {
			return err
		}
		var archives []retained
		for rows.Next() {
			var r retained
			if err := rows.Scan(&r.arn, &r.days); err != nil {
				rows.Close()
				return err
			}
			archives = append(archives, r)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		for _, a := range archives {
			cutoff := now - a.days*dayMillis
			var n, size int64
			if err := tx.QueryRow(`SELECT count(*), coalesce(sum(length(event)), 0) FROM events_archived
				WHERE archive_arn = ? AND archived <= ?`, a.arn, cutoff).Scan(&n, &size); err != nil {
				return err
			}
			if n == 0 {
				continue
			}
			if _, err := tx.Exec(`DELETE FROM events_archived WHERE archive_arn = ? AND archived <= ?`, a.arn, cutoff); err != nil {
				return err
			}
			if _, err := tx.Exec(`UPDATE events_archives SET event_count = event_count - ?, size_bytes = size_bytes - ? WHERE arn = ?`,
				n, size, a.arn); err != nil {
				return err
			}
			total += n
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("cannot expire archived events: %w", err)
	}
	return total, nil
}

const replayColumns = `arn, account, region, name, archive_arn, definition, event_start, event_end, started,
	state, reason, cursor_time, cursor_seq, last_replayed, ended`

func scanReplay(row scanner) (store.EventReplay, error) {
	var r store.EventReplay
	err := row.Scan(&r.ARN, &r.Account, &r.Region, &r.Name, &r.ArchiveARN, &r.Definition, &r.EventStart, &r.EventEnd, &r.Started,
		&r.State, &r.Reason, &r.CursorTime, &r.CursorSeq, &r.LastReplayed, &r.Ended)
	return r, err
}

// activeStates are the states StartReplay counts against its limit.
const activeStates = `('` + store.ReplayStarting + `', '` + store.ReplayRunning + `')`

func (e events) StartReplay(ctx context.Context, r store.EventReplay, maxActive int) error {
	err := e.s.write(ctx, func(tx *Tx) error {
		var named, active int
		if err := tx.QueryRow(`SELECT count(*) FROM events_replays WHERE account = ? AND region = ? AND name = ?`,
			r.Account, r.Region, r.Name).Scan(&named); err != nil {
			return err
		}
		if err := tx.QueryRow(`SELECT count(*) FROM events_replays WHERE account = ? AND region = ? AND state IN `+activeStates,
			r.Account, r.Region).Scan(&active); err != nil {
			return err
		}
		switch {
		case named > 0:
			return store.ErrExists
		case active >= maxActive:
			return store.ErrLimit
		}
		_, err := tx.Exec(`INSERT INTO events_replays (`+replayColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ARN, r.Account, r.Region, r.Name, r.ArchiveARN, blobOrEmpty(r.Definition), r.EventStart, r.EventEnd, r.Started,
			r.State, r.Reason, r.CursorTime, r.CursorSeq, r.LastReplayed, r.Ended)
		if isUnique(err) {
			return store.ErrExists
		}
		return err
	})
	if errors.Is(err, store.ErrExists) || errors.Is(err, store.ErrLimit) {
		return fmt.Errorf("replay %s: %w", r.ARN, err)
	}
	if err != nil {
		return fmt.Errorf("cannot start replay %s: %w", r.ARN, err)
	}
	return nil
}

func (e events) Replay(ctx context.Context, arn string) (*store.EventReplay, error) {
	r, err := one(ctx, e.s, "replay "+arn, scanReplay, `SELECT `+replayColumns+` FROM events_replays WHERE arn = ?`, arn)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

func (e events) Replays(ctx context.Context, account, region, prefix, archiveARN, state, after string, limit int) ([]store.EventReplay, error) {
	return list(ctx, e.s, "replays", scanReplay, `SELECT `+replayColumns+` FROM events_replays
		WHERE account = ? AND region = ? AND substr(name, 1, length(?3)) = ?3 AND (?4 = '' OR archive_arn = ?4)
		AND (?5 = '' OR state = ?5) AND name > ? ORDER BY name LIMIT ?`,
		account, region, prefix, archiveARN, state, after, limitArg(limit))
}

func (e events) ActiveReplays(ctx context.Context, limit int) ([]store.EventReplay, error) {
	// The states are literals, which the partial index's condition must
	// be for the planner to use it.
	return list(ctx, e.s, "active replays", scanReplay, `SELECT `+replayColumns+` FROM events_replays
		WHERE state IN ('`+store.ReplayStarting+`', '`+store.ReplayRunning+`', '`+store.ReplayCancelling+`')
		ORDER BY started, arn LIMIT ?`, limitArg(limit))
}

func (e events) CancelReplay(ctx context.Context, arn string) (*store.EventReplay, error) {
	var r store.EventReplay
	err := wrapOne(e.s.write(ctx, func(tx *Tx) error {
		if err := txOne(tx, `UPDATE events_replays SET state = ? WHERE arn = ? AND state IN `+activeStates,
			store.ReplayCancelling, arn); err != nil {
			return err
		}
		var err error
		r, err = scanReplay(tx.QueryRow(`SELECT `+replayColumns+` FROM events_replays WHERE arn = ?`, arn))
		return err
	}), "starting or running replay "+arn)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

func (e events) AdvanceReplay(ctx context.Context, arn string, from, to store.ReplayProgress) (bool, error) {
	err := e.s.execOne(ctx, "replay "+arn, `UPDATE events_replays SET state = ?, reason = ?, cursor_time = ?, cursor_seq = ?,
		last_replayed = ?, ended = ? WHERE arn = ? AND state = ? AND cursor_time = ? AND cursor_seq = ?`,
		to.State, to.Reason, to.CursorTime, to.CursorSeq, to.LastReplayed, to.Ended, arn, from.State, from.CursorTime, from.CursorSeq)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
