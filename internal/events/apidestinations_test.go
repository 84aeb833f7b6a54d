package events

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/dispatch"
)

// endpoint is an httptest server that records the requests it gets and
// answers them with the statuses it is given (200 when none is left).
type endpoint struct {
	*httptest.Server
	mu       sync.Mutex
	got      []recorded
	statuses []int
	answer   func(r *http.Request) (int, string) // overrides statuses
}

type recorded struct {
	Method, Path, Query, Body string
	Header                    http.Header
}

func newEndpoint(t *testing.T) *endpoint {
	e := &endpoint{}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		e.mu.Lock()
		e.got = append(e.got, recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: string(b), Header: r.Header.Clone()})
		status, body := http.StatusOK, ""
		if e.answer != nil {
			status, body = e.answer(r)
		} else if len(e.statuses) > 0 {
			status, e.statuses = e.statuses[0], e.statuses[1:]
		}
		e.mu.Unlock()
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(e.Close)
	return e
}

func (e *endpoint) take() []recorded {
	e.mu.Lock()
	defer e.mu.Unlock()
	got := e.got
	e.got = nil
	return got
}

// withHTTP lets the fixture's service call endpoints and deliver to API
// destinations.
func (f *fixture) withHTTP() {
	f.svc.opt.HTTP = dispatch.NewHTTPCaller(&http.Client{Timeout: 5 * time.Second}, 64<<10)
	f.svc.opt.Dispatcher.Register(dispatch.Match{Service: "events", Type: "api-destination"}, f.svc.APIDestinationTarget())
}

func (f *fixture) connection(name, typ string, auth ConnectionAuth) Connection {
	f.t.Helper()
	c, err := f.svc.CreateConnection(f.ctx, scope, name, ConnectionSettings{AuthorizationType: typ, Auth: &auth})
	if err != nil {
		f.t.Fatalf("CreateConnection %s: %v", name, err)
	}
	return c
}

func (f *fixture) destination(name, connARN, endpoint string) APIDestination {
	f.t.Helper()
	d, err := f.svc.CreateAPIDestination(f.ctx, scope, name, APIDestinationSettings{ConnectionARN: &connARN,
		InvocationEndpoint: &endpoint, HTTPMethod: ptr("POST")})
	if err != nil {
		f.t.Fatalf("CreateAPIDestination %s: %v", name, err)
	}
	return d
}

// routeTo sends the events of source "shop" to an API destination with
// target parameters (JSON, "" for none).
func (f *fixture) routeTo(destARN, params string, retries int) {
	f.t.Helper()
	f.putRule(Rule{Name: "r", EventPattern: `{"source":["shop"]}`})
	t := Target{ID: "api", ARN: destARN, RoleARN: "arn:aws:iam::123456789012:role/events", MaximumRetryAttempts: &retries}
	if params != "" {
		t.Parameters = json.RawMessage(params)
	}
	f.putTargets("", "r", t)
}

// TestHTTPParametersPaths: a JSONPath in a target's HttpParameters that
// does not parse is refused when the target is put.
func TestHTTPParametersPaths(t *testing.T) {
	f := newFixture(t)
	f.putRule(Rule{Name: "r", EventPattern: `{"source":["shop"]}`})
	bad := Target{ID: "api", ARN: "arn:aws:events:us-east-1:123456789012:api-destination/d/1",
		Parameters: json.RawMessage(`{"HttpParameters":{"HeaderParameters":{"X":"$.detail[oops"}}}`)}
	failed, err := f.svc.PutTargets(f.ctx, scope, "", "r", []Target{bad})
	msg := fmt.Sprint(err)
	if len(failed) == 1 {
		msg = failed[0].Message
	}
	if !strings.Contains(msg, "JSONPath $.detail[oops is invalid") {
		t.Fatalf("PutTargets with a JSONPath that does not parse = %+v, %v; want it refused naming the path", failed, err)
	}
}

// xorSealer stands for auth.Sealer: what it seals reads as nothing.
type xorSealer struct{}

func (xorSealer) Seal(b []byte) []byte { return xor(b) }
func (xorSealer) Open(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, errors.New("nothing sealed")
	}
	return xor(b), nil
}

