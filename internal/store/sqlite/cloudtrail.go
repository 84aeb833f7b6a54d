package sqlite

import (
	"context"
	"fmt"

	"github.com/vigilhq/vigil/internal/store"
)

// CloudTrail returns the store of CloudTrail (tables cloudtrail_events,
// cloudtrail_trails, cloudtrail_log_files and cloudtrail_keys).
func (s *Store) CloudTrail() store.CloudTrail { return cloudTrail{s} }

type cloudTrail struct{ s *Store }

const trailEventColumns = `seq, account, region, time, id, name, source, username, access_key, read_only, category, resource, error_code, record`

var insertTrailEvents = newMultiInsert(`INSERT INTO cloudtrail_events (account, region, time, id, name, source, username, access_key, read_only, category, resource, error_code, record)`,
	`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)

func scanTrailEvent(row scanner) (store.TrailEvent, error) {
	var e store.TrailEvent
	err := row.Scan(&e.Seq, &e.Account, &e.Region, &e.Time, &e.ID, &e.Name, &e.Source, &e.Username, &e.AccessKey, &e.ReadOnly, &e.Category, &e.Resource, &e.ErrorCode, &e.Record)
	return e, err
}

func (x cloudTrail) AppendEvents(ctx context.Context, events []store.TrailEvent) error {
	err := x.s.write(ctx, func(tx *Tx) error {
		return insertTrailEvents.exec(tx, len(events), func(i int, args []any) []any {
			e := &events[i]
			return append(args, e.Account, e.Region, e.Time, e.ID, e.Name, e.Source, e.Username, e.AccessKey, e.ReadOnly, e.Category, e.Resource, e.ErrorCode, e.Record)
		}, func(i int, seq int64) { events[i].Seq = seq })
	})
	if err != nil {
		return fmt.Errorf("cannot record %d CloudTrail events: %w", len(events), err)
	}
	return nil
}

// lookupColumns are the columns of LookupEvents' attributes.
var lookupColumns = map[string]string{
	"EventId": "id", "EventName": "name", "EventSource": "source",
	"Username": "username", "AccessKeyId": "access_key", "ReadOnly": "read_only",
}

func (x cloudTrail) LookupEvents(ctx context.Context, q store.TrailEventQuery) ([]store.TrailEvent, error) {
	category := q.Category
	if category == "" {
		category = "Management"
	}
	where := `account = ? AND region = ? AND time >= ? AND time < ? AND category = ?`
	args := []any{q.Account, q.Region, q.From, q.To, category}
	from := `cloudtrail_events`
	if q.Attribute != "" {
		col, ok := lookupColumns[q.Attribute]
		if !ok {
			return nil, fmt.Errorf("cannot look CloudTrail events up by %q", q.Attribute)
		}
		if col != "read_only" {
			// Without statistics SQLite prefers the time index, which
			// reads every event of the range to find a rare value.
			from += ` INDEXED BY cloudtrail_events_` + col
		}
		var v any = q.Value
		if col == "read_only" {
			v = q.Value == "true"
		}
		where += ` AND ` + col + ` = ?`
		args = append(args, v)
	}
	if q.BeforeSeq > 0 {
		where += ` AND (time < ? OR (time = ? AND seq < ?))`
		args = append(args, q.BeforeTime, q.BeforeTime, q.BeforeSeq)
	}
	args = append(args, limitArg(q.Limit))
	return list(ctx, x.s, "CloudTrail events", scanTrailEvent,
		`SELECT `+trailEventColumns+` FROM `+from+` WHERE `+where+` ORDER BY time DESC, seq DESC LIMIT ?`, args...)
}

func (x cloudTrail) EventsAfter(ctx context.Context, account string, regions []string, after, through int64, limit int) ([]store.TrailEvent, error) {
	// The unary + keep SQLite on the rowid range: the account's index
	// would read its whole history.
	where := `seq > ? AND seq <= ? AND +account = ?`
	args := []any{after, through, account}
	if regions != nil {
		where += ` AND +region IN (` + placeholders(len(regions)) + `)`
		for _, r := range regions {
			args = append(args, r)
		}
	}
	args = append(args, limitArg(limit))
	return list(ctx, x.s, "CloudTrail events", scanTrailEvent,
		`SELECT `+trailEventColumns+` FROM cloudtrail_events WHERE `+where+` ORDER BY seq LIMIT ?`, args...)
}

func (x cloudTrail) CountCalls(ctx context.Context, account, region string, from, to int64) ([]store.CallCount, error) {
	return list(ctx, x.s, "CloudTrail call counts", func(row scanner) (store.CallCount, error) {
		var c store.CallCount
		err := row.Scan(&c.Minute, &c.Source, &c.Name, &c.Calls, &c.Errors)
		return c, err
	}, `SELECT time / 60000 * 60000 AS minute, source, name, COUNT(*), SUM(error_code != '') FROM cloudtrail_events
		WHERE account = ? AND region = ? AND time >= ? AND time < ? AND category = 'Management' AND read_only = 0
		GROUP BY minute, source, name ORDER BY minute, source, name`, account, region, from, to)
}

func (x cloudTrail) LastEventSeq(ctx context.Context) (int64, error) {
	return one(ctx, x.s, "the last CloudTrail event", func(row scanner) (int64, error) {
		var n int64
		return n, row.Scan(&n)
	}, `SELECT COALESCE(MAX(seq), 0) FROM cloudtrail_events`)
}

func (x cloudTrail) MarkEvents(ctx context.Context, at int64) error {
	return x.s.exec(ctx, "mark the CloudTrail events", `INSERT INTO cloudtrail_marks (time, seq)
		VALUES (?, (SELECT COALESCE(MAX(seq), 0) FROM cloudtrail_events)) ON CONFLICT (time) DO UPDATE SET seq = excluded.seq`, at)
}

func (x cloudTrail) ExpireEvents(ctx context.Context, before int64) (int64, error) {
	var n int64
	err := x.s.write(ctx, func(tx *Tx) error {
		var mark, seq int64
		err := tx.QueryRow(`SELECT time, seq FROM cloudtrail_marks WHERE time <= ? ORDER BY time DESC LIMIT 1`, before).Scan(&mark, &seq)
		if isNoRows(err) {
			return nil
		}
		if err != nil {
			return err
		}
		// A range of the rowid: no index on the events' time is needed.
		res, err := tx.Exec(`DELETE FROM cloudtrail_events WHERE seq <= ?`, seq)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		_, err = tx.Exec(`DELETE FROM cloudtrail_marks WHERE time < ?`, mark)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("cannot expire CloudTrail events: %w", err)
	}
	return n, nil
}

const trailColumns = `account, region, name, arn, settings, state, delivered, created`

func scanTrail(row scanner) (store.Trail, error) {
	var t store.Trail
	err := row.Scan(&t.Account, &t.Region, &t.Name, &t.ARN, &t.Settings, &t.State, &t.Delivered, &t.Created)
	return t, err
}

func (x cloudTrail) CreateTrail(ctx context.Context, t store.Trail, tags map[string]string) error {
	err := x.s.write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO cloudtrail_trails (`+trailColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			t.Account, t.Region, t.Name, t.ARN, t.Settings, t.State, t.Delivered, t.Created)
		if isUnique(err) {
			return store.ErrExists
		}
		if err != nil {
			return err
		}
		return putTags(tx, t.ARN, tags)
	})
	if err != nil {
		return fmt.Errorf("cannot create trail %s: %w", t.ARN, err)
	}
	return nil
}

