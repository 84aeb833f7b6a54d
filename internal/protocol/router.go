package protocol

import (
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Router finds the service, operation and protocol of a request, in the
// order of AWS_WIRE.md: an X-Amz-Target header (awsJson); a POST to
// /service/<Service>/operation/<Op> (rpcv2Cbor); a form body or an Action
// query parameter (awsQuery); else a REST route (method and URI template),
// preferring the service the request was signed for.
type Router struct {
	// VirtualHosts are the endpoint host names under which restXml
	// (S3) requests may name their bucket in the Host header
	// (virtual-hosted addressing, BUCKET.localhost:4566/KEY), as
	// botocore does for a named endpoint; NewRouter sets "localhost".
	VirtualHosts []string

	services  []*entry
	byTarget  map[string]*entry
	bySigning map[string][]*entry
}

type entry struct {
	svc      *Service
	handlers map[string]Handler
	routes   []*restRoute
}

// NewRouter returns an empty router.
func NewRouter() *Router {
	return &Router{byTarget: map[string]*entry{}, bySigning: map[string][]*entry{}, VirtualHosts: []string{"localhost"}}
}

// Register adds a service and the handlers of the operations it implements.
func (rt *Router) Register(svc *Service, handlers map[string]Handler) {
	for name := range handlers {
		if _, ok := svc.Operations[name]; !ok {
			panic(fmt.Sprintf("BUG: protocol: %s has a handler for unknown operation %s", svc.ID, name))
		}
	}
	e := &entry{svc: svc, handlers: handlers}
	rt.services = append(rt.services, e)
	if svc.TargetPrefix != "" {
		rt.byTarget[svc.TargetPrefix] = e
		// Some clients send only the last segment of a dotted prefix
		// (CloudTrail: botocore the full name, the Go SDK the short one).
		if i := strings.LastIndexByte(svc.TargetPrefix, '.'); i >= 0 {
			rt.byTarget[svc.TargetPrefix[i+1:]] = e
		}
	}
	rt.bySigning[svc.SigningName] = append(rt.bySigning[svc.SigningName], e)
	if e.speaks(RESTJSON) || e.speaks(RESTXML) {
		e.routes = compileRoutes(svc)
	}
}

func (e *entry) speaks(k Kind) bool {
	for _, p := range e.svc.Protocols {
		if p == k {
			return true
		}
	}
	return false
}

// Services returns the registered services.
func (rt *Router) Services() []*Service {
	out := make([]*Service, len(rt.services))
	for i, e := range rt.services {
		out[i] = e.svc
	}
	return out
}

// ServiceStatus tells how much of a service's API is implemented.
type ServiceStatus struct {
	ID          string
	ServiceID   string
	Implemented int
	Total       int
}

// Status lists the registered services, sorted by ID.
func (rt *Router) Status() []ServiceStatus {
	out := make([]ServiceStatus, 0, len(rt.services))
	for _, e := range rt.services {
		out = append(out, ServiceStatus{ID: e.svc.ID, ServiceID: e.svc.ServiceID, Implemented: len(e.handlers), Total: len(e.svc.Operations)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Request is what the router needs of an incoming request: the HTTP
// request, its raw body and the service name of its SigV4 scope ("" when
// unsigned).
type Request struct {
	HTTP        *http.Request
	Body        []byte
	SigningName string
}

// Route finds the call a request makes. When it fails, the returned call
// still carries the protocol (and the service when known) so that the
// error is written as the client expects.
func (rt *Router) Route(req *Request) (*Call, error) {
	r := req.HTTP
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		return rt.routeTarget(target)
	}
	if svcName, op, ok := cborPath(r); ok {
		return rt.routeCBOR(svcName, op)
	}
	if form, ok, err := queryForm(r, req.Body); ok || err != nil {
		if err != nil {
			return &Call{Kind: AWSQuery}, err
		}
		return rt.routeQuery(form, req.SigningName)
	}
	return rt.routeREST(r, req.SigningName)
}

// NeedsBody reports whether Route needs the request's body: only an
// awsQuery form POST names its operation there (Action); every other
// request is routed by its method, URL and headers, before its body is
// read.
func NeedsBody(r *http.Request) bool {
	if r.Header.Get("X-Amz-Target") != "" {
		return false
	}
	if _, _, ok := cborPath(r); ok {
		return false
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return r.Method == http.MethodPost && ct == "application/x-www-form-urlencoded"
}

// SignedAs returns the services whose requests are signed for the SigV4
// service name, or every service when none is.
func (rt *Router) SignedAs(signingName string) []*Service {
	entries := rt.bySigning[signingName]
	if len(entries) == 0 {
		entries = rt.services
	}
	out := make([]*Service, len(entries))
	for i, e := range entries {
		out[i] = e.svc
	}
	return out
}

func (rt *Router) routeTarget(target string) (*Call, error) {
	i := strings.LastIndexByte(target, '.')
	if i < 0 {
		return &Call{Kind: AWSJSON11}, unknownOperation(target)
	}
	e, ok := rt.byTarget[target[:i]]
	if !ok {
		return &Call{Kind: AWSJSON11}, unknownOperation(target)
	}
	kind := AWSJSON11
	if e.speaks(AWSJSON10) {
		kind = AWSJSON10
	}
	return e.call(kind, target[i+1:], nil)
}

// cborPath recognises POST /service/<Service>/operation/<Op>.
func cborPath(r *http.Request) (string, string, bool) {
	if r.Method != http.MethodPost {
		return "", "", false
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/service/")
	if !ok {
		return "", "", false
	}
	svc, op, ok := strings.Cut(rest, "/operation/")
	if !ok || svc == "" || op == "" || strings.Contains(op, "/") {
		return "", "", false
	}
	return svc, op, true
}

func (rt *Router) routeCBOR(svcName, op string) (*Call, error) {
	e, ok := rt.byTarget[svcName]
	if !ok || !e.speaks(RPCv2CBOR) {
		return &Call{Kind: RPCv2CBOR}, unknownOperation(svcName + "." + op)
	}
	return e.call(RPCv2CBOR, op, nil)
}

// queryForm returns the awsQuery parameters of a request: a form-encoded
// POST body, or the URL query of a GET that names an Action.
func queryForm(r *http.Request, body []byte) (url.Values, bool, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if r.Method == http.MethodPost && ct == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, true, &Error{Code: "MalformedQueryString", Status: 400, Message: "The query string is malformed: " + err.Error()}
		}
		if form.Get("Action") == "" {
			// Not awsQuery: let REST services (S3 POST uploads) have it.
			return nil, false, nil
		}
		return form, true, nil
	}
	if r.Method == http.MethodGet && r.URL.Query().Get("Action") != "" {
		return r.URL.Query(), true, nil
	}
	return nil, false, nil
}

func (rt *Router) routeQuery(form url.Values, signingName string) (*Call, error) {
	action, version := form.Get("Action"), form.Get("Version")
	var candidates []*entry
	if signingName != "" {
		candidates = rt.bySigning[signingName]
	} else {
		candidates = rt.services
	}
	var fallback *entry
	for _, e := range candidates {
		if !e.speaks(AWSQuery) {
			continue
		}
		if _, ok := e.svc.Operations[action]; !ok {
			if fallback == nil {
				fallback = e
			}
			continue
		}
		if version == "" || version == e.svc.APIVersion || signingName != "" {
			c, err := e.call(AWSQuery, action, nil)
			c.form = form
			return c, err
		}
	}
	c := &Call{Kind: AWSQuery}
	if fallback != nil {
		c.Service = fallback.svc
	}
	return c, &Error{Code: "InvalidAction", Status: 400,
		Message: fmt.Sprintf("Could not find operation %s for version %s", action, version)}
}

func (rt *Router) routeREST(r *http.Request, signingName string) (*Call, error) {
	candidates := rt.bySigning[signingName]
	if len(candidates) == 0 {
		candidates = rt.services
	}
	path := r.URL.EscapedPath()
	query := r.URL.Query()
	var first *entry
	for _, e := range candidates {
		if len(e.routes) == 0 {
			continue
		}
		if first == nil {
			first = e
		}
		path := path
		if e.speaks(RESTXML) {
			if bucket := rt.virtualBucket(r.Host); bucket != "" {
				path = "/" + bucket + path
			}
		}
		paths := []string{path}
		if len(path) > 1 && strings.HasSuffix(path, "/") {
			paths = append(paths, strings.TrimSuffix(path, "/"))
		}
		for _, p := range paths {
			for _, route := range e.routes {
				if labels, ok := route.match(r.Method, p, query, r.Header); ok {
					kind := RESTJSON
					if e.speaks(RESTXML) {
						kind = RESTXML
					}
					return e.call(kind, route.op.Name, labels)
				}
			}
		}
	}
	c := &Call{Kind: RESTJSON}
	if first != nil {
		c.Service = first.svc
		if first.speaks(RESTXML) {
			c.Kind = RESTXML
		}
	}
	return c, &Error{Code: "UnknownOperationException", QueryCode: "InvalidAction", Status: http.StatusNotFound,
		Message: fmt.Sprintf("No operation matches %s %s", r.Method, r.URL.Path)}
}

// virtualBucket returns the bucket a Host header names in front of one
// of the virtual hosts, or "".
func (rt *Router) virtualBucket(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(host)
	for _, vh := range rt.VirtualHosts {
		if bucket, ok := strings.CutSuffix(host, "."+vh); ok && bucket != "" {
			return bucket
		}
	}
	return ""
}

// call builds the call of operation op; an operation the model does not
// have is an error, and one without a handler answers NotImplemented.
func (e *entry) call(kind Kind, op string, labels map[string]string) (*Call, error) {
	c := &Call{Kind: kind, Service: e.svc, labels: labels}
	o, ok := e.svc.Operations[op]
	if !ok {
		if kind == AWSQuery {
			return c, &Error{Code: "InvalidAction", Status: 400,
				Message: fmt.Sprintf("Could not find operation %s for version %s", op, e.svc.APIVersion)}
		}
		return c, unknownOperation(op)
	}
	c.Op = o
	c.Handler = e.handlers[op]
	if c.Handler == nil {
		return c, NotImplemented(e.svc, op)
	}
	return c, nil
}

func unknownOperation(target string) *Error {
	return &Error{Code: "UnknownOperationException", QueryCode: "InvalidAction", Status: 400,
		Message: fmt.Sprintf("The operation %s is not known.", target)}
}

// GuessKind returns the protocol a request that could not be routed most
// likely speaks, to answer it in a form its client parses.
func GuessKind(r *http.Request) Kind {
	switch {
	case r.Header.Get("X-Amz-Target") != "":
		if strings.Contains(r.Header.Get("Content-Type"), "1.0") {
			return AWSJSON10
		}
		return AWSJSON11
	case r.Header.Get("Smithy-Protocol") == "rpc-v2-cbor":
		return RPCv2CBOR
	case strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded"), r.URL.Query().Get("Action") != "":
		return AWSQuery
	}
	return RESTJSON
}
