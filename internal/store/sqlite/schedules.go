package sqlite

import (
	"context"
	"errors"
	"fmt"

	"github.com/vigilhq/vigil/internal/store"
)

// Schedules returns the store of EventBridge Scheduler's groups and
// schedules (tables scheduler_groups, scheduler_schedules and
// scheduler_tokens).
func (s *Store) Schedules() store.Schedules { return schedules{s} }

type schedules struct{ s *Store }

// useToken records a write's client token in tx and reports whether the
// write was made before with it (a replay, which changes nothing); a
// token used with another request fails with ErrTokenReused. Tokens past
// their lifetime are forgotten first.
func useToken(tx *Tx, tok store.ClientToken) (bool, error) {
	if tok.Token == "" {
		return false, nil
	}
	if _, err := tx.Exec(`DELETE FROM scheduler_tokens WHERE used <= ?`, tok.Expired); err != nil {
		return false, err
	}
	var fingerprint string
	err := tx.QueryRow(`SELECT fingerprint FROM scheduler_tokens WHERE account = ? AND region = ? AND operation = ? AND token = ?`,
		tok.Account, tok.Region, tok.Operation, tok.Token).Scan(&fingerprint)
	switch {
	case err == nil && fingerprint == tok.Fingerprint:
		return true, nil
	case err == nil:
		return false, store.ErrTokenReused
	case !isNoRows(err):
		return false, err
	}
	_, err = tx.Exec(`INSERT INTO scheduler_tokens (account, region, operation, token, fingerprint, used) VALUES (?, ?, ?, ?, ?, ?)`,
		tok.Account, tok.Region, tok.Operation, tok.Token, tok.Fingerprint, tok.At)
	return false, err
}

// tokenWrite runs fn in a write after recording its client token; a
// replay runs nothing.
func (x schedules) tokenWrite(ctx context.Context, tok store.ClientToken, fn func(tx *Tx) error) error {
	return x.s.write(ctx, func(tx *Tx) error {
		replay, err := useToken(tx, tok)
		if err != nil || replay {
			return err
		}
		return fn(tx)
	})
}

const scheduleGroupColumns = `account, region, name, arn, created, updated`

func scanScheduleGroup(row scanner) (store.ScheduleGroup, error) {
	var g store.ScheduleGroup
	err := row.Scan(&g.Account, &g.Region, &g.Name, &g.ARN, &g.Created, &g.Updated)
	return g, err
}

func (x schedules) CreateScheduleGroup(ctx context.Context, g store.ScheduleGroup, tok store.ClientToken) error {
	err := x.tokenWrite(ctx, tok, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO scheduler_groups (`+scheduleGroupColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
			g.Account, g.Region, g.Name, g.ARN, g.Created, g.Updated)
		if isUnique(err) {
			return store.ErrExists
		}
		return err
	})
	return wrapWrite(err, "schedule group "+g.ARN)
}

func (x schedules) ScheduleGroup(ctx context.Context, arn string) (*store.ScheduleGroup, error) {
	g, err := one(ctx, x.s, "schedule group "+arn, scanScheduleGroup, `SELECT `+scheduleGroupColumns+` FROM scheduler_groups WHERE arn = ?`, arn)
	if err != nil {
		return nil, err
	}
	return &g, nil
}

func (x schedules) ScheduleGroups(ctx context.Context, account, region, prefix, after string, limit int) ([]store.ScheduleGroup, error) {
	return list(ctx, x.s, "schedule groups", scanScheduleGroup, `SELECT `+scheduleGroupColumns+` FROM scheduler_groups
		WHERE account = ? AND region = ? AND substr(name, 1, length(?3)) = ?3 AND name > ? ORDER BY name LIMIT ?`,
		account, region, prefix, after, limitArg(limit))
}

// DeleteScheduleGroup deletes the group; its schedules go by the foreign
// key's cascade.
func (x schedules) DeleteScheduleGroup(ctx context.Context, arn string, tok store.ClientToken) error {
	err := x.tokenWrite(ctx, tok, func(tx *Tx) error { return txOne(tx, `DELETE FROM scheduler_groups WHERE arn = ?`, arn) })
	return wrapWrite(err, "schedule group "+arn)
}

const scheduleColumns = `arn, account, region, group_name, name, enabled, definition, next_fire, due, created, updated`

func scanSchedule(row scanner) (store.Schedule, error) {
	var s store.Schedule
	err := row.Scan(&s.ARN, &s.Account, &s.Region, &s.Group, &s.Name, &s.Enabled, &s.Definition, &s.NextFire, &s.Due,
		&s.Created, &s.Updated)
	return s, err
}

func (x schedules) CreateSchedule(ctx context.Context, s store.Schedule, tok store.ClientToken) error {
	err := x.tokenWrite(ctx, tok, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO scheduler_schedules (`+scheduleColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			s.ARN, s.Account, s.Region, s.Group, s.Name, s.Enabled, blobOrEmpty(s.Definition), s.NextFire, s.Due, s.Created, s.Updated)
		switch {
		case isUnique(err):
			return store.ErrExists
		case isForeignKey(err):
			return store.ErrNotFound
		}
		return err
	})
	return wrapWrite(err, "schedule "+s.ARN)
}

