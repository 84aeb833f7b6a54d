package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"math"

	"github.com/vigilhq/vigil/internal/store"
)

// Alarms returns the store of CloudWatch alarms and their history (tables
// alarms and alarm_history).
func (s *Store) Alarms() store.Alarms { return alarms{s} }

type alarms struct{ s *Store }

// jsonList encodes a list for json_each: "[]" when empty.
func jsonList(xs []string) string {
	if len(xs) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(xs)
	return string(b)
}

// limitArg is a LIMIT's argument: -1 (no limit) for 0.
func limitArg(limit int) int {
	if limit <= 0 {
		return -1
	}
	return limit
}

// blobOrNull stores a nil slice as NULL, and any other as a blob (empty
// included), so that it reads back nil only when it was nil.
func blobOrNull(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// putHistory writes alarm history items.
func putHistory(tx *Tx, items []store.AlarmHistoryItem) error {
	for _, h := range items {
		if _, err := tx.Exec(`INSERT INTO alarm_history (account, region, alarm_name, alarm_type, ts, type, summary, data,
			contributor_id, contributor_attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			h.Account, h.Region, h.AlarmName, h.AlarmType, h.Timestamp, h.Type, h.Summary, h.Data, h.ContributorID, h.ContributorAttributes); err != nil {
			return err
		}
	}
	return nil
}

func (a alarms) PutAlarm(ctx context.Context, al store.Alarm, history ...store.AlarmHistoryItem) (bool, error) {
	definition := al.Definition
	if definition == nil {
		definition = []byte{}
	}
	var created bool
	err := a.s.write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM alarms WHERE account = ? AND region = ? AND name = ?`, al.Account, al.Region, al.Name).Scan(&n); err != nil {
			return err
		}
		created = n == 0
		var err error
		if created {
			_, err = tx.Exec(`INSERT INTO alarms (account, region, name, arn, type, definition, actions_enabled, state,
				state_reason, state_reason_data, state_updated, state_transitioned, config_updated, evaluation)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				al.Account, al.Region, al.Name, al.ARN, al.Type, definition, al.ActionsEnabled, al.State,
				al.StateReason, al.StateReasonData, al.StateUpdated, al.StateTransitioned, al.ConfigUpdated, blobOrNull(al.Evaluation))
		} else {
			_, err = tx.Exec(`UPDATE alarms SET arn = ?, type = ?, definition = ?, actions_enabled = ?, config_updated = ?
				WHERE account = ? AND region = ? AND name = ?`,
				al.ARN, al.Type, definition, al.ActionsEnabled, al.ConfigUpdated, al.Account, al.Region, al.Name)
		}
		if err != nil {
			return err
		}
		return putHistory(tx, history)
	})
	if err != nil {
		return false, fmt.Errorf("cannot put alarm %s: %w", al.Name, err)
	}
	return created, nil
}

func (a alarms) SetActionsEnabled(ctx context.Context, account, region string, names []string, enabled bool) error {
	if len(names) == 0 {
		return nil
	}
	return a.s.exec(ctx, "set alarm actions", `UPDATE alarms SET actions_enabled = ? WHERE account = ? AND region = ? AND name IN (SELECT value FROM json_each(?))`,
		enabled, account, region, jsonList(names))
}

const alarmColumns = `account, region, name, arn, type, definition, actions_enabled, state,
	state_reason, state_reason_data, state_updated, state_transitioned, config_updated, evaluation`

func scanAlarm(row scanner) (store.Alarm, error) {
	var al store.Alarm
	err := row.Scan(&al.Account, &al.Region, &al.Name, &al.ARN, &al.Type, &al.Definition, &al.ActionsEnabled, &al.State,
		&al.StateReason, &al.StateReasonData, &al.StateUpdated, &al.StateTransitioned, &al.ConfigUpdated, &al.Evaluation)
	return al, err
}

func (a alarms) Alarm(ctx context.Context, account, region, name string) (*store.Alarm, error) {
	al, err := one(ctx, a.s, "alarm "+name, scanAlarm,
		`SELECT `+alarmColumns+` FROM alarms WHERE account = ? AND region = ? AND name = ?`, account, region, name)
	if err != nil {
		return nil, err
	}
	return &al, nil
}

func (a alarms) Alarms(ctx context.Context, q store.AlarmQuery) ([]store.Alarm, error) {
	// The primary key gives the account's alarms in name order; the
	// filters are few and an account's alarms are thousands at most.
	return list(ctx, a.s, "alarms", scanAlarm, `SELECT `+alarmColumns+` FROM alarms
		WHERE account = ?1 AND region = ?2 AND name > ?3
		AND (json_array_length(?4) = 0 OR name IN (SELECT value FROM json_each(?4)))
		AND (?5 = '' OR substr(name, 1, length(?5)) = ?5)
		AND (json_array_length(?6) = 0 OR type IN (SELECT value FROM json_each(?6)))
		AND (?7 = '' OR state = ?7)
		ORDER BY name LIMIT ?8`,
		q.Account, q.Region, q.After, jsonList(q.Names), q.NamePrefix, jsonList(q.Types), q.State, limitArg(q.Limit))
}

func (a alarms) AllAlarms(ctx context.Context, after store.AlarmKey, limit int) ([]store.Alarm, error) {
	return list(ctx, a.s, "alarms", scanAlarm, `SELECT `+alarmColumns+` FROM alarms
		WHERE (account, region, name) > (?, ?, ?) ORDER BY account, region, name LIMIT ?`,
		after.Account, after.Region, after.Name, limitArg(limit))
}

func (a alarms) DeleteAlarms(ctx context.Context, account, region string, names []string) error {
	if len(names) == 0 {
		return nil
	}
	return a.s.exec(ctx, "delete alarms", `DELETE FROM alarms WHERE account = ? AND region = ? AND name IN (SELECT value FROM json_each(?))`,
		account, region, jsonList(names))
}

func (a alarms) SetAlarmState(ctx context.Context, account, region, name string, state, reason, reasonData string,
	updated, transitioned int64, evaluation []byte, outbox []store.OutboxItem, history ...store.AlarmHistoryItem) error {
	err := a.s.write(ctx, func(tx *Tx) error {
		if err := txOne(tx, `UPDATE alarms SET state = ?, state_reason = ?, state_reason_data = ?, state_updated = ?,
			state_transitioned = ?, evaluation = ? WHERE account = ? AND region = ? AND name = ?`,
			state, reason, reasonData, updated, transitioned, blobOrNull(evaluation), account, region, name); err != nil {
			return err
		}
		if err := putHistory(tx, history); err != nil {
			return err
		}
		return enqueue(tx, outbox)
	})
	return wrapOne(err, "alarm "+name)
}

func (a alarms) AddAlarmHistory(ctx context.Context, items ...store.AlarmHistoryItem) error {
	err := a.s.write(ctx, func(tx *Tx) error { return putHistory(tx, items) })
	if err != nil {
		return fmt.Errorf("cannot write alarm history: %w", err)
	}
	return nil
}

const historyColumns = `id, account, region, alarm_name, alarm_type, ts, type, summary, data, contributor_id, contributor_attributes`

// historyQueries are AlarmHistory's queries, by order (descending) and by
// whether they keep one alarm's items: apart, so that the latter is
// planned on the index of the alarm's items, which an "alarm_name = ?3
// unless ?3 is empty" condition would keep SQLite from using.
var historyQueries = func() (q [2][2]string) {
	for desc, order := range []string{
		`AND (?8 = 0 OR (ts, id) > (?9, ?8)) ORDER BY ts, id LIMIT ?10`,
		`AND (?8 = 0 OR (ts, id) < (?9, ?8)) ORDER BY ts DESC, id DESC LIMIT ?10`,
	} {
		for byName, name := range []string{"", "AND alarm_name = ?3"} {
			q[desc][byName] = `SELECT ` + historyColumns + ` FROM alarm_history
	WHERE account = ?1 AND region = ?2 ` + name + `
	AND (json_array_length(?4) = 0 OR alarm_type IN (SELECT value FROM json_each(?4)))
	AND (?5 = '' OR type = ?5)
	AND (?11 = '' OR contributor_id = ?11)
	AND ts >= ?6 AND ts < ?7 ` + order
		}
	}
	return q
}()

// b2i is 1 for true.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (a alarms) AlarmHistory(ctx context.Context, q store.AlarmHistoryQuery) ([]store.AlarmHistoryItem, error) {
	start, end := q.Start, q.End
	if start == 0 {
		start = math.MinInt64
	}
	if end == 0 {
		end = math.MaxInt64
	}
	query := historyQueries[b2i(q.Descending)][b2i(q.AlarmName != "")]
	return list(ctx, a.s, "alarm history", func(row scanner) (store.AlarmHistoryItem, error) {
		var h store.AlarmHistoryItem
		err := row.Scan(&h.ID, &h.Account, &h.Region, &h.AlarmName, &h.AlarmType, &h.Timestamp, &h.Type, &h.Summary, &h.Data,
			&h.ContributorID, &h.ContributorAttributes)
		return h, err
	}, query, q.Account, q.Region, q.AlarmName, jsonList(q.AlarmTypes), q.Type, start, end, q.After.ID, q.After.Timestamp, limitArg(q.Limit), q.ContributorID)
}

func (a alarms) DeleteAlarmHistoryBefore(ctx context.Context, before int64) (int64, error) {
	var n int64
	err := a.s.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`DELETE FROM alarm_history WHERE ts < ?`, before)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("cannot delete old alarm history: %w", err)
	}
	return n, nil
}

const muteRuleColumns = `account, region, name, arn, definition, updated`

func scanMuteRule(row scanner) (store.AlarmMuteRule, error) {
	var r store.AlarmMuteRule
	err := row.Scan(&r.Account, &r.Region, &r.Name, &r.ARN, &r.Definition, &r.Updated)
	return r, err
}

func (a alarms) PutMuteRule(ctx context.Context, r store.AlarmMuteRule) error {
	definition := r.Definition
	if definition == nil {
		definition = []byte{}
	}
	return a.s.exec(ctx, "put mute rule "+r.Name, `INSERT OR REPLACE INTO alarm_mute_rules (`+muteRuleColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
		r.Account, r.Region, r.Name, r.ARN, definition, r.Updated)
}

func (a alarms) MuteRule(ctx context.Context, account, region, name string) (*store.AlarmMuteRule, error) {
	r, err := one(ctx, a.s, "mute rule "+name, scanMuteRule,
		`SELECT `+muteRuleColumns+` FROM alarm_mute_rules WHERE account = ? AND region = ? AND name = ?`, account, region, name)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

func (a alarms) MuteRules(ctx context.Context, account, region string) ([]store.AlarmMuteRule, error) {
	return list(ctx, a.s, "mute rules", scanMuteRule,
		`SELECT `+muteRuleColumns+` FROM alarm_mute_rules WHERE account = ? AND region = ? ORDER BY name`, account, region)
}

func (a alarms) DeleteMuteRule(ctx context.Context, account, region, name string) error {
	err := a.s.write(ctx, func(tx *Tx) error {
		return txOne(tx, `DELETE FROM alarm_mute_rules WHERE account = ? AND region = ? AND name = ?`, account, region, name)
	})
	return wrapOne(err, "mute rule "+name)
}
