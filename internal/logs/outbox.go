package logs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vigilhq/vigil/internal/metrics"
	"github.com/vigilhq/vigil/internal/store"
)

// Deliveries are committed with the events that set them off and made by a
// worker afterwards; a failed one is retried with backoff until it
// succeeds, so nothing accepted is lost.

const (
	deliveryBatch = 256
	maxBackoff    = 5 * time.Minute
)

// Kick wakes the delivery worker.
func (e *Engine) Kick() {
	select {
	case e.kick <- struct{}{}:
	default:
	}
}

// RunDeliveries makes due deliveries until ctx ends: at once when kicked,
// and every poll interval for retries.
func (e *Engine) RunDeliveries(ctx context.Context, poll time.Duration) {
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if _, err := e.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			e.opt.Logger.Error("cannot read the logs outbox", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-e.kick:
		case <-t.C:
		}
	}
}

// DeliverDue makes every delivery due now and returns how many succeeded.
func (e *Engine) DeliverDue(ctx context.Context) (int, error) {
	done := 0
	for _, kind := range []string{kindMetric, kindSubscription} {
		for {
			items, err := e.opt.Outbox.DueOutbox(ctx, kind, e.now(), deliveryBatch)
			if err != nil {
				return done, err
			}
			var ok []int64
			for _, it := range items {
				err := e.deliver(ctx, it)
				if errors.Is(err, metrics.ErrInvalid) {
					// Retrying cannot help: report and drop.
					e.opt.Logger.Error("metric data refused; dropped", "account", it.Account, "error", err)
					err = nil
				}
				if err != nil {
					backoff := min(time.Second<<min(it.Attempts, 20), maxBackoff)
					e.opt.Logger.Warn("delivery failed; will retry", "kind", it.Kind, "target", it.Target, "attempt", it.Attempts+1,
						"retry_in", backoff, "error", err)
					if rerr := e.opt.Outbox.RetryOutbox(ctx, it.ID, e.now()+backoff.Milliseconds(), err.Error()); rerr != nil {
						return done, rerr
					}
					continue
				}
				ok = append(ok, it.ID)
			}
			if err := e.opt.Outbox.CompleteOutbox(ctx, ok); err != nil {
				return done, err
			}
			done += len(ok)
			if len(items) < deliveryBatch {
				break
			}
		}
	}
	return done, nil
}

func (e *Engine) deliver(ctx context.Context, it store.OutboxItem) error {
	switch it.Kind {
	case kindMetric:
		var data []metrics.Datum
		if err := json.Unmarshal(it.Payload, &data); err != nil {
			return fmt.Errorf("BUG: damaged metric payload: %w", err)
		}
		return e.opt.Metrics.Ingest(ctx, it.Account, it.Region, data)
	case kindSubscription:
		return e.deliverSubscription(ctx, it)
	}
	return fmt.Errorf("BUG: unknown outbox kind %q", it.Kind)
}
