package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/vigilhq/vigil/internal/auth/sigv4"
	"github.com/vigilhq/vigil/internal/store"
)

// The outbox's dead letters — deliveries given up after their retries —
// are listed (GET DeadDeliveriesPath) and made pending again (POST
// RetryDeliveriesPath) by the operator: the root account's credentials,
// or anyone in --dev mode.
const (
	DeadDeliveriesPath  = "/_vigil/deliveries/dead"
	RetryDeliveriesPath = "/_vigil/deliveries/retry"
)

// DeadLetters lists and revives the outbox's dead letters
// (outbox.Processor).
type DeadLetters interface {
	Dead(ctx context.Context, kind string, after int64, limit int) ([]store.OutboxItem, error)
	RetryDead(ctx context.Context, kind string, ids []int64) (int, error)
}

// DeadDelivery is one dead letter in the answer of GET DeadDeliveriesPath;
// the payload itself is left out (it holds the account's data).
type DeadDelivery struct {
	ID           int64     `json:"id"`
	Kind         string    `json:"kind"`
	Version      int       `json:"version"`
	Account      string    `json:"account"`
	Region       string    `json:"region"`
	Target       string    `json:"target"`
	PayloadBytes int       `json:"payload_bytes"`
	Created      time.Time `json:"created"`
	Attempts     int       `json:"attempts"`
	LastError    string    `json:"last_error"`
	DeadAt       time.Time `json:"dead_at"`
}

// DeadDeliveries is the answer of GET DeadDeliveriesPath; Next, when set,
// is the "after" of the next page.
type DeadDeliveries struct {
	Items []DeadDelivery `json:"items"`
	Next  int64          `json:"next,omitempty"`
}

// retryRequest is the body of POST RetryDeliveriesPath: the dead letters
// of ids, or, without ids, every one of kind ("": of every kind).
type retryRequest struct {
	Kind string  `json:"kind"`
	IDs  []int64 `json:"ids"`
}

// Paging of GET DeadDeliveriesPath.
const (
	defaultDeadPage = 100
	maxDeadPage     = 1000
	maxRetryBody    = 1 << 20
)

// serveDeliveries answers the dead-letter endpoints.
func (s *Server) serveDeliveries(w http.ResponseWriter, r *http.Request) {
	if s.opt.DeadLetters == nil {
		writeJSONMessage(w, http.StatusNotFound, "This server keeps no deliveries.")
		return
	}
	want := http.MethodGet
	if r.URL.Path == RetryDeliveriesPath {
		want = http.MethodPost
	}
	if r.Method != want {
		w.Header().Set("Allow", want)
		writeJSONMessage(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s answers %s only.", r.URL.Path, want))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRetryBody))
	if err != nil {
		writeJSONMessage(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("The body must be at most %d bytes.", maxRetryBody))
		return
	}
	if status, msg := s.operator(r, body); status != http.StatusOK {
		writeJSONMessage(w, status, msg)
		return
	}
	if r.Method == http.MethodGet {
		s.listDead(w, r)
		return
	}
	var req retryRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeJSONMessage(w, http.StatusBadRequest, `The body must be a JSON object such as {"ids": [12, 13]} or {"kind": "logs.subscription"}: `+err.Error())
		return
	}
	n, err := s.opt.DeadLetters.RetryDead(r.Context(), req.Kind, req.IDs)
	if err != nil {
		s.opt.Logger.Error("cannot retry dead deliveries", "error", err)
		writeJSONMessage(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"retried": n})
}

// operator lets the request through in --dev mode, or when it is signed
// with the root account's credentials.
func (s *Server) operator(r *http.Request, body []byte) (int, string) {
	if s.opt.DevClock != nil {
		return http.StatusOK, ""
	}
	sig, parseErr := sigv4.Parse(r)
	res, err := s.opt.Auth.Authenticate(r.Context(), r, body, sig, parseErr, false)
	if err != nil {
		return http.StatusForbidden, "Sign the request with the root account's credentials (curl --aws-sigv4): " + err.Error()
	}
	if res.Principal.ARN != "arn:aws:iam::"+s.opt.OperatorAccount+":root" {
		return http.StatusForbidden, fmt.Sprintf("%s may not manage Vigil's deliveries: only the root account %s may.", res.Principal.ARN, s.opt.OperatorAccount)
	}
	return http.StatusOK, ""
}

func (s *Server) listDead(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, after := defaultDeadPage, int64(0)
	var err error
	if v := q.Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > maxDeadPage {
			writeJSONMessage(w, http.StatusBadRequest, fmt.Sprintf("limit must be an integer from 1 to %d.", maxDeadPage))
			return
		}
	}
	if v := q.Get("after"); v != "" {
		if after, err = strconv.ParseInt(v, 10, 64); err != nil || after < 0 {
			writeJSONMessage(w, http.StatusBadRequest, "after must be the id of a dead delivery (a non-negative integer).")
			return
		}
	}
	items, err := s.opt.DeadLetters.Dead(r.Context(), q.Get("kind"), after, limit+1)
	if err != nil {
		s.opt.Logger.Error("cannot list dead deliveries", "error", err)
		writeJSONMessage(w, http.StatusInternalServerError, err.Error())
		return
	}
	out := DeadDeliveries{Items: []DeadDelivery{}}
	if len(items) > limit {
		items = items[:limit]
		out.Next = items[limit-1].ID
	}
	for _, it := range items {
		out.Items = append(out.Items, DeadDelivery{ID: it.ID, Kind: it.Kind, Version: it.Version, Account: it.Account, Region: it.Region,
			Target: it.Target, PayloadBytes: len(it.Payload), Created: time.UnixMilli(it.Created).UTC(), Attempts: it.Attempts,
			LastError: it.LastError, DeadAt: time.UnixMilli(it.DeadAt).UTC()})
	}
	writeJSON(w, http.StatusOK, out)
}
