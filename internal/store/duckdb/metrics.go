package duckdb

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// Metrics returns the store of CloudWatch metric data.
func (s *Store) Metrics() Metrics { return Metrics{s} }

// Metrics stores CloudWatch metric data: store.Metrics but for anomaly
// detectors, which are resource state (package sqlite).
type Metrics struct{ s *Store }

// metricIDs returns the ids of the metrics of points, creating the
// metrics that are new in tx, and the metrics it read or created, which
// the caller caches once tx has committed (metrics are never renumbered
// nor deleted).
func (m Metrics) metricIDs(tx *Tx, points []store.MetricPoint, now int64) (ids []int64, learned []store.Metric, err error) {
	ids = make([]int64, len(points))
	local := map[store.MetricKey]int64{}
	var missing []store.MetricKey
	for i := range points {
		k := points[i].Key
		if mt, ok := m.s.metrics.Get(k, m.s.clock.Now()); ok {
			ids[i] = mt.ID
		} else if _, ok := local[k]; !ok {
			local[k] = 0
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		rows, err := tx.Query(lookupQuery(missing))
		if err != nil {
			return nil, nil, err
		}
		learned, err = scanMetrics(rows)
		if err != nil {
			return nil, nil, err
		}
		for _, mt := range learned {
			local[mt.Key] = mt.ID
		}
		var fresh [][]driver.Value
		for _, k := range missing {
			if local[k] != 0 {
				continue
			}
			var id int64
			if err := tx.QueryRow(`SELECT nextval('metric_ids')`).Scan(&id); err != nil {
				return nil, nil, err
			}
			local[k] = id
			learned = append(learned, store.Metric{ID: id, Key: k, FirstSeen: now})
			fresh = append(fresh, []driver.Value{id, k.Account, k.Region, k.Namespace, k.Name, k.Dimensions, now})
		}
		if err := tx.Append("metrics", fresh); err != nil {
			return nil, nil, err
		}
	}
	for i := range points {
		if ids[i] == 0 {
			ids[i] = local[points[i].Key]
		}
	}
	return ids, learned, nil
}

// activityEvery is how often a metric's ingestion time is recorded:
// RecentlyActive (three hours) needs no finer grain, and one row per
// metric and write would cost more than the points.
const activityEvery = int64(60_000)

func (m Metrics) PutMetricPoints(ctx context.Context, points []store.MetricPoint, now int64) error {
	if len(points) == 0 {
		return nil
	}
	var learned []store.Metric
	var active []int64
	err := m.s.write(ctx, func(tx *Tx) error {
		ids, l, err := m.metricIDs(tx, points, now)
		if err != nil {
			return err
		}
		learned = l
		data, lo, hi := encodePoints(ids, points)
		seq := m.s.metricSeq.Add(1)
		if err := tx.Append("metric_batches", [][]driver.Value{{seq, lo, hi, int32(len(points)), data}}); err != nil {
			return err
		}
		active = active[:0]
		var activity [][]driver.Value
		seen := map[int64]bool{}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			if _, ok := m.s.activity.Get(id, time.UnixMilli(now)); ok {
				continue
			}
			active = append(active, id)
			activity = append(activity, []driver.Value{id, now})
		}
		return tx.Append("metric_activity", activity)
	})
	if err != nil {
		return fmt.Errorf("cannot store %d metric data points: %w", len(points), err)
	}
	m.s.cacheMetrics(learned, m.s.clock.Now())
	for _, id := range active {
		m.s.activity.Put(id, struct{}{}, time.UnixMilli(now))
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

func (m Metrics) ListMetrics(ctx context.Context, q store.MetricQuery) ([]store.Metric, error) {
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
	out, err := scanMetrics(rows)
	if err != nil {
		return nil, fmt.Errorf("cannot list metrics: %w", err)
	}
	return out, nil
}

// LookupMetrics answers from the cache of metrics seen before where it
// can; planning a query of a few hundred keys costs DuckDB milliseconds.
func (m Metrics) LookupMetrics(ctx context.Context, keys []store.MetricKey) ([]store.Metric, error) {
	var out []store.Metric
	var missing []store.MetricKey
	for _, k := range keys {
		if mt, ok := m.s.metrics.Get(k, m.s.clock.Now()); ok {
			out = append(out, mt)
		} else {
			missing = append(missing, k)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	rows, err := m.s.db.QueryContext(ctx, lookupQuery(missing))
	if err != nil {
		return nil, fmt.Errorf("cannot look up metrics: %w", err)
	}
	found, err := scanMetrics(rows)
	if err != nil {
		return nil, fmt.Errorf("cannot look up metrics: %w", err)
	}
	m.s.cacheMetrics(found, m.s.clock.Now())
	return append(out, found...), nil
}

// cacheMetrics remembers committed metrics as LookupMetrics returns them.
func (s *Store) cacheMetrics(ms []store.Metric, now time.Time) {
	for _, mt := range ms {
		s.metrics.Put(mt.Key, mt, now)
	}
}

// lookupQuery selects the metrics with the keys. The keys are written into
// the query as string literals: DuckDB plans a VALUES list of thousands of
// literals far faster than as many parameters.
func lookupQuery(keys []store.MetricKey) string {
	var b strings.Builder
	b.WriteString(`SELECT id, account, region, namespace, name, dimensions, first_seen, 0
		FROM metrics WHERE (account, region, namespace, name, dimensions) IN (VALUES `)
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j, v := range []string{k.Account, k.Region, k.Namespace, k.Name, k.Dimensions} {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(quote(v))
		}
		b.WriteByte(')')
	}
	b.WriteByte(')')
	return b.String()
}

func scanMetrics(rows *sql.Rows) ([]store.Metric, error) {
	defer rows.Close()
	var out []store.Metric
	for rows.Next() {
		var mt store.Metric
		k := &mt.Key
		if err := rows.Scan(&mt.ID, &k.Account, &k.Region, &k.Namespace, &k.Name, &k.Dimensions, &mt.FirstSeen, &mt.LastSeen); err != nil {
			return nil, err
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

func (m Metrics) MetricData(ctx context.Context, q store.MetricDataQuery) (store.MetricData, error) {
	var d store.MetricData
	if len(q.IDs) == 0 {
		return d, nil
	}
	ids := idList(q.IDs)
	wanted := make(map[int64]bool, len(q.IDs))
	for _, id := range q.IDs {
		wanted[id] = true
	}
	keep := func(p *store.StoredPoint) {
		if wanted[p.MetricID] && p.Timestamp >= q.Start && p.Timestamp < q.End {
			d.Points = append(d.Points, *p)
		}
	}
	err := m.s.snapshot(ctx, func(conn *sql.Conn) error {
		rows, err := conn.QueryContext(ctx, `SELECT seq, data FROM metric_batches WHERE max_ts >= ? AND min_ts < ?`, q.Start, q.End)
		if err != nil {
			return err
		}
		if _, err = decodeBatches(rows, keep); err != nil {
			return err
		}
		rows, err = conn.QueryContext(ctx, `SELECT metric_id, ts, 1, unit, count, sum, min, max, dist FROM metric_points_hr
			WHERE metric_id IN (`+ids+`) AND ts >= ? AND ts < ?`, q.Start, q.End)
		if err != nil {
			return err
		}
		if d.Points, err = scanPoints(rows, d.Points); err != nil {
			return err
		}
		slices.SortStableFunc(d.Points, func(a, b store.StoredPoint) int {
			return cmp.Or(cmp.Compare(a.MetricID, b.MetricID), cmp.Compare(a.Timestamp, b.Timestamp))
		})
		if len(q.Resolutions) == 0 {
			return nil
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

// decodeBatches calls fn with the points of the batches rows holds (seq
// and data columns), and returns the last batch's seq.
func decodeBatches(rows *sql.Rows, fn func(*store.StoredPoint)) (last int64, err error) {
	defer rows.Close()
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&last, &data); err != nil {
			return 0, err
		}
		if err := decodePoints(data, fn); err != nil {
			return 0, err
		}
	}
	return last, rows.Err()
}

func (m Metrics) PendingPoints(ctx context.Context, after int64, limit int, fn func(*store.StoredPoint)) (int64, error) {
	through, err := func() (int64, error) {
		// The batches to read are chosen from their point counts first:
		// reading the table with its data in seq order would sort every
		// pending point.
		var last int64
		err := m.s.db.QueryRowContext(ctx, `SELECT seq FROM (SELECT seq, sum(points) OVER (ORDER BY seq) AS total FROM metric_batches WHERE seq > ?)
			WHERE total >= ? OR seq = (SELECT max(seq) FROM metric_batches) ORDER BY seq LIMIT 1`, after, limit).Scan(&last)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		rows, err := m.s.db.QueryContext(ctx, `SELECT seq, data FROM metric_batches WHERE seq > ? AND seq <= ? ORDER BY seq`, after, last)
		if err != nil {
			return 0, err
		}
		return decodeBatches(rows, fn)
	}()
	if err != nil {
		return 0, fmt.Errorf("cannot read pending metric points: %w", err)
	}
	return through, nil
}

func (m Metrics) HighResPoints(ctx context.Context, before int64) ([]store.StoredPoint, error) {
	rows, err := m.s.db.QueryContext(ctx, `SELECT metric_id, ts, 1, unit, count, sum, min, max, dist FROM metric_points_hr WHERE ts < ?`, before)
	if err != nil {
		return nil, fmt.Errorf("cannot read high-resolution metric points: %w", err)
	}
	points, err := scanPoints(rows, nil)
	if err != nil {
		return nil, fmt.Errorf("cannot read high-resolution metric points: %w", err)
	}
	return points, nil
}

func (m Metrics) Rollups(ctx context.Context, q store.RollupQuery) ([]store.Rollup, error) {
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

func (m Metrics) ApplyRollup(ctx context.Context, c store.RollupChange) error {
	err := m.s.write(ctx, func(tx *Tx) error {
		if c.PointsThrough > 0 {
			if _, err := tx.Exec(`DELETE FROM metric_batches WHERE seq <= ?`, c.PointsThrough); err != nil {
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
// deleteRollups deletes chunks by key. The keys are written into the
// statement: binding four thousand parameters costs DuckDB more than the
// delete.
func deleteRollups(tx *Tx, keys []store.RollupKey) error {
	for batch := range slices.Chunk(keys, 1000) {
		var values strings.Builder
		for i, k := range batch {
			if i > 0 {
				values.WriteString(", ")
			}
			fmt.Fprintf(&values, "(%d, %s, %d, %d)", k.MetricID, quote(k.Unit), k.Resolution, k.Start)
		}
		if _, err := tx.Exec(`DELETE FROM metric_rollups WHERE (metric_id, unit, resolution, start) IN (VALUES ` + values.String() + `)`); err != nil {
			return err
		}
	}
	return nil
}
