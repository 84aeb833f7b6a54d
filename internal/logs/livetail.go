package logs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/logs/filterpattern"
	"github.com/vigilhq/vigil/internal/store"
)

// Live Tail streams events to a client as they are ingested. Following
// the API reference: a session sends an update every second with up to 500
// events (sampled down when more arrived, and marked so), buffers at most
// 5,000 events for a slow client (dropping the oldest), and ends after
// three hours.

const (
	tailUpdateEvents = 500
	tailBufferEvents = 5_000
	// TailInterval is how often a session sends an update.
	TailInterval = time.Second
	// TailTimeout is how long a session lasts.
	TailTimeout = 3 * time.Hour
)

// TailEvent is an event a Live Tail session delivers.
type TailEvent struct {
	GroupIdentifier string
	Stream          string
	Message         string
	Timestamp       int64
	Ingestion       int64
}

type tailHub struct {
	mu   sync.Mutex
	subs map[int64]map[*TailSession]bool // by group id
}

func newTailHub() *tailHub { return &tailHub{subs: map[int64]map[*TailSession]bool{}} }

// publish offers committed events of a group to its sessions.
func (h *tailHub) publish(sc Scope, g *store.LogGroup, events []store.LogEvent) {
	h.mu.Lock()
	sessions := make([]*TailSession, 0, len(h.subs[g.ID]))
	for s := range h.subs[g.ID] {
		sessions = append(sessions, s)
	}
	h.mu.Unlock()
	for _, s := range sessions {
		s.offer(g.ID, events)
	}
}

func (h *tailHub) add(s *TailSession) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for id := range s.groups {
		if h.subs[id] == nil {
			h.subs[id] = map[*TailSession]bool{}
		}
		h.subs[id][s] = true
	}
}

func (h *tailHub) remove(s *TailSession) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for id := range s.groups {
		delete(h.subs[id], s)
		if len(h.subs[id]) == 0 {
			delete(h.subs, id)
		}
	}
}

// TailSession is a running Live Tail session.
type TailSession struct {
	// ID is the session id.
	ID string
	// Identifiers, Streams, Prefixes and Pattern echo the request.
	Identifiers, Streams, Prefixes []string
	Pattern                        string

	hub     *tailHub
	clock   clock.Clock
	groups  map[int64]string // group id → identifier as requested
	pattern *filterpattern.Pattern

	mu      sync.Mutex
	buf     []TailEvent
	dropped bool
}

// TailQuery is StartLiveTail's input.
type TailQuery struct {
	Identifiers []string
	Streams     []string
	Prefixes    []string
	Pattern     string
}

// StartLiveTail opens a session; the caller must Close it.
func (e *Engine) StartLiveTail(ctx context.Context, sc Scope, q TailQuery) (*TailSession, error) {
	if len(q.Streams) > 0 && len(q.Prefixes) > 0 {
		return nil, errorf(InvalidParameter, "logStreamNames and logStreamNamePrefixes are mutually exclusive parameters.")
	}
	if (len(q.Streams) > 0 || len(q.Prefixes) > 0) && len(q.Identifiers) > 1 {
		return nil, errorf(InvalidParameter, "logStreamNames and logStreamNamePrefixes can only be used with a single log group.")
	}
	p, err := parsePattern(q.Pattern)
	if err != nil {
		return nil, err
	}
	s := &TailSession{ID: newSessionID(), Identifiers: q.Identifiers, Streams: q.Streams, Prefixes: q.Prefixes, Pattern: q.Pattern,
		hub: e.tail, clock: e.opt.Clock, groups: map[int64]string{}, pattern: p}
	for _, id := range q.Identifiers {
		g, err := e.group(ctx, sc, "", id)
		if err != nil {
			return nil, err
		}
		s.groups[g.ID] = id
	}
	e.tail.add(s)
	return s, nil
}

func newSessionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// Close ends the session.
func (s *TailSession) Close() { s.hub.remove(s) }

// ErrTailTimeout is Run's error when the session reached its length.
var ErrTailTimeout = errors.New("Session timed out after three hours. Start a new session to continue.")

// Run hands update the events of each update, every TailInterval of the
// engine's clock, until ctx ends (nil), update fails (its error) or the
// session has lasted timeout (TailTimeout when 0; ErrTailTimeout).
func (s *TailSession) Run(ctx context.Context, timeout time.Duration, update func(events []TailEvent, sampled bool) error) error {
	if timeout == 0 {
		timeout = TailTimeout
	}
	ticker := s.clock.NewTicker(TailInterval)
	defer ticker.Stop()
	deadline := s.clock.NewTimer(timeout)
	defer deadline.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-deadline.C():
			return ErrTailTimeout
		case <-ticker.C():
			if err := update(s.Take()); err != nil {
				return err
			}
		}
	}
}

func (s *TailSession) offer(groupID int64, events []store.LogEvent) {
	id := s.groups[groupID]
	var keep []TailEvent
	for _, ev := range events {
		if len(s.Streams) > 0 && !slices.Contains(s.Streams, ev.Stream) {
			continue
		}
		if len(s.Prefixes) > 0 && !slices.ContainsFunc(s.Prefixes, func(p string) bool { return strings.HasPrefix(ev.Stream, p) }) {
			continue
		}
		if !s.pattern.Match(ev.Message) {
			continue
		}
		keep = append(keep, TailEvent{GroupIdentifier: id, Stream: ev.Stream, Message: ev.Message, Timestamp: ev.Timestamp, Ingestion: ev.Ingestion})
	}
	if len(keep) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf = append(s.buf, keep...)
	if over := len(s.buf) - tailBufferEvents; over > 0 {
		s.buf = s.buf[over:]
		s.dropped = true
	}
}

// Take returns the events of the next update: at most 500, evenly sampled
// when more are waiting, and whether sampling (or dropping) happened.
func (s *TailSession) Take() ([]TailEvent, bool) {
	s.mu.Lock()
	buf, dropped := s.buf, s.dropped
	s.buf, s.dropped = nil, false
	s.mu.Unlock()
	if len(buf) <= tailUpdateEvents {
		return buf, dropped
	}
	out := make([]TailEvent, tailUpdateEvents)
	for i := range out {
		out[i] = buf[i*len(buf)/tailUpdateEvents]
	}
	return out, true
}
