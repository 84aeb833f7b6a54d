package events

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// The wire tests of connections and API destinations, sent as the clients
// write them.

func TestConnectionWire(t *testing.T) {
	w := newWire(t)
	out := w.ok("CreateConnection", map[string]any{"Name": "key", "AuthorizationType": "API_KEY", "Description": "d",
		"AuthParameters": map[string]any{"ApiKeyAuthParameters": map[string]any{"ApiKeyName": "x-api-key", "ApiKeyValue": "TOPSECRET"},
			"InvocationHttpParameters": map[string]any{"HeaderParameters": []any{
				map[string]any{"Key": "h", "Value": "HIDDEN", "IsValueSecret": true}, map[string]any{"Key": "v", "Value": "shown"}}}}})
	arn, _ := out["ConnectionArn"].(string)
	if !regexp.MustCompile(`^arn:aws:events:us-east-1:123456789012:connection/key/[-0-9a-f]{36}$`).MatchString(arn) ||
		out["ConnectionState"] != "AUTHORIZED" || out["CreationTime"] == nil {
		t.Fatalf("CreateConnection = %v", out)
	}
	out = w.ok("DescribeConnection", map[string]any{"Name": "key"})
	raw, _ := json.Marshal(out)
	if strings.Contains(string(raw), "TOPSECRET") || strings.Contains(string(raw), "HIDDEN") || !strings.Contains(string(raw), "shown") {
		t.Errorf("DescribeConnection = %s; want no secret values, the others", raw)
	}
	auth, _ := out["AuthParameters"].(map[string]any)
	if key, _ := auth["ApiKeyAuthParameters"].(map[string]any); key["ApiKeyName"] != "x-api-key" {
		t.Errorf("DescribeConnection AuthParameters = %v", auth)
	}
	for k, v := range map[string]any{"Name": "key", "AuthorizationType": "API_KEY", "ConnectionState": "AUTHORIZED", "Description": "d"} {
		if out[k] != v {
			t.Errorf("DescribeConnection %s = %v; want %v", k, out[k], v)
		}
	}
	if s, _ := out["SecretArn"].(string); !strings.HasPrefix(s, "arn:aws:secretsmanager:us-east-1:123456789012:secret:events!connection/key/") {
		t.Errorf("SecretArn = %v", out["SecretArn"])
	}

	w.fails("CreateConnection", map[string]any{"Name": "key", "AuthorizationType": "API_KEY",
		"AuthParameters": map[string]any{"ApiKeyAuthParameters": map[string]any{"ApiKeyName": "k", "ApiKeyValue": "v"}}},
		"ResourceAlreadyExistsException", "Connection key already exists.")
	w.fails("DescribeConnection", map[string]any{"Name": "none"}, "ResourceNotFoundException",
		"Failed to describe the connection(s). Connection 'none' does not exist.")
	w.fails("CreateConnection", map[string]any{"Name": "b", "AuthorizationType": "BASIC",
		"AuthParameters": map[string]any{"ApiKeyAuthParameters": map[string]any{"ApiKeyName": "k", "ApiKeyValue": "v"}}},
		"ValidationException", "")
	w.ok("CreateConnection", map[string]any{"Name": "oauth", "AuthorizationType": "OAUTH_CLIENT_CREDENTIALS",
		"AuthParameters": map[string]any{"OAuthParameters": map[string]any{"AuthorizationEndpoint": "https://auth.example.com/token",
			"HttpMethod": "POST", "ClientParameters": map[string]any{"ClientID": "id", "ClientSecret": "s"}}}})

	out = w.ok("ListConnections", map[string]any{"ConnectionState": "AUTHORIZING"})
	if cs, _ := out["Connections"].([]any); len(cs) != 1 || cs[0].(map[string]any)["Name"] != "oauth" {
		t.Errorf("ListConnections AUTHORIZING = %v", out)
	}
	out = w.ok("ListConnections", map[string]any{"Limit": 1})
	if cs, _ := out["Connections"].([]any); len(cs) != 1 || out["NextToken"] == nil {
		t.Fatalf("ListConnections Limit 1 = %v", out)
	}
	out = w.ok("ListConnections", map[string]any{"Limit": 1, "NextToken": out["NextToken"]})
	if cs, _ := out["Connections"].([]any); len(cs) != 1 || cs[0].(map[string]any)["Name"] != "oauth" || out["NextToken"] != nil {
		t.Errorf("ListConnections page 2 = %v", out)
	}

	out = w.ok("UpdateConnection", map[string]any{"Name": "oauth", "AuthorizationType": "BASIC",
		"AuthParameters": map[string]any{"BasicAuthParameters": map[string]any{"Username": "u", "Password": "p"}}})
	if out["ConnectionState"] != "AUTHORIZED" {
		t.Errorf("UpdateConnection to BASIC = %v", out)
	}
	out = w.ok("DeauthorizeConnection", map[string]any{"Name": "oauth"})
	if out["ConnectionState"] != "DEAUTHORIZED" {
		t.Errorf("DeauthorizeConnection = %v", out)
	}
	out = w.ok("DeleteConnection", map[string]any{"Name": "oauth"})
	if out["ConnectionArn"] == nil {
		t.Errorf("DeleteConnection = %v", out)
	}
	w.fails("DeleteConnection", map[string]any{"Name": "oauth"}, "ResourceNotFoundException", "")
}

