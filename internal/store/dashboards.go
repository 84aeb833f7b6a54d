package store

import "context"

// CloudWatch dashboards: global per account (no region), named, with a
// JSON body the engine validates and the store keeps byte for byte.
// Times are milliseconds since the epoch, on the caller's clock.

// Dashboard is a CloudWatch dashboard of an account.
type Dashboard struct {
	Account, Name string
	// ARN is arn:aws:cloudwatch::ACCOUNT:dashboard/NAME.
	ARN string
	// Body is the dashboard's JSON as it was put.
	Body string
	// Modified is when it was last put (ms).
	Modified int64
}

// Dashboards stores CloudWatch dashboards. A dashboard's tags live in
// Tags under its ARN; deleting a dashboard deletes them.
type Dashboards interface {
	// PutDashboard creates the dashboard, or replaces the body and
	// modification time of the one of that account and name, and adds
	// tags (nil: none) to it, all in one durable write.
	PutDashboard(ctx context.Context, d Dashboard, tags map[string]string) error
	// Dashboard returns the dashboard of that account and name, or
	// ErrNotFound.
	Dashboard(ctx context.Context, account, name string) (*Dashboard, error)
	// Dashboards lists the dashboards of an account whose names begin
	// with prefix and come after after, by name, at most limit of them
	// (0: no cap).
	Dashboards(ctx context.Context, account, prefix, after string, limit int) ([]Dashboard, error)
	// DeleteDashboards deletes the named dashboards of an account and
	// their tags, all or none: when one does not exist it deletes
	// nothing and returns ErrNotFound, wrapped with that name.
	DeleteDashboards(ctx context.Context, account string, names []string) error
}