func xor(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = c ^ 0x5a
	}
	return out
}

func TestAPIDestinationAPIKey(t *testing.T) {
	f := newFixture(t)
	f.withHTTP()
	f.svc.opt.Sealer = xorSealer{}
	srv := newEndpoint(t)
	c := f.connection("key", AuthAPIKey, ConnectionAuth{APIKeyName: "x-api-key", APIKeyValue: "s3cret",
		Invocation: &ConnectionHTTPParameters{Header: []HTTPParameter{{Key: "X-Env", Value: "prod"}},
			QueryString: []HTTPParameter{{Key: "from", Value: "connection"}}}}.WithBlocks("ApiKeyAuthParameters"))
	if c.State != ConnectionAuthorized || !strings.HasPrefix(c.ARN, "arn:aws:events:us-east-1:123456789012:connection/key/") {
		t.Fatalf("CreateConnection = %+v", c)
	}
	got, err := f.svc.DescribeConnection(f.ctx, scope, "key")
	if err != nil || got.Auth.APIKeyValue != "" || got.Auth.APIKeyName != "x-api-key" || got.SecretARN == "" {
		t.Fatalf("DescribeConnection = %+v, %v; want the key's name and no value", got, err)
	}
	d := f.destination("orders", c.ARN, srv.URL+"/orders/*")
	if d.RateLimit != 300 || d.State != APIDestinationActive {
		t.Fatalf("CreateAPIDestination = %+v", d)
	}
	f.routeTo(d.ARN, `{"HttpParameters":{"PathParameterValues":["42"],"HeaderParameters":{"X-Target":"t","X-Env":"target","X-Source":"$.source","X-N":"$.detail.n"},`+
		`"QueryStringParameters":{"q":"1","from":"target"}}}`, 3)
	f.put(entry("shop", "order", `{"n":1}`))
	f.step()
	reqs := srv.take()
	if len(reqs) != 1 {
		t.Fatalf("endpoint got %d requests; want 1", len(reqs))
	}
	r := reqs[0]
	if r.Method != "POST" || r.Path != "/orders/42" || r.Query != "from=connection&q=1" {
		t.Errorf("request = %s %s?%s", r.Method, r.Path, r.Query)
	}
	for k, v := range map[string]string{"X-Api-Key": "s3cret", "X-Target": "t", "X-Env": "prod", "X-Source": "shop", "X-N": "1", "User-Agent": userAgent,
		"Content-Type": "application/json; charset=utf-8"} {
		if r.Header.Get(k) != v {
			t.Errorf("header %s = %q; want %q", k, r.Header.Get(k), v)
		}
	}
	var evt map[string]any
	if err := json.Unmarshal([]byte(r.Body), &evt); err != nil || evt["source"] != "shop" {
		t.Errorf("body = %s; want the event", r.Body)
	}
	// The secret is sealed at rest.
	stored, err := f.store.Events().Connection(f.ctx, scope.Account, scope.Region, "key")
	if err != nil || strings.Contains(string(stored.Definition), "s3cret") || strings.Contains(string(stored.Definition), "x-api-key") {
		t.Errorf("stored connection = %q, %v; want its definition sealed", stored.Definition, err)
	}
}

func TestAPIDestinationBasicRetriesAndPermanent(t *testing.T) {
	f := newFixture(t)
	f.withHTTP()
	srv := newEndpoint(t)
	c := f.connection("basic", AuthBasic, ConnectionAuth{Username: "u", Password: "p"}.WithBlocks("BasicAuthParameters"))
	d := f.destination("hook", c.ARN, srv.URL+"/hook")
	f.routeTo(d.ARN, "", 5)

	// 500 and 429 are retried; the third attempt is delivered.
	srv.mu.Lock()
	srv.statuses = []int{500, 429}
	srv.mu.Unlock()
	f.put(entry("shop", "order", `{}`))
	for range 3 {
		f.step()
		f.clock.Advance(time.Minute)
	}
	reqs := srv.take()
	if len(reqs) != 3 {
		t.Fatalf("endpoint got %d requests; want 3 (two retried failures, then success)", len(reqs))
	}
	if got := reqs[0].Header.Get("Authorization"); got != "Basic dTpw" {
		t.Errorf("Authorization = %q", got)
	}
	f.step()
	if got := srv.take(); len(got) != 0 {
		t.Fatalf("delivered again after success: %d requests", len(got))
	}

	// 400 is not retried.
	srv.mu.Lock()
	srv.statuses = []int{400}
	srv.mu.Unlock()
	f.put(entry("shop", "order", `{}`))
	for range 3 {
		f.step()
		f.clock.Advance(time.Minute)
	}
	if got := srv.take(); len(got) != 1 {
		t.Fatalf("endpoint got %d requests for a 400; want 1", len(got))
	}
}

