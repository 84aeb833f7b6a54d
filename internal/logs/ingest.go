package logs

import (
	"context"
	"errors"
	"time"
	"unicode/utf8"

	"github.com/vigilhq/vigil/internal/store"
)

// PutLogEvents limits, from the CloudWatch Logs API reference.
const (
	maxBatchBytes    = 1_048_576 // message UTF-8 bytes plus 26 per event
	eventOverhead    = 26
	maxBatchSpan     = 24 * time.Hour
	maxFutureSkew    = 2 * time.Hour
	maxPastAge       = 14 * 24 * time.Hour
	maxEventsInBatch = 10_000
)

// InputEvent is one event of a PutLogEvents call.
type InputEvent struct {
	Timestamp int64 // milliseconds since the epoch
	Message   string
}

// Rejected says which events PutLogEvents refused; nil when it accepted
// them all. Indexes follow the API: TooNewStart inclusive, TooOldEnd and
// ExpiredEnd exclusive; -1 when absent.
type Rejected struct {
	TooNewStart, TooOldEnd, ExpiredEnd int
}

// Put is what PutLogEvents did.
type Put struct {
	// Rejected reports the events refused; nil when all were stored.
	Rejected *Rejected
	// Token is a sequence number of the call's own, which no other call
	// and no event has: the nextSequenceToken that the CloudWatch agent
	// and OpenTelemetry's exporters resend a call until they see.
	Token int64
}

// PutLogEvents stores a batch of events in a stream. The whole call fails
// for a malformed batch; events too new, too old or past the group's
// retention are refused one by one and reported in Rejected while the rest
// is stored. A nil error means the accepted events are durable.
func (e *Engine) PutLogEvents(ctx context.Context, sc Scope, group, groupIdentifier, stream string, events []InputEvent) (Put, error) {
	if len(events) > maxEventsInBatch {
		return Put{}, errorf(InvalidParameter, "The batch of log events in a single PutLogEvents request cannot exceed %d events.", maxEventsInBatch)
	}
	size := 0
	for i, ev := range events {
		size += len(ev.Message) + eventOverhead
		if i > 0 && ev.Timestamp < events[i-1].Timestamp {
			return Put{}, errorf(InvalidParameter, "Log events in a single PutLogEvents request must be in chronological order.")
		}
		if !utf8.ValidString(ev.Message) {
			return Put{}, errorf(InvalidParameter, "Log event %d is not valid UTF-8.", i)
		}
	}
	if size > maxBatchBytes {
		return Put{}, errorf(InvalidParameter, "Upload too large: %d bytes exceeds limit of %d", size, maxBatchBytes)
	}
	if len(events) > 0 && time.Duration(events[len(events)-1].Timestamp-events[0].Timestamp)*time.Millisecond > maxBatchSpan {
		return Put{}, errorf(InvalidParameter, "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}
	g, err := e.group(ctx, sc, group, groupIdentifier)
	if err != nil {
		return Put{}, err
	}
	s, err := e.stream(ctx, g, stream)
	if err != nil {
		return Put{}, err
	}

	now := e.opt.Clock.Now()
	accepted, rej := classify(events, now, g.RetentionDays)
	if len(accepted) == 0 {
		token, err := e.opt.Store.ReserveSeqs(ctx, 1)
		if err != nil {
			return Put{}, err
		}
		return Put{Rejected: rej, Token: token}, nil
	}
	batch := &store.IngestBatch{GroupID: g.ID, StreamID: s.ID, Ingestion: now.UnixMilli(), Events: make([]store.LogEvent, len(accepted))}
	// One sequence number more than the events need is the call's token.
	first, err := e.opt.Store.ReserveSeqs(ctx, len(accepted)+1)
	if err != nil {
		return Put{}, err
	}
	for i, ev := range accepted {
		batch.Events[i] = store.LogEvent{StreamID: s.ID, Stream: s.Name, Timestamp: ev.Timestamp, Ingestion: batch.Ingestion, Seq: first + int64(i), Message: ev.Message}
	}
	if err := e.ingest(ctx, sc, g, s, batch); errors.Is(err, store.ErrNotFound) {
		// Deleted after it was resolved (from the cache, or just now).
		e.cache.forgetStream(streamName{g.ID, s.Name})
		return Put{}, errStreamNotFound
	} else if err != nil {
		return Put{}, err
	}
	return Put{Rejected: rej, Token: first + int64(len(accepted))}, nil
}

// ingest stores a batch of a stream's events with what the group's
// filters derive from them (metric data points, subscription
// deliveries), and shows them to Live Tail: what every way into a log
// group does, PutLogEvents or a service's delivery.
func (e *Engine) ingest(ctx context.Context, sc Scope, g *store.LogGroup, s *store.LogStream, b *store.IngestBatch) error {
	filters, err := e.filters(ctx, g)
	if err != nil {
		return err
	}
	if b.Outbox, err = e.derive(sc, g, s, filters, b); err != nil {
		return err
	}
	if err := e.opt.Store.Ingest(ctx, b); err != nil {
		return err
	}
	e.tail.publish(sc, g, b.Events)
	if len(b.Outbox) > 0 {
		e.Kick()
	}
	return nil
}

// classify splits a chronological batch into the accepted events and the
// rejection report. Too-old and expired events form a prefix, too-new ones
// a suffix.
func classify(events []InputEvent, now time.Time, retentionDays int) ([]InputEvent, *Rejected) {
	rej := &Rejected{TooNewStart: -1, TooOldEnd: -1, ExpiredEnd: -1}
	tooOld := now.Add(-maxPastAge).UnixMilli()
	tooNew := now.Add(maxFutureSkew).UnixMilli()
	expired := int64(-1 << 62)
	if retentionDays > 0 {
		expired = now.Add(-time.Duration(retentionDays) * 24 * time.Hour).UnixMilli()
	}
	start, end := 0, len(events)
	for i, ev := range events {
		if ev.Timestamp < tooOld {
			rej.TooOldEnd = i + 1
		}
		if ev.Timestamp < expired {
			rej.ExpiredEnd = i + 1
		}
	}
	start = max(rej.TooOldEnd, rej.ExpiredEnd, 0)
	for i := len(events) - 1; i >= start; i-- {
		if events[i].Timestamp <= tooNew {
			break
		}
		rej.TooNewStart, end = i, i
	}
	if *rej == (Rejected{-1, -1, -1}) {
		rej = nil
	}
	if start >= end {
		return nil, rej
	}
	return events[start:end], rej
}
