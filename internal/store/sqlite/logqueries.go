package sqlite

import (
	"context"
	"encoding/json"

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
	return l.s.exec(ctx, "record query "+q.ID, `INSERT OR REPLACE INTO log_queries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		q.ID, q.Account, q.Region, q.Query, q.Language, string(groups), q.Status, q.Created, q.Duration, q.UserIdentity, q.Statistics, results)
}

const queryColumns = `id, account, region, query, language, groups, status, created, duration, user_identity, statistics`

func scanQuery(withResults bool) func(scanner) (store.LogQueryRecord, error) {
	return func(row scanner) (store.LogQueryRecord, error) {
		var q store.LogQueryRecord
		var groups string
		dest := []any{&q.ID, &q.Account, &q.Region, &q.Query, &q.Language, &groups, &q.Status, &q.Created, &q.Duration, &q.UserIdentity, &q.Statistics}
		if withResults {
			dest = append(dest, &q.Results)
		}
		if err := row.Scan(dest...); err != nil {
			return q, err
		}
		return q, json.Unmarshal([]byte(groups), &q.Groups)
	}
}

func (l logQueries) LogQueryRecord(ctx context.Context, account, region, id string) (*store.LogQueryRecord, error) {
	q, err := one(ctx, l.s, "query "+id, scanQuery(true),
		`SELECT `+queryColumns+`, results FROM log_queries WHERE account = ? AND region = ? AND id = ?`, account, region, id)
	if err != nil {
		return nil, err
	}
	return &q, nil
}

func (l logQueries) LogQueryRecords(ctx context.Context, account, region string) ([]store.LogQueryRecord, error) {
	return list(ctx, l.s, "queries", scanQuery(false),
		`SELECT `+queryColumns+` FROM log_queries WHERE account = ? AND region = ? ORDER BY created DESC, id`, account, region)
}

func (l logQueries) PutLogQueryDefinition(ctx context.Context, d store.LogQueryDefinition) error {
	groups, _ := json.Marshal(d.Groups)
	return l.s.exec(ctx, "save query definition "+d.ID, `INSERT OR REPLACE INTO log_query_definitions VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, d.Account, d.Region, d.Name, d.Query, d.Language, string(groups), d.LastModified)
}

func (l logQueries) LogQueryDefinitions(ctx context.Context, account, region string) ([]store.LogQueryDefinition, error) {
	return list(ctx, l.s, "query definitions", func(row scanner) (store.LogQueryDefinition, error) {
		var d store.LogQueryDefinition
		var groups string
		if err := row.Scan(&d.ID, &d.Account, &d.Region, &d.Name, &d.Query, &d.Language, &groups, &d.LastModified); err != nil {
			return d, err
		}
		return d, json.Unmarshal([]byte(groups), &d.Groups)
	}, `SELECT id, account, region, name, query, language, groups, last_modified
		FROM log_query_definitions WHERE account = ? AND region = ? ORDER BY name, id`, account, region)
}

func (l logQueries) DeleteLogQueryDefinition(ctx context.Context, account, region, id string) error {
	return l.s.execOne(ctx, "query definition "+id, `DELETE FROM log_query_definitions WHERE account = ? AND region = ? AND id = ?`, account, region, id)
}
