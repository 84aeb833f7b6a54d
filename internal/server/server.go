// Package server is Vigil's front door: one http.Handler that every API
// request passes. It gives the request an id, reads its body within the
// service's limit, routes it (protocol.Router), authenticates and
// authorizes it (auth), decodes and validates its input, runs the handler,
// writes the response or error in the request's protocol, and hands the
// outcome to the audit hook and the metrics. A panic anywhere becomes an
// InternalFailure for the client and a logged stack for the operator.
package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/vigilhq/vigil/internal/audit"
	"github.com/vigilhq/vigil/internal/auth"
	"github.com/vigilhq/vigil/internal/auth/sigv4"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/request"
)

// Options configure a Server.
type Options struct {
	// Router routes requests to services.
	Router *protocol.Router
	// Auth authenticates requests.
	Auth *auth.Authenticator
	// Authorizer decides whether a principal may call an operation.
	Authorizer auth.Authorizer
	// Audit receives every API request once its response is known.
	Audit audit.Sink
	// Metrics counts requests; nil disables them.
	Metrics *Metrics
	// Logger logs failures and, at debug level, every request.
	Logger *slog.Logger
	// BodyLimit returns the largest request body a service accepts, in
	// bytes (compressed bodies: decompressed size); nil means DefaultBodyLimit.
	BodyLimit func(svc *protocol.Service) int64
	// Health describes the server for GET /_vigil/health.
	Health func() any
	// Now returns the current time (time.Now when nil).
	Now func() time.Time
}

// Server is the front door.
type Server struct {
	opt     Options
	maxBody int64 // the largest limit of any service
}

// DefaultBodyLimits are the request body limits by service id; services not
// listed accept DefaultBodyLimit. CloudWatch Logs takes PutLogEvents
// batches of 1 MiB of messages whose JSON encoding can be several times
// larger.
var DefaultBodyLimits = map[string]int64{
	"logs": 8 << 20,
	"s3":   64 << 20,
}

// DefaultBodyLimit is the body limit of services without their own.
const DefaultBodyLimit = 2 << 20

// New returns a Server.
func New(opt Options) *Server {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.BodyLimit == nil {
		opt.BodyLimit = func(svc *protocol.Service) int64 {
			if svc != nil {
				if n, ok := DefaultBodyLimits[svc.ID]; ok {
					return n
				}
			}
			return DefaultBodyLimit
		}
	}
	if opt.Audit == nil {
		opt.Audit = audit.Discard{}
	}
	if opt.Authorizer == nil {
		opt.Authorizer = auth.AllowAll{}
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{opt: opt, maxBody: DefaultBodyLimit}
	for _, st := range opt.Router.Services() {
		s.maxBody = max(s.maxBody, opt.BodyLimit(st))
	}
	return s
}

// ServeHTTP serves Vigil's internal endpoints and the AWS APIs.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.serveInternal(w, r) {
		return
	}
	x := &exchange{
		s: s, w: &statusWriter{ResponseWriter: w}, r: r,
		info: &request.Info{ID: newRequestID(), Time: s.opt.Now(), SourceIP: sourceIP(r), UserAgent: r.UserAgent()},
		call: &protocol.Call{Kind: protocol.GuessKind(r)},
	}
	defer x.finish()
	x.serve()
}

// exchange is one API request on its way through the front door.
type exchange struct {
	s    *Server
	w    *statusWriter
	r    *http.Request
	info *request.Info
	call *protocol.Call

	input, output any
	errCode       string
	errMsg        string
	started       bool // a response was written
}

// statusWriter remembers the status of the response.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush sends buffered data, for streamed responses.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (x *exchange) serve() {
	defer func() {
		if p := recover(); p != nil {
			x.fail(protocol.InternalFailure(fmt.Errorf("panic: %v\n%s", p, debug.Stack())))
		}
	}()
	body, err := readBody(x.r, x.s.maxBody)
	if err != nil {
		x.fail(err)
		return
	}
	sig, parseErr := sigv4.Parse(x.r)
	signing := ""
	if sig != nil {
		signing = sig.Service
	}
	call, routeErr := x.s.opt.Router.Route(&protocol.Request{HTTP: x.r, Body: body, SigningName: signing})
	x.call = call
	if call.Service != nil {
		x.info.Service = call.Service.ID
	}
	if call.Op != nil {
		x.info.Operation = call.Op.Name
	}
	if routeErr != nil && call.Op == nil {
		// AWS rejects unknown operations before it authenticates.
		x.fail(routeErr)
		return
	}
	limit := x.s.opt.BodyLimit(call.Service)
	if int64(len(body)) > limit {
		x.fail(tooLarge(int64(len(body)), limit, call.Service))
		return
	}
	ctx := x.r.Context()
	res, err := x.s.opt.Auth.Authenticate(ctx, x.r, body, sig, parseErr, call.Kind == protocol.RESTXML)
	if err != nil {
		var ae *auth.Error
		if errors.As(err, &ae) {
			err = ae.ProtocolError(call.Kind)
		}
		x.fail(err)
		return
	}
	x.info.Principal, x.info.Region = res.Principal, res.Region
	ctx = request.NewContext(ctx, x.info)
	if routeErr != nil {
		// A modeled operation Vigil does not implement.
		x.fail(routeErr)
		return
	}
	svc := call.Service
	if err := x.s.opt.Authorizer.Authorize(ctx, res.Principal, svc.IAMPrefix+":"+call.Op.Name, "*"); err != nil {
		x.fail(err)
		return
	}
	payload, err := decompress(x.r.Header, res.Body, limit)
	if err != nil {
		x.fail(err)
		return
	}
	in, err := call.DecodeInput(x.r, payload)
	if err != nil {
		x.fail(err)
		return
	}
	x.input = in
	out, stream, err := call.Invoke(ctx, in)
	if err != nil {
		x.fail(err)
		return
	}
	x.output = out
	x.started = true
	if stream != nil {
		if err := call.WriteStream(ctx, x.w, x.info.ID, stream); err != nil && ctx.Err() == nil {
			x.s.opt.Logger.Warn("event stream ended with an error", "request_id", x.info.ID, "operation", call.Op.Name, "error", err)
		}
		return
	}
	call.WriteOutput(x.w, x.info.ID, out)
}

