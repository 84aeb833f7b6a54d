package events

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	eventssvc "github.com/vigilhq/vigil/internal/events"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/store/embedded"
)

// The wire tests send archive, replay and permission requests as the
// clients write them, in awsJson 1.1, through the protocol layer to the
// provider, and read the responses as the clients read them.

const (
	account = "123456789012"
	busARN  = "arn:aws:events:us-east-1:123456789012:event-bus/default"
)

type wire struct {
	t      *testing.T
	router *protocol.Router
	svc    *eventssvc.Service
}

func newWire(t *testing.T) *wire {
	t.Helper()
	st, err := embedded.Open(context.Background(), t.TempDir(), embedded.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	w := &wire{t: t, router: protocol.NewRouter()}
	w.svc = eventssvc.New(eventssvc.Options{Store: st.Events(), Tags: st.Tags(),
		Clock: clock.NewFake(time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC))})
	w.router.Register(Model, Handlers(New(w.svc)))
	return w
}

// call sends an operation as the principal of an account ("": the
// account's root) and decodes the response's body.
func (w *wire) call(acct, principal, op string, in any) (int, map[string]any) {
	w.t.Helper()
	if principal == "" {
		principal = "arn:aws:iam::" + acct + ":root"
	}
	ctx := request.NewContext(context.Background(), &request.Info{ID: "req-1", Region: "us-east-1", Service: "events",
		Principal: request.Principal{Account: acct, ARN: principal}})
	body, err := json.Marshal(in)
	if err != nil {
		w.t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	r.Header.Set("X-Amz-Target", "AWSEvents."+op)
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	rec := httptest.NewRecorder()
	c, err := w.router.Route(&protocol.Request{HTTP: r, Body: body, SigningName: "events"})
	if err != nil {
		w.t.Fatalf("Route %s: %v", op, err)
	}
	decoded, err := c.DecodeInput(r, body)
	if err == nil {
		var out any
		if out, _, err = c.Invoke(ctx, decoded); err == nil {
			c.WriteOutput(rec, "req-1", out)
		}
	}
	if err != nil {
		c.WriteError(rec, r, "req-1", err)
	}
	out := map[string]any{}
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			w.t.Fatalf("%s answered %q: %v", op, rec.Body.String(), err)
		}
	}
	return rec.Code, out
}

// ok sends an operation of the account that must succeed.
func (w *wire) ok(op string, in any) map[string]any {
	w.t.Helper()
	status, out := w.call(account, "", op, in)
	if status != http.StatusOK {
		w.t.Fatalf("%s = %d %v", op, status, out)
	}
	return out
}

// fails checks the error an operation of the account answers ("": any
// message).
func (w *wire) fails(op string, in any, typ, msg string) {
	w.t.Helper()
	status, out := w.call(account, "", op, in)
	if status != http.StatusBadRequest || out["__type"] != typ || msg != "" && out["message"] != msg {
		w.t.Errorf("%s = %d %v; want 400 %s %q", op, status, out, typ, msg)
	}
}

