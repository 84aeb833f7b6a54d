package store

import (
	"context"
	"time"
)

// Leases decide which node runs a singleton job (a roll-up, retention, a
// delivery worker): a lease is held by one holder until it expires, the
// holder renews it before then, and another holder gets it only once it
// has expired or been released. Callers pass the time: they may run on a
// virtual clock, and a lease expires by the time its holders use.
type Leases interface {
	// AcquireLease takes the lease name for holder until the given time
	// and reports whether it did: it does when the lease is free,
	// expired at now, or already holder's (which renews it, to until
	// even if that is sooner).
	AcquireLease(ctx context.Context, name, holder string, now, until time.Time) (bool, error)
	// ReleaseLease frees the lease name if holder holds it (else it does
	// nothing), so that another holder may take it at once.
	ReleaseLease(ctx context.Context, name, holder string) error
}