func TestAPIDestinationWire(t *testing.T) {
	w := newWire(t)
	conn := w.ok("CreateConnection", map[string]any{"Name": "c", "AuthorizationType": "BASIC",
		"AuthParameters": map[string]any{"BasicAuthParameters": map[string]any{"Username": "u", "Password": "p"}}})["ConnectionArn"]
	out := w.ok("CreateApiDestination", map[string]any{"Name": "hook", "ConnectionArn": conn,
		"InvocationEndpoint": "https://example.com/hook/*", "HttpMethod": "PUT"})
	arn, _ := out["ApiDestinationArn"].(string)
	if !regexp.MustCompile(`^arn:aws:events:us-east-1:123456789012:api-destination/hook/[-0-9a-f]{36}$`).MatchString(arn) ||
		out["ApiDestinationState"] != "ACTIVE" {
		t.Fatalf("CreateApiDestination = %v", out)
	}
	out = w.ok("DescribeApiDestination", map[string]any{"Name": "hook"})
	for k, v := range map[string]any{"Name": "hook", "ApiDestinationArn": arn, "ConnectionArn": conn, "HttpMethod": "PUT",
		"InvocationEndpoint": "https://example.com/hook/*", "InvocationRateLimitPerSecond": 300.0, "ApiDestinationState": "ACTIVE"} {
		if out[k] != v {
			t.Errorf("DescribeApiDestination %s = %v; want %v", k, out[k], v)
		}
	}
	w.fails("CreateApiDestination", map[string]any{"Name": "hook", "ConnectionArn": conn,
		"InvocationEndpoint": "https://example.com", "HttpMethod": "POST"}, "ResourceAlreadyExistsException",
		"An api-destination 'hook' already exists.")
	w.fails("CreateApiDestination", map[string]any{"Name": "plain", "ConnectionArn": conn,
		"InvocationEndpoint": "http://example.com/x", "HttpMethod": "POST"}, "ValidationException", "")
	w.fails("CreateApiDestination", map[string]any{"Name": "lost", "ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/none/x",
		"InvocationEndpoint": "https://example.com", "HttpMethod": "POST"}, "ResourceNotFoundException",
		"Failed to describe the connection(s). Connection 'none' does not exist.")
	w.ok("CreateApiDestination", map[string]any{"Name": "local", "ConnectionArn": conn,
		"InvocationEndpoint": "http://localhost:8080/x", "HttpMethod": "POST", "InvocationRateLimitPerSecond": 2})

	out = w.ok("ListApiDestinations", map[string]any{"NamePrefix": "lo"})
	if ds, _ := out["ApiDestinations"].([]any); len(ds) != 1 || ds[0].(map[string]any)["InvocationRateLimitPerSecond"] != 2.0 {
		t.Errorf("ListApiDestinations NamePrefix = %v", out)
	}
	out = w.ok("ListApiDestinations", map[string]any{"ConnectionArn": conn, "Limit": 1})
	if ds, _ := out["ApiDestinations"].([]any); len(ds) != 1 || out["NextToken"] == nil {
		t.Errorf("ListApiDestinations by connection = %v", out)
	}
	out = w.ok("UpdateApiDestination", map[string]any{"Name": "hook", "HttpMethod": "POST"})
	if out["ApiDestinationArn"] != arn {
		t.Errorf("UpdateApiDestination = %v", out)
	}
	if out = w.ok("DescribeApiDestination", map[string]any{"Name": "hook"}); out["HttpMethod"] != "POST" {
		t.Errorf("after UpdateApiDestination: %v", out)
	}
	w.ok("DeleteApiDestination", map[string]any{"Name": "hook"})
	w.fails("DescribeApiDestination", map[string]any{"Name": "hook"}, "ResourceNotFoundException",
		"Failed to describe the api-destination(s). An api-destination 'hook' does not exist.")
	w.fails("DeleteApiDestination", map[string]any{"Name": "hook"}, "ResourceNotFoundException", "")
}
