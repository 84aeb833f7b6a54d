package server

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigilhq/vigil/internal/protocol"
)

// Request bodies are read as their bytes arrive, never into a buffer the
// size a client claims: a client that has not yet proved who it is must
// not be able to make the server hold memory it did not send, and what
// all such clients hold together is bounded (budget). Each body has a
// deadline for its bytes, so that a client sending slowly (slow loris)
// cannot hold a connection and its memory for ever.

const (
	// DefaultPreAuthBytes bounds the body bytes held by requests not yet
	// authenticated, together.
	DefaultPreAuthBytes = 128 << 20
	// DefaultBodyTimeout is the time a body may take to arrive, plus one
	// second per minBodyRate bytes it has.
	DefaultBodyTimeout = 30 * time.Second
	minBodyRate        = 256 << 10
	// firstRead is the most the first buffer of a body holds.
	firstRead = 16 << 10
)

// budget counts the bytes that unauthenticated requests hold.
type budget struct {
	limit int64
	used  atomic.Int64
}

// take reserves n bytes, or reports false when that would pass the limit.
func (b *budget) take(n int64) bool {
	if b.used.Add(n) > b.limit {
		b.used.Add(-n)
		return false
	}
	return true
}

func (b *budget) give(n int64) { b.used.Add(-n) }

// reserve takes n bytes of the budget for the request.
func (x *exchange) reserve(n int64) error {
	if !x.s.budget.take(n) {
		return throttled(x.call.Kind)
	}
	x.reserved += n
	return nil
}

// releaseBudget returns what the request holds of the budget: once it is
// authenticated, or when it ends.
func (x *exchange) releaseBudget() {
	x.s.budget.give(x.reserved)
	x.reserved = 0
}

// readBody reads the request body, at most limit bytes, within the body
// deadline.
func (x *exchange) readBody(limit int64) ([]byte, error) {
	r := x.r
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	size := r.ContentLength
	if size < 0 {
		size = limit
	}
	rc := http.NewResponseController(x.w)
	timeout := x.s.opt.BodyTimeout + time.Duration(size/minBodyRate)*time.Second
	deadlines := rc.SetReadDeadline(time.Now().Add(timeout)) == nil
	body, err := readAll(r.Body, r.ContentLength, min(size, firstRead), limit, x.reserve)
	if deadlines {
		// Cleared for what follows the body: the server's own read
		// that watches for the client going away must not time out
		// while a response streams.
		_ = rc.SetReadDeadline(time.Time{})
	}
	var pe *protocol.Error
	switch {
	case err == nil:
		return body, nil
	case errors.As(err, &pe):
		return nil, err
	case errors.Is(err, os.ErrDeadlineExceeded):
		x.w.Header().Set("Connection", "close")
		return nil, timedOut(x.call.Kind, timeout)
	}
	return nil, &protocol.Error{Code: "IncompleteBody", Status: http.StatusBadRequest, Message: "The request body could not be read.", Cause: err}
}

