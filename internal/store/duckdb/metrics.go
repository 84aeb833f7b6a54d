package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
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
		seq := m.s.metricSeq.Add(int64(len(points))) - int64(len(points))
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
			seq++
			rows[i] = append([]driver.Value{seq, id, p.Timestamp, int16(p.Resolution)}, pointColumns(p.PointValue)...)
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

// pointColumns are the unit, count, sum, min, max and dist columns of a
// point.
func pointColumns(p store.PointValue) []driver.Value {
	var dist driver.Value
	if p.Dist != nil {
		dist = p.Dist
	}
	return []driver.Value{p.Unit, p.Count, p.Sum, p.Min, p.Max, dist}
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

func (m metricsStore) LookupMetrics(ctx context.Context, keys []store.MetricKey) ([]store.Metric, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	var values strings.Builder
	args := make([]any, 0, 5*len(keys))
	for i, k := range keys {
		if i > 0 {
			values.WriteString(", ")
		}
		values.WriteString("(?, ?, ?, ?, ?)")
		args = append(args, k.Account, k.Region, k.Namespace, k.Name, k.Dimensions)
	}
	rows, err := m.s.db.QueryContext(ctx, `SELECT id, account, region, namespace, name, dimensions, first_seen, first_seen
		FROM metrics WHERE (account, region, namespace, name, dimensions) IN (VALUES `+values.String()+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("cannot look up metrics: %w", err)
	}
	defer rows.Close()
	var out []store.Metric
	for rows.Next() {
		var mt store.Metric
		k := &mt.Key
		if err := rows.Scan(&mt.ID, &k.Account, &k.Region, &k.Namespace, &k.Name, &k.Dimensions, &mt.FirstSeen, &mt.LastSeen); err != nil {
			return nil, fmt.Errorf("cannot look up metrics: %w", err)
		}
		out = append(out, mt)
	}
	return out, rows.Err()
}

// idList renders metric ids for an IN list: they are integers, so
// inlining them is safe, and DuckDB plans a literal list better than
// thousands of parameters.
func idList(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

// pointSelect reads points: metric id, ts, resolution and pointColumns.
const pointSelect = `metric_id, ts, resolution, unit, count, sum, min, max, dist`

func scanPoints(rows *sql.Rows, out []store.StoredPoint) ([]store.StoredPoint, error) {
	defer rows.Close()
	for rows.Next() {
		var p store.StoredPoint
		var res int16
		if err := rows.Scan(&p.MetricID, &p.Timestamp, &res, &p.Unit, &p.Count, &p.Sum, &p.Min, &p.Max, &p.Dist); err != nil {
			return nil, err
		}
		p.Resolution = int(res)
		out = append(out, p)
	}
	return out, rows.Err()
}

func scanRollups(rows *sql.Rows) ([]store.Rollup, error) {
	defer rows.Close()
	var out []store.Rollup
	for rows.Next() {
		var r store.Rollup
		if err := rows.Scan(&r.MetricID, &r.Unit, &r.Resolution, &r.Start, &r.Stop, &r.Data); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

const rollupSelect = `SELECT metric_id, unit, resolution, start, stop, data FROM metric_rollups`

// snapshot runs fn on a connection inside a read transaction, so that
// every query fn makes sees the same committed state.
func (s *Store) snapshot(ctx context.Context, fn func(*sql.Conn) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	err = fn(conn)
	if _, cerr := conn.ExecContext(context.Background(), "ROLLBACK"); err == nil {
		err = cerr
	}
	return err
}

func (m metricsStore) MetricData(ctx context.Context, q store.MetricDataQuery) (store.MetricData, error) {
	var d store.MetricData
	if len(q.IDs) == 0 {
		return d, nil
	}
	ids := idList(q.IDs)
	err := m.s.snapshot(ctx, func(conn *sql.Conn) error {
		rows, err := conn.QueryContext(ctx, `SELECT `+pointSelect+` FROM metric_points WHERE metric_id IN (`+ids+`) AND ts >= ? AND ts < ?
			UNION ALL SELECT metric_id, ts, 1, unit, count, sum, min, max, dist FROM metric_points_hr WHERE metric_id IN (`+ids+`) AND ts >= ? AND ts < ?
			ORDER BY metric_id, ts`, q.Start, q.End, q.Start, q.End)
		if err != nil {
			return err
		}
		if d.Points, err = scanPoints(rows, nil); err != nil || len(q.Resolutions) == 0 {
			return err
		}
		res := make([]int64, len(q.Resolutions))
		for i, r := range q.Resolutions {
			res[i] = int64(r)
		}
		rows, err = conn.QueryContext(ctx, rollupSelect+` WHERE metric_id IN (`+ids+`) AND resolution IN (`+idList(res)+`) AND start < ? AND stop > ?
			ORDER BY metric_id, unit, start`, q.End, q.Start)
		if err != nil {
			return err
		}
		d.Rollups, err = scanRollups(rows)
		return err
	})
	if err != nil {
		return d, fmt.Errorf("cannot read metric data: %w", err)
	}
	return d, nil
}

func (m metricsStore) PendingPoints(ctx context.Context, limit int) ([]store.StoredPoint, int64, error) {
	var points []store.StoredPoint
	var through int64
	err := m.s.snapshot(ctx, func(conn *sql.Conn) error {
		var lo, hi sql.NullInt64
		if err := conn.QueryRowContext(ctx, `SELECT min(seq), max(seq) FROM metric_points`).Scan(&lo, &hi); err != nil || !hi.Valid {
			return err
		}
		// Sequence numbers are dense but for the writes that failed, so
		// this bounds the batch to about limit points.
		through = min(hi.Int64, lo.Int64+int64(limit)-1)
		rows, err := conn.QueryContext(ctx, `SELECT `+pointSelect+` FROM metric_points WHERE seq <= ? ORDER BY metric_id, unit, ts`, through)
		if err != nil {
			return err
		}
		points, err = scanPoints(rows, nil)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("cannot read pending metric points: %w", err)
	}
	return points, through, nil
}

func (m metricsStore) HighResPoints(ctx context.Context, before int64) ([]store.StoredPoint, error) {
	rows, err := m.s.db.QueryContext(ctx, `SELECT metric_id, ts, 1, unit, count, sum, min, max, dist FROM metric_points_hr WHERE ts < ? ORDER BY metric_id, unit, ts`, before)
	if err != nil {
		return nil, fmt.Errorf("cannot read high-resolution metric points: %w", err)
	}
	points, err := scanPoints(rows, nil)
	if err != nil {
		return nil, fmt.Errorf("cannot read high-resolution metric points: %w", err)
	}
	return points, nil
}

func (m metricsStore) Rollups(ctx context.Context, q store.RollupQuery) ([]store.Rollup, error) {
	var rows *sql.Rows
	var err error
	if q.Keys != nil {
		if len(q.Keys) == 0 {
			return nil, nil
		}
		// The keys of a roll-up step share few resolutions and starts:
		// select by their sets and keep the keys asked for.
		ids, res, starts := map[int64]bool{}, map[int64]bool{}, map[int64]bool{}
		want := make(map[store.RollupKey]bool, len(q.Keys))
		for _, k := range q.Keys {
			ids[k.MetricID], res[int64(k.Resolution)], starts[k.Start], want[k] = true, true, true, true
		}
		rows, err = m.s.db.QueryContext(ctx, rollupSelect+` WHERE metric_id IN (`+idList(slices.Collect(maps.Keys(ids)))+`)
			AND resolution IN (`+idList(slices.Collect(maps.Keys(res)))+`) AND start IN (`+idList(slices.Collect(maps.Keys(starts)))+`)
			ORDER BY metric_id, unit, start`)
		if err != nil {
			return nil, fmt.Errorf("cannot read metric roll-ups: %w", err)
		}
		all, err := scanRollups(rows)
		if err != nil {
			return nil, fmt.Errorf("cannot read metric roll-ups: %w", err)
		}
		return slices.DeleteFunc(all, func(r store.Rollup) bool { return !want[r.RollupKey] }), nil
	}
	rows, err = m.s.db.QueryContext(ctx, rollupSelect+` WHERE resolution = ? AND start < ? AND metric_id IN (
		SELECT DISTINCT metric_id FROM metric_rollups WHERE resolution = ? AND start < ? ORDER BY metric_id LIMIT ?)
		ORDER BY metric_id, unit, start`, q.Resolution, q.StartBefore, q.Resolution, q.StartBefore, q.MaxMetrics)
	if err != nil {
		return nil, fmt.Errorf("cannot read metric roll-ups: %w", err)
	}
	out, err := scanRollups(rows)
	if err != nil {
		return nil, fmt.Errorf("cannot read metric roll-ups: %w", err)
	}
	return out, nil
}

func (m metricsStore) ApplyRollup(ctx context.Context, c store.RollupChange) error {
	err := m.s.write(ctx, func(tx *Tx) error {
		if c.PointsThrough > 0 {
			if _, err := tx.Exec(`DELETE FROM metric_points WHERE seq <= ?`, c.PointsThrough); err != nil {
				return err
			}
		}
		if c.HighResBefore > 0 {
			if _, err := tx.Exec(`DELETE FROM metric_points_hr WHERE ts < ?`, c.HighResBefore); err != nil {
				return err
			}
		}
		if len(c.HighRes) > 0 {
			rows := make([][]driver.Value, len(c.HighRes))
			for i, p := range c.HighRes {
				rows[i] = append([]driver.Value{p.MetricID, p.Timestamp}, pointColumns(p.PointValue)...)
			}
			if err := tx.Append("metric_points_hr", rows); err != nil {
				return err
			}
		}
		del := append(slices.Clone(c.Delete), make([]store.RollupKey, 0, len(c.Put))...)
		for _, r := range c.Put {
			del = append(del, r.RollupKey)
		}
		if err := deleteRollups(tx, del); err != nil {
			return err
		}
		rows := make([][]driver.Value, len(c.Put))
		for i, r := range c.Put {
			rows[i] = []driver.Value{r.MetricID, r.Unit, int32(r.Resolution), r.Start, r.Stop, r.Data}
		}
		return tx.Append("metric_rollups", rows)
	})
	if err != nil {
		return fmt.Errorf("cannot apply a metric roll-up: %w", err)
	}
	return nil
}

// deleteRollups deletes chunks by key, a thousand keys per statement.
func deleteRollups(tx *Tx, keys []store.RollupKey) error {
	for batch := range slices.Chunk(keys, 1000) {
		var values strings.Builder
		args := make([]any, 0, 4*len(batch))
		for i, k := range batch {
			if i > 0 {
				values.WriteString(", ")
			}
			values.WriteString("(?, ?, ?, ?)")
			args = append(args, k.MetricID, k.Unit, int32(k.Resolution), k.Start)
		}
		if _, err := tx.Exec(`DELETE FROM metric_rollups WHERE (metric_id, unit, resolution, start) IN (VALUES `+values.String()+`)`, args...); err != nil {
			return err
		}
	}
	return nil
}

func (m metricsStore) AnomalyDetectors(ctx context.Context, account, region string) ([]store.AnomalyDetector, error) {
	rows, err := m.s.db.QueryContext(ctx, `SELECT spec, configuration, created FROM anomaly_detectors WHERE account = ? AND region = ? ORDER BY spec`, account, region)
	if err != nil {
		return nil, fmt.Errorf("cannot list anomaly detectors: %w", err)
	}
	defer rows.Close()
	var out []store.AnomalyDetector
	for rows.Next() {
		var d store.AnomalyDetector
		if err := rows.Scan(&d.Spec, &d.Configuration, &d.Created); err != nil {
			return nil, fmt.Errorf("cannot list anomaly detectors: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (m metricsStore) PutAnomalyDetector(ctx context.Context, account, region string, d store.AnomalyDetector) error {
	err := m.s.write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO anomaly_detectors VALUES (?, ?, ?, ?, ?)
			ON CONFLICT DO UPDATE SET configuration = excluded.configuration`, account, region, d.Spec, d.Configuration, d.Created)
		return err
	})
	if err != nil {
		return fmt.Errorf("cannot store an anomaly detector: %w", err)
	}
	return nil
}

func (m metricsStore) DeleteAnomalyDetector(ctx context.Context, account, region, spec string) error {
	return m.s.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`DELETE FROM anomaly_detectors WHERE account = ? AND region = ? AND spec = ?`, account, region, spec)
		if err != nil {
			return fmt.Errorf("cannot delete an anomaly detector: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.ErrNotFound
		}
		return nil
	})
}