// fail writes err in the call's protocol (unless a response was already
// started) and records its code.
func (x *exchange) fail(err error) {
	if cause := protocol.Cause(err); cause != nil {
		x.s.opt.Logger.Error("request failed", "request_id", x.info.ID, "service", x.info.Service,
			"operation", x.info.Operation, "error", cause)
	}
	x.errMsg = protocol.ErrorMessage(x.call.Service, err)
	if x.started {
		x.errCode = protocol.ErrorCode(x.call.Service, err)
		return
	}
	x.started = true
	x.errCode = x.call.WriteError(x.w, x.r, x.info.ID, err)
}

// finish records the request in the metrics, the audit log and the debug
// log.
func (x *exchange) finish() {
	elapsed := x.s.opt.Now().Sub(x.info.Time)
	service, op := x.info.Service, x.info.Operation
	if m := x.s.opt.Metrics; m != nil {
		m.observe(service, op, x.w.status, elapsed)
	}
	if x.call.Service != nil {
		e := &audit.Event{
			Time: x.info.Time, Principal: x.info.Principal, SourceIP: x.info.SourceIP, UserAgent: x.info.UserAgent,
			Region: x.info.Region, Service: service, EventSource: x.call.Service.EndpointPrefix + ".amazonaws.com",
			Operation: op, Request: x.input, Response: x.output, ErrorCode: x.errCode, RequestID: x.info.ID,
		}
		if x.errCode != "" {
			e.ErrorMessage = x.errMsg
		}
		if x.call.Op != nil {
			e.ReadOnly = x.call.Op.ReadOnly
		}
		x.s.opt.Audit.Record(context.WithoutCancel(x.r.Context()), e)
	}
	x.s.opt.Logger.Debug("request", "request_id", x.info.ID, "service", service, "operation", op,
		"protocol", x.call.Kind, "account", x.info.Principal.Account, "error", x.errCode, "duration", elapsed)
}

// readBody reads the whole body, refusing bodies over limit.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, tooLarge(r.ContentLength, limit, nil)
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength))
	}
	n, err := buf.ReadFrom(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, &protocol.Error{Code: "IncompleteBody", Status: http.StatusBadRequest, Message: "The request body could not be read.", Cause: err}
	}
	if n > limit {
		return nil, tooLarge(n, limit, nil)
	}
	return buf.Bytes(), nil
}

func tooLarge(n, limit int64, svc *protocol.Service) *protocol.Error {
	where := ""
	if svc != nil {
		where = " for " + svc.ServiceID
	}
	return &protocol.Error{Code: "RequestEntityTooLarge", Status: http.StatusRequestEntityTooLarge,
		Message: fmt.Sprintf("Request body of %d bytes exceeds the limit of %d bytes%s.", n, limit, where)}
}

// decompress undoes a gzip Content-Encoding (CloudWatch clients compress
// large PutMetricData bodies; the signature covers the compressed bytes).
func decompress(h http.Header, body []byte, limit int64) ([]byte, error) {
	enc := strings.ToLower(strings.TrimSpace(h.Get("Content-Encoding")))
	if enc == "" || enc == "identity" || enc == "aws-chunked" || len(body) == 0 {
		return body, nil
	}
	if enc != "gzip" {
		return nil, protocol.NewError(http.StatusUnsupportedMediaType, "UnsupportedMediaType", "Content-Encoding %q is not supported; send gzip or no encoding.", enc)
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
	// The gzip trailer's size (modulo 2^32, and untrusted: only a hint
	// within the limit) sizes the buffer once instead of doubling it.
	var hint int64
	if len(body) >= 4 {
		hint = int64(binary.LittleEndian.Uint32(body[len(body)-4:]))
	}
	out := bytes.NewBuffer(make([]byte, 0, min(hint, limit)+bytes.MinRead))
	if _, err := out.ReadFrom(io.LimitReader(zr, limit+1)); err != nil {
		return nil, protocol.SerializationError("The gzip-encoded body is damaged: %v", err)
	}
	if int64(out.Len()) > limit {
		return nil, tooLarge(int64(out.Len()), limit, nil)
	}
	return out.Bytes(), nil
}

// gzipReaders keeps gzip readers (each holds tens of kilobytes of
// decompression state) for reuse.
var gzipReaders sync.Pool

// newRequestID returns a random UUID (version 4), AWS's request id form.
func newRequestID() string {
	var b [16]byte
	a, c := rand.Uint64(), rand.Uint64()
	for i := range 8 {
		b[i], b[8+i] = byte(a>>(8*i)), byte(c>>(8*i))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, v := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hex[v>>4], hex[v&0xf])
	}
	return string(out)
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
