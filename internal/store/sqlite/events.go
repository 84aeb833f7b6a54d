package sqlite

import (
	"context"
	"errors"
	"fmt"

	"github.com/vigilhq/vigil/internal/store"
)

// Events returns the store of EventBridge buses, rules and targets
// (tables events_buses, events_rules and events_targets).
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

func (e events) SetBusAttributes(ctx context.Context, arn string, attributes []byte, updated int64) error {
	return e.s.execOne(ctx, "event bus "+arn, `UPDATE events_buses SET attributes = ?, updated = ? WHERE arn = ?`,
		blobOrEmpty(attributes), updated, arn)
}

// DeleteBus deletes the bus; its rules and their targets go by the
// foreign keys' cascades.
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
