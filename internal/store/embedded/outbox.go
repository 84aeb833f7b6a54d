package embedded

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/vigilhq/vigil/internal/store"
	"github.com/vigilhq/vigil/internal/store/sqlite"
)

// outbox is the store's outbox, in two databases: the deliveries that
// ingestion sets off (metric filters, subscriptions) are enqueued in
// DuckDB, in the ingestion's transaction; every other delivery —
// notifications, targets, schedules, which state changes set off — in
// SQLite, with the resource state. The two number their items apart
// (sqlite.FirstOutboxID), so a settlement or a revival goes to the
// database of its item's id.
type outbox struct {
	state, tel store.Outbox
	// telKinds holds the kinds DuckDB may have items of: those an
	// ingestion enqueued, and those it held when the store opened (an
	// earlier Vigil enqueued every delivery there). A claim of another
	// kind reads SQLite alone.
	telKinds sync.Map
}

func newOutbox(ctx context.Context, state, tel store.Outbox) (*outbox, error) {
	o := &outbox{state: state, tel: tel}
	held, err := tel.OutboxStats(ctx)
	if err != nil {
		return nil, err
	}
	for _, st := range held {
		o.telKinds.Store(st.Kind, true)
	}
	return o, nil
}

// ingesting records the kinds of an ingestion's items.
func (o *outbox) ingesting(items []store.OutboxItem) {
	for i := range items {
		if _, ok := o.telKinds.Load(items[i].Kind); !ok {
			o.telKinds.Store(items[i].Kind, true)
		}
	}
}

func (o *outbox) inTel(id int64) bool { return id < sqlite.FirstOutboxID }

func (o *outbox) EnqueueOutbox(ctx context.Context, items []store.OutboxItem) error {
	return o.state.EnqueueOutbox(ctx, items)
}

// ClaimOutbox claims DuckDB's items of the kind first, which are the
// older when both have some.
func (o *outbox) ClaimOutbox(ctx context.Context, kind string, now, until int64, limit int) ([]store.OutboxItem, error) {
	var out []store.OutboxItem
	if _, ok := o.telKinds.Load(kind); ok {
		items, err := o.tel.ClaimOutbox(ctx, kind, now, until, limit)
		if err != nil {
			return nil, err
		}
		out, limit = items, limit-len(items)
	}
	if limit <= 0 {
		return out, nil
	}
	items, err := o.state.ClaimOutbox(ctx, kind, now, until, limit)
	if err != nil {
		// The items claimed in DuckDB are leased: delivered before their
		// lease ends, or claimed again after.
		return out, err
	}
	return append(out, items...), nil
}

func (o *outbox) SettleOutbox(ctx context.Context, results []store.OutboxResult) error {
	var tel, state []store.OutboxResult
	for _, r := range results {
		if o.inTel(r.ID) {
			tel = append(tel, r)
		} else {
			state = append(state, r)
		}
	}
	var errs []error
	if len(tel) > 0 {
		errs = append(errs, o.tel.SettleOutbox(ctx, tel))
	}
	if len(state) > 0 {
		errs = append(errs, o.state.SettleOutbox(ctx, state))
	}
	return errors.Join(errs...)
}

// DeadOutbox lists the dead letters of both, in id order: DuckDB's ids
// are the lower.
func (o *outbox) DeadOutbox(ctx context.Context, q store.DeadOutboxQuery) ([]store.OutboxItem, error) {
	var out []store.OutboxItem
	if o.inTel(q.After) {
		items, err := o.tel.DeadOutbox(ctx, q)
		if err != nil {
			return nil, err
		}
		out = items
		if q.Limit > 0 && len(out) >= q.Limit {
			return out, nil
		}
	}
	rest := q
	if q.Limit > 0 {
		rest.Limit = q.Limit - len(out)
	}
	items, err := o.state.DeadOutbox(ctx, rest)
	if err != nil {
		return nil, err
	}
	return append(out, items...), nil
}

func (o *outbox) ReviveOutbox(ctx context.Context, kind string, ids []int64, now int64) (int, error) {
	var tel, state []int64
	for _, id := range ids {
		if o.inTel(id) {
			tel = append(tel, id)
		} else {
			state = append(state, id)
		}
	}
	n := 0
	if len(ids) == 0 || len(tel) > 0 {
		m, err := o.tel.ReviveOutbox(ctx, kind, tel, now)
		if err != nil {
			return n, err
		}
		n += m
	}
	if len(ids) == 0 || len(state) > 0 {
		m, err := o.state.ReviveOutbox(ctx, kind, state, now)
		if err != nil {
			return n, err
		}
		n += m
	}
	return n, nil
}

// OutboxStats adds up the counts of both, kind by kind.
func (o *outbox) OutboxStats(ctx context.Context) ([]store.OutboxStats, error) {
	tel, err := o.tel.OutboxStats(ctx)
	if err != nil {
		return nil, err
	}
	state, err := o.state.OutboxStats(ctx)
	if err != nil {
		return nil, err
	}
	byKind := map[string]int{}
	var out []store.OutboxStats
	for _, st := range slices.Concat(tel, state) {
		if i, ok := byKind[st.Kind]; ok {
			sum := &out[i]
			sum.Pending += st.Pending
			sum.Retrying += st.Retrying
			sum.Dead += st.Dead
			if sum.OldestPending == 0 || st.OldestPending != 0 && st.OldestPending < sum.OldestPending {
				sum.OldestPending = st.OldestPending
			}
			continue
		}
		byKind[st.Kind] = len(out)
		out = append(out, st)
	}
	slices.SortFunc(out, func(a, b store.OutboxStats) int { return cmp.Compare(a.Kind, b.Kind) })
	return out, nil
}
