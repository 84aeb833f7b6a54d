package dispatch

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
)

// HTTPRequest is a request a service makes to an HTTP endpoint its user
// configured (an EventBridge API destination, an OAuth token endpoint).
type HTTPRequest struct {
	Method, URL string
	Header      map[string]string
	Body        []byte
}

// HTTPResponse is an endpoint's answer: its status and the start of its
// body.
type HTTPResponse struct {
	Status int
	Body   []byte
}

// HTTPCaller makes a request; an error is a failure to reach the
// endpoint or to read its answer, which may be any status.
type HTTPCaller func(ctx context.Context, r *HTTPRequest) (*HTTPResponse, error)

// NewHTTPCaller returns an HTTPCaller over a client (whose Timeout bounds
// each call), which reads at most maxBody bytes of an answer.
func NewHTTPCaller(client *http.Client, maxBody int64) HTTPCaller {
	return func(ctx context.Context, r *HTTPRequest) (*HTTPResponse, error) {
		var body io.Reader
		if r.Body != nil {
			body = bytes.NewReader(r.Body)
		}
		req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, body)
		if err != nil {
			return nil, &Error{Code: "InvalidTarget", Err: err}
		}
		for k, v := range r.Header {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("cannot call %s: %w", r.URL, err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
		if err != nil {
			return nil, fmt.Errorf("cannot read the answer of %s: %w", r.URL, err)
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
		return &HTTPResponse{Status: resp.StatusCode, Body: b}, nil
	}
}
