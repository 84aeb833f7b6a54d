package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/vigilhq/vigil/internal/store"
)

// LogState is the resource state of CloudWatch Logs: groups, streams,
// filters and destinations. Statistics that ingestion derives (stored
// bytes, event times) live with the events, in the telemetry store.
type LogState struct{ s *Store }

// Logs returns the CloudWatch Logs resource state.
func (s *Store) Logs() LogState { return LogState{s} }

const groupColumns = `g.id, g.account, g.region, g.name, g.created, coalesce(g.retention_days, 0), coalesce(g.kms_key_id, ''),
	g.class, g.deletion_protection, (SELECT count(*) FROM log_metric_filters f WHERE f.group_id = g.id)`

func scanGroup(row scanner) (store.LogGroup, error) {
	var g store.LogGroup
	err := row.Scan(&g.ID, &g.Account, &g.Region, &g.Name, &g.Created, &g.RetentionDays, &g.KMSKeyID,
		&g.Class, &g.DeletionProtection, &g.MetricFilterCount)
	return g, err
}

// CreateLogGroup stores g (assigning g.ID) with tags under arn, or fails
// with ErrExists.
func (l LogState) CreateLogGroup(ctx context.Context, g *store.LogGroup, arn string, tags map[string]string) error {
	err := l.s.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`INSERT INTO log_groups (account, region, name, created, retention_days, kms_key_id, class, deletion_protection)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			g.Account, g.Region, g.Name, g.Created, nullIfZero(g.RetentionDays), nullIfZero(g.KMSKeyID), g.Class, g.DeletionProtection)
		if err != nil {
			return err
		}
		if g.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return putTags(tx, arn, tags)
	})
	if isUnique(err) {
		return fmt.Errorf("log group %s: %w", g.Name, store.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("cannot create log group %s: %w", g.Name, err)
	}
	return nil
}

// LogGroup returns a group by name, or ErrNotFound.
func (l LogState) LogGroup(ctx context.Context, account, region, name string) (*store.LogGroup, error) {
	g, err := one(ctx, l.s, "log group "+name, scanGroup,
		`SELECT `+groupColumns+` FROM log_groups g WHERE account = ? AND region = ? AND name = ?`, account, region, name)
	if err != nil {
		return nil, err
	}
	return &g, nil
}

// LogGroups lists groups by name.
func (l LogState) LogGroups(ctx context.Context, q store.LogGroupQuery) ([]store.LogGroup, error) {
	where := []string{"account = ?", "region = ?"}
	args := []any{q.Account, q.Region}
	if q.Prefix != "" {
		where = append(where, "name >= ? AND substr(name, 1, length(?)) = ?")
		args = append(args, q.Prefix, q.Prefix, q.Prefix)
	}
	if q.Contains != "" {
		where = append(where, "instr(lower(name), lower(?)) > 0")
		args = append(args, q.Contains)
	}
	if len(q.Names) > 0 {
		where = append(where, "name IN ("+placeholders(len(q.Names))+")")
		for _, n := range q.Names {
			args = append(args, n)
		}
	}
	if q.Class != "" {
		where = append(where, "class = ?")
		args = append(args, q.Class)
	}
	if q.After != "" {
		where = append(where, "name > ?")
		args = append(args, q.After)
	}
	query := `SELECT ` + groupColumns + ` FROM log_groups g WHERE ` + strings.Join(where, " AND ") + ` ORDER BY name LIMIT ?`
	return list(ctx, l.s, "log groups", scanGroup, query, append(args, limit(q.Limit))...)
}

// LogGroupsWithRetention lists every group that has a retention, by id.
func (l LogState) LogGroupsWithRetention(ctx context.Context) ([]store.LogGroup, error) {
	return list(ctx, l.s, "log groups", scanGroup, `SELECT `+groupColumns+` FROM log_groups g WHERE retention_days IS NOT NULL ORDER BY id`)
}

// DeleteLogGroup deletes a group with its streams, filters and the tags
// under arn, and records that its telemetry is to be purged (Purges).
func (l LogState) DeleteLogGroup(ctx context.Context, id int64, arn string) error {
	err := l.s.write(ctx, func(tx *Tx) error {
		if err := deleteTags(tx, arn); err != nil {
			return err
		}
		if err := txOne(tx, `DELETE FROM log_groups WHERE id = ?`, id); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO log_purges (group_id) VALUES (?)`, id)
		return err
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("cannot delete log group %d: %w", id, err)
	}
	return nil
}

// SetRetention sets (days > 0) or removes (0) a group's retention.
func (l LogState) SetRetention(ctx context.Context, id int64, days int) error {
	return l.s.exec(ctx, "set retention", `UPDATE log_groups SET retention_days = ? WHERE id = ?`, nullIfZero(days), id)
}

// SetKMSKey records (or clears, "") a group's KMS key id.
func (l LogState) SetKMSKey(ctx context.Context, id int64, key string) error {
	return l.s.exec(ctx, "set KMS key", `UPDATE log_groups SET kms_key_id = ? WHERE id = ?`, nullIfZero(key), id)
}

func scanStream(row scanner) (store.LogStream, error) {
	var s store.LogStream
	err := row.Scan(&s.ID, &s.GroupID, &s.Name, &s.Created)
	return s, err
}

