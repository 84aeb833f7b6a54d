// Package server is Vigil's front door: one http.Handler that every API
// request passes. It gives the request an id, reads its body within the
// service's limit, routes it (protocol.Router), authenticates and
// authorizes it (auth), decodes and validates its input, runs the handler,
// writes the response or error in the request's protocol, and hands the
// outcome to the audit hook and the metrics. A panic anywhere becomes an
// InternalFailure for the client and a logged stack for the operator.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/vigilhq/vigil/internal/audit"
	"github.com/vigilhq/vigil/internal/auth"
	"github.com/vigilhq/vigil/internal/auth/sigv4"
	"github.com/vigilhq/vigil/internal/clock"
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
	// StreamLimit is the largest body of an operation whose payload
	// streams (S3's PutObject and UploadPart), which is never held in
	// memory (DefaultStreamLimit when 0).
	StreamLimit int64
	// Health describes the server for GET /_vigil/health.
	Health func() any
	// Version is the server's version, shown on its home page.
	Version string
	// PreAuthBytes bounds the body bytes that requests not yet
	// authenticated hold together (DefaultPreAuthBytes when 0); past it
	// they are answered with a throttling error.
	PreAuthBytes int64
	// BodyTimeout is how long a body may take to arrive, plus a second
	// per 256 KiB (DefaultBodyTimeout when 0).
	BodyTimeout time.Duration
	// Clock gives requests their time, which the audit records and
	// handlers see, and times their latency (clock.System{} when nil):
	// Vigil's clock, virtual in --dev mode.
	Clock clock.Clock
	// DevClock, when set (--dev mode), is the clock that /_vigil/clock
	// reads and moves; without it the endpoint answers 403.
	DevClock *clock.Virtual
	// Settle waits for the jobs a move of DevClock made due (the
	// scheduler's WaitIdle) and the work under way that tests wait on
	// (CloudTrail Lake's queries); a POST to /_vigil/clock answers after
	// it.
	Settle func(ctx context.Context) error
	// Flush, before a move of DevClock, waits until the calls answered
	// so far are recorded (CloudTrail's event history), so that the
	// deliveries the move makes due include them.
	Flush func(ctx context.Context) error
	// DeadLetters are the outbox's, which the operator lists and retries
	// through /_vigil/deliveries (404 when nil).
	DeadLetters DeadLetters
	// OperatorAccount is the root account, whose credentials manage
	// Vigil itself (the dead letters) outside --dev mode.
	OperatorAccount string
	// Links answers the unsigned links Vigil hands out in the messages
	// it delivers (SNS's SubscribeURL, UnsubscribeURL and SigningCertURL),
	// which carry their own authorization, and reports whether r was one.
	Links func(w http.ResponseWriter, r *http.Request) bool
}

