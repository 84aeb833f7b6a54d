package scheduler

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/request"
	schedulersvc "github.com/vigilhq/vigil/internal/scheduler"
	"github.com/vigilhq/vigil/internal/store/embedded"
)

// The wire tests send restJson1 requests as the clients write them
// (method, URI labels and query, JSON body, epoch-second timestamps)
// through the protocol layer to the provider, and read the responses as
// the clients read them.

const (
	account = "123456789012"
	queue   = "arn:aws:sqs:us-east-1:123456789012:orders"
	role    = "arn:aws:iam::123456789012:role/scheduler"
)

type wire struct {
	t      *testing.T
	ctx    context.Context
	router *protocol.Router
}

func newWire(t *testing.T) *wire {
	t.Helper()
	st, err := embedded.Open(context.Background(), t.TempDir(), embedded.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := clock.NewFake(time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC))
	svc := schedulersvc.New(schedulersvc.Options{Store: st.Schedules(), Tags: st.Tags(), Clock: c})
	w := &wire{t: t, router: protocol.NewRouter()}
	w.router.Register(Model, Handlers(New(svc)))
	w.ctx = request.NewContext(context.Background(), &request.Info{ID: "req-1", Region: "us-east-1", Service: "scheduler",
		Principal: request.Principal{Account: account, ARN: "arn:aws:iam::" + account + ":root"}})
	return w
}

// call sends a request and returns the status, the decoded body and the
// headers.
func (w *wire) call(method, target string, in any) (int, map[string]any, http.Header) {
	w.t.Helper()
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			w.t.Fatal(err)
		}
	}
	r := httptest.NewRequest(method, target, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	call, err := w.router.Route(&protocol.Request{HTTP: r, Body: body, SigningName: "scheduler"})
	if err != nil {
		w.t.Fatalf("Route %s %s: %v", method, target, err)
	}
	in2, err := call.DecodeInput(r, body)
	if err == nil {
		var out any
		if out, _, err = call.Invoke(w.ctx, in2); err == nil {
			call.WriteOutput(rec, "req-1", out)
		}
	}
	if err != nil {
		call.WriteError(rec, r, "req-1", err)
	}
	var out map[string]any
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			w.t.Fatalf("%s %s answered %q: %v", method, target, rec.Body.String(), err)
		}
	}
	return rec.Code, out, rec.Header()
}

// ok sends a request that must succeed.
func (w *wire) ok(method, target string, in any) map[string]any {
	w.t.Helper()
	status, out, _ := w.call(method, target, in)
	if status != http.StatusOK {
		w.t.Fatalf("%s %s = %d %v", method, target, status, out)
	}
	return out
}

// fails checks the error a request answers.
func (w *wire) fails(method, target string, in any, status int, typ, msg string) {
	w.t.Helper()
	got, out, h := w.call(method, target, in)
	if got != status || h.Get("X-Amzn-Errortype") != typ || msg != "" && out["Message"] != msg && out["message"] != msg {
		w.t.Errorf("%s %s = %d %s %v; want %d %s %q", method, target, got, h.Get("X-Amzn-Errortype"), out, status, typ, msg)
	}
}

