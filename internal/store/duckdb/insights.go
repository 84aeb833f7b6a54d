package duckdb

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/vigilhq/vigil/internal/insights"
	"github.com/vigilhq/vigil/internal/store"
)

// DefaultQueryLimit is the most rows a Logs Insights query returns when
// neither the request nor the query sets a limit (StartQuery's default).
const DefaultQueryLimit = 10000

// fieldsSample bounds the events LogGroupFields reads.
const fieldsSample = 10000

var _ store.LogQuerier = (*Store)(nil)

// RunLogQuery runs a compiled Logs Insights query as one SQL statement
// (see insights_sql.go), plus a count of the scanned events and, for
// queries that filter events without stats, of the matched ones.
//
// Statistics follow QueryStatistics: recordsScanned counts the events of
// the groups in the time range, bytesScanned their message bytes, and
// recordsMatched the events that pass the filters (before stats, dedup
// and limit).
func (s *Store) RunLogQuery(ctx context.Context, q store.LogQuery) (*store.LogQueryResult, error) {
	if q.Plan == nil {
		return nil, errors.New("BUG: log query without a plan")
	}
	p := q.Plan
	res := &store.LogQueryResult{Rows: [][]*string{}}
	for _, c := range p.Columns {
		res.Fields = append(res.Fields, c.Name)
	}
	if !p.Aggregated {
		res.Fields = append(res.Fields, "@ptr")
	}
	if len(q.Groups) == 0 || q.End < q.Start {
		return res, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultQueryLimit
	}
	if p.Limit > 0 && p.Limit < limit {
		limit = p.Limit
	}
	now := q.Now
	if now == 0 {
		now = s.clock.Now().UnixMilli()
	}
	r, err := renderInsights(q, now, limit, func() (map[int64]string, error) {
		ids := make([]int64, len(q.Groups))
		for i, g := range q.Groups {
			ids[i] = g.ID
		}
		return s.names.StreamNames(ctx, ids)
	})
	if err != nil {
		return nil, err
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot open a connection for a log query: %w", err)
	}
	defer conn.Close()
	if err := registerInsightsUDFs(ctx, conn); err != nil {
		return nil, err
	}
	rows, err := conn.QueryContext(ctx, r.with+"\n"+r.main)
	if err != nil {
		return nil, queryError(ctx, err)
	}
	var matched any
	cells := make([]sql.NullString, r.outCols)
	nums := make([]sql.NullFloat64, r.outCols)
	dest := make([]any, 0, r.outCols+2)
	for i := range cells {
		if r.numeric[i] {
			dest = append(dest, &nums[i])
		} else {
			dest = append(dest, &cells[i])
		}
	}
	var gid, seq int64
	if p.Aggregated {
		dest = append(dest, &matched)
	} else {
		dest = append(dest, &gid, &seq)
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return nil, fmt.Errorf("cannot read log query results: %w", err)
		}
		row := make([]*string, len(res.Fields))
		for i, c := range cells {
			switch {
			case r.numeric[i] && nums[i].Valid:
				v := insights.FormatNumber(nums[i].Float64)
				row[i] = &v
			case c.Valid:
				v := c.String
				row[i] = &v
			}
		}
		if !p.Aggregated {
			ptr := encodePtr(gid, seq)
			row[len(row)-1] = &ptr
		}
		res.Rows = append(res.Rows, row)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, queryError(ctx, err)
	}

	var scanned, bytes sql.NullFloat64
	if err := conn.QueryRowContext(ctx, scanStatsSQL(q)).Scan(&scanned, &bytes); err != nil {
		return nil, queryError(ctx, err)
	}
	res.RecordsScanned, res.BytesScanned = scanned.Float64, bytes.Float64
	switch {
	case p.Aggregated:
		res.RecordsMatched = toFloat(matched)
	case r.matched != "":
		var n int64
		if err := conn.QueryRowContext(ctx, r.with+"\n"+r.matched).Scan(&n); err != nil {
			return nil, queryError(ctx, err)
		}
		res.RecordsMatched = float64(n)
	default:
		res.RecordsMatched = res.RecordsScanned
	}
	return res, nil
}

// scanStatsSQL counts the events of each group in the time range and
// estimates their bytes from the group's stored bytes per event (the
// stream statistics): summing the messages' lengths would read every
// message (half a second per ten million events), more than most queries
// cost. The estimate is exact when the range holds all of a group's
// events.
func scanStatsSQL(q store.LogQuery) string {
	ids := make([]string, len(q.Groups))
	for i, g := range q.Groups {
		ids[i] = strconv.FormatInt(g.ID, 10)
	}
	in := strings.Join(ids, ", ")
	return fmt.Sprintf(`WITH scanned AS (SELECT group_id, count(*) AS n FROM log_events WHERE group_id IN (%[1]s) AND ts BETWEEN %[2]d AND %[3]d GROUP BY group_id),
		totals AS (SELECT group_id, count(*) AS n FROM log_events WHERE group_id IN (SELECT group_id FROM scanned) GROUP BY group_id),
		stored AS (SELECT group_id, sum(bytes) AS bytes FROM log_stream_stats WHERE group_id IN (%[1]s) GROUP BY group_id)
		SELECT sum(s.n), sum(s.n * coalesce(b.bytes, 0) / t.n) FROM scanned s JOIN totals t USING (group_id) LEFT JOIN stored b USING (group_id)`,
		in, q.Start, q.End)
}

