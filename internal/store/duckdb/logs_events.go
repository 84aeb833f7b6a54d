package duckdb

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"

	"github.com/vigilhq/vigil/internal/store"
)

// ReserveSeqs reserves n sequence numbers.
func (l logsStore) ReserveSeqs(n int) int64 { return l.s.seq.Add(int64(n)) - int64(n) + 1 }

// Ingest appends a batch of events with DuckDB's appender and updates the
// stream and group statistics and the outbox in the same transaction.
func (l logsStore) Ingest(ctx context.Context, b *store.IngestBatch) error {
	if len(b.Events) == 0 {
		return nil
	}
	err := l.s.write(ctx, func(tx *Tx) error {
		rows := make([][]driver.Value, len(b.Events))
		var bytes int64
		first, last := b.Events[0].Timestamp, b.Events[0].Timestamp
		for i := range b.Events {
			e := &b.Events[i]
			e.Ingestion = b.Ingestion
			e.StreamID = b.StreamID
			rows[i] = []driver.Value{b.GroupID, b.StreamID, e.Timestamp, b.Ingestion, e.Seq, e.Message}
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

// LogEvents returns events in (timestamp, seq) order, with their stream
// names.
func (l logsStore) LogEvents(ctx context.Context, q store.LogEventQuery) ([]store.LogEvent, error) {
	where := []string{"e.group_id = ?"}
	args := []any{q.GroupID}
	if len(q.StreamIDs) > 0 {
		where = append(where, "e.stream_id IN ("+placeholders(len(q.StreamIDs))+")")
		for _, id := range q.StreamIDs {
			args = append(args, id)
		}
	}
	if q.StreamPrefix != "" {
		where = append(where, "starts_with(s.name, ?)")
		args = append(args, q.StreamPrefix)
	}
	if q.Start != nil {
		where = append(where, "e.ts >= ?")
		args = append(args, *q.Start)
	}
	if q.End != nil {
		where = append(where, "e.ts < ?")
		args = append(args, *q.End)
	}
	if q.After != nil {
		where = append(where, "(e.ts, e.seq) > (?, ?)")
		args = append(args, q.After.Timestamp, q.After.Seq)
	}
	if q.Before != nil {
		where = append(where, "(e.ts, e.seq) < (?, ?)")
		args = append(args, q.Before.Timestamp, q.Before.Seq)
	}
	for _, t := range q.Terms {
		where = append(where, "contains(e.message, ?)")
		args = append(args, t)
	}
	order := "e.ts, e.seq"
	if q.Backward {
		order = "e.ts DESC, e.seq DESC"
	}
	query := `SELECT e.stream_id, s.name, e.ts, e.ingest, e.seq, e.message FROM log_events e JOIN log_streams s ON s.id = e.stream_id
		WHERE ` + strings.Join(where, " AND ") + ` ORDER BY ` + order
	if q.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", q.Limit)
	}
	rows, err := l.s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("cannot read log events: %w", err)
	}
	defer rows.Close()
	var out []store.LogEvent
	for rows.Next() {
		var e store.LogEvent
		if err := rows.Scan(&e.StreamID, &e.Stream, &e.Timestamp, &e.Ingestion, &e.Seq, &e.Message); err != nil {
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

func (l logsStore) DeleteEventsBefore(ctx context.Context, groupID, ts int64) (int64, error) {
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