func (x cloudTrail) Trail(ctx context.Context, arn string) (*store.Trail, error) {
	t, err := one(ctx, x.s, "trail "+arn, scanTrail, `SELECT `+trailColumns+` FROM cloudtrail_trails WHERE arn = ?`, arn)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

func (x cloudTrail) Trails(ctx context.Context, account, region string) ([]store.Trail, error) {
	return list(ctx, x.s, "trails", scanTrail, `SELECT `+trailColumns+` FROM cloudtrail_trails
		WHERE account = ? AND (?2 = '' OR region = ?2) ORDER BY region, name`, account, region)
}

func (x cloudTrail) AllTrails(ctx context.Context) ([]store.Trail, error) {
	return list(ctx, x.s, "trails", scanTrail, `SELECT `+trailColumns+` FROM cloudtrail_trails ORDER BY account, region, name`)
}

func (x cloudTrail) SetTrailSettings(ctx context.Context, arn string, settings []byte) error {
	return x.s.execOne(ctx, "trail "+arn, `UPDATE cloudtrail_trails SET settings = ? WHERE arn = ?`, settings, arn)
}

func (x cloudTrail) SetTrailState(ctx context.Context, arn string, state []byte, delivered int64, files ...store.TrailLogFile) error {
	return wrapOne(x.s.write(ctx, func(tx *Tx) error {
		if err := txOne(tx, `UPDATE cloudtrail_trails SET state = ?, delivered = ? WHERE arn = ?`, state, delivered, arn); err != nil {
			return err
		}
		for _, f := range files {
			if _, err := tx.Exec(`INSERT INTO cloudtrail_log_files (trail_arn, region, bucket, key, hash, oldest, newest, delivered)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, arn, f.Region, f.Bucket, f.Key, f.HashSHA256, f.Oldest, f.Newest, f.Delivered); err != nil {
				return err
			}
		}
		return nil
	}), "trail "+arn)
}

func (x cloudTrail) DeleteTrail(ctx context.Context, arn string) error {
	return wrapOne(x.s.write(ctx, func(tx *Tx) error {
		if err := txOne(tx, `DELETE FROM cloudtrail_trails WHERE arn = ?`, arn); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM cloudtrail_log_files WHERE trail_arn = ?`, arn); err != nil {
			return err
		}
		return deleteTags(tx, arn)
	}), "trail "+arn)
}

func (x cloudTrail) TrailLogFiles(ctx context.Context, arn, region string, before int64) ([]store.TrailLogFile, error) {
	return list(ctx, x.s, "trail log files", func(row scanner) (store.TrailLogFile, error) {
		var f store.TrailLogFile
		err := row.Scan(&f.Region, &f.Bucket, &f.Key, &f.HashSHA256, &f.Oldest, &f.Newest, &f.Delivered)
		return f, err
	}, `SELECT region, bucket, key, hash, oldest, newest, delivered FROM cloudtrail_log_files
		WHERE trail_arn = ? AND region = ? AND delivered < ? ORDER BY delivered, id`, arn, region, before)
}

func (x cloudTrail) SetTrailDigested(ctx context.Context, arn string, state []byte, region string, before int64) error {
	return wrapOne(x.s.write(ctx, func(tx *Tx) error {
		if err := txOne(tx, `UPDATE cloudtrail_trails SET state = ? WHERE arn = ?`, state, arn); err != nil {
			return err
		}
		_, err := tx.Exec(`DELETE FROM cloudtrail_log_files WHERE trail_arn = ? AND region = ? AND delivered < ?`, arn, region, before)
		return err
	}), "trail "+arn)
}

func (x cloudTrail) PutSigningKey(ctx context.Context, k store.SigningKey) error {
	err := x.s.write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO cloudtrail_keys (region, fingerprint, public, sealed_private, valid_from, valid_to)
			VALUES (?, ?, ?, ?, ?, ?)`, k.Region, k.Fingerprint, k.Public, k.SealedPrivate, k.From, k.To)
		if isUnique(err) {
			return store.ErrExists
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("cannot store the CloudTrail signing key %s: %w", k.Fingerprint, err)
	}
	return nil
}

func (x cloudTrail) SigningKeys(ctx context.Context, region string) ([]store.SigningKey, error) {
	return list(ctx, x.s, "CloudTrail signing keys", func(row scanner) (store.SigningKey, error) {
		var k store.SigningKey
		err := row.Scan(&k.Region, &k.Fingerprint, &k.Public, &k.SealedPrivate, &k.From, &k.To)
		return k, err
	}, `SELECT region, fingerprint, public, sealed_private, valid_from, valid_to FROM cloudtrail_keys
		WHERE region = ? ORDER BY valid_from, fingerprint`, region)
}
