package events

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/eventinput"
	"github.com/vigilhq/vigil/internal/outbox"
	"github.com/vigilhq/vigil/internal/store"
)

// An invocation of an API destination target is an outbox item like any
// other; the dispatcher hands it to APIDestinationTarget, which reads the
// destination and its connection, waits for the destination's rate,
// authorizes as the connection says and calls the endpoint.

// httpParametersHeader carries a target's HttpParameters (JSON) in the
// header of its messages to an API destination.
const httpParametersHeader = "HttpParameters"

// userAgent is the User-Agent of API destination calls, AWS's.
const userAgent = "Amazon/EventBridge/ApiDestinations"

// targetHTTPParameters are a target's HttpParameters: values for the '*'
// of its API destination's endpoint, in order, and headers and query
// string parameters to add (the connection's win over them).
type targetHTTPParameters struct {
	PathParameterValues   []string          `json:",omitempty"`
	HeaderParameters      map[string]string `json:",omitempty"`
	QueryStringParameters map[string]string `json:",omitempty"`
}

// httpParameters returns the HttpParameters of a target's parameters.
func (t *Target) httpParameters() *targetHTTPParameters {
	if len(t.Parameters) == 0 {
		return nil
	}
	var p struct{ HttpParameters *targetHTTPParameters }
	if err := json.Unmarshal(t.Parameters, &p); err != nil {
		return nil
	}
	return p.HttpParameters
}

// each calls f with every value of the parameters, which it may replace;
// it stops at f's first error.
func (p *targetHTTPParameters) each(f func(v *string) error) error {
	for i := range p.PathParameterValues {
		if err := f(&p.PathParameterValues[i]); err != nil {
			return err
		}
	}
	for _, m := range []map[string]string{p.HeaderParameters, p.QueryStringParameters} {
		for k, v := range m {
			if err := f(&v); err != nil {
				return err
			}
			m[k] = v
		}
	}
	return nil
}

// isPath reports whether a parameter value is a JSONPath reference to
// the event ("$.detail.id"), which AWS replaces with what it selects.
func isPath(v string) bool { return strings.HasPrefix(v, "$.") || v == "$" }

// checkHTTPParameters refuses a target whose HttpParameters hold a
// JSONPath reference that does not parse.
func checkHTTPParameters(t *Target) error {
	p := t.httpParameters()
	if p == nil {
		return nil
	}
	return p.each(func(v *string) error {
		if !isPath(*v) {
			return nil
		}
		if _, err := eventinput.Compile(t.ID, eventinput.Config{InputPath: v}); err != nil {
			return errorf(Validation, "HttpParameters of target %s: JSONPath %s is invalid.", t.ID, *v)
		}
		return nil
	})
}

// resolvedHTTPParameters returns a target's HttpParameters with their JSONPath
// references replaced by what they select of the event: a string as it
// is, another value as its JSON, nothing as "".
func (t *Target) resolvedHTTPParameters(event []byte) *targetHTTPParameters {
	p := t.httpParameters()
	if p == nil {
		return nil
	}
	p.each(func(v *string) error {
		if !isPath(*v) {
			return nil
		}
		in, err := eventinput.Compile(t.ID, eventinput.Config{InputPath: v})
		if err != nil {
			return nil // checked when the target was put
		}
		got, err := in.Apply(event, eventinput.Context{})
		var s string
		switch {
		case err != nil:
			*v = ""
		case json.Unmarshal(got, &s) == nil:
			*v = s
		default:
			*v = string(got)
		}
		return nil
	})
	return p
}

// isAPIDestination reports whether an ARN names an API destination.
func isAPIDestination(arn string) bool {
	to, err := dispatch.Parse(arn)
	return err == nil && to.Service == "events" && to.Type == "api-destination"
}

// APIDestinationTarget returns the dispatcher's target of API destination
// ARNs. A 2xx answer delivers the invocation; AWS's retried answers
// (401, 407, 409, 429 and 5xx) and failures to connect are retried by
// the outbox under the target's retry policy; any other answer fails it
// for good.
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-api-destinations.html#eb-api-destination-error-codes)
func (s *Service) APIDestinationTarget() dispatch.Target {
	return dispatch.NewTarget("events:InvokeApiDestination", s.invokeAPIDestination)
}

