package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/vigilhq/vigil/internal/store"
)

func (l logsStore) PutMetricFilter(ctx context.Context, f store.MetricFilter) error {
	return l.exec(ctx, "put metric filter "+f.Name, `INSERT OR REPLACE INTO log_metric_filters VALUES (?, ?, ?, ?, ?)`,
		f.GroupID, f.Name, f.Pattern, f.Transformation, f.Created)
}

func (l logsStore) MetricFilters(ctx context.Context, account, region string, groupID int64) ([]store.MetricFilter, error) {
	query := `SELECT f.group_id, f.name, f.pattern, f.transformation, f.created FROM log_metric_filters f
		JOIN log_groups g ON g.id = f.group_id WHERE g.account = ? AND g.region = ?`
	args := []any{account, region}
	if groupID != 0 {
		query += ` AND f.group_id = ?`
		args = append(args, groupID)
	}
	rows, err := l.s.db.QueryContext(ctx, query+` ORDER BY g.name, f.name`, args...)
	if err != nil {
		return nil, fmt.Errorf("cannot list metric filters: %w", err)
	}
	defer rows.Close()
	var out []store.MetricFilter
	for rows.Next() {
		var f store.MetricFilter
		if err := rows.Scan(&f.GroupID, &f.Name, &f.Pattern, &f.Transformation, &f.Created); err != nil {
			return nil, fmt.Errorf("cannot list metric filters: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// deleteOne runs a statement that must affect exactly one row (a delete
// or an update), or fails with ErrNotFound.
func (l logsStore) deleteOne(ctx context.Context, what, query string, args ...any) error {
	err := l.s.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(query, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.ErrNotFound
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("cannot delete %s: %w", what, err)
	}
	return nil
}

func (l logsStore) DeleteMetricFilter(ctx context.Context, groupID int64, name string) error {
	return l.deleteOne(ctx, "metric filter "+name, `DELETE FROM log_metric_filters WHERE group_id = ? AND name = ?`, groupID, name)
}

func (l logsStore) PutSubscriptionFilter(ctx context.Context, f store.SubscriptionFilter) error {
	return l.exec(ctx, "put subscription filter "+f.Name, `INSERT OR REPLACE INTO log_subscription_filters VALUES (?, ?, ?, ?, ?, ?, ?)`,
		f.GroupID, f.Name, f.Pattern, f.DestinationARN, f.RoleARN, f.Distribution, f.Created)
}

func (l logsStore) SubscriptionFilters(ctx context.Context, groupID int64) ([]store.SubscriptionFilter, error) {
	rows, err := l.s.db.QueryContext(ctx, `SELECT group_id, name, pattern, destination_arn, role_arn, distribution, created
		FROM log_subscription_filters WHERE group_id = ? ORDER BY name`, groupID)
	if err != nil {
		return nil, fmt.Errorf("cannot list subscription filters: %w", err)
	}
	defer rows.Close()
	var out []store.SubscriptionFilter
	for rows.Next() {
		var f store.SubscriptionFilter
		if err := rows.Scan(&f.GroupID, &f.Name, &f.Pattern, &f.DestinationARN, &f.RoleARN, &f.Distribution, &f.Created); err != nil {
			return nil, fmt.Errorf("cannot list subscription filters: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

func (l logsStore) DeleteSubscriptionFilter(ctx context.Context, groupID int64, name string) error {
	return l.deleteOne(ctx, "subscription filter "+name, `DELETE FROM log_subscription_filters WHERE group_id = ? AND name = ?`, groupID, name)
}

func (l logsStore) PutLogDestination(ctx context.Context, d store.LogDestination, arn string, tags map[string]string) error {
	err := l.s.write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM log_destinations WHERE account = ? AND region = ? AND name = ?`, d.Account, d.Region, d.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			_, err := tx.Exec(`UPDATE log_destinations SET target_arn = ?, role_arn = ? WHERE account = ? AND region = ? AND name = ?`,
				d.TargetARN, d.RoleARN, d.Account, d.Region, d.Name)
			return err
		}
		if _, err := tx.Exec(`INSERT INTO log_destinations VALUES (?, ?, ?, ?, ?, ?, ?)`,
			d.Account, d.Region, d.Name, d.TargetARN, d.RoleARN, d.AccessPolicy, d.Created); err != nil {
			return err
		}
		return putTags(tx, arn, tags)
	})
	if err != nil {
		return fmt.Errorf("cannot put destination %s: %w", d.Name, err)
	}
	return nil
}

const destinationColumns = `account, region, name, target_arn, role_arn, access_policy, created`

func scanDestination(row interface{ Scan(...any) error }) (store.LogDestination, error) {
	var d store.LogDestination
	err := row.Scan(&d.Account, &d.Region, &d.Name, &d.TargetARN, &d.RoleARN, &d.AccessPolicy, &d.Created)
	return d, err
}

func (l logsStore) LogDestination(ctx context.Context, account, region, name string) (*store.LogDestination, error) {
	d, err := scanDestination(l.s.db.QueryRowContext(ctx, `SELECT `+destinationColumns+` FROM log_destinations
		WHERE account = ? AND region = ? AND name = ?`, account, region, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("destination %s: %w", name, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read destination %s: %w", name, err)
	}
	return &d, nil
}

func (l logsStore) LogDestinations(ctx context.Context, account, region, prefix string) ([]store.LogDestination, error) {
	rows, err := l.s.db.QueryContext(ctx, `SELECT `+destinationColumns+` FROM log_destinations
		WHERE account = ? AND region = ? AND starts_with(name, ?) ORDER BY name`, account, region, prefix)
	if err != nil {
		return nil, fmt.Errorf("cannot list destinations: %w", err)
	}
	defer rows.Close()
	var out []store.LogDestination
	for rows.Next() {
		d, err := scanDestination(rows)
		if err != nil {
			return nil, fmt.Errorf("cannot list destinations: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (l logsStore) DeleteLogDestination(ctx context.Context, account, region, name, arn string) error {
	err := l.deleteOne(ctx, "destination "+name, `DELETE FROM log_destinations WHERE account = ? AND region = ? AND name = ?`, account, region, name)
	if err != nil {
		return err
	}
	return l.exec(ctx, "untag destination "+name, `DELETE FROM resource_tags WHERE arn = ?`, arn)
}

func (l logsStore) SetLogDestinationPolicy(ctx context.Context, account, region, name, policy string) error {
	return l.deleteOne(ctx, "destination "+name, `UPDATE log_destinations SET access_policy = ? WHERE account = ? AND region = ? AND name = ?`,
		policy, account, region, name)
}
