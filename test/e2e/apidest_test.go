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
		tokens, calls := h.took()
		if tokens != 1 || len(calls) != 2 || calls[0].Path != "/orders/42" || calls[0].Client != "go" ||
			string(calls[0].Event.Source) != `"shop"` || string(calls[0].Event.Detail) != `{"n":42}` {
			t.Fatalf("the endpoint got %d token requests and calls %+v; want 1 token and the 2 events at /orders/42", tokens, calls)
		}
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
		tokens, calls := h.took()
		if tokens != 1 || len(calls) != 1 || calls[0].Path != "/orders/7" || calls[0].Client != "boto3" ||
			string(calls[0].Event.Detail) != `{"n":7}` {
			t.Fatalf("the endpoint got %d token requests and calls %+v; want 1 token and the event at /orders/7", tokens, calls)
		}
	})
}
