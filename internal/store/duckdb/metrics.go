package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"github.com/vigilhq/vigil/internal/store"
)

// Metrics returns the CloudWatch metrics store.
func (s *Store) Metrics() store.Metrics { return metricsStore{s} }

type metricsStore struct{ s *Store }

// metricID returns the id of a metric, creating the metric in tx when it
// is new. Ids are cached: a metric is never renumbered.
func (m metricsStore) metricID(tx *Tx, k store.MetricKey, now int64) (int64, bool, error) {
	if id, ok := m.s.metricIDs.Load(k); ok {
		return id.(int64), false, nil
	}
	var id int64
	err := tx.QueryRow(`SELECT id FROM metrics WHERE account = ? AND region = ? AND namespace = ? AND name = ? AND dimensions = ?`,
		k.Account, k.Region, k.Namespace, k.Name, k.Dimensions).Scan(&id)
	if err == nil {
		return id, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, err
	}
	if err := tx.QueryRow(`SELECT nextval('metric_ids')`).Scan(&id); err != nil {
		return 0, false, err
	}
	if _, err := tx.Exec(`INSERT INTO metrics VALUES (?, ?, ?, ?, ?, ?, ?)`, id, k.Account, k.Region, k.Namespace, k.Name, k.Dimensions, now); err != nil {
		return 0, false, err
	}
	return id, true, nil
}

func (m metricsStore) PutMetricPoints(ctx context.Context, points []store.MetricPoint, now int64) error {
	if len(points) == 0 {
		return nil
	}
	var created []store.MetricKey
	var createdIDs []int64
	err := m.s.write(ctx, func(tx *Tx) error {
		created, createdIDs = created[:0], createdIDs[:0]
		ids := map[store.MetricKey]int64{}
		rows := make([][]driver.Value, len(points))
		for i, p := range points {
			id, ok := ids[p.Key]
			if !ok {
				var isNew bool
				var err error
				if id, isNew, err = m.metricID(tx, p.Key, now); err != nil {
					return err
				}
				ids[p.Key] = id
				if isNew {
					created, createdIDs = append(created, p.Key), append(createdIDs, id)
				}
			}
			var dist any
			if p.Dist != nil {
				dist = p.Dist
			}
			rows[i] = []driver.Value{id, p.Timestamp, int16(p.Resolution), p.Unit, p.Count, p.Sum, p.Min, p.Max, dist}
		}
		if err := tx.Append("metric_points", rows); err != nil {
			return err
		}
		activity := make([][]driver.Value, 0, len(ids))
		for _, id := range ids {
			activity = append(activity, []driver.Value{id, now})
		}
		return tx.Append("metric_activity", activity)
	})
	if err != nil {
		return fmt.Errorf("cannot store %d metric data points: %w", len(points), err)
	}
	for i, k := range created {
		m.s.metricIDs.Store(k, createdIDs[i])
	}
	return nil
}

func (m metricsStore) ListMetrics(ctx context.Context, q store.MetricQuery) ([]store.Metric, error) {
	where := []string{"account = ?", "region = ?"}
	args := []any{q.Account, q.Region}
	if q.Namespace != "" {
		where = append(where, "namespace = ?")
		args = append(args, q.Namespace)
	}
	if q.Name != "" {
		where = append(where, "name = ?")
		args = append(args, q.Name)
	}
	if q.SeenSince > 0 {
		where = append(where, "id IN (SELECT metric_id FROM metric_activity WHERE last_seen >= ?)")
		args = append(args, q.SeenSince)
	}
	if k := q.AfterKey; k != nil {
		where = append(where, "(namespace, name, dimensions) > (?, ?, ?)")
		args = append(args, k.Namespace, k.Name, k.Dimensions)
	}
	query := `SELECT id, account, region, namespace, name, dimensions, first_seen,
		coalesce((SELECT max(last_seen) FROM metric_activity a WHERE a.metric_id = metrics.id), first_seen) FROM metrics WHERE ` +
		strings.Join(where, " AND ") + ` ORDER BY namespace, name, dimensions`
	if q.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	rows, err := m.s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("cannot list metrics: %w", err)
	}
	defer rows.Close()
	var out []store.Metric
	for rows.Next() {
		var mt store.Metric
		k := &mt.Key
		if err := rows.Scan(&mt.ID, &k.Account, &k.Region, &k.Namespace, &k.Name, &k.Dimensions, &mt.FirstSeen, &mt.LastSeen); err != nil {
			return nil, fmt.Errorf("cannot list metrics: %w", err)
		}
		out = append(out, mt)
	}
	return out, rows.Err()
}
