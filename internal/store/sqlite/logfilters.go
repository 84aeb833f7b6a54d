package sqlite

import (
	"context"
	"fmt"

	"github.com/vigilhq/vigil/internal/store"
)

// PutMetricFilter creates or replaces a metric filter.
func (l LogState) PutMetricFilter(ctx context.Context, f store.MetricFilter) error {
	return l.s.exec(ctx, "put metric filter "+f.Name, `INSERT OR REPLACE INTO log_metric_filters VALUES (?, ?, ?, ?, ?)`,
		f.GroupID, f.Name, f.Pattern, f.Transformation, f.Created)
}

func scanMetricFilter(row scanner) (f store.MetricFilter, err error) {
	err = row.Scan(&f.GroupID, &f.Name, &f.Pattern, &f.Transformation, &f.Created)
	return f, err
}

// MetricFilters lists a group's metric filters by name (groupID 0: every
// group of the account and region, by group name then filter name).
func (l LogState) MetricFilters(ctx context.Context, account, region string, groupID int64) ([]store.MetricFilter, error) {
	query := `SELECT f.group_id, f.name, f.pattern, f.transformation, f.created FROM log_metric_filters f
		JOIN log_groups g ON g.id = f.group_id WHERE g.account = ? AND g.region = ?`
	args := []any{account, region}
	if groupID != 0 {
		query += ` AND f.group_id = ?`
		args = append(args, groupID)
	}
	return list(ctx, l.s, "metric filters", scanMetricFilter, query+` ORDER BY g.name, f.name`, args...)
}

// DeleteMetricFilter deletes a filter, or fails with ErrNotFound.
func (l LogState) DeleteMetricFilter(ctx context.Context, groupID int64, name string) error {
	return l.s.execOne(ctx, "metric filter "+name, `DELETE FROM log_metric_filters WHERE group_id = ? AND name = ?`, groupID, name)
}

// PutSubscriptionFilter creates or replaces a subscription filter.
func (l LogState) PutSubscriptionFilter(ctx context.Context, f store.SubscriptionFilter) error {
	return l.s.exec(ctx, "put subscription filter "+f.Name, `INSERT OR REPLACE INTO log_subscription_filters VALUES (?, ?, ?, ?, ?, ?, ?)`,
		f.GroupID, f.Name, f.Pattern, f.DestinationARN, f.RoleARN, f.Distribution, f.Created)
}

// SubscriptionFilters lists a group's subscription filters by name.
func (l LogState) SubscriptionFilters(ctx context.Context, groupID int64) ([]store.SubscriptionFilter, error) {
	return list(ctx, l.s, "subscription filters", func(row scanner) (f store.SubscriptionFilter, err error) {
		err = row.Scan(&f.GroupID, &f.Name, &f.Pattern, &f.DestinationARN, &f.RoleARN, &f.Distribution, &f.Created)
		return f, err
	}, `SELECT group_id, name, pattern, destination_arn, role_arn, distribution, created
		FROM log_subscription_filters WHERE group_id = ? ORDER BY name`, groupID)
}

// DeleteSubscriptionFilter deletes a filter, or fails with ErrNotFound.
func (l LogState) DeleteSubscriptionFilter(ctx context.Context, groupID int64, name string) error {
	return l.s.execOne(ctx, "subscription filter "+name, `DELETE FROM log_subscription_filters WHERE group_id = ? AND name = ?`, groupID, name)
}

// PutLogDestination creates or replaces a destination (keeping its access
// policy and creation time when it exists), tagging a new one with tags
// under arn.
func (l LogState) PutLogDestination(ctx context.Context, d store.LogDestination, arn string, tags map[string]string) error {
	err := l.s.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE log_destinations SET target_arn = ?, role_arn = ? WHERE account = ? AND region = ? AND name = ?`,
			d.TargetARN, d.RoleARN, d.Account, d.Region, d.Name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
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

func scanDestination(row scanner) (d store.LogDestination, err error) {
	err = row.Scan(&d.Account, &d.Region, &d.Name, &d.TargetARN, &d.RoleARN, &d.AccessPolicy, &d.Created)
	return d, err
}

// LogDestination returns a destination, or ErrNotFound.
func (l LogState) LogDestination(ctx context.Context, account, region, name string) (*store.LogDestination, error) {
	d, err := one(ctx, l.s, "destination "+name, scanDestination,
		`SELECT `+destinationColumns+` FROM log_destinations WHERE account = ? AND region = ? AND name = ?`, account, region, name)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// LogDestinations lists destinations by name.
func (l LogState) LogDestinations(ctx context.Context, account, region, prefix string) ([]store.LogDestination, error) {
	return list(ctx, l.s, "destinations", scanDestination, `SELECT `+destinationColumns+` FROM log_destinations
		WHERE account = ? AND region = ? AND substr(name, 1, length(?)) = ? ORDER BY name`, account, region, prefix, prefix)
}

// DeleteLogDestination deletes a destination and the tags under arn, or
// fails with ErrNotFound.
func (l LogState) DeleteLogDestination(ctx context.Context, account, region, name, arn string) error {
	err := l.s.write(ctx, func(tx *Tx) error {
		if err := txOne(tx, `DELETE FROM log_destinations WHERE account = ? AND region = ? AND name = ?`, account, region, name); err != nil {
			return err
		}
		return deleteTags(tx, arn)
	})
	return wrapOne(err, "destination "+name)
}

// SetLogDestinationPolicy sets a destination's access policy, or fails
// with ErrNotFound.
func (l LogState) SetLogDestinationPolicy(ctx context.Context, account, region, name, policy string) error {
	return l.s.execOne(ctx, "destination "+name, `UPDATE log_destinations SET access_policy = ? WHERE account = ? AND region = ? AND name = ?`,
		policy, account, region, name)
}