// readAll reads src to its end, or want bytes when want ≥ 0, into a
// buffer that starts at first bytes and doubles as bytes arrive; each
// growth is first reserved (reserve may be nil). More than limit bytes
// fail with RequestEntityTooLarge.
func readAll(src io.Reader, want, first, limit int64, reserve func(int64) error) ([]byte, error) {
	grow := func(buf []byte, n int64) ([]byte, error) {
		if reserve != nil {
			if err := reserve(n - int64(cap(buf))); err != nil {
				return nil, err
			}
		}
		out := make([]byte, len(buf), n)
		copy(out, buf)
		return out, nil
	}
	buf, err := grow(nil, max(first, 1))
	if err != nil {
		return nil, err
	}
	for {
		if want >= 0 && int64(len(buf)) == want {
			return buf, nil
		}
		if len(buf) == cap(buf) {
			if int64(len(buf)) > limit {
				return nil, tooLarge(int64(len(buf)), limit, nil)
			}
			next := min(2*int64(cap(buf)), limit+1)
			if want >= 0 {
				next = min(next, want)
			}
			if buf, err = grow(buf, next); err != nil {
				return nil, err
			}
		}
		n, err := src.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			if int64(len(buf)) > limit {
				return nil, tooLarge(int64(len(buf)), limit, nil)
			}
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func tooLarge(n, limit int64, svc *protocol.Service) *protocol.Error {
	where := ""
	if svc != nil {
		where = " for " + svc.ServiceID
	}
	return &protocol.Error{Code: "RequestEntityTooLarge", Status: http.StatusRequestEntityTooLarge,
		Message: fmt.Sprintf("Request body of %d bytes exceeds the limit of %d bytes%s.", n, limit, where)}
}

// throttled is the answer when unauthenticated requests hold all the
// budget: the throttling error each protocol's clients retry.
func throttled(k protocol.Kind) *protocol.Error {
	if k == protocol.RESTXML {
		return &protocol.Error{Code: "SlowDown", Status: http.StatusServiceUnavailable, Server: true, Message: "Please reduce your request rate."}
	}
	return &protocol.Error{Code: "ThrottlingException", QueryCode: "Throttling", Status: http.StatusBadRequest, Message: "Rate exceeded"}
}

// timedOut is the answer to a body that did not arrive in time.
func timedOut(k protocol.Kind, d time.Duration) *protocol.Error {
	status := http.StatusRequestTimeout
	if k == protocol.RESTXML {
		status = http.StatusBadRequest
	}
	return &protocol.Error{Code: "RequestTimeout", Status: status,
		Message: fmt.Sprintf("Your socket connection to the server was not read from or written to within the timeout period (%s). Idle connections will be closed.", d)}
}

// decodeContent undoes the request's Content-Encoding: gzip (the AWS SDKs
// compress large CloudWatch bodies, the CloudWatch agent every
// PutMetricData and PutLogEvents), after aws-chunked, which
// authentication has already undone. The decoded body may hold at most
// limit bytes; reserve (nil once authenticated) takes its memory from the
// budget.
func decodeContent(h http.Header, body []byte, limit int64, reserve func(int64) error) ([]byte, error) {
	gz := false
	for _, enc := range strings.Split(h.Get("Content-Encoding"), ",") {
		switch enc = strings.ToLower(strings.TrimSpace(enc)); enc {
		case "", "identity", "aws-chunked":
		case "gzip", "x-gzip":
			if gz {
				return nil, protocol.NewError(http.StatusUnsupportedMediaType, "UnsupportedMediaType", "Content-Encoding gzip is given twice; send it once.")
			}
			gz = true
		default:
			return nil, protocol.NewError(http.StatusUnsupportedMediaType, "UnsupportedMediaType", "Content-Encoding %q is not supported; send gzip or no encoding.", enc)
		}
	}
	if !gz || len(body) == 0 {
		return body, nil
	}
	zr, _ := gzipReaders.Get().(*gzip.Reader)
	var err error
	if zr == nil {
		zr, err = gzip.NewReader(bytes.NewReader(body))
	} else {
		err = zr.Reset(bytes.NewReader(body))
	}
	if err != nil {
		return nil, protocol.SerializationError("The gzip-encoded body is damaged: %v", err)
	}
	defer gzipReaders.Put(zr)
	// The gzip trailer's size (modulo 2^32, and a claim: only a hint
	// within the limit, and a small one before authentication) sizes the
	// first buffer.
	var hint int64
	if len(body) >= 4 {
		hint = int64(binary.LittleEndian.Uint32(body[len(body)-4:])) + bytes.MinRead
	}
	if reserve != nil {
		hint = min(hint, firstRead)
	}
	out, err := readAll(zr, -1, min(hint, limit+1), limit, reserve)
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return nil, err
	}
	if err != nil {
		return nil, protocol.SerializationError("The gzip-encoded body is damaged: %v", err)
	}
	return out, nil
}

// gzipReaders keeps gzip readers (each holds tens of kilobytes of
// decompression state) for reuse.
var gzipReaders sync.Pool

// streamDeadline sets the read deadline of a streamed body of size bytes,
// as readBody sets one, and returns its timeout and the function that
// clears it once the handler is done.
func (x *exchange) streamDeadline(size int64) (time.Duration, func()) {
	timeout := x.s.opt.BodyTimeout + time.Duration(size/minBodyRate)*time.Second
	rc := http.NewResponseController(x.w)
	if rc.SetReadDeadline(time.Now().Add(timeout)) != nil {
		return timeout, func() {}
	}
	return timeout, func() { _ = rc.SetReadDeadline(time.Time{}) }
}
