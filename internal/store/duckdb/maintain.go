package duckdb

import (
	"context"
	"fmt"
	"strconv"
)

// Maintenance keeps the delta tables small and the counters safe: the
// composition root schedules Maintain (every minute), and it runs once
// more when the store closes.

// deltaTables are compacted to one row per key.
var deltaTables = []struct {
	table, compact string
}{
	{"log_stream_stats", `SELECT stream_id, group_id, min(first_event), max(last_event), max(last_ingestion), sum(bytes)
		FROM log_stream_stats GROUP BY stream_id, group_id`},
	{"metric_activity", `SELECT metric_id, max(last_seen) FROM metric_activity GROUP BY metric_id`},
}

// Maintain compacts the delta tables whose rows outnumber their keys and
// records the sequence counters, so that event ids are never reused even
// when every event has expired.
func (s *Store) Maintain(ctx context.Context) error {
	for _, d := range deltaTables {
		err := s.write(ctx, func(tx *Tx) error {
			var rows, keys int64
			if err := tx.QueryRow(`SELECT count(*), (SELECT count(*) FROM (`+d.compact+`)) FROM `+d.table).Scan(&rows, &keys); err != nil {
				return err
			}
			if rows < 2*keys+1000 {
				return nil
			}
			for _, q := range []string{
				`CREATE OR REPLACE TEMP TABLE compacted AS ` + d.compact,
				`DELETE FROM ` + d.table,
				`INSERT INTO ` + d.table + ` SELECT * FROM compacted`,
				`DROP TABLE compacted`,
			} {
				if _, err := tx.Exec(q); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("cannot compact %s: %w", d.table, err)
		}
	}
	return s.write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT OR REPLACE INTO vigil_meta VALUES ('log_seq', ?), ('outbox_id', ?)`,
			strconv.FormatInt(s.seq.Load(), 10), strconv.FormatInt(s.outboxID.Load(), 10))
		return err
	})
}

// loadCounters sets the sequence counters past every number used so far.
func (s *Store) loadCounters(ctx context.Context) error {
	for _, c := range []struct {
		name, query string
		into        interface{ Store(int64) }
	}{
		{"log_seq", `SELECT coalesce(max(seq), 0) FROM log_events`, &s.seq},
		{"outbox_id", `SELECT coalesce(max(id), 0) FROM outbox`, &s.outboxID},
		// Only the order of the pending points matters: the counter is
		// not recorded.
		{"metric_seq", `SELECT coalesce(max(seq), 0) FROM metric_batches`, &s.metricSeq},
	} {
		var used, recorded int64
		if err := s.db.QueryRowContext(ctx, c.query).Scan(&used); err != nil {
			return fmt.Errorf("cannot read counter %s: %w", c.name, err)
		}
		var v string
		if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(value), '0') FROM vigil_meta WHERE key = ?`, c.name).Scan(&v); err != nil {
			return fmt.Errorf("cannot read counter %s: %w", c.name, err)
		}
		recorded, _ = strconv.ParseInt(v, 10, 64)
		c.into.Store(max(used, recorded))
	}
	return nil
}