// invalidTarget is an invocation that retrying cannot cure.
func invalidTarget(format string, args ...any) error {
	return &dispatch.Error{Code: "InvalidTarget", Err: fmt.Errorf(format, args...)}
}

func (s *Service) invokeAPIDestination(ctx context.Context, to dispatch.Address, m *dispatch.Message) error {
	if s.opt.HTTP == nil {
		return invalidTarget("this Vigil makes no HTTP calls; it cannot invoke %s", m.Target)
	}
	name, _, _ := strings.Cut(to.Resource, "/")
	d, err := s.opt.Store.APIDestination(ctx, to.Account, to.Region, name)
	if errors.Is(err, store.ErrNotFound) || err == nil && d.ARN != m.Target {
		return invalidTarget("api destination %s does not exist", m.Target)
	}
	if err != nil {
		return err
	}
	def, err := decodeAPIDestination(d)
	if err != nil {
		return outbox.Permanent(err)
	}
	c, err := s.opt.Store.Connection(ctx, to.Account, to.Region, connectionName(d.ConnectionARN))
	if errors.Is(err, store.ErrNotFound) || err == nil && c.ARN != d.ConnectionARN {
		return invalidTarget("connection %s of api destination %s does not exist", d.ConnectionARN, m.Target)
	}
	if err != nil {
		return err
	}
	if c.State == ConnectionDeauthorized {
		return invalidTarget("connection %s of api destination %s is deauthorized", c.ARN, m.Target)
	}
	cdef, err := s.decodeConnection(c)
	if err != nil {
		return outbox.Permanent(err)
	}
	var params targetHTTPParameters
	if h := m.Header[httpParametersHeader]; h != "" {
		if err := json.Unmarshal([]byte(h), &params); err != nil {
			return invalidTarget("cannot read the HttpParameters of an invocation of %s: %w", m.Target, err)
		}
	}
	req, err := apiRequest(&def, &cdef, &params, m.Payload)
	if err != nil {
		return invalidTarget("cannot invoke %s: %w", m.Target, err)
	}
	if !s.limits.take(d.ARN, def.RateLimit, s.opt.Clock.Now()) {
		return fmt.Errorf("api destination %s is at its rate of %d invocations a second", m.Target, def.RateLimit)
	}
	fresh := false
	if cdef.AuthorizationType == AuthOAuth {
		var tok string
		if tok, fresh, err = s.oauthToken(ctx, c, &cdef); err != nil {
			return err
		}
		req.Header["Authorization"] = "Bearer " + tok
	}
	resp, err := s.opt.HTTP(ctx, req)
	if err == nil && resp.Status == 401 && cdef.AuthorizationType == AuthOAuth && !fresh {
		// The token was revoked or expired early: fetch another, once.
		s.tokens.drop(c.ARN)
		tok, _, terr := s.oauthToken(ctx, c, &cdef)
		if terr != nil {
			return terr
		}
		req.Header["Authorization"] = "Bearer " + tok
		resp, err = s.opt.HTTP(ctx, req)
	}
	if err != nil {
		return err
	}
	return answered(m.Target, resp.Status)
}

// answered is the outcome of an endpoint's answer: nil for 2xx, an error
// retried for AWS's retried statuses, a permanent one for the others.
func answered(endpoint string, status int) error {
	switch {
	case status >= 200 && status <= 299:
		return nil
	case status == 401 || status == 407 || status == 409 || status == 429 || status >= 500:
		return fmt.Errorf("%s answered HTTP %d", endpoint, status)
	}
	return outbox.Permanent(fmt.Errorf("%s answered HTTP %d", endpoint, status))
}

// connectionName is the name in a connection's ARN.
func connectionName(arn string) string {
	_, rest, _ := strings.Cut(arn, ":connection/")
	name, _, _ := strings.Cut(rest, "/")
	return name
}

