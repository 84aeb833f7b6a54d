package duckdb

import (
	"context"
	"fmt"
	"strings"
)

// DuckDB keeps the telemetry of CloudWatch Logs: events and the statistics
// ingestion derives from them (event times, stored bytes), by group and
// stream id. The groups and streams themselves — their names, retention,
// filters — are resource state, kept by the state store (package sqlite);
// the embedded backend (package embedded) joins the two.

// LogEvents is the telemetry of CloudWatch Logs.
type LogEvents struct{ s *Store }

// Logs returns the store of log events.
func (s *Store) Logs() LogEvents { return LogEvents{s} }

// StreamStats are the statistics of a stream's events.
type StreamStats struct {
	FirstEvent, LastEvent, LastIngestion int64
	Bytes                                int64
}

// Statistics are telemetry: reading them first commits the events the
// journal holds (only when it holds any), like every read of events.

// StreamStats returns the statistics of a group's streams that have
// events (those of ids only, when given).
func (l LogEvents) StreamStats(ctx context.Context, groupID int64, ids ...int64) (map[int64]StreamStats, error) {
	query := `SELECT stream_id, min(first_event), max(last_event), max(last_ingestion), sum(bytes)
		FROM log_stream_stats WHERE group_id = ?`
	args := []any{groupID}
	if len(ids) > 0 {
		query += ` AND stream_id IN (` + placeholders(len(ids)) + `)`
		for _, id := range ids {
			args = append(args, id)
		}
	}
	rows, err := l.s.db.QueryContext(ctx, query+` GROUP BY stream_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("cannot read stream statistics: %w", err)
	}
	defer rows.Close()
	out := map[int64]StreamStats{}
	for rows.Next() {
		var id int64
		var st StreamStats
		if err := rows.Scan(&id, &st.FirstEvent, &st.LastEvent, &st.LastIngestion, &st.Bytes); err != nil {
			return nil, fmt.Errorf("cannot read stream statistics: %w", err)
		}
		out[id] = st
	}
	return out, rows.Err()
}

// StoredBytes returns the bytes of the event messages of groups, by id
// (groups without events are absent).
func (l LogEvents) StoredBytes(ctx context.Context, groupIDs []int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	if len(groupIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(groupIDs))
	for i, id := range groupIDs {
		args[i] = id
	}
	rows, err := l.s.db.QueryContext(ctx, `SELECT group_id, sum(bytes) FROM log_stream_stats
		WHERE group_id IN (`+placeholders(len(groupIDs))+`) GROUP BY group_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("cannot read stored bytes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("cannot read stored bytes: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}

// Purge deletes the events and statistics of a deleted group (streamID 0)
// or stream. An Ingest into it that races the deletion fails with
// ErrNotFound instead of leaving events nobody can see.
func (l LogEvents) Purge(ctx context.Context, groupID, streamID int64) error {
	err := l.s.write(ctx, func(tx *Tx) error {
		col, id := "group_id", groupID
		if streamID != 0 {
			col, id = "stream_id", streamID
		}
		for _, table := range []string{"log_events", "log_stream_stats"} {
			if _, err := tx.Exec(`DELETE FROM `+table+` WHERE `+col+` = ?`, id); err != nil {
				return err
			}
		}
		l.s.purged.add(groupID, streamID)
		return nil
	})
	if err != nil {
		return fmt.Errorf("cannot delete the events of log group %d (stream %d): %w", groupID, streamID, err)
	}
	return nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// purgedSet remembers the groups and streams purged lately, so that an
// Ingest racing a deletion (its caller resolved the stream just before)
// fails instead of storing events nobody can see. Only the writer
// goroutine uses it. It keeps two generations of at most purgedKeep ids:
// a race lasts as long as callers cache a resolved stream, seconds.
type purgedSet struct {
	cur, prev map[[2]int64]bool
}

const purgedKeep = 4096

func (p *purgedSet) add(group, stream int64) {
	if len(p.cur) >= purgedKeep || p.cur == nil {
		p.prev, p.cur = p.cur, map[[2]int64]bool{}
	}
	p.cur[[2]int64{group, stream}] = true
}

// has reports whether the stream or its group was purged.
func (p *purgedSet) has(group, stream int64) bool {
	for _, k := range [][2]int64{{group, 0}, {group, stream}} {
		if p.cur[k] || p.prev[k] {
			return true
		}
	}
	return false
}