// CreateLogStream stores s (assigning s.ID), or fails with ErrExists (or
// ErrNotFound when its group is gone).
func (l LogState) CreateLogStream(ctx context.Context, st *store.LogStream) error {
	err := l.s.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`INSERT INTO log_streams (group_id, name, created) VALUES (?, ?, ?)`, st.GroupID, st.Name, st.Created)
		if err != nil {
			return err
		}
		st.ID, err = res.LastInsertId()
		return err
	})
	switch {
	case isUnique(err):
		return fmt.Errorf("log stream %s: %w", st.Name, store.ErrExists)
	case isForeignKey(err):
		return fmt.Errorf("log group %d of stream %s: %w", st.GroupID, st.Name, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("cannot create log stream %s: %w", st.Name, err)
	}
	return nil
}

// LogStream returns a stream of a group by name (without statistics), or
// ErrNotFound.
func (l LogState) LogStream(ctx context.Context, groupID int64, name string) (*store.LogStream, error) {
	st, err := one(ctx, l.s, "log stream "+name, scanStream,
		`SELECT id, group_id, name, created FROM log_streams WHERE group_id = ? AND name = ?`, groupID, name)
	if err != nil {
		return nil, err
	}
	return &st, nil
}

// LogStreams lists a group's streams (without statistics) by name, from
// after (exclusive; "" for the start), at most max (0: all).
func (l LogState) LogStreams(ctx context.Context, groupID int64, prefix, after string, descending bool, max int) ([]store.LogStream, error) {
	where := []string{"group_id = ?"}
	args := []any{groupID}
	if prefix != "" {
		where = append(where, "substr(name, 1, length(?)) = ?")
		args = append(args, prefix, prefix)
	}
	dir, cmp := "ASC", ">"
	if descending {
		dir, cmp = "DESC", "<"
	}
	if after != "" {
		where = append(where, "name "+cmp+" ?")
		args = append(args, after)
	}
	query := `SELECT id, group_id, name, created FROM log_streams WHERE ` + strings.Join(where, " AND ") + ` ORDER BY name ` + dir + ` LIMIT ?`
	return list(ctx, l.s, "log streams", scanStream, query, append(args, limit(max))...)
}

// DeleteLogStream deletes a stream and records that its telemetry is to
// be purged (Purges).
func (l LogState) DeleteLogStream(ctx context.Context, id int64) error {
	err := l.s.write(ctx, func(tx *Tx) error {
		var group int64
		if err := tx.QueryRow(`DELETE FROM log_streams WHERE id = ? RETURNING group_id`, id).Scan(&group); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO log_purges (group_id, stream_id) VALUES (?, ?)`, group, id)
		return err
	})
	if err != nil && !isNoRows(err) {
		return fmt.Errorf("cannot delete log stream %d: %w", id, err)
	}
	return nil
}

// limit is a LIMIT parameter: n, or all rows when n is 0 (SQLite reads a
// negative limit as none).
func limit(n int) int {
	if n <= 0 {
		return -1
	}
	return n
}

// Purge is telemetry of a deleted group (Stream 0) or stream still to
// delete.
type Purge struct {
	ID, Group, Stream int64
}

// Purges lists the purges not done yet, oldest first.
func (l LogState) Purges(ctx context.Context) ([]Purge, error) {
	return list(ctx, l.s, "log purges", func(row scanner) (p Purge, err error) {
		err = row.Scan(&p.ID, &p.Group, &p.Stream)
		return p, err
	}, `SELECT id, group_id, coalesce(stream_id, 0) FROM log_purges ORDER BY id`)
}

// PurgeDone forgets a purge the telemetry store has made.
func (l LogState) PurgeDone(ctx context.Context, id int64) error {
	return l.s.exec(ctx, "finish a log purge", `DELETE FROM log_purges WHERE id = ?`, id)
}

// StreamNames returns the names of the streams of groups, by id.
func (l LogState) StreamNames(ctx context.Context, groupIDs []int64) (map[int64]string, error) {
	return l.names(ctx, "group_id", groupIDs)
}

// StreamNamesByID returns the names of streams, by id (streams gone are
// absent).
func (l LogState) StreamNamesByID(ctx context.Context, ids []int64) (map[int64]string, error) {
	return l.names(ctx, "id", ids)
}

func (l LogState) names(ctx context.Context, col string, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := list(ctx, l.s, "stream names", func(row scanner) (st store.LogStream, err error) {
		err = row.Scan(&st.ID, &st.Name)
		return st, err
	}, `SELECT id, name FROM log_streams WHERE `+col+` IN (`+placeholders(len(ids))+`)`, args...)
	for _, st := range rows {
		out[st.ID] = st.Name
	}
	return out, err
}

// LogRef returns the @log of a group ("account:name") and the name of one
// of its streams, or ErrNotFound.
func (l LogState) LogRef(ctx context.Context, groupID, streamID int64) (log, stream string, err error) {
	ref, err := one(ctx, l.s, "log stream", func(row scanner) (ref [3]string, err error) {
		err = row.Scan(&ref[0], &ref[1], &ref[2])
		return ref, err
	}, `SELECT g.account, g.name, s.name FROM log_streams s JOIN log_groups g ON g.id = s.group_id WHERE s.id = ? AND g.id = ?`, streamID, groupID)
	if err != nil {
		return "", "", err
	}
	return ref[0] + ":" + ref[1], ref[2], nil
}
