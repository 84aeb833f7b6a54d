package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
)

// ClockPath reads (GET) and moves (POST) Vigil's clock in --dev mode.
const ClockPath = "/_vigil/clock"

// maxClockMove bounds how far one POST moves the clock (and keeps the
// offset far from overflowing).
const maxClockMove = 100 * 365 * 24 * time.Hour

// ClockState is the body of GET and POST /_vigil/clock.
type ClockState struct {
	// Now is Vigil's time, RFC 3339 with nanoseconds, in UTC.
	Now string `json:"now"`
	// Offset is how far Vigil's clock is ahead of the real one, as a Go
	// duration ("48h0m0s").
	Offset string `json:"offset"`
	// Settled, in the answer of a POST, is false when the jobs the move
	// made due (retention, roll-ups, deliveries …) had not all finished
	// within settleTimeout; true when the answer comes after them.
	Settled *bool `json:"settled,omitempty"`
}

// settleTimeout bounds how long a POST waits for the jobs its move made
// due: real time, since they do real work.
const settleTimeout = 10 * time.Second

// clockMove is the body of POST /_vigil/clock: one of the two.
type clockMove struct {
	Set     *string `json:"set"`
	Advance *string `json:"advance"`
}

const clockUsage = `The body must be a JSON object with either "set", an RFC 3339 time later than Vigil's ` +
	`({"set": "2026-12-24T00:00:00Z"}), or "advance", a positive duration such as "90s", "15m", "36h" or "2d" ({"advance": "15m"}).`

// serveClock answers /_vigil/clock: GET returns Vigil's time and its
// offset from the real clock; POST sets or advances it, which runs at
// once the jobs that fall due, and answers once they have finished (a
// user's test sees their effects as soon as the POST returns). Time never
// goes back: stored data relies on it.
func (s *Server) serveClock(w http.ResponseWriter, r *http.Request) {
	v := s.opt.DevClock
	if v == nil {
		writeJSONMessage(w, http.StatusForbidden, "Vigil's clock can be read and moved only when Vigil runs with --dev.")
		return
	}
	var settled *bool
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodPost:
		if s.opt.Flush != nil {
			ctx, cancel := context.WithTimeout(r.Context(), settleTimeout)
			err := s.opt.Flush(ctx)
			cancel()
			if err != nil {
				s.opt.Logger.Warn("the calls answered before the clock moved are not all recorded", "error", err)
			}
		}
		if status, msg := s.moveClock(v, r); status != http.StatusOK {
			writeJSONMessage(w, status, msg)
			return
		}
		settled = s.settle(r.Context())
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		writeJSONMessage(w, http.StatusMethodNotAllowed, "Use GET to read Vigil's clock and POST to move it.")
		return
	}
	writeJSON(w, http.StatusOK, ClockState{Now: v.Now().UTC().Format(time.RFC3339Nano), Offset: v.Offset().String(), Settled: settled})
}

// settle waits, at most settleTimeout, for the jobs a move made due
// (Options.Settle), and reports whether they finished.
func (s *Server) settle(ctx context.Context) *bool {
	ok := true
	if s.opt.Settle != nil {
		ctx, cancel := context.WithTimeout(ctx, settleTimeout)
		defer cancel()
		if err := s.opt.Settle(ctx); err != nil {
			s.opt.Logger.Warn("the clock moved; its jobs are still running", "error", err)
			ok = false
		}
	}
	return &ok
}

// moveClock applies a POST's move; it returns the status and message of
// a refusal, or 200.
func (s *Server) moveClock(v *clock.Virtual, r *http.Request) (int, string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<10))
	if err != nil {
		return http.StatusBadRequest, "Cannot read the body: " + err.Error()
	}
	var m clockMove
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil || (m.Set == nil) == (m.Advance == nil) {
		return http.StatusBadRequest, clockUsage
	}
	before := v.Now()
	var target time.Time
	var d time.Duration
	if m.Set != nil {
		if target, err = time.Parse(time.RFC3339Nano, *m.Set); err != nil {
			return http.StatusBadRequest, fmt.Sprintf("%q is not an RFC 3339 time. %s", *m.Set, clockUsage)
		}
		d = target.Sub(before)
	} else if d, err = parseDays(*m.Advance); err != nil || d < 0 {
		return http.StatusBadRequest, fmt.Sprintf("%q is not a positive duration. %s", *m.Advance, clockUsage)
	}
	if d > maxClockMove {
		return http.StatusBadRequest, "Vigil's clock moves at most 100 years at a time."
	}
	// An advance moves from the clock's time when it is applied, which
	// has passed since before was read.
	if m.Set != nil {
		err = v.Set(target)
	} else {
		err = v.Advance(d)
	}
	if errors.Is(err, clock.ErrBackwards) {
		return http.StatusBadRequest, fmt.Sprintf("Vigil's clock cannot go back: it is %s, and %s is earlier. "+
			"Stored data (ingestion times, metric roll-ups, expired events) relies on time moving only forward.",
			v.Now().UTC().Format(time.RFC3339Nano), target.UTC().Format(time.RFC3339Nano))
	} else if err != nil {
		return http.StatusBadRequest, err.Error()
	}
	s.opt.Logger.Info("clock moved", "from", before.UTC().Format(time.RFC3339Nano), "to", v.Now().UTC().Format(time.RFC3339Nano),
		"offset", v.Offset().String())
	return http.StatusOK, ""
}

// parseDays parses a Go duration that may start with a number of days
// ("2d", "1d12h").
func parseDays(s string) (time.Duration, error) {
	var days time.Duration
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.ParseUint(s[:i], 10, 16)
		if err != nil {
			return 0, err
		}
		days, s = time.Duration(n)*24*time.Hour, s[i+1:]
		if s == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(s)
	return days + d, err
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeJSONMessage answers with {"message": msg}.
func writeJSONMessage(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg})
}