func TestWire(t *testing.T) {
	w := newWire(t)
	groupARN := "arn:aws:scheduler:us-east-1:123456789012:schedule-group/jobs"
	if out := w.ok("POST", "/schedule-groups/jobs", map[string]any{"Tags": []any{map[string]any{"Key": "team", "Value": "a"}},
		"ClientToken": "c1"}); out["ScheduleGroupArn"] != groupARN {
		t.Fatalf("CreateScheduleGroup = %v", out)
	}
	w.fails("POST", "/schedule-groups/jobs", map[string]any{}, http.StatusConflict, "ConflictException", "Schedule group jobs already exists.")
	g := w.ok("GET", "/schedule-groups/jobs", nil)
	if g["Arn"] != groupARN || g["State"] != "ACTIVE" || g["CreationDate"] != float64(1741064767) {
		t.Fatalf("GetScheduleGroup = %v", g)
	}

	start := 1741064767.5 + 60
	create := map[string]any{"GroupName": "jobs", "ScheduleExpression": "cron(0 3 * * ? *)", "StartDate": start,
		"FlexibleTimeWindow": map[string]any{"Mode": "OFF"}, "Target": map[string]any{"Arn": queue, "RoleArn": role,
			"RetryPolicy": map[string]any{"MaximumRetryAttempts": 3}, "SqsParameters": map[string]any{"MessageGroupId": "g"}}}
	out := w.ok("POST", "/schedules/nightly", create)
	arn := "arn:aws:scheduler:us-east-1:123456789012:schedule/jobs/nightly"
	if out["ScheduleArn"] != arn {
		t.Fatalf("CreateSchedule = %v", out)
	}
	got := w.ok("GET", "/schedules/nightly?groupName=jobs", nil)
	want := map[string]any{"Arn": arn, "Name": "nightly", "GroupName": "jobs", "ScheduleExpression": "cron(0 3 * * ? *)",
		"ScheduleExpressionTimezone": "UTC", "StartDate": start, "State": "ENABLED", "ActionAfterCompletion": "NONE",
		"FlexibleTimeWindow": map[string]any{"Mode": "OFF"}, "CreationDate": float64(1741064767), "LastModificationDate": float64(1741064767),
		"Target": map[string]any{"Arn": queue, "RoleArn": role, "SqsParameters": map[string]any{"MessageGroupId": "g"},
			"RetryPolicy": map[string]any{"MaximumRetryAttempts": float64(3), "MaximumEventAgeInSeconds": float64(86400)}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("GetSchedule =\n%v\nwant\n%v", got, want)
	}
	w.fails("GET", "/schedules/nightly", nil, http.StatusNotFound, "ResourceNotFoundException", "Schedule nightly does not exist.")
	bad := map[string]any{"ScheduleExpression": "rate(1 hours)", "FlexibleTimeWindow": map[string]any{"Mode": "OFF"},
		"Target": map[string]any{"Arn": queue, "RoleArn": role}}
	w.fails("POST", "/schedules/bad", bad, http.StatusBadRequest, "ValidationException", "")

	list := w.ok("GET", "/schedules?ScheduleGroup=jobs&State=ENABLED&MaxResults=10", nil)
	if s, _ := list["Schedules"].([]any); len(s) != 1 || s[0].(map[string]any)["Target"].(map[string]any)["Arn"] != queue {
		t.Fatalf("ListSchedules = %v", list)
	}
	if list := w.ok("GET", "/schedules?State=DISABLED", nil); len(list["Schedules"].([]any)) != 0 {
		t.Fatalf("ListSchedules DISABLED = %v", list)
	}

	// Tags, by the group's ARN in the path.
	tags := "/tags/" + url.PathEscape(groupARN)
	w.ok("POST", tags, map[string]any{"Tags": []any{map[string]any{"Key": "env", "Value": "prod"}}})
	w.ok("DELETE", tags+"?TagKeys=team", nil)
	if out := w.ok("GET", tags, nil); !reflect.DeepEqual(out["Tags"], []any{map[string]any{"Key": "env", "Value": "prod"}}) {
		t.Fatalf("ListTagsForResource = %v", out)
	}

	w.ok("DELETE", "/schedules/nightly?groupName=jobs", nil)
	w.ok("DELETE", "/schedule-groups/jobs", nil)
	w.fails("DELETE", "/schedule-groups/default", nil, http.StatusBadRequest, "ValidationException", "The default schedule group cannot be deleted.")
	groups := w.ok("GET", "/schedule-groups", nil)
	if gs := groups["ScheduleGroups"].([]any); len(gs) != 1 || gs[0].(map[string]any)["Name"] != "default" {
		t.Fatalf("ListScheduleGroups = %v", groups)
	}
}
