package logs

import (
	"context"
	"time"
)

// ExpireEvents deletes, in every group with a retention policy, the events
// older than it at now, and keeps the groups' stored bytes true. It
// returns the number of events deleted. The composition root schedules it
// (every minute, at the clock's time).
func (e *Engine) ExpireEvents(ctx context.Context, now time.Time) (int64, error) {
	groups, err := e.opt.Store.LogGroupsWithRetention(ctx)
	if err != nil {
		return 0, err
	}
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
