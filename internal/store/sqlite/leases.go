package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/vigilhq/vigil/internal/store"
)

// Leases returns the leases of singleton jobs (table leases).
func (s *Store) Leases() store.Leases { return leases{s} }

type leases struct{ s *Store }

func (l leases) AcquireLease(ctx context.Context, name, holder string, now, until time.Time) (bool, error) {
	var got bool
	err := l.s.write(ctx, func(tx *Tx) error {
		// The upsert's WHERE leaves a lease another holder still holds
		// untouched, and then no row is changed.
		res, err := tx.Exec(`INSERT INTO leases (name, holder, expires) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires = excluded.expires
			WHERE leases.holder = excluded.holder OR leases.expires <= ?`,
			name, holder, until.UnixMilli(), now.UnixMilli())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		got = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("cannot acquire lease %q: %w", name, err)
	}
	return got, nil
}

func (l leases) ReleaseLease(ctx context.Context, name, holder string) error {
	return l.s.exec(ctx, fmt.Sprintf("release lease %q", name), `DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder)
}
