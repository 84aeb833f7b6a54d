package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/vigilhq/vigil/internal/store"
)

// Logs returns the CloudWatch Logs store.
func (s *Store) Logs() store.Logs { return logsStore{s} }

type logsStore struct{ s *Store }

const groupColumns = `g.id, g.account, g.region, g.name, g.created, coalesce(g.retention_days, 0), coalesce(g.kms_key_id, ''),
	g.class, g.deletion_protection,
	(SELECT coalesce(sum(bytes), 0) FROM log_stream_stats st WHERE st.group_id = g.id),
	(SELECT count(*) FROM log_metric_filters f WHERE f.group_id = g.id)`

func scanGroup(row interface{ Scan(...any) error }) (store.LogGroup, error) {
	var g store.LogGroup
	err := row.Scan(&g.ID, &g.Account, &g.Region, &g.Name, &g.Created, &g.RetentionDays, &g.KMSKeyID,
		&g.Class, &g.DeletionProtection, &g.StoredBytes, &g.MetricFilterCount)
	return g, err
}

func (l logsStore) CreateLogGroup(ctx context.Context, g *store.LogGroup, arn string, tags map[string]string) error {
	err := l.s.write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM log_groups WHERE account = ? AND region = ? AND name = ?`, g.Account, g.Region, g.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return store.ErrExists
		}
		if err := tx.QueryRow(`SELECT nextval('log_ids')`).Scan(&g.ID); err != nil {
			return err
		}
		var retention any
		if g.RetentionDays > 0 {
			retention = g.RetentionDays
		}
		var kms any
		if g.KMSKeyID != "" {
			kms = g.KMSKeyID
		}
		if _, err := tx.Exec(`INSERT INTO log_groups VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			g.ID, g.Account, g.Region, g.Name, g.Created, retention, kms, g.Class, g.DeletionProtection); err != nil {
			return err
		}
		return putTags(tx, arn, tags)
	})
	if errors.Is(err, store.ErrExists) {
		return fmt.Errorf("log group %s: %w", g.Name, store.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("cannot create log group %s: %w", g.Name, err)
	}
	return nil
}

func putTags(tx *Tx, arn string, tags map[string]string) error {
	for k, v := range tags {
		if _, err := tx.Exec(`INSERT OR REPLACE INTO resource_tags VALUES (?, ?, ?)`, arn, k, v); err != nil {
			return err
		}
	}
	return nil
}

