package sqlite

import (
	"context"
	"fmt"

	"github.com/vigilhq/vigil/internal/store"
)

// EventDataStores returns the store of CloudTrail Lake's event data
// stores (table cloudtrail_event_data_stores; their events live in the
// telemetry store).
func (s *Store) EventDataStores() store.EventDataStores { return eventDataStores{s} }

type eventDataStores struct{ s *Store }

const edsColumns = `account, region, id, arn, name, settings, created, updated`

func scanEDS(row scanner) (store.EventDataStore, error) {
	var d store.EventDataStore
	err := row.Scan(&d.Account, &d.Region, &d.ID, &d.ARN, &d.Name, &d.Settings, &d.Created, &d.Updated)
	return d, err
}

func (x eventDataStores) CreateEventDataStore(ctx context.Context, d store.EventDataStore, tags map[string]string, limit int) error {
	err := x.s.write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM cloudtrail_event_data_stores WHERE account = ? AND region = ?`, d.Account, d.Region).Scan(&n); err != nil {
			return err
		}
		var taken int
		if err := tx.QueryRow(`SELECT count(*) FROM cloudtrail_event_data_stores WHERE account = ? AND region = ? AND name = ?`,
			d.Account, d.Region, d.Name).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			return store.ErrExists
		}
		if limit > 0 && n >= limit {
			return store.ErrLimit
		}
		_, err := tx.Exec(`INSERT INTO cloudtrail_event_data_stores (`+edsColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			d.Account, d.Region, d.ID, d.ARN, d.Name, d.Settings, d.Created, d.Updated)
		if isUnique(err) {
			return store.ErrExists
		}
		if err != nil {
			return err
		}
		return putTags(tx, d.ARN, tags)
	})
	if err != nil {
		return fmt.Errorf("cannot create event data store %s: %w", d.ARN, err)
	}
	return nil
}

func (x eventDataStores) EventDataStore(ctx context.Context, arn string) (*store.EventDataStore, error) {
	d, err := one(ctx, x.s, "event data store "+arn, scanEDS, `SELECT `+edsColumns+` FROM cloudtrail_event_data_stores WHERE arn = ?`, arn)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

func (x eventDataStores) EventDataStores(ctx context.Context, account, region string) ([]store.EventDataStore, error) {
	if account == "" {
		return list(ctx, x.s, "event data stores", scanEDS, `SELECT `+edsColumns+` FROM cloudtrail_event_data_stores ORDER BY arn`)
	}
	return list(ctx, x.s, "event data stores", scanEDS, `SELECT `+edsColumns+` FROM cloudtrail_event_data_stores
		WHERE account = ? AND region = ? ORDER BY arn`, account, region)
}

func (x eventDataStores) UpdateEventDataStore(ctx context.Context, d store.EventDataStore) error {
	return wrapOne(x.s.write(ctx, func(tx *Tx) error {
		var taken int
		if err := tx.QueryRow(`SELECT count(*) FROM cloudtrail_event_data_stores WHERE account = ? AND region = ? AND name = ? AND arn <> ?`,
			d.Account, d.Region, d.Name, d.ARN).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			return store.ErrExists
		}
		return txOne(tx, `UPDATE cloudtrail_event_data_stores SET name = ?, settings = ?, updated = ? WHERE arn = ?`, d.Name, d.Settings, d.Updated, d.ARN)
	}), "event data store "+d.ARN)
}

func (x eventDataStores) DeleteEventDataStore(ctx context.Context, arn string) error {
	return wrapOne(x.s.write(ctx, func(tx *Tx) error {
		if err := txOne(tx, `DELETE FROM cloudtrail_event_data_stores WHERE arn = ?`, arn); err != nil {
			return err
		}
		return deleteTags(tx, arn)
	}), "event data store "+arn)
}
