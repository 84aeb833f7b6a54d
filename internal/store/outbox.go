package store

import "context"

// The outbox carries every delivery Vigil makes on behalf of an accepted
// request: metric-filter data points, subscription payloads, and, as
// services come, notifications, event-bus targets and trail files. An
// item is enqueued in the same transaction as the write that set it off
// (IngestBatch.Outbox) or on its own (EnqueueOutbox), claimed by one node
// at a time under a lease, and settled: removed once delivered,
// rescheduled after a failure, or kept as a dead letter that operators
// list and revive. Nothing is removed but by a delivery.
//
// Times are milliseconds since the epoch, on the clock of the caller (a
// node's scheduler), never of the database.

// OutboxItem is a delivery waiting to be made.
type OutboxItem struct {
	// ID is assigned by the store when the item is enqueued; it is never
	// used again, so that a late settlement cannot touch another item,
	// and it makes the delivery's idempotency key.
	ID int64
	// Kind selects the deliverer (e.g. "logs.metric", "logs.subscription").
	Kind string
	// Version is the version of the payload's encoding, which the
	// deliverer of the kind decodes by; it is at least 1 (items enqueued
	// before versions existed read as 1).
	Version int
	// Account and Region scope the delivery.
	Account, Region string
	// Target names where it goes (an ARN, a metric namespace …).
	Target string
	// Payload is the deliverer's data.
	Payload []byte
	// Created is when the item was enqueued (EnqueueOutbox takes
	// NextAttempt when it is 0), or revived from the dead letters; the
	// age limits of its kind count from it.
	Created int64
	// Attempts counts failed deliveries so far.
	Attempts int
	// NextAttempt is when to try next.
	NextAttempt int64
	// LastError is the error of the last failed attempt.
	LastError string
	// Claim is the fencing token of the item's latest claim (0: never
	// claimed): ClaimOutbox sets it, and settling a failure or a release
	// must present it.
	Claim int64
	// ClaimedUntil is when the latest claim's lease ends (0: never
	// claimed). Until then no other claim takes the item.
	ClaimedUntil int64
	// DeadAt is when the item was given up and kept as a dead letter; 0
	// while it is pending.
	DeadAt int64
}

// Outcome is how the attempt at a claimed item ended.
type Outcome int

// The outcomes.
const (
	// Delivered removes the item, whoever holds its claim: a delivery
	// made is made.
	Delivered Outcome = iota + 1
	// Retry counts a failed attempt, records its error and makes the
	// item due again at Next.
	Retry
	// Dead counts a failed attempt, records its error and keeps the item
	// as a dead letter from At.
	Dead
	// Release gives the claim back without an attempt: the item is due
	// again at once.
	Release
)

// OutboxResult settles one claimed item.
type OutboxResult struct {
	// ID and Claim designate the item and the claim it was attempted
	// under. Retry, Dead and Release change nothing when the item has
	// been claimed again since (its lease ended and another claim took
	// it).
	ID, Claim int64
	Outcome   Outcome
	// Next is when a retried item is due again; At is when a dead one
	// died.
	Next, At int64
	// Error is the attempt's error (Retry and Dead).
	Error string
}

// DeadOutboxQuery selects dead letters, in id order.
type DeadOutboxQuery struct {
	// Kind keeps the items of a kind ("": every kind).
	Kind string
	// After keeps ids after it (the pagination cursor).
	After int64
	// Limit caps the items returned (0: no cap).
	Limit int
}

// OutboxStats counts the items of one kind.
type OutboxStats struct {
	Kind string
	// Pending counts the items waiting for delivery, of which Retrying
	// have failed at least once.
	Pending, Retrying int64
	// Dead counts the dead letters.
	Dead int64
	// OldestPending is the Created of the oldest pending item (0: none).
	OldestPending int64
}

// Outbox holds deliveries until they are made.
type Outbox interface {
	// EnqueueOutbox adds items outside of another write (Created defaults
	// to NextAttempt; Claim, ClaimedUntil and DeadAt are ignored). An
	// item without a payload version (0) is refused.
	EnqueueOutbox(ctx context.Context, items []OutboxItem) error
	// ClaimOutbox takes up to limit pending items of a kind that are due
	// at now (NextAttempt is now or earlier) and not claimed (their
	// ClaimedUntil is now or earlier), oldest enqueued first, and leases
	// them until until: no other claim takes them before, on this node or
	// another. Each returned item carries its new Claim token and
	// ClaimedUntil.
	ClaimOutbox(ctx context.Context, kind string, now, until int64, limit int) ([]OutboxItem, error)
	// SettleOutbox records the outcomes of attempts, in one write; results
	// for items that are gone are ignored.
	SettleOutbox(ctx context.Context, results []OutboxResult) error
	// DeadOutbox lists dead letters.
	DeadOutbox(ctx context.Context, q DeadOutboxQuery) ([]OutboxItem, error)
	// ReviveOutbox makes dead letters pending again, due at now, with no
	// attempts and their age counted from now: those of ids, or, when ids
	// is empty, every dead letter of kind ("": of every kind). It returns
	// how many it revived.
	ReviveOutbox(ctx context.Context, kind string, ids []int64, now int64) (int, error)
	// OutboxStats counts the items of every kind that has any, by kind.
	OutboxStats(ctx context.Context) ([]OutboxStats, error)
}
