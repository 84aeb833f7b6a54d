package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/vigilhq/vigil/internal/store"
)

// ReserveSeqs reserves n sequence numbers from the in-memory counter,
// which maintenance records in the database (maintain.go).
func (l LogEvents) ReserveSeqs(_ context.Context, n int) (int64, error) {
	return l.s.seq.Add(int64(n)) - int64(n) + 1, nil
}

// Ingest appends a batch of events with DuckDB's appender and updates the
// stream and group statistics and the outbox in the same transaction. A
// batch for a stream purged meanwhile fails with ErrNotFound.
func (l LogEvents) Ingest(ctx context.Context, b *store.IngestBatch) error {
	if len(b.Events) == 0 {
		return nil
	}
	err := l.s.write(ctx, func(tx *Tx) error {
		if l.s.purged.has(b.GroupID, b.StreamID) {
			return fmt.Errorf("log stream %d: %w", b.StreamID, store.ErrNotFound)
		}
		// The columns shared by every row are boxed once, and the rows
		// share one backing array: a batch is thousands of rows.
		const columns = 6
		group, stream, ingestion := driver.Value(b.GroupID), driver.Value(b.StreamID), driver.Value(b.Ingestion)
		values := make([]driver.Value, columns*len(b.Events))
		rows := make([][]driver.Value, len(b.Events))
		var bytes int64
		first, last := b.Events[0].Timestamp, b.Events[0].Timestamp
		for i := range b.Events {
			e := &b.Events[i]
			e.Ingestion = b.Ingestion
			e.StreamID = b.StreamID
			row := values[i*columns : (i+1)*columns : (i+1)*columns]
			row[0], row[1], row[2], row[3], row[4], row[5] = group, stream, e.Timestamp, ingestion, e.Seq, e.Message
			rows[i] = row
			bytes += int64(len(e.Message))
			first, last = min(first, e.Timestamp), max(last, e.Timestamp)
		}
		if err := tx.Append("log_events", rows); err != nil {
			return err
		}
		if err := tx.Append("log_stream_stats", [][]driver.Value{{b.StreamID, b.GroupID, first, last, b.Ingestion, bytes}}); err != nil {
			return err
		}
		return enqueue(tx, b.Outbox)
	})
	if err != nil {
		return fmt.Errorf("cannot store %d log events: %w", len(b.Events), err)
	}
	return nil
}

// firstWindow is the time span of the first query of a windowed search;
// each next window is windowGrowth times wider, so that a search over 14
// days takes at most a dozen queries.
const (
	firstWindow  = int64(1000)
	windowGrowth = 4
)

// LogEvents returns events in (timestamp, seq) order (without their
// stream names; StreamPrefix must be resolved to StreamIDs by the caller).
//
// A limited query searches in growing time windows from the end it reads,
// within the range the events of its streams span: DuckDB answers ORDER
// BY ts LIMIT n by reading every row that matches, while a narrow ts
// range lets it skip row groups by their min/max (rows arrive roughly in
// time order), so the newest page of a stream of millions of events reads
// only its last row groups.
func (l LogEvents) LogEvents(ctx context.Context, q store.LogEventQuery) ([]store.LogEvent, error) {
	if q.Limit <= 0 {
		return l.logEvents(ctx, q)
	}
	lo, hi, err := l.timeRange(ctx, q)
	if err != nil || lo >= hi {
		return nil, err
	}
	var out []store.LogEvent
	w := firstWindow
	for {
		wq := q
		wq.Limit = q.Limit - len(out)
		wlo, whi := max(lo, hi-w), hi
		if !q.Backward {
			wlo, whi = lo, min(hi, lo+w)
		}
		wq.Start, wq.End = &wlo, &whi
		done := wlo == lo && whi == hi
		if q.Backward {
			hi = wlo
		} else {
			lo = whi
		}
		events, err := l.logEvents(ctx, wq)
		if err != nil {
			return nil, err
		}
		if q.Backward {
			out = append(events, out...)
		} else {
			out = append(out, events...)
		}
		if done || len(out) >= q.Limit {
			return out, nil
		}
		w *= windowGrowth
	}
}

// timeRange is the query's timestamp range [lo, hi): its time and
// position bounds, within the first and last events of its streams.
func (l LogEvents) timeRange(ctx context.Context, q store.LogEventQuery) (lo, hi int64, err error) {
	query := `SELECT min(first_event), max(last_event) + 1 FROM log_stream_stats WHERE group_id = ?`
	args := []any{q.GroupID}
	if len(q.StreamIDs) > 0 {
		query += " AND stream_id IN (" + placeholders(len(q.StreamIDs)) + ")"
		for _, id := range q.StreamIDs {
			args = append(args, id)
		}
	}
	var first, end sql.NullInt64
	if err := l.s.db.QueryRowContext(ctx, query, args...).Scan(&first, &end); err != nil {
		return 0, 0, fmt.Errorf("cannot read log events: %w", err)
	}
	if !first.Valid {
		return 0, 0, nil // no events
	}
	lo, hi = first.Int64, end.Int64
	if q.Start != nil {
		lo = max(lo, *q.Start)
	}
	if q.After != nil {
		lo = max(lo, q.After.Timestamp)
	}
	if q.End != nil {
		hi = min(hi, *q.End)
	}
	if q.Before != nil {
		hi = min(hi, q.Before.Timestamp+1)
	}
	return lo, hi, nil
}

