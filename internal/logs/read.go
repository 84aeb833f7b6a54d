package logs

import (
	"context"
	"fmt"
	"strconv"

	"github.com/vigilhq/vigil/internal/store"
)

// Response limits of GetLogEvents and FilterLogEvents.
const (
	maxPageEvents = 10_000
	maxPageBytes  = 1_048_576
	// filterScanBudget bounds the candidate events one FilterLogEvents
	// call examines; the rest is a page away, as AWS bounds its searches.
	filterScanBudget = 200_000
)

// EventID returns the stable, unique id of an event (AWS's 56-digit form).
func EventID(seq int64) string {
	return fmt.Sprintf("%056d", seq)
}

// Page is a page of events.
type Page struct {
	Events []store.LogEvent
	// ForwardToken and BackwardToken are GetLogEvents' tokens; NextToken
	// is FilterLogEvents' ("" on the last page).
	ForwardToken, BackwardToken, NextToken string
}

// GetQuery is GetLogEvents' input.
type GetQuery struct {
	Group, GroupIdentifier, Stream string
	Start, End                     *int64
	Token                          string
	Limit                          int
	StartFromHead                  bool
}

// position tokens: "f/" or "b/" then the timestamp and sequence number,
// 20 digits each, padded to AWS's 56 digits.
func positionToken(dir byte, p store.Position) string {
	return fmt.Sprintf("%c/%020d%020d%016d", dir, p.Timestamp, p.Seq, 0)
}

func parsePositionToken(t string) (byte, store.Position, error) {
	if len(t) != 58 || (t[0] != 'f' && t[0] != 'b') || t[1] != '/' {
		return 0, store.Position{}, errBadToken
	}
	ts, err1 := strconv.ParseInt(t[2:22], 10, 64)
	seq, err2 := strconv.ParseInt(t[22:42], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, store.Position{}, errBadToken
	}
	return t[0], store.Position{Timestamp: ts, Seq: seq}, nil
}

func pos(e store.LogEvent) store.Position { return store.Position{Timestamp: e.Timestamp, Seq: e.Seq} }

// GetLogEvents reads a stream a page at a time. Without a token it returns
// the newest events of the time range (or the oldest with startFromHead);
// a forward token continues after the page, a backward one before it. Both
// tokens are always returned; at the end of the stream the forward token
// comes back unchanged.
func (e *Engine) GetLogEvents(ctx context.Context, sc Scope, q GetQuery) (*Page, error) {
	g, err := e.group(ctx, sc, q.Group, q.GroupIdentifier)
	if err != nil {
		return nil, err
	}
	s, err := e.stream(ctx, g, q.Stream)
	if err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit == 0 {
		limit = maxPageEvents
	}
	sq := store.LogEventQuery{GroupID: g.ID, StreamIDs: []int64{s.ID}, Start: q.Start, Limit: limit}
	if q.End != nil {
		sq.End = q.End
	}
	backward := !q.StartFromHead
	var from *store.Position
	if q.Token != "" {
		dir, p, err := parsePositionToken(q.Token)
		if err != nil {
			return nil, err
		}
		from, backward = &p, dir == 'b'
		if backward {
			sq.Before = &p
		} else {
			sq.After = &p
		}
	}
	sq.Backward = backward
	events, err := e.opt.Store.LogEvents(ctx, sq)
	if err != nil {
		return nil, err
	}
	events = capBytes(events, backward)
	page := &Page{Events: events}
	switch {
	case len(events) > 0:
		page.ForwardToken = positionToken('f', pos(events[len(events)-1]))
		page.BackwardToken = positionToken('b', pos(events[0]))
	case from != nil:
		page.ForwardToken = positionToken('f', *from)
		page.BackwardToken = positionToken('b', *from)
	default:
		page.ForwardToken = positionToken('f', store.Position{})
		page.BackwardToken = positionToken('b', store.Position{})
	}
	return page, nil
}

