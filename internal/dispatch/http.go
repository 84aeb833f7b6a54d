package dispatch

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
)

// maxAnswer is how much of an endpoint's answer is read (and dropped)
// so that its connection can be reused.
const maxAnswer = 64 << 10

// HTTPTarget returns the target of http and https URLs: it POSTs a
// message's payload with its Header; a 2xx answer delivers it, and any
// other answer or a failure to connect is an error the outbox retries.
// Register it for the services "http" and "https".
func HTTPTarget(client *http.Client) Target {
	return NewTarget("", func(ctx context.Context, to Address, m *Message) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, to.Raw, bytes.NewReader(m.Payload))
		if err != nil {
			return &Error{Code: "InvalidTarget", Err: err}
		}
		for k, v := range m.Header {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("cannot deliver to %s: %w", to.Raw, err)
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
		resp.Body.Close()
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return fmt.Errorf("%s answered %s", to.Raw, resp.Status)
		}
		return nil
	})
}
