package sqlite

import (
	"context"
	"errors"
	"fmt"

	"github.com/vigilhq/vigil/internal/store"
)

// Dashboards returns the store of CloudWatch dashboards (table
// cloudwatch_dashboards).
func (s *Store) Dashboards() store.Dashboards { return dashboards{s} }

type dashboards struct{ s *Store }

const dashboardColumns = `account, name, arn, body, modified`

func scanDashboard(row scanner) (store.Dashboard, error) {
	var d store.Dashboard
	err := row.Scan(&d.Account, &d.Name, &d.ARN, &d.Body, &d.Modified)
	return d, err
}

func (x dashboards) PutDashboard(ctx context.Context, d store.Dashboard, tags map[string]string) error {
	err := x.s.write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO cloudwatch_dashboards (`+dashboardColumns+`) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (account, name) DO UPDATE SET body = excluded.body, modified = excluded.modified`,
			d.Account, d.Name, d.ARN, d.Body, d.Modified)
		if err != nil {
			return err
		}
		return putTags(tx, d.ARN, tags)
	})
	if err != nil {
		return fmt.Errorf("cannot put dashboard %s: %w", d.ARN, err)
	}
	return nil
}

func (x dashboards) Dashboard(ctx context.Context, account, name string) (*store.Dashboard, error) {
	d, err := one(ctx, x.s, "dashboard "+name, scanDashboard,
		`SELECT `+dashboardColumns+` FROM cloudwatch_dashboards WHERE account = ? AND name = ?`, account, name)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

func (x dashboards) Dashboards(ctx context.Context, account, prefix, after string, limit int) ([]store.Dashboard, error) {
	return list(ctx, x.s, "dashboards", scanDashboard, `SELECT `+dashboardColumns+` FROM cloudwatch_dashboards
		WHERE account = ? AND substr(name, 1, length(?2)) = ?2 AND name > ? ORDER BY name LIMIT ?`,
		account, prefix, after, limitArg(limit))
}

// missingDashboard is the name of a dashboard DeleteDashboards did not
// find, which rolls the write back.
type missingDashboard string

func (m missingDashboard) Error() string { return "dashboard " + string(m) }

func (x dashboards) DeleteDashboards(ctx context.Context, account string, names []string) error {
	err := x.s.write(ctx, func(tx *Tx) error {
		for _, name := range names {
			var arn string
			err := tx.QueryRow(`DELETE FROM cloudwatch_dashboards WHERE account = ? AND name = ? RETURNING arn`, account, name).Scan(&arn)
			if isNoRows(err) {
				return missingDashboard(name)
			}
			if err != nil {
				return err
			}
			if err := deleteTags(tx, arn); err != nil {
				return err
			}
		}
		return nil
	})
	var m missingDashboard
	if errors.As(err, &m) {
		return fmt.Errorf("%s: %w", m.Error(), store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("cannot delete dashboards: %w", err)
	}
	return nil
}