func (l logsStore) LogGroup(ctx context.Context, account, region, name string) (*store.LogGroup, error) {
	g, err := scanGroup(l.s.db.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM log_groups g WHERE account = ? AND region = ? AND name = ?`,
		account, region, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("log group %s: %w", name, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read log group %s: %w", name, err)
	}
	return &g, nil
}

func (l logsStore) LogGroups(ctx context.Context, q store.LogGroupQuery) ([]store.LogGroup, error) {
	where := []string{"account = ?", "region = ?"}
	args := []any{q.Account, q.Region}
	if q.Prefix != "" {
		where = append(where, "starts_with(name, ?)")
		args = append(args, q.Prefix)
	}
	if q.Contains != "" {
		where = append(where, "contains(lower(name), lower(?))")
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
	query := `SELECT ` + groupColumns + ` FROM log_groups g WHERE ` + strings.Join(where, " AND ") + ` ORDER BY name`
	if q.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	return queryGroups(ctx, l.s.db, query, args...)
}

func (l logsStore) LogGroupsWithRetention(ctx context.Context) ([]store.LogGroup, error) {
	return queryGroups(ctx, l.s.db, `SELECT `+groupColumns+` FROM log_groups g WHERE retention_days IS NOT NULL ORDER BY id`)
}

func queryGroups(ctx context.Context, db readDB, query string, args ...any) ([]store.LogGroup, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("cannot list log groups: %w", err)
	}
	defer rows.Close()
	var out []store.LogGroup
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return nil, fmt.Errorf("cannot list log groups: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func (l logsStore) DeleteLogGroup(ctx context.Context, id int64, arn string) error {
	err := l.s.write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`DELETE FROM resource_tags WHERE arn = ?`, arn); err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM log_events WHERE group_id = ?`,
			`DELETE FROM log_streams WHERE group_id = ?`,
			`DELETE FROM log_stream_stats WHERE group_id = ?`,
			`DELETE FROM log_metric_filters WHERE group_id = ?`,
			`DELETE FROM log_subscription_filters WHERE group_id = ?`,
			`DELETE FROM log_groups WHERE id = ?`,
		} {
			if _, err := tx.Exec(q, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("cannot delete log group %d: %w", id, err)
	}
	return nil
}

func (l logsStore) SetRetention(ctx context.Context, id int64, days int) error {
	var v any
	if days > 0 {
		v = days
	}
	return l.exec(ctx, "set retention", `UPDATE log_groups SET retention_days = ? WHERE id = ?`, v, id)
}

func (l logsStore) SetKMSKey(ctx context.Context, id int64, key string) error {
	var v any
	if key != "" {
		v = key
	}
	return l.exec(ctx, "set KMS key", `UPDATE log_groups SET kms_key_id = ? WHERE id = ?`, v, id)
}

// exec runs one write statement.
func (l logsStore) exec(ctx context.Context, what, query string, args ...any) error {
	err := l.s.write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(query, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("cannot %s: %w", what, err)
	}
	return nil
}

// streamSelect reads streams with their aggregated statistics.
const streamSelect = `SELECT s.id, s.group_id, s.name, s.created, st.first_event, st.last_event, st.last_ingestion
	FROM log_streams s LEFT JOIN (SELECT stream_id, min(first_event) AS first_event, max(last_event) AS last_event,
		max(last_ingestion) AS last_ingestion FROM log_stream_stats WHERE group_id = ? GROUP BY stream_id) st ON st.stream_id = s.id`

func scanStream(row interface{ Scan(...any) error }) (store.LogStream, error) {
	var s store.LogStream
	var first, last, ingest sql.NullInt64
	err := row.Scan(&s.ID, &s.GroupID, &s.Name, &s.Created, &first, &last, &ingest)
	s.FirstEvent, s.LastEvent, s.LastIngestion = nullable(first), nullable(last), nullable(ingest)
	return s, err
}

func nullable(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	return &n.Int64
}

func (l logsStore) CreateLogStream(ctx context.Context, st *store.LogStream) error {
	err := l.s.write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM log_streams WHERE group_id = ? AND name = ?`, st.GroupID, st.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return store.ErrExists
		}
		if err := tx.QueryRow(`SELECT nextval('log_ids')`).Scan(&st.ID); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO log_streams VALUES (?, ?, ?, ?)`, st.ID, st.GroupID, st.Name, st.Created)
		return err
	})
	if errors.Is(err, store.ErrExists) {
		return fmt.Errorf("log stream %s: %w", st.Name, store.ErrExists)
	}
	if err != nil {
		return fmt.Errorf("cannot create log stream %s: %w", st.Name, err)
	}
	return nil
}

func (l logsStore) LogStream(ctx context.Context, groupID int64, name string) (*store.LogStream, error) {
	st, err := scanStream(l.s.db.QueryRowContext(ctx, streamSelect+` WHERE s.group_id = ? AND s.name = ?`, groupID, groupID, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("log stream %s: %w", name, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read log stream %s: %w", name, err)
	}
	return &st, nil
}

func (l logsStore) LogStreams(ctx context.Context, q store.LogStreamQuery) ([]store.LogStream, error) {
	where := []string{"s.group_id = ?"}
	args := []any{q.GroupID, q.GroupID}
	if q.Prefix != "" {
		where = append(where, "starts_with(s.name, ?)")
		args = append(args, q.Prefix)
	}
	dir, cmp := "ASC", ">"
	if q.Descending {
		dir, cmp = "DESC", "<"
	}
	order := "s.name " + dir
	if q.ByLastEvent {
		// Streams without events sort as if their last event were at 0.
		order = "coalesce(st.last_event, 0) " + dir + ", s.name " + dir
		if q.After != nil {
			last := int64(0)
			if q.After.LastEvent != nil {
				last = *q.After.LastEvent
			}
			where = append(where, "(coalesce(st.last_event, 0), s.name) "+cmp+" (?, ?)")
			args = append(args, last, q.After.Name)
		}
	} else if q.After != nil {
		where = append(where, "s.name "+cmp+" ?")
		args = append(args, q.After.Name)
	}
	query := streamSelect + ` WHERE ` + strings.Join(where, " AND ") + ` ORDER BY ` + order
	if q.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	rows, err := l.s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("cannot list log streams: %w", err)
	}
	defer rows.Close()
	var out []store.LogStream
	for rows.Next() {
		st, err := scanStream(rows)
		if err != nil {
			return nil, fmt.Errorf("cannot list log streams: %w", err)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

func (l logsStore) DeleteLogStream(ctx context.Context, id int64) error {
	err := l.s.write(ctx, func(tx *Tx) error {
		for _, q := range []string{
			`DELETE FROM log_events WHERE stream_id = ?`,
			`DELETE FROM log_stream_stats WHERE stream_id = ?`,
			`DELETE FROM log_streams WHERE id = ?`,
		} {
			if _, err := tx.Exec(q, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("cannot delete log stream %d: %w", id, err)
	}
	return nil
}