// logEvents runs one query. Time bounds are written into the statement
// rather than bound as parameters, so that DuckDB prunes row groups by
// them.
//
// DuckDB's top-N reads every column of every matching row, and messages
// are most of the bytes: a limited query without terms first finds where
// its page ends from timestamps and sequence numbers alone, then reads
// the messages of the page only.
func (l LogEvents) logEvents(ctx context.Context, q store.LogEventQuery) ([]store.LogEvent, error) {
	where := []string{"e.group_id = ?"}
	args := []any{q.GroupID}
	if len(q.StreamIDs) > 0 {
		where = append(where, "e.stream_id IN ("+placeholders(len(q.StreamIDs))+")")
		for _, id := range q.StreamIDs {
			args = append(args, id)
		}
	}
	if q.StreamPrefix != "" {
		return nil, errors.New("BUG: duckdb: log events by stream prefix (resolve it to stream ids)")
	}
	if q.Start != nil {
		where = append(where, "e.ts >= "+strconv.FormatInt(*q.Start, 10))
	}
	if q.End != nil {
		where = append(where, "e.ts < "+strconv.FormatInt(*q.End, 10))
	}
	if q.After != nil {
		where = append(where, positionCond(">", *q.After))
	}
	if q.Before != nil {
		where = append(where, positionCond("<", *q.Before))
	}
	for _, t := range q.Terms {
		where = append(where, "contains(e.message, ?)")
		args = append(args, t)
	}
	order, reverse, cmp := "e.ts, e.seq", "ts DESC, seq DESC", "<="
	if q.Backward {
		order, reverse, cmp = "e.ts DESC, e.seq DESC", "ts, seq", ">="
	}
	from := `FROM log_events e WHERE `
	limit := ""
	if q.Limit > 0 {
		limit = fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	if q.Limit > 0 && len(q.Terms) == 0 {
		var ts, seq int64
		err := l.s.db.QueryRowContext(ctx, `SELECT ts, seq FROM (SELECT e.ts, e.seq `+from+strings.Join(where, " AND ")+
			` ORDER BY `+order+limit+`) ORDER BY `+reverse+` LIMIT 1`, args...).Scan(&ts, &seq)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("cannot read log events: %w", err)
		}
		where = append(where, positionCond(cmp, store.Position{Timestamp: ts, Seq: seq}))
	}
	query := `SELECT e.stream_id, e.ts, e.ingest, e.seq, e.message ` + from + strings.Join(where, " AND ") + ` ORDER BY ` + order + limit
	rows, err := l.s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("cannot read log events: %w", err)
	}
	defer rows.Close()
	var out []store.LogEvent
	for rows.Next() {
		var e store.LogEvent
		if err := rows.Scan(&e.StreamID, &e.Timestamp, &e.Ingestion, &e.Seq, &e.Message); err != nil {
			return nil, fmt.Errorf("cannot read log events: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cannot read log events: %w", err)
	}
	if q.Backward {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out, nil
}

// positionCond compares (ts, seq) with p by op (<, <=, > or >=), spelled
// out rather than as a row comparison: DuckDB folds two row comparisons
// into a BETWEEN it then cannot run, and prunes row groups only by a
// plain comparison of ts.
func positionCond(op string, p store.Position) string {
	strict := op[:1]
	return fmt.Sprintf("e.ts %s= %d AND (e.ts %s %d OR e.seq %s %d)", strict, p.Timestamp, strict, p.Timestamp, op, p.Seq)
}

func (l LogEvents) DeleteEventsBefore(ctx context.Context, groupID, ts int64) (int64, error) {
	var n int64
	err := l.s.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`DELETE FROM log_events WHERE group_id = ? AND ts < ?`, groupID, ts)
		if err != nil {
			return err
		}
		if n, _ = res.RowsAffected(); n == 0 {
			return nil
		}
		// Recompute the group's stream statistics from what is left.
		if _, err := tx.Exec(`DELETE FROM log_stream_stats WHERE group_id = ?`, groupID); err != nil {
			return err
		}
		_, err = tx.Exec(`INSERT INTO log_stream_stats SELECT stream_id, group_id, min(ts), max(ts), max(ingest), sum(strlen(message))
			FROM log_events WHERE group_id = ? GROUP BY stream_id, group_id`, groupID)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("cannot expire log events of group %d: %w", groupID, err)
	}
	return n, nil
}