// capBytes keeps a page within 1 MB (message bytes plus 26 per event),
// dropping events from the far end: the oldest of a backward page, the
// newest of a forward one.
func capBytes(events []store.LogEvent, backward bool) []store.LogEvent {
	size := 0
	if backward {
		for i := len(events) - 1; i >= 0; i-- {
			size += len(events[i].Message) + eventOverhead
			if size > maxPageBytes {
				return events[i+1:]
			}
		}
		return events
	}
	for i, ev := range events {
		size += len(ev.Message) + eventOverhead
		if size > maxPageBytes {
			return events[:i]
		}
	}
	return events
}

// FilterQuery is FilterLogEvents' input.
type FilterQuery struct {
	Group, GroupIdentifier string
	StreamNames            []string
	StreamPrefix           string
	Start, End             *int64
	Pattern                string
	Token                  string
	Limit                  int
}

// filterCursor is FilterLogEvents' page token: where the scan stopped and
// a fingerprint of the query it belongs to.
type filterCursor struct {
	Timestamp int64  `json:"t"`
	Seq       int64  `json:"s"`
	Query     string `json:"q"`
}

func (q FilterQuery) fingerprint() string {
	return fmt.Sprint(q.Group, q.GroupIdentifier, q.StreamNames, q.StreamPrefix, q.Pattern)
}

// FilterLogEvents searches a group's events in time order across streams.
// A page holds at most limit events and 1 MB; nextToken is set when more
// events may match and is never the same twice in a row.
func (e *Engine) FilterLogEvents(ctx context.Context, sc Scope, q FilterQuery) (*Page, error) {
	if len(q.StreamNames) > 0 && q.StreamPrefix != "" {
		return nil, errorf(InvalidParameter, "logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
	}
	p, err := parsePattern(q.Pattern)
	if err != nil {
		return nil, err
	}
	g, err := e.group(ctx, sc, q.Group, q.GroupIdentifier)
	if err != nil {
		return nil, err
	}
	sq := store.LogEventQuery{GroupID: g.ID, StreamPrefix: q.StreamPrefix, Start: q.Start, End: q.End, Terms: p.Terms()}
	if q.End != nil {
		end := *q.End + 1 // endTime is inclusive
		sq.End = &end
	}
	if len(q.StreamNames) > 0 {
		for _, name := range q.StreamNames {
			if s, err := e.opt.Store.LogStream(ctx, g.ID, name); err == nil {
				sq.StreamIDs = append(sq.StreamIDs, s.ID)
			}
		}
		if len(sq.StreamIDs) == 0 {
			return &Page{}, nil
		}
	}
	if q.Token != "" {
		var c filterCursor
		if err := decodeToken(q.Token, "filter", &c); err != nil || c.Query != q.fingerprint() {
			return nil, errBadToken
		}
		sq.After = &store.Position{Timestamp: c.Timestamp, Seq: c.Seq}
	}
	limit := q.Limit
	if limit == 0 {
		limit = maxPageEvents
	}
	page := &Page{}
	size, scanned := 0, 0
	batch := max(limit, 1000)
	last := sq.After
	token := func() string {
		return encodeToken("filter", filterCursor{Timestamp: last.Timestamp, Seq: last.Seq, Query: q.fingerprint()})
	}
	for scanned < filterScanBudget {
		sq.Limit, sq.After = batch, last
		candidates, err := e.opt.Store.LogEvents(ctx, sq)
		if err != nil {
			return nil, err
		}
		for _, ev := range candidates {
			if p.Match(ev.Message) {
				n := len(ev.Message) + eventOverhead
				if len(page.Events) == limit || size+n > maxPageBytes {
					// Resume with this event: after the last one examined.
					page.NextToken = token()
					return page, nil
				}
				size += n
				page.Events = append(page.Events, ev)
			}
			at := pos(ev)
			last = &at
			scanned++
		}
		if len(candidates) < batch {
			return page, nil // the end of the data
		}
	}
	page.NextToken = token()
	return page, nil
}