// Server is the front door.
type Server struct {
	opt     Options
	maxBody int64 // the largest limit of any service
	// anonymousBody is the largest body limit of the services with
	// operations AWS serves unsigned: what an unsigned form may hold.
	anonymousBody int64
	budget        budget
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

// DefaultStreamLimit is S3's largest single upload, 5 GiB, and room for
// its aws-chunked framing.
const DefaultStreamLimit = 5<<30 + 64<<20

// New returns a Server.
func New(opt Options) *Server {
	if opt.Clock == nil {
		opt.Clock = clock.System{}
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
	if opt.PreAuthBytes == 0 {
		opt.PreAuthBytes = DefaultPreAuthBytes
	}
	if opt.BodyTimeout == 0 {
		opt.BodyTimeout = DefaultBodyTimeout
	}
	if opt.StreamLimit == 0 {
		opt.StreamLimit = DefaultStreamLimit
	}
	s := &Server{opt: opt, maxBody: DefaultBodyLimit}
	s.budget.limit = opt.PreAuthBytes
	for _, st := range opt.Router.Services() {
		s.maxBody = max(s.maxBody, opt.BodyLimit(st))
		for _, op := range st.Operations {
			if op.NoAuth {
				s.anonymousBody = max(s.anonymousBody, opt.BodyLimit(st))
			}
		}
	}
	return s
}

// ServeHTTP serves Vigil's internal endpoints and the AWS APIs.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.serveInternal(w, r) {
		return
	}
	x := &exchange{
		s: s, w: &statusWriter{ResponseWriter: w, clock: s.opt.Clock}, r: r,
		info: &request.Info{ID: request.NewUUID(), Time: s.opt.Clock.Now(), SourceIP: sourceIP(r), UserAgent: r.UserAgent(), TLS: r.TLS != nil},
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

	// routeErr is the answer to a routed operation that Vigil does not
	// implement, given once the caller is authenticated.
	routeErr error
	// reserved is what the request holds of the unauthenticated-bytes
	// budget.
	reserved int64

	// sig is the request's parsed signature, nil when unsigned; bodyAt
	// is when its body had been read.
	sig    *sigv4.Signature
	bodyAt time.Time

	input, output any
	errCode       string
	errMsg        string
	started       bool // a response was written
}

// statusWriter remembers the status of the response, when its header
// was written and how many body bytes followed.
type statusWriter struct {
	http.ResponseWriter
	status   int
	clock    clock.Clock
	headerAt time.Time
	bytes    int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status, w.headerAt = code, w.clock.Now()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status, w.headerAt = http.StatusOK, w.clock.Now()
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// ReadFrom writes what r reads, letting the connection send a file by
// sendfile(2).
func (w *statusWriter) ReadFrom(r io.Reader) (int64, error) {
	if w.status == 0 {
		w.status, w.headerAt = http.StatusOK, w.clock.Now()
	}
	var n int64
	var err error
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(r)
	} else {
		n, err = io.Copy(struct{ io.Writer }{w.ResponseWriter}, r)
	}
	w.bytes += n
	return n, err
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
	sig, parseErr := sigv4.Parse(x.r)
	x.sig = sig
	signing := ""
	if sig != nil {
		signing = sig.Service
	}
	// Everything before authentication is bounded: the body's claimed
	// size against the limit of the service it is for, the time its
	// bytes may take to arrive, and the bytes all unauthenticated
	// requests hold together. A request whose operation shows in its
	// URL or headers is routed first (AWS refuses unknown operations
	// before it authenticates); an awsQuery form names it in the body.
	byBody := protocol.NeedsBody(x.r)
	var limit int64
	if byBody {
		for _, svc := range x.s.opt.Router.SignedAs(signing) {
			limit = max(limit, x.s.opt.BodyLimit(svc))
		}
		if unsigned(parseErr) && !x.s.opt.Auth.Dev() {
			// Only an operation AWS serves unsigned can take it.
			limit = min(limit, x.s.anonymousBody)
		}
	} else {
		if !x.route(nil, signing) {
			return
		}
		limit = x.s.opt.BodyLimit(x.call.Service)
		if x.call.StreamsInput() {
			limit = x.s.opt.StreamLimit
		}
	}
	if x.r.ContentLength > limit {
		x.fail(tooLarge(x.r.ContentLength, limit, x.call.Service))
		return
	}
	// An unsigned request may be for an operation AWS serves unsigned,
	// which an awsQuery form names in its body.
	mayBeAnonymous := unsigned(parseErr) && (byBody || x.call.Op != nil && x.call.Op.NoAuth)
	if err := x.s.opt.Auth.Precheck(x.r.Context(), sig, parseErr); err != nil && !mayBeAnonymous {
		x.failAuth(err)
		return
	}
	if !byBody && x.call.StreamsInput() {
		x.serveStream(sig, parseErr, limit)
		return
	}
	raw, err := x.readBody(limit)
	if err != nil {
		x.fail(err)
		return
	}
	x.bodyAt = x.s.opt.Clock.Now()
	payload := raw
	decoded := false
	if byBody {
		// The form is parsed from the decoded body; the signature
		// covers the bytes as sent.
		if payload, err = decodeContent(x.r.Header, raw, limit, x.reserve); err != nil {
			x.fail(err)
			return
		}
		decoded = true
		if !x.route(payload, signing) {
			return
		}
		limit = x.s.opt.BodyLimit(x.call.Service)
		if n := int64(max(len(raw), len(payload))); n > limit {
			x.fail(tooLarge(n, limit, x.call.Service))
			return
		}
	}
	ctx := x.r.Context()
	var res *auth.Result
	if unsigned(parseErr) && x.call.Op != nil && x.call.Op.NoAuth {
		res = x.s.opt.Auth.Anonymous(raw)
	} else if res, err = x.s.opt.Auth.Authenticate(ctx, x.r, raw, sig, parseErr, x.call.Kind == protocol.RESTXML); err != nil {
		x.failAuth(err)
		return
	}
	ctx, ok := x.admit(ctx, res.Principal, res.Region)
	if !ok {
		return
	}
	call := x.call
	if !decoded {
		payload = res.Body
		if call.Kind != protocol.RESTXML {
			// S3 keeps an object's Content-Encoding as metadata; the
			// other services decode the body.
			if payload, err = decodeContent(x.r.Header, res.Body, limit, nil); err != nil {
				x.fail(err)
				return
			}
		}
	}
	for name, v := range res.Trailers {
		// A trailing checksum is the upload's x-amz-checksum-* header.
		x.r.Header[name] = v
	}
	in, err := call.DecodeInput(x.r, payload)
	if err != nil {
		x.fail(err)
		return
	}
	x.invoke(ctx, in)
}

// admit puts the authenticated caller in the request's context; it
// answers the client and returns false when the call goes no further.
func (x *exchange) admit(ctx context.Context, p request.Principal, region string) (context.Context, bool) {
	x.releaseBudget()
	x.info.Principal, x.info.Region = p, region
	ctx = request.NewContext(ctx, x.info)
	if x.routeErr != nil {
		// A modeled operation Vigil does not implement.
		x.fail(x.routeErr)
		return ctx, false
	}
	return ctx, true
}

// invoke authorizes the call on its decoded input, runs it and writes its
// response.
func (x *exchange) invoke(ctx context.Context, in any) {
	call := x.call
	x.input = in
	// The operations AWS serves unsigned authorize their callers by the
	// token they carry (a role's trust policy decides).
	if !call.Op.NoAuth {
		if err := x.s.opt.Authorizer.Authorize(ctx, x.info.Principal, call.Service.IAMPrefix, call.Op.Name, in); err != nil {
			x.failAuth(err)
			return
		}
	}
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

// route finds the request's call; it answers the client and returns
// false when the operation is unknown. A modeled operation Vigil does not
// implement is kept in routeErr, answered after authentication.
func (x *exchange) route(body []byte, signing string) bool {
	call, err := x.s.opt.Router.Route(&protocol.Request{HTTP: x.r, Body: body, SigningName: signing})
	x.call = call
	if call.Service != nil {
		x.info.Service = call.Service.ID
	}
	if call.Op != nil {
		x.info.Operation = call.Op.Name
	}
	if err != nil && call.Op == nil {
		x.fail(err)
		return false
	}
	x.routeErr = err
	return true
}

// unsigned reports whether the request carried no signature at all.
func unsigned(parseErr error) bool {
	return parseErr != nil && sigv4.KindOf(parseErr) == sigv4.KindUnsigned
}

// failAuth answers an authentication or authorization failure in the
// call's protocol.
func (x *exchange) failAuth(err error) {
	var ae *auth.Error
	var denied *auth.Denied
	if errors.As(err, &ae) {
		err = ae.ProtocolError(x.call.Kind)
	} else if errors.As(err, &denied) {
		x.fail(denied.ProtocolError(x.call.Kind))
		// CloudTrail records an authorization refusal as AccessDenied,
		// whatever the protocol calls it.
		x.errCode = "AccessDenied"
		return
	}
	x.fail(err)
}

// fail writes err in the call's protocol (unless a response was already
// started) and records its code.
func (x *exchange) fail(err error) {
	if cause, unexpected := protocol.Cause(x.call.Service, err); unexpected {
		x.s.opt.Logger.Error("request failed", "request_id", x.info.ID, "service", x.info.Service,
			"operation", x.info.Operation, "error", cause)
	} else if cause != nil {
		// Detail of an error the client was told about (a refused
		// signature, a body that could not be read): the operator's
		// concern only when debugging.
		x.s.opt.Logger.Debug("request refused", "request_id", x.info.ID, "service", x.info.Service,
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
	x.releaseBudget()
	elapsed := x.s.opt.Clock.Now().Sub(x.info.Time)
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
		e.HTTP = x.wire(elapsed)
		if c := x.r.TLS; c != nil {
			e.TLS = &audit.TLSDetails{Version: tlsVersion(c.Version), CipherSuite: tls.CipherSuiteName(c.CipherSuite), Host: x.r.Host}
		}
		x.s.opt.Audit.Record(context.WithoutCancel(x.r.Context()), e)
	}
	x.s.opt.Logger.Debug("request", "request_id", x.info.ID, "service", service, "operation", op,
		"protocol", x.call.Kind, "account", x.info.Principal.Account, "error", x.errCode, "duration", elapsed)
}

// wire describes the exchange as it went over the wire.
func (x *exchange) wire(total time.Duration) *audit.HTTPExchange {
	h := &audit.HTTPExchange{Method: x.r.Method, URI: x.r.RequestURI, Proto: x.r.Proto, Host: x.r.Host,
		Referer: x.r.Referer(), Status: x.w.status, BytesSent: x.w.bytes, Total: total}
	if !x.bodyAt.IsZero() && !x.w.headerAt.IsZero() {
		h.TurnAround = x.w.headerAt.Sub(x.bodyAt)
	}
	if x.sig != nil {
		h.SignatureVersion, h.AuthType = "SigV4", "AuthHeader"
		if x.sig.Presigned {
			h.AuthType = "QueryString"
		}
	}
	return h
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// tlsVersion names a TLS version as CloudTrail's tlsDetails does.
func tlsVersion(v uint16) string {
	switch v {
	case tls.VersionTLS13:
		return "TLSv1.3"
	case tls.VersionTLS12:
		return "TLSv1.2"
	}
	return strings.Replace(tls.VersionName(v), "TLS 1.", "TLSv1.", 1)
}