func toFloat(v any) float64 {
	switch v := v.(type) {
	case int64:
		return float64(v)
	case float64:
		return v
	case *big.Int:
		f, _ := new(big.Float).SetInt(v).Float64()
		return f
	case int32:
		return float64(v)
	}
	return 0
}

func queryError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("cannot run log query: %w", err)
}

// encodePtr makes the opaque @ptr of an event: its group and sequence
// number.
func encodePtr(group, seq int64) string {
	b := binary.AppendUvarint([]byte{1}, uint64(group))
	b = binary.AppendUvarint(b, uint64(seq))
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodePtr(ptr string) (group, seq int64, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(ptr)
	if err != nil || len(b) < 3 || b[0] != 1 {
		return 0, 0, false
	}
	g, n := binary.Uvarint(b[1:])
	if n <= 0 {
		return 0, 0, false
	}
	sq, m := binary.Uvarint(b[1+n:])
	if m <= 0 || 1+n+m != len(b) || g > math.MaxInt64 || sq > math.MaxInt64 {
		return 0, 0, false
	}
	return int64(g), int64(sq), true
}

// LogRecord returns the fields of the event a @ptr names, as GetLogRecord
// shows them: the system fields (times in milliseconds) and the
// discovered fields.
func (s *Store) LogRecord(ctx context.Context, ptr string) (map[string]string, error) {
	group, seq, ok := decodePtr(ptr)
	if !ok {
		return nil, fmt.Errorf("log record %q: %w", ptr, store.ErrNotFound)
	}
	var ts, ingest, stream int64
	var message string
	err := s.db.QueryRowContext(ctx, `SELECT ts, ingest, stream_id, message FROM log_events WHERE group_id = ? AND seq = ?`,
		group, seq).Scan(&ts, &ingest, &stream, &message)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("log record %q: %w", ptr, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read log record: %w", err)
	}
	log, streamName, err := s.names.LogRef(ctx, group, stream)
	if err != nil {
		return nil, fmt.Errorf("log record %q: %w", ptr, err)
	}
	rec := map[string]string{
		"@timestamp":     strconv.FormatInt(ts, 10),
		"@ingestionTime": strconv.FormatInt(ingest, 10),
		"@logStream":     streamName,
		"@log":           log,
		"@message":       message,
	}
	for _, f := range insights.DiscoverFields(message) {
		if _, ok := rec[f.Name]; !ok {
			rec[f.Name] = f.Value
		}
	}
	return rec, nil
}

// maxGroupFields is the most fields discovered in a log group (AWS's
// quota).
const maxGroupFields = 1000

// LogGroupFields discovers the fields of the newest events (up to 10,000)
// of a group in a time range, with the share of those events that have
// each field: the system fields first, then the others by share and name.
func (s *Store) LogGroupFields(ctx context.Context, group store.LogGroupRef, start, end int64) ([]store.LogField, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT message FROM log_events WHERE group_id = ? AND ts BETWEEN ? AND ?
		ORDER BY ts DESC, seq DESC LIMIT ?`, group.ID, start, end, fieldsSample)
	if err != nil {
		return nil, fmt.Errorf("cannot read the events of log group %s: %w", group.Log, err)
	}
	defer rows.Close()
	counts := map[string]int{}
	total := 0
	for rows.Next() {
		var msg string
		if err := rows.Scan(&msg); err != nil {
			return nil, fmt.Errorf("cannot read the events of log group %s: %w", group.Log, err)
		}
		total++
		for _, f := range insights.DiscoverFields(msg) {
			counts[f.Name]++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cannot read the events of log group %s: %w", group.Log, err)
	}
	if total == 0 {
		return []store.LogField{}, nil
	}
	out := []store.LogField{}
	for _, n := range []string{"@timestamp", "@message", "@logStream", "@log", "@ingestionTime"} {
		out = append(out, store.LogField{Name: n, Percent: 100})
	}
	var found []store.LogField
	for n, c := range counts {
		found = append(found, store.LogField{Name: n, Percent: int(math.Round(100 * float64(c) / float64(total)))})
	}
	sort.Slice(found, func(i, j int) bool {
		if found[i].Percent != found[j].Percent {
			return found[i].Percent > found[j].Percent
		}
		return found[i].Name < found[j].Name
	})
	if len(found) > maxGroupFields-len(out) {
		found = found[:maxGroupFields-len(out)]
	}
	return append(out, found...), nil
}