func TestAPIDestinationOAuth(t *testing.T) {
	f := newFixture(t)
	f.withHTTP()
	tokens := newEndpoint(t)
	issued := 0
	tokens.answer = func(r *http.Request) (int, string) {
		issued++
		return 200, `{"access_token":"tok` + string(rune('0'+issued)) + `","token_type":"Bearer","expires_in":60}`
	}
	srv := newEndpoint(t)
	valid := map[string]bool{}
	srv.answer = func(r *http.Request) (int, string) {
		if !valid[r.Header.Get("Authorization")] {
			return 401, ""
		}
		return 200, ""
	}
	setValid := func(add, remove string) {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		valid[add] = true
		delete(valid, remove)
	}
	setValid("Bearer tok1", "")
	c := f.connection("oauth", AuthOAuth, ConnectionAuth{OAuth: &OAuthSettings{ClientID: "id", ClientSecret: "secret",
		AuthorizationEndpoint: tokens.URL + "/token", HTTPMethod: "POST",
		Parameters: &ConnectionHTTPParameters{Body: []HTTPParameter{{Key: "grant_type", Value: "client_credentials"}}}}}.
		WithBlocks("OAuthParameters"))
	if c.State != ConnectionAuthorizing {
		t.Fatalf("a new OAuth connection is %s; want AUTHORIZING", c.State)
	}
	d := f.destination("api", c.ARN, srv.URL+"/in")
	f.routeTo(d.ARN, "", 0)

	f.put(entry("shop", "a", `{}`), entry("shop", "b", `{}`))
	f.step()
	if got := srv.take(); len(got) != 2 {
		t.Fatalf("endpoint got %d requests; want 2", len(got))
	}
	treqs := tokens.take()
	if len(treqs) != 1 {
		t.Fatalf("token requests = %d; want 1, the token reused", len(treqs))
	}
	if tr := treqs[0]; tr.Method != "POST" || tr.Body != "grant_type=client_credentials" || tr.Header.Get("Authorization") != "Basic aWQ6c2VjcmV0" {
		t.Errorf("token request = %+v", tr)
	}
	if got, _ := f.svc.DescribeConnection(f.ctx, scope, "oauth"); got.State != ConnectionAuthorized || got.Authorized.IsZero() ||
		got.Auth.OAuth.ClientSecret != "" || got.Auth.OAuth.ClientID != "id" {
		t.Fatalf("after a token: %+v; want AUTHORIZED, without the secret", got)
	}

	// The token expires: another is fetched.
	setValid("Bearer tok2", "")
	f.clock.Advance(61 * time.Second)
	f.put(entry("shop", "c", `{}`))
	f.step()
	if got := tokens.take(); len(got) != 1 {
		t.Fatalf("token requests after expiry = %d; want 1", len(got))
	}
	if got := srv.take(); len(got) != 1 || got[0].Header.Get("Authorization") != "Bearer tok2" {
		t.Fatalf("after expiry: %+v", got)
	}

	// The endpoint refuses the token before it expires: one more is
	// fetched and the call made again.
	setValid("Bearer tok3", "Bearer tok2")
	f.put(entry("shop", "d", `{}`))
	f.step()
	if got := tokens.take(); len(got) != 1 {
		t.Fatalf("token requests after a 401 = %d; want 1", len(got))
	}
	if got := srv.take(); len(got) != 2 || got[1].Header.Get("Authorization") != "Bearer tok3" {
		t.Fatalf("after a 401: %+v; want the call made again with the new token", got)
	}

	// Deauthorized, it invokes nothing.
	if c, err := f.svc.DeauthorizeConnection(f.ctx, scope, "oauth"); err != nil || c.State != ConnectionDeauthorized {
		t.Fatalf("DeauthorizeConnection = %+v, %v", c, err)
	}
	f.put(entry("shop", "e", `{}`))
	f.step()
	if got := srv.take(); len(got) != 0 {
		t.Fatalf("a deauthorized connection invoked its endpoint: %+v", got)
	}
}