// apiRequest builds the call of an API destination: its endpoint with
// the target's path parameters, the target's and then the connection's
// headers and query string parameters, the connection's authorization
// (but OAuth's, added by the caller), and the input with the
// connection's body parameters when it is a JSON object.
func apiRequest(d *apiDestinationDefinition, c *connectionDefinition, p *targetHTTPParameters, input []byte) (*dispatch.HTTPRequest, error) {
	endpoint := d.InvocationEndpoint
	if n := strings.Count(endpoint, "*"); n != len(p.PathParameterValues) {
		return nil, fmt.Errorf("the endpoint %s has %d path parameters; the target gives %d", endpoint, n, len(p.PathParameterValues))
	}
	for _, v := range p.PathParameterValues {
		endpoint = strings.Replace(endpoint, "*", url.PathEscape(v), 1)
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, err
	}
	header := map[string]string{"Content-Type": "application/json; charset=utf-8", "User-Agent": userAgent}
	q := u.Query()
	for k, v := range p.QueryStringParameters {
		q.Set(k, v)
	}
	for k, v := range p.HeaderParameters {
		header[k] = v
	}
	body := input
	if inv := c.Auth.Invocation; inv != nil {
		for _, h := range inv.Header {
			header[h.Key] = h.Value
		}
		for _, v := range inv.QueryString {
			q.Set(v.Key, v.Value)
		}
		if body, err = withBodyParameters(input, inv.Body); err != nil {
			return nil, err
		}
	}
	u.RawQuery = q.Encode()
	switch c.AuthorizationType {
	case AuthAPIKey:
		header[c.Auth.APIKeyName] = c.Auth.APIKeyValue
	case AuthBasic:
		header["Authorization"] = basicAuth(c.Auth.Username, c.Auth.Password)
	}
	if d.HTTPMethod == "GET" || d.HTTPMethod == "HEAD" {
		body = nil
	}
	return &dispatch.HTTPRequest{Method: d.HTTPMethod, URL: u.String(), Header: header, Body: body}, nil
}

// withBodyParameters adds body parameters, as strings, to an input that
// is a JSON object (others are sent as they are).
func withBodyParameters(input []byte, ps []HTTPParameter) ([]byte, error) {
	if len(ps) == 0 {
		return input, nil
	}
	members := map[string]json.RawMessage{}
	if json.Unmarshal(input, &members) != nil {
		return input, nil
	}
	for _, p := range ps {
		v, err := json.Marshal(p.Value)
		if err != nil {
			return nil, err
		}
		members[p.Key] = v
	}
	return json.Marshal(members)
}

func basicAuth(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

// tokenLifetime is how long a token whose endpoint gives no expires_in is
// used (unless an endpoint answers 401 first).
const tokenLifetime = time.Hour

// oauthToken returns the connection's bearer token, the one this node
// holds or a new one from its authorization endpoint (fresh); a first
// token authorizes the connection.
func (s *Service) oauthToken(ctx context.Context, c *store.EventConnection, def *connectionDefinition) (string, bool, error) {
	now := s.opt.Clock.Now()
	if tok, ok := s.tokens.get(c.ARN, c.Updated, now); ok {
		return tok, false, nil
	}
	o := def.Auth.OAuth
	if o == nil || o.ClientSecret == "" {
		return "", false, invalidTarget("connection %s has no OAuth client credentials", c.ARN)
	}
	tok, ttl, err := s.fetchToken(ctx, o)
	if err != nil {
		return "", false, fmt.Errorf("cannot authorize connection %s: %w", c.ARN, err)
	}
	s.tokens.put(c.ARN, c.Updated, tok, now.Add(ttl), now)
	if c.State == ConnectionAuthorizing {
		_, err := s.opt.Store.UpdateConnection(ctx, c.Account, c.Region, c.Name, func(cur *store.EventConnection) error {
			if cur.ARN == c.ARN && cur.Updated == c.Updated && cur.State == ConnectionAuthorizing {
				cur.State, cur.Authorized = ConnectionAuthorized, now.UnixMilli()
			}
			return nil
		})
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.opt.Logger.Warn("cannot record a connection authorized", "connection", c.ARN, "err", err)
		}
	}
	return tok, true, nil
}

