package logs

import (
	"context"
	"time"
)

// ExpireEvents deletes, in every group with a retention policy, the events
// older than it, and keeps the groups' stored bytes true. It returns the
// number of events deleted. The composition root runs it periodically.
func (e *Engine) ExpireEvents(ctx context.Context) (int64, error) {
	groups, err := e.opt.Store.LogGroupsWithRetention(ctx)
	if err != nil {
		return 0, err
	}
	now := e.opt.Clock.Now()
	var total int64
	for _, g := range groups {
		cutoff := now.Add(-time.Duration(g.RetentionDays) * 24 * time.Hour).UnixMilli()
		n, err := e.opt.Store.DeleteEventsBefore(ctx, g.ID, cutoff)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}