func TestConnectionAndDestinationValidation(t *testing.T) {
	f := newFixture(t)
	key := ConnectionAuth{APIKeyName: "k", APIKeyValue: "v"}.WithBlocks("ApiKeyAuthParameters")
	_, err := f.svc.CreateConnection(f.ctx, scope, "c", ConnectionSettings{AuthorizationType: AuthBasic, Auth: &key})
	wantErr(t, "CreateConnection with another type's parameters", err, Validation, "")
	c := f.connection("c", AuthAPIKey, key)
	_, err = f.svc.CreateConnection(f.ctx, scope, "c", ConnectionSettings{AuthorizationType: AuthAPIKey, Auth: &key})
	wantErr(t, "CreateConnection twice", err, ResourceAlreadyExists, "Connection c already exists.")
	_, err = f.svc.DescribeConnection(f.ctx, scope, "none")
	wantErr(t, "DescribeConnection of none", err, ResourceNotFound, "Failed to describe the connection(s). Connection 'none' does not exist.")

	for _, ep := range []string{"http://example.com/x", "ftp://localhost/x", "nope"} {
		_, err = f.svc.CreateAPIDestination(f.ctx, scope, "d", APIDestinationSettings{ConnectionARN: &c.ARN, InvocationEndpoint: &ep,
			HTTPMethod: ptr("POST")})
		wantErr(t, "CreateAPIDestination to "+ep, err, Validation, "")
	}
	_, err = f.svc.CreateAPIDestination(f.ctx, scope, "d", APIDestinationSettings{ConnectionARN: ptr(c.ARN + "x"),
		InvocationEndpoint: ptr("https://example.com"), HTTPMethod: ptr("POST")})
	wantErr(t, "CreateAPIDestination of a connection that does not exist", err, ResourceNotFound, "")
	_, err = f.svc.CreateAPIDestination(f.ctx, scope, "d", APIDestinationSettings{ConnectionARN: &c.ARN,
		InvocationEndpoint: ptr("https://example.com"), HTTPMethod: ptr("TRACE")})
	wantErr(t, "CreateAPIDestination with TRACE", err, Validation, "")
	f.destination("d", c.ARN, "http://127.0.0.1:9/local")
	_, err = f.svc.CreateAPIDestination(f.ctx, scope, "d", APIDestinationSettings{ConnectionARN: &c.ARN,
		InvocationEndpoint: ptr("https://example.com"), HTTPMethod: ptr("POST")})
	wantErr(t, "CreateAPIDestination twice", err, ResourceAlreadyExists, "An api-destination 'd' already exists.")
	d, err := f.svc.UpdateAPIDestination(f.ctx, scope, "d", APIDestinationSettings{RateLimit: ptr(5)})
	if err != nil || d.RateLimit != 5 || d.HTTPMethod != "POST" {
		t.Fatalf("UpdateAPIDestination = %+v, %v", d, err)
	}
	err = f.svc.DeleteAPIDestination(f.ctx, scope, "none")
	wantErr(t, "DeleteAPIDestination of none", err, ResourceNotFound,
		"Failed to describe the api-destination(s). An api-destination 'none' does not exist.")
}

func TestRateLimiter(t *testing.T) {
	var l rateLimiter
	now := t0
	for i := range 3 {
		if !l.take("a", 3, now) {
			t.Fatalf("take %d of 3 refused", i)
		}
	}
	if l.take("a", 3, now) {
		t.Fatal("a fourth take in the same instant allowed")
	}
	if !l.take("a", 3, now.Add(time.Second/3+time.Millisecond)) {
		t.Fatal("a take after a third of a second refused")
	}
	if !l.take("b", 3, now) {
		t.Fatal("another destination's take refused")
	}
}
