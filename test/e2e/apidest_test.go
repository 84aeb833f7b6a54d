package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// hookServer is a user's HTTP endpoint behind OAuth client credentials:
// /token issues a bearer token for the right client, /orders/... takes
// the events of requests that carry it.
type hookServer struct {
	srv *httptest.Server

	mu     sync.Mutex
	tokens int
	calls  []hookCall
}

type hookCall struct {
	Path, Client string
	Event        struct{ Source, Detail json.RawMessage }
}

func newHookServer(t *testing.T) *hookServer {
	h := &hookServer{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if err := r.ParseForm(); err != nil || r.Form.Get("grant_type") != "client_credentials" {
			http.Error(w, "bad grant", http.StatusBadRequest)
			return
		}
		if !ok {
			id, secret = r.Form.Get("client_id"), r.Form.Get("client_secret")
		}
		if id != "vigil" || secret != "s3cret" {
			http.Error(w, "bad client", http.StatusUnauthorized)
			return
		}
		h.mu.Lock()
		h.tokens++
		h.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"tok-1","token_type":"Bearer","expires_in":3600}`)
	})
	mux.HandleFunc("POST /orders/", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok-1" {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		c := hookCall{Path: r.URL.Path, Client: r.Header.Get("X-Client")}
		if err := json.NewDecoder(r.Body).Decode(&c.Event); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		h.calls = append(h.calls, c)
		h.mu.Unlock()
	})
	h.srv = httptest.NewServer(mux) // on 127.0.0.1
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookServer) took() (int, []hookCall) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.tokens, append([]hookCall(nil), h.calls...)
}

// expect checks that the endpoint issued one token and then got n events
// of source with detail at path, each sent with X-Client: client.
func (h *hookServer) expect(t *testing.T, n int, path, client, source, detail string) {
	t.Helper()
	tokens, calls := h.took()
	ok := tokens == 1 && len(calls) == n
	for _, c := range calls {
		ok = ok && c.Path == path && c.Client == client &&
			string(c.Event.Source) == `"`+source+`"` && string(c.Event.Detail) == detail
	}
	if !ok {
		t.Fatalf("the endpoint got %d token requests and calls %+v; want 1 token and %d events from %s at %s", tokens, calls, n, client, path)
	}
}

// TestAPIDestinationOAuth: a rule's events reach a local HTTP endpoint
// through an API destination whose connection fetches an OAuth token,
// set up with aws-sdk-go-v2 and with boto3.
func TestAPIDestinationOAuth(t *testing.T) {
	t.Run("aws-sdk-go-v2", func(t *testing.T) {
		v := startStill(t, time.Now().UTC().Truncate(time.Minute))
		h := newHookServer(t)
		ev := eventbridge.NewFromConfig(v.devConfig(devAccount))
		ctx := context.Background()
		conn, err := ev.CreateConnection(ctx, &eventbridge.CreateConnectionInput{Name: aws.String("hooks"),
			AuthorizationType: ebtypes.ConnectionAuthorizationTypeOauthClientCredentials,
			AuthParameters: &ebtypes.CreateConnectionAuthRequestParameters{OAuthParameters: &ebtypes.CreateConnectionOAuthRequestParameters{
				ClientParameters:      &ebtypes.CreateConnectionOAuthClientRequestParameters{ClientID: aws.String("vigil"), ClientSecret: aws.String("s3cret")},
				AuthorizationEndpoint: aws.String(h.srv.URL + "/token"), HttpMethod: ebtypes.ConnectionOAuthHttpMethodPost,
				// As on AWS, the grant is the user's to send.
				OAuthHttpParameters: &ebtypes.ConnectionHttpParameters{BodyParameters: []ebtypes.ConnectionBodyParameter{
					{Key: aws.String("grant_type"), Value: aws.String("client_credentials")}}}}}})
		if err != nil {
			t.Fatal(err)
		}
		if conn.ConnectionState != ebtypes.ConnectionStateAuthorizing {
			t.Errorf("a new OAuth connection is %s; want AUTHORIZING", conn.ConnectionState)
		}
		dest, err := ev.CreateApiDestination(ctx, &eventbridge.CreateApiDestinationInput{Name: aws.String("orders"),
			ConnectionArn: conn.ConnectionArn, InvocationEndpoint: aws.String(h.srv.URL + "/orders/*"), HttpMethod: ebtypes.ApiDestinationHttpMethodPost})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ev.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("to-hook"), EventPattern: aws.String(`{"source":["shop"]}`)}); err != nil {
			t.Fatal(err)
		}
		out, err := ev.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("to-hook"), Targets: []ebtypes.Target{{
			Id: aws.String("hook"), Arn: dest.ApiDestinationArn, RoleArn: aws.String("arn:aws:iam::123456789012:role/events"),
			HttpParameters: &ebtypes.HttpParameters{PathParameterValues: []string{"42"}, HeaderParameters: map[string]string{"X-Client": "go"}}}}})
		if err != nil || out.FailedEntryCount != 0 {
			t.Fatalf("PutTargets = %+v, %v", out, err)
		}
		for range 2 {
			if _, err := ev.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
				Source: aws.String("shop"), DetailType: aws.String("order"), Detail: aws.String(`{"n":42}`)}}}); err != nil {
				t.Fatal(err)
			}
		}
		v.moveClock(t, `{"advance": "2s"}`)
		h.expect(t, 2, "/orders/42", "go", "shop", `{"n":42}`)
		got, err := ev.DescribeConnection(ctx, &eventbridge.DescribeConnectionInput{Name: aws.String("hooks")})
		if err != nil || got.ConnectionState != ebtypes.ConnectionStateAuthorized {
			t.Errorf("DescribeConnection after the token = %v, %v; want AUTHORIZED", got.ConnectionState, err)
		}
		if got.AuthParameters == nil || got.AuthParameters.OAuthParameters == nil ||
			aws.ToString(got.AuthParameters.OAuthParameters.ClientParameters.ClientID) != "vigil" {
			t.Errorf("DescribeConnection's parameters = %+v; want the client id", got.AuthParameters)
		}
	})
	t.Run("boto3", func(t *testing.T) {
		py := python3(t)
		v := startStill(t, time.Now().UTC().Truncate(time.Minute))
		h := newHookServer(t)
		cmd := exec.Command(py, "testdata/apidest_boto3.py", h.srv.URL)
		cmd.Env = append(v.env(), "AWS_ACCESS_KEY_ID="+devAccount, "AWS_SECRET_ACCESS_KEY=dev")
		outb, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("apidest_boto3.py: %v\n%s", err, outb)
		}
		if !strings.Contains(string(outb), ":api-destination/orders-boto3/") {
			t.Fatalf("apidest_boto3.py printed %s", outb)
		}
		v.moveClock(t, `{"advance": "2s"}`)
		h.expect(t, 1, "/orders/7", "boto3", "shop.boto3", `{"n":7}`)
	})
	for _, c := range flowClients() {
		if c.name == "boto3" {
			continue // apidest_boto3.py, above
		}
		t.Run(c.name, func(t *testing.T) {
			c.need(t)
			v := startStill(t, time.Now().UTC().Truncate(time.Minute))
			h := newHookServer(t)
			c.calls(t, v, apiDestSteps(h.srv.URL, c.name)...)
			h.expect(t, 1, "/orders/9", c.name, "shop.cli", `{"n":9}`)
		})
	}
}

// apiDestSteps are the API calls, in the API's terms, that send the
// events of source shop.cli to base's /orders/9 through an API
// destination whose connection fetches a token from base's /token, with
// the header X-Client: client; then Vigil's clock moves for the delivery,
// and the connection is AUTHORIZED.
func apiDestSteps(base, client string) []step {
	noneFailed := map[string]any{"FailedEntryCount": 0.0}
	return []step{
		api("events", "CreateConnection", map[string]any{"Name": "hooks-cli", "AuthorizationType": "OAUTH_CLIENT_CREDENTIALS",
			"AuthParameters": map[string]any{"OAuthParameters": map[string]any{
				"ClientParameters":      map[string]any{"ClientID": "vigil", "ClientSecret": "s3cret"},
				"AuthorizationEndpoint": base + "/token", "HttpMethod": "POST",
				"OAuthHttpParameters": map[string]any{"BodyParameters": []any{
					map[string]any{"Key": "grant_type", "Value": "client_credentials"}}}}}}).
			expect(map[string]any{"ConnectionState": "AUTHORIZING"}).saves("conn", "ConnectionArn"),
		api("events", "CreateApiDestination", map[string]any{"Name": "orders-cli", "ConnectionArn": "{{conn}}",
			"InvocationEndpoint": base + "/orders/*", "HttpMethod": "POST"}).
			expect(map[string]any{"ApiDestinationArn": "arn:aws:events:us-east-1:" + devAccount + ":api-destination/orders-cli/*"}).
			saves("dest", "ApiDestinationArn"),
		api("events", "PutRule", map[string]any{"Name": "to-hook-cli", "EventPattern": `{"source":["shop.cli"]}`}),
		api("events", "PutTargets", map[string]any{"Rule": "to-hook-cli", "Targets": []any{map[string]any{
			"Id": "hook", "Arn": "{{dest}}", "RoleArn": "arn:aws:iam::" + devAccount + ":role/events",
			"HttpParameters": map[string]any{"PathParameterValues": []any{"9"}, "HeaderParameters": map[string]any{"X-Client": client}}}}}).
			expect(noneFailed),
		api("events", "PutEvents", map[string]any{"Entries": []any{map[string]any{
			"Source": "shop.cli", "DetailType": "order", "Detail": `{"n":9}`}}}).expect(noneFailed),
		{Name: "delivery", Clock: map[string]any{"advance": "2s"}},
		api("events", "DescribeConnection", map[string]any{"Name": "hooks-cli"}).expect(map[string]any{"ConnectionState": "AUTHORIZED",
			"AuthParameters": map[string]any{"OAuthParameters": map[string]any{"ClientParameters": map[string]any{"ClientID": "vigil"}}}}),
	}
}

// saves returns the step saving the value at path of its response as
// {{name}} for the steps after it.
func (s step) saves(name, path string) step {
	s.Save = map[string]string{name: path}
	return s
}