func (x schedules) Schedule(ctx context.Context, arn string) (*store.Schedule, error) {
	s, err := one(ctx, x.s, "schedule "+arn, scanSchedule, `SELECT `+scheduleColumns+` FROM scheduler_schedules WHERE arn = ?`, arn)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

func (x schedules) Schedules(ctx context.Context, q store.ScheduleQuery) ([]store.Schedule, error) {
	enabled := -1
	if q.Enabled != nil {
		enabled = 0
		if *q.Enabled {
			enabled = 1
		}
	}
	return list(ctx, x.s, "schedules", scanSchedule, `SELECT `+scheduleColumns+` FROM scheduler_schedules
		WHERE account = ?1 AND region = ?2 AND (?3 = '' OR group_name = ?3) AND substr(name, 1, length(?4)) = ?4
		AND (?5 < 0 OR enabled = ?5) AND (group_name, name) > (?6, ?7) ORDER BY group_name, name LIMIT ?8`,
		q.Account, q.Region, q.Group, q.Prefix, enabled, q.AfterGroup, q.AfterName, limitArg(q.Limit))
}

func (x schedules) UpdateSchedule(ctx context.Context, s store.Schedule, tok store.ClientToken) error {
	err := x.tokenWrite(ctx, tok, func(tx *Tx) error {
		return txOne(tx, `UPDATE scheduler_schedules SET enabled = ?, definition = ?, next_fire = ?, due = ?, updated = ? WHERE arn = ?`,
			s.Enabled, blobOrEmpty(s.Definition), s.NextFire, s.Due, s.Updated, s.ARN)
	})
	return wrapWrite(err, "schedule "+s.ARN)
}

func (x schedules) DeleteSchedule(ctx context.Context, arn string, tok store.ClientToken) error {
	err := x.tokenWrite(ctx, tok, func(tx *Tx) error { return txOne(tx, `DELETE FROM scheduler_schedules WHERE arn = ?`, arn) })
	return wrapWrite(err, "schedule "+arn)
}

func (x schedules) DueSchedules(ctx context.Context, now int64, limit int) ([]store.Schedule, error) {
	return list(ctx, x.s, "due schedules", scanSchedule, `SELECT `+scheduleColumns+` FROM scheduler_schedules
		WHERE due > 0 AND due <= ? ORDER BY due LIMIT ?`, now, limitArg(limit))
}

func (x schedules) AdvanceSchedule(ctx context.Context, a store.ScheduleAdvance) (bool, error) {
	query, args := `UPDATE scheduler_schedules SET next_fire = ?, due = ? WHERE arn = ? AND next_fire = ? AND due = ?`,
		[]any{a.Next, a.Due, a.ARN, a.FromNext, a.FromDue}
	if a.Delete {
		query, args = `DELETE FROM scheduler_schedules WHERE arn = ? AND next_fire = ? AND due = ?`, args[2:]
	}
	err := wrapOne(x.s.write(ctx, func(tx *Tx) error {
		if err := txOne(tx, query, args...); err != nil {
			return err
		}
		return enqueue(tx, a.Outbox)
	}), "schedule "+a.ARN)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// wrapWrite words the outcome of a write that creates, changes or
// deletes one resource: ErrNotFound, ErrExists and ErrTokenReused keep
// their identity.
func wrapWrite(err error, what string) error {
	for _, e := range []error{store.ErrExists, store.ErrTokenReused} {
		if errors.Is(err, e) {
			return fmt.Errorf("%s: %w", what, e)
		}
	}
	return wrapOne(err, what)
}
