package duckdb

import (
	"context"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// Lake returns the store of CloudTrail Lake's events (tables
// cloudtrail_lake_events and cloudtrail_lake_cursors).
func (s *Store) Lake() store.LakeEvents { return lake{s} }

type lake struct{ s *Store }

var _ store.LakeEvents = lake{}

func (l lake) IngestLake(ctx context.Context, batches []store.LakeBatch) error {
	err := l.s.write(ctx, func(tx *Tx) error {
		for _, b := range batches {
			rows := make([][]driver.Value, len(b.Events))
			for i, e := range b.Events {
				rows[i] = []driver.Value{b.Store, e.Seq, time.UnixMilli(e.Time).UTC(), e.ID, e.Name, e.Source, e.Region,
					e.RecipientAccount, e.EventType, e.UserType, e.PrincipalID, e.UserARN, e.UserAccount, e.AccessKey,
					e.UserName, e.ErrorCode, e.ErrorMessage, e.SourceIP, e.UserAgent, e.RequestID, e.ReadOnly, string(e.Record)}
			}
			if err := tx.Append("cloudtrail_lake_events", rows); err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT OR REPLACE INTO cloudtrail_lake_cursors VALUES (?, ?)`, b.Store, b.Cursor); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("cannot ingest events into event data stores: %w", err)
	}
	return nil
}

func (l lake) LakeCursor(ctx context.Context, storeID string) (int64, error) {
	var seq int64
	err := l.s.db.QueryRowContext(ctx, `SELECT COALESCE(max(seq), 0) FROM cloudtrail_lake_cursors WHERE store_id = ?`, storeID).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("cannot read the cursor of event data store %s: %w", storeID, err)
	}
	return seq, nil
}

func (l lake) ExpireLakeEvents(ctx context.Context, storeID string, before int64) (int64, error) {
	var n int64
	err := l.s.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`DELETE FROM cloudtrail_lake_events WHERE store_id = ? AND event_time < ?`, storeID, time.UnixMilli(before).UTC())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("cannot expire the events of event data store %s: %w", storeID, err)
	}
	return n, nil
}

func (l lake) DropLakeEvents(ctx context.Context, storeID string) error {
	err := l.s.write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`DELETE FROM cloudtrail_lake_events WHERE store_id = ?`, storeID); err != nil {
			return err
		}
		_, err := tx.Exec(`DELETE FROM cloudtrail_lake_cursors WHERE store_id = ?`, storeID)
		return err
	})
	if err != nil {
		return fmt.Errorf("cannot delete the events of event data store %s: %w", storeID, err)
	}
	return nil
}