func TestArchiveAndReplayWire(t *testing.T) {
	w := newWire(t)
	out := w.ok("CreateArchive", map[string]any{"ArchiveName": "all", "EventSourceArn": busARN, "RetentionDays": 1})
	if out["ArchiveArn"] != "arn:aws:events:us-east-1:123456789012:archive/all" || out["State"] != "ENABLED" || out["CreationTime"] == nil {
		t.Fatalf("CreateArchive = %v", out)
	}
	out = w.ok("DescribeArchive", map[string]any{"ArchiveName": "all"})
	for k, v := range map[string]any{"ArchiveName": "all", "EventSourceArn": busARN, "State": "ENABLED", "RetentionDays": 1.0,
		"EventCount": 0.0, "SizeBytes": 0.0} {
		if out[k] != v {
			t.Errorf("DescribeArchive %s = %v; want %v", k, out[k], v)
		}
	}
	out = w.ok("ListArchives", map[string]any{"NamePrefix": "a"})
	if as := out["Archives"].([]any); len(as) != 1 || as[0].(map[string]any)["ArchiveArn"] != nil {
		t.Errorf("ListArchives = %v; want one archive, without its ARN as AWS lists them", out)
	}
	w.fails("ListArchives", map[string]any{"NamePrefix": "a", "State": "ENABLED"}, "ValidationException",
		"At most one filter is allowed for ListArchives. Use either : State, EventSourceArn, or NamePrefix.")
	w.fails("UpdateArchive", map[string]any{"ArchiveName": "all"}, "ValidationException",
		"At least one of EventPattern, RetentionDays or Description must be provided.")
	w.fails("CreateArchive", map[string]any{"ArchiveName": "bad", "EventSourceArn": busARN, "EventPattern": `{"source":"x"}`},
		"InvalidEventPatternException", "")

	out = w.ok("StartReplay", map[string]any{"ReplayName": "again", "EventSourceArn": "arn:aws:events:us-east-1:123456789012:archive/all",
		"EventStartTime": 1741060000, "EventEndTime": 1741064767, "Destination": map[string]any{"Arn": busARN}})
	if out["ReplayArn"] != "arn:aws:events:us-east-1:123456789012:replay/again" || out["State"] != "STARTING" || out["ReplayStartTime"] != 1741064767.0 {
		t.Fatalf("StartReplay = %v", out)
	}
	out = w.ok("DescribeReplay", map[string]any{"ReplayName": "again"})
	if out["EventStartTime"] != 1741060000.0 || out["Destination"].(map[string]any)["Arn"] != busARN ||
		out["EventLastReplayedTime"] != nil || out["ReplayEndTime"] != nil {
		t.Errorf("DescribeReplay before it ran = %v", out)
	}
	if out := w.ok("CancelReplay", map[string]any{"ReplayName": "again"}); out["State"] != "CANCELLING" {
		t.Errorf("CancelReplay = %v", out)
	}
	w.fails("CancelReplay", map[string]any{"ReplayName": "again"}, "IllegalStatusException",
		"Replay again is not in a valid state for this operation.")
	w.fails("DescribeReplay", map[string]any{"ReplayName": "none"}, "ResourceNotFoundException", "Replay none does not exist.")
	if out := w.ok("ListReplays", map[string]any{"State": "CANCELLING"}); len(out["Replays"].([]any)) != 1 {
		t.Errorf("ListReplays CANCELLING = %v", out)
	}
}

func TestPermissionWire(t *testing.T) {
	w := newWire(t)
	w.ok("PutPermission", map[string]any{"Action": "events:PutEvents", "Principal": "210987654321", "StatementId": "other"})
	out := w.ok("DescribeEventBus", map[string]any{})
	want := `{"Version":"2012-10-17","Statement":[{"Sid":"other","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},` +
		`"Action":"events:PutEvents","Resource":"` + busARN + `"}]}`
	if out["Policy"] != want {
		t.Fatalf("DescribeEventBus Policy = %v; want %s", out["Policy"], want)
	}
	w.fails("PutPermission", map[string]any{"Action": "events:PutEvents", "Principal": "*", "StatementId": "big",
		"Condition": map[string]any{"Type": "StringEquals", "Key": "aws:PrincipalOrgID", "Value": strings.Repeat("o", 10240)}},
		"PolicyLengthExceededException", "The policy of event bus default would be 10660 characters long; it may have at most 10240.")

	// Another account puts an event on the bus by its ARN; a third is
	// refused, as the caller it is.
	entry := map[string]any{"Entries": []any{map[string]any{"Source": "shop", "DetailType": "x", "Detail": "{}", "EventBusName": busARN}}}
	if status, out := w.call("210987654321", "", "PutEvents", entry); status != http.StatusOK || out["FailedEntryCount"] != 0.0 {
		t.Errorf("PutEvents from the account the policy allows = %d %v", status, out)
	}
	status, out := w.call("333333333333", "arn:aws:iam::333333333333:user/u", "PutEvents", entry)
	e := out["Entries"].([]any)[0].(map[string]any)
	if status != http.StatusOK || out["FailedEntryCount"] != 1.0 || e["ErrorCode"] != "AccessDeniedException" ||
		!strings.HasPrefix(e["ErrorMessage"].(string), "User: arn:aws:iam::333333333333:user/u is not authorized to perform: events:PutEvents") {
		t.Errorf("PutEvents from an account the policy does not allow = %d %v", status, out)
	}
	w.ok("RemovePermission", map[string]any{"RemoveAllPermissions": true})
	if out := w.ok("DescribeEventBus", map[string]any{}); out["Policy"] != nil {
		t.Errorf("DescribeEventBus after RemoveAllPermissions = %v", out)
	}
}
