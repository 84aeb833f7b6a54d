package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/protocol"
)

func TestClockEndpoint(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	base := clock.NewFake(t0)
	v := clock.NewVirtual(base)
	var settleErr error
	settles := 0
	s := New(Options{Router: protocol.NewRouter(), Clock: v, DevClock: v, Settle: func(context.Context) error {
		settles++
		return settleErr
	}})
	fired := v.NewTimer(24 * time.Hour)

	call := func(method, body string) (int, map[string]any) {
		t.Helper()
		r := httptest.NewRequest(method, ClockPath, strings.NewReader(body))
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		var out map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s %s: %d %q is not JSON: %v", method, ClockPath, body, w.Code, w.Body, err)
		}
		return w.Code, out
	}
	want := func(method, body string, status int, field, value string) {
		t.Helper()
		code, out := call(method, body)
		if code != status || !strings.Contains(fmt.Sprint(out[field]), value) {
			t.Errorf("%s %s = %d %v; want %d with %s containing %q", method, body, code, out, status, field, value)
		}
	}

	want("GET", "", 200, "now", "2026-12-01T00:00:00Z")
	want("GET", "", 200, "offset", "0s")
	want("POST", `{"advance": "15m"}`, 200, "now", "2026-12-01T00:15:00Z")
	want("POST", `{"advance": "1d12h"}`, 200, "offset", "36h15m0s")
	select {
	case <-fired.C():
	default:
		t.Error("a timer that the move made due did not fire")
	}
	want("POST", `{"set": "2026-12-24T00:00:00Z"}`, 200, "now", "2026-12-24T00:00:00Z")
	want("GET", "", 200, "offset", "552h0m0s")
	// A move answers after the jobs it made due (Settle), and says when
	// they had not finished.
	if settles != 3 {
		t.Errorf("Settle called %d times for 3 moves", settles)
	}
	want("POST", `{"advance": "0s"}`, 200, "settled", "true")
	settleErr = context.DeadlineExceeded
	want("POST", `{"advance": "0s"}`, 200, "settled", "false")
	settleErr = nil

	// Refusals, which leave the clock where it is.
	want("POST", `{"set": "2026-12-23T00:00:00Z"}`, 400, "message", "cannot go back")
	want("POST", `{"advance": "-5m"}`, 400, "message", "not a positive duration")
	want("POST", `{"advance": "soon"}`, 400, "message", "not a positive duration")
	want("POST", `{"set": "Christmas"}`, 400, "message", "not an RFC 3339 time")
	want("POST", `{"set": "2027-01-01T00:00:00Z", "advance": "1h"}`, 400, "message", `either "set"`)
	want("POST", `{}`, 400, "message", `either "set"`)
	want("POST", `{"advance": "1h", "extra": 1}`, 400, "message", `either "set"`)
	want("POST", `{"advance": "1000000h"}`, 400, "message", "at most 100 years")
	want("DELETE", "", 405, "message", "POST to move it")
	want("GET", "", 200, "now", "2026-12-24T00:00:00Z")

	// Base time passes under it.
	base.Advance(time.Second)
	want("GET", "", 200, "now", "2026-12-24T00:00:01Z")
}

func TestClockEndpointOutsideDevMode(t *testing.T) {
	s := New(Options{Router: protocol.NewRouter()})
	for _, method := range []string{"GET", "POST"} {
		r := httptest.NewRequest(method, ClockPath, strings.NewReader(`{"advance": "1h"}`))
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "--dev") {
			t.Errorf("%s %s without --dev = %d %s; want 403 naming --dev", method, ClockPath, w.Code, w.Body)
		}
	}
}
