package duckdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vigilhq/vigil/internal/store"
)

// LogQueries returns the store of Logs Insights queries.
func (s *Store) LogQueries() store.LogQueries { return logQueries{s} }

type logQueries struct{ s *Store }

func (l logQueries) PutLogQuery(ctx context.Context, q store.LogQueryRecord) error {
	groups, _ := json.Marshal(q.Groups)
	var results any
	if q.Results != nil {
		results = q.Results
	}
	return logsStore(l).exec(ctx, "record query "+q.ID, `INSERT OR REPLACE INTO log_queries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		q.ID, q.Account, q.Region, q.Query, q.Language, string(groups), q.Status, q.Created, q.Duration, q.UserIdentity, q.Statistics, results)
}

func scanQuery(row interface{ Scan(...any) error }, withResults bool) (store.LogQueryRecord, error) {
	var q store.LogQueryRecord
	var groups string
	dest := []any{&q.ID, &q.Account, &q.Region, &q.Query, &q.Language, &groups, &q.Status, &q.Created, &q.Duration, &q.UserIdentity, &q.Statistics}
	if withResults {
		dest = append(dest, &q.Results)
	}
	if err := row.Scan(dest...); err != nil {
		return q, err
	}
	err := json.Unmarshal([]byte(groups), &q.Groups)
	return q, err
}

const queryColumns = `id, account, region, query, language, groups, status, created, duration, user_identity, statistics`

func (l logQueries) LogQueryRecord(ctx context.Context, account, region, id string) (*store.LogQueryRecord, error) {
	q, err := scanQuery(l.s.db.QueryRowContext(ctx, `SELECT `+queryColumns+`, results FROM log_queries WHERE account = ? AND region = ? AND id = ?`,
		account, region, id), true)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("query %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read query %s: %w", id, err)
	}
	return &q, nil
}

func (l logQueries) LogQueryRecords(ctx context.Context, account, region string) ([]store.LogQueryRecord, error) {
	rows, err := l.s.db.QueryContext(ctx, `SELECT `+queryColumns+` FROM log_queries WHERE account = ? AND region = ? ORDER BY created DESC, id`, account, region)
	if err != nil {
		return nil, fmt.Errorf("cannot list queries: %w", err)
	}
	defer rows.Close()
	var out []store.LogQueryRecord
	for rows.Next() {
		q, err := scanQuery(rows, false)
		if err != nil {
			return nil, fmt.Errorf("cannot list queries: %w", err)
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

func (l logQueries) PutLogQueryDefinition(ctx context.Context, d store.LogQueryDefinition) error {
	groups, _ := json.Marshal(d.Groups)
	return logsStore(l).exec(ctx, "save query definition "+d.ID, `INSERT OR REPLACE INTO log_query_definitions VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.Account, d.Region, d.Name, d.Query, d.Language, string(groups), d.LastModified)
}

func (l logQueries) LogQueryDefinitions(ctx context.Context, account, region string) ([]store.LogQueryDefinition, error) {
	rows, err := l.s.db.QueryContext(ctx, `SELECT id, account, region, name, query, language, groups, last_modified
		FROM log_query_definitions WHERE account = ? AND region = ? ORDER BY name, id`, account, region)
	if err != nil {
		return nil, fmt.Errorf("cannot list query definitions: %w", err)
	}
	defer rows.Close()
	var out []store.LogQueryDefinition
	for rows.Next() {
		var d store.LogQueryDefinition
		var groups string
		if err := rows.Scan(&d.ID, &d.Account, &d.Region, &d.Name, &d.Query, &d.Language, &groups, &d.LastModified); err != nil {
			return nil, fmt.Errorf("cannot list query definitions: %w", err)
		}
		if err := json.Unmarshal([]byte(groups), &d.Groups); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (l logQueries) DeleteLogQueryDefinition(ctx context.Context, account, region, id string) error {
	return logsStore(l).deleteOne(ctx, "query definition "+id, `DELETE FROM log_query_definitions WHERE account = ? AND region = ? AND id = ?`, account, region, id)
}
