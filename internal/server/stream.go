package server

import (
	"errors"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/vigilhq/vigil/internal/auth/sigv4"
	"github.com/vigilhq/vigil/internal/protocol"
)

// serveStream serves a call whose payload streams (S3's PutObject and
// UploadPart): the request is authenticated from its headers, and its
// body, verified as it is read (auth.PayloadReader), is handed to the
// handler unread, so that no upload is ever held in memory. The body
// still has a deadline, as readBody sets it, and a limit.
func (x *exchange) serveStream(sig *sigv4.Signature, parseErr error, limit int64) {
	ctx := x.r.Context()
	size := x.r.ContentLength
	if size < 0 {
		size = limit
	}
	timeout, clear := x.streamDeadline(size)
	defer clear()
	body := &streamBody{r: http.MaxBytesReader(x.w, x.r.Body, limit), x: x, limit: limit, timeout: timeout}
	res, err := x.s.opt.Auth.AuthenticateStream(ctx, x.r, body, sig, parseErr)
	if err != nil {
		x.failAuth(err)
		return
	}
	ctx, ok := x.admit(ctx, res.Principal, res.Region)
	if !ok {
		return
	}
	in, err := x.call.DecodeInputStream(x.r, res.Body)
	if err != nil {
		x.fail(err)
		return
	}
	x.invoke(ctx, in)
}

// streamBody is a streamed request body whose read failures are the
// protocol errors readBody answers.
type streamBody struct {
	r       io.ReadCloser
	x       *exchange
	limit   int64
	timeout time.Duration
}

func (b *streamBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err == nil || err == io.EOF {
		return n, err
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return n, tooLarge(tooBig.Limit+1, b.limit, b.x.call.Service)
	case errors.Is(err, os.ErrDeadlineExceeded):
		b.x.w.Header().Set("Connection", "close")
		return n, timedOut(b.x.call.Kind, b.timeout)
	}
	return n, &protocol.Error{Code: "IncompleteBody", Status: http.StatusBadRequest, Message: "The request body could not be read.", Cause: err}
}

func (b *streamBody) Close() error { return b.r.Close() }