// fetchToken asks an authorization endpoint for a token with the client
// credentials grant (RFC 6749, 4.4): the client id and secret as Basic
// credentials, the OAuthHttpParameters as headers, query string and
// form-encoded body parameters.
func (s *Service) fetchToken(ctx context.Context, o *OAuthSettings) (string, time.Duration, error) {
	u, err := url.Parse(o.AuthorizationEndpoint)
	if err != nil {
		return "", 0, outbox.Permanent(err)
	}
	header := map[string]string{"Authorization": basicAuth(o.ClientID, o.ClientSecret), "Accept": "application/json",
		"User-Agent": userAgent}
	q := u.Query()
	form := url.Values{}
	if p := o.Parameters; p != nil {
		for _, h := range p.Header {
			header[h.Key] = h.Value
		}
		for _, v := range p.QueryString {
			q.Set(v.Key, v.Value)
		}
		for _, v := range p.Body {
			form.Set(v.Key, v.Value)
		}
	}
	u.RawQuery = q.Encode()
	req := &dispatch.HTTPRequest{Method: o.HTTPMethod, URL: u.String(), Header: header}
	if o.HTTPMethod != "GET" {
		req.Body = []byte(form.Encode())
		header["Content-Type"] = "application/x-www-form-urlencoded"
	}
	resp, err := s.opt.HTTP(ctx, req)
	if err != nil {
		return "", 0, err
	}
	if err := answered(o.AuthorizationEndpoint, resp.Status); err != nil {
		return "", 0, err
	}
	var answer struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   any    `json:"expires_in"`
	}
	if err := json.Unmarshal(resp.Body, &answer); err != nil || answer.AccessToken == "" {
		return "", 0, outbox.Permanent(fmt.Errorf("%s answered no access_token", o.AuthorizationEndpoint))
	}
	ttl := tokenLifetime
	var secs float64
	switch v := answer.ExpiresIn.(type) {
	case float64:
		secs = v
	case string:
		secs, _ = strconv.ParseFloat(v, 64)
	}
	if secs > 0 {
		ttl = time.Duration(secs * float64(time.Second))
	}
	return answer.AccessToken, ttl, nil
}

// maxCached bounds the tokens and the rate buckets a node keeps.
const maxCached = 10000

// tokenCache holds the OAuth tokens of connections, each for the
// version (Updated) of the connection it was fetched for, until it
// expires. A connection changed on another node has another version, so
// its token is fetched again.
type tokenCache struct {
	mu sync.Mutex
	m  map[string]cachedToken
}

type cachedToken struct {
	version int64
	token   string
	expires time.Time
}

func (c *tokenCache) get(arn string, version int64, now time.Time) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.m[arn]
	if !ok || t.version != version || !now.Before(t.expires) {
		return "", false
	}
	return t.token, true
}

func (c *tokenCache) put(arn string, version int64, token string, expires, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]cachedToken{}
	}
	if len(c.m) >= maxCached {
		for k, t := range c.m {
			if !now.Before(t.expires) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= maxCached {
			clear(c.m)
		}
	}
	c.m[arn] = cachedToken{version: version, token: token, expires: expires}
}

func (c *tokenCache) drop(arn string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, arn)
}

// rateLimiter keeps a token bucket per API destination, on this node:
// each holds up to a second of invocations and refills at the
// destination's rate.
type rateLimiter struct {
	mu sync.Mutex
	m  map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// take takes a token of a destination's bucket, and reports whether
// there was one.
func (l *rateLimiter) take(arn string, rate int, now time.Time) bool {
	if rate <= 0 {
		rate = defaultInvocationRate
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[string]*bucket{}
	}
	b, ok := l.m[arn]
	if !ok {
		if len(l.m) >= maxCached {
			clear(l.m) // a full bucket is as good as none
		}
		b = &bucket{tokens: float64(rate), at: now}
		l.m[arn] = b
	}
	if elapsed := now.Sub(b.at); elapsed > 0 {
		b.tokens = min(float64(rate), b.tokens+elapsed.Seconds()*float64(rate))
		b.at = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
