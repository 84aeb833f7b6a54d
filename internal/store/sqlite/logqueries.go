package sqlite

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/vigilhq/vigil/internal/store"
)

// LogQueries returns the store of Logs Insights queries.
func (s *Store) LogQueries() store.LogQueries { return logQueries{s} }

type logQueries struct{ s *Store }

func (l logQueries) PutLogQuery(ctx context.Context, q store.LogQueryRecord) error {
	if err := l.s.write(ctx, func(tx *Tx) error { return putQuery(tx, q) }); err != nil {
		return fmt.Errorf("cannot record query %s: %w", q.ID, err)
	}
	return nil
}

// putQuery writes a query record: its row of log_queries and of
// log_query_runs.
func putQuery(tx *Tx, q store.LogQueryRecord) error {
	groups, _ := json.Marshal(q.Groups)
	var results any
	if q.Results != nil {
		results = q.Results
	}
	_, err := tx.Exec(`INSERT OR REPLACE INTO log_queries (id, account, region, query, language, groups, status, created, duration,
		user_identity, statistics, results) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		q.ID, q.Account, q.Region, q.Query, q.Language, string(groups), q.Status, q.Created, q.Duration, q.UserIdentity, q.Statistics, results)
	if err == nil {
		_, err = tx.Exec(`INSERT OR REPLACE INTO log_query_runs (id, owner, heartbeat, stop_requested) VALUES (?, ?, ?, ?)`,
			q.ID, q.Owner, q.Heartbeat, q.StopRequested)
	}
	return err
}

func (l logQueries) DeleteLogQueriesBefore(ctx context.Context, created int64) (int64, error) {
	var n int64
	err := l.s.write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`DELETE FROM log_query_runs WHERE id IN (SELECT id FROM log_queries WHERE created < ?)`, created); err != nil {
			return err
		}
		res, err := tx.Exec(`DELETE FROM log_queries WHERE created < ?`, created)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("cannot delete old query records: %w", err)
	}
	return n, nil
}

func (l logQueries) StartLogQuery(ctx context.Context, q store.LogQueryRecord, limit int, aliveAfter int64) (bool, error) {
	var started bool
	err := l.s.write(ctx, func(tx *Tx) error {
		// The writer runs one write at a time: nothing starts a query
		// between the count and the insert.
		var alive int
		err := tx.QueryRow(`SELECT count(*) FROM log_queries q JOIN log_query_runs r ON r.id = q.id
			WHERE q.account = ? AND q.region = ? AND q.status = 'Running' AND r.heartbeat > ?`, q.Account, q.Region, aliveAfter).Scan(&alive)
		if err != nil || alive >= limit {
			return err
		}
		if err := putQuery(tx, q); err != nil {
			return err
		}
		started = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("cannot start query %s: %w", q.ID, err)
	}
	return started, nil
}

func (l logQueries) HeartbeatLogQueries(ctx context.Context, owner string, ids []string, now int64) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list, _ := json.Marshal(ids)
	var stop []string
	err := l.s.write(ctx, func(tx *Tx) error {
		rows, err := tx.Query(`UPDATE log_query_runs SET heartbeat = ? WHERE owner = ? AND id IN
			(SELECT id FROM log_queries WHERE id IN (SELECT value FROM json_each(?)) AND status = 'Running')
			RETURNING id, stop_requested`, now, owner, string(list))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var stopRequested bool
			if err := rows.Scan(&id, &stopRequested); err != nil {
				return err
			}
			if stopRequested {
				stop = append(stop, id)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("cannot heartbeat the queries of %s: %w", owner, err)
	}
	return stop, nil
}

func (l logQueries) RequestStopLogQuery(ctx context.Context, account, region, id string, aliveAfter int64) (bool, error) {
	var requested bool
	err := l.s.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE log_query_runs SET stop_requested = 1 WHERE heartbeat > ? AND id IN
			(SELECT id FROM log_queries WHERE account = ? AND region = ? AND id = ? AND status = 'Running')`, aliveAfter, account, region, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			requested = true
			return nil
		}
		var one int
		err = tx.QueryRow(`SELECT 1 FROM log_queries WHERE account = ? AND region = ? AND id = ?`, account, region, id).Scan(&one)
		if isNoRows(err) {
			return store.ErrNotFound
		}
		return err
	})
	if err != nil {
		return false, wrapOne(err, "query "+id)
	}
	return requested, nil
}

const queryColumns = `q.id, q.account, q.region, q.query, q.language, q.groups, q.status, q.created, q.duration, q.user_identity,
	q.statistics, coalesce(r.owner, ''), coalesce(r.heartbeat, 0), coalesce(r.stop_requested, 0)`

// queryTables join each query to its run, which queries imported from the
// legacy store lack.
const queryTables = ` FROM log_queries q LEFT JOIN log_query_runs r ON r.id = q.id`

func scanQuery(withResults bool) func(scanner) (store.LogQueryRecord, error) {
	return func(row scanner) (store.LogQueryRecord, error) {
		var q store.LogQueryRecord
		var groups string
		dest := []any{&q.ID, &q.Account, &q.Region, &q.Query, &q.Language, &groups, &q.Status, &q.Created, &q.Duration, &q.UserIdentity,
			&q.Statistics, &q.Owner, &q.Heartbeat, &q.StopRequested}
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
		`SELECT `+queryColumns+`, q.results`+queryTables+` WHERE q.account = ? AND q.region = ? AND q.id = ?`, account, region, id)
	if err != nil {
		return nil, err
	}
	return &q, nil
}

func (l logQueries) LogQueryRecords(ctx context.Context, account, region string) ([]store.LogQueryRecord, error) {
	return list(ctx, l.s, "queries", scanQuery(false),
		`SELECT `+queryColumns+queryTables+` WHERE q.account = ? AND q.region = ? ORDER BY q.created DESC, q.id`, account, region)
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
