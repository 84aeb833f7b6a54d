package sqs

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/request"
	sqssvc "github.com/vigilhq/vigil/internal/sqs"
	"github.com/vigilhq/vigil/internal/store/embedded"
)

// The wire tests send requests as the clients write them, in awsJson 1.0
// and awsQuery, through the protocol layer to the provider, and read the
// responses as the clients read them.

const (
	account = "123456789012"
	base    = "http://vigil.test"
)

type wire struct {
	t      *testing.T
	ctx    context.Context
	router *protocol.Router
	clock  *clock.Fake
	svc    *sqssvc.Service
}

func newWire(t *testing.T) *wire {
	t.Helper()
	st, err := embedded.Open(context.Background(), t.TempDir(), embedded.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	w := &wire{t: t, router: protocol.NewRouter(), clock: clock.NewFake(time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC))}
	w.svc = sqssvc.New(sqssvc.Options{Store: st.SQS(), Tags: st.Tags(), Clock: w.clock})
	w.svc.SetBaseURL(base)
	w.router.Register(Model, Handlers(New(w.svc)))
	w.ctx = request.NewContext(context.Background(), &request.Info{ID: "req-1", Region: "us-east-1", Service: "sqs",
		Principal: request.Principal{Account: account, ARN: "arn:aws:iam::" + account + ":root"}})
	return w
}

// serve runs a request and returns the response.
func (w *wire) serve(r *http.Request, body []byte) *httptest.ResponseRecorder {
	w.t.Helper()
	rec := httptest.NewRecorder()
	call, err := w.router.Route(&protocol.Request{HTTP: r, Body: body, SigningName: "sqs"})
	if err != nil {
		w.t.Fatalf("Route: %v", err)
	}
	in, err := call.DecodeInput(r, body)
	if err == nil {
		var out any
		if out, _, err = call.Invoke(w.ctx, in); err == nil {
			call.WriteOutput(rec, "req-1", out)
			return rec
		}
	}
	call.WriteError(rec, r, "req-1", err)
	return rec
}

// json sends an awsJson 1.0 request and decodes the response's body.
func (w *wire) json(op string, in any) (int, map[string]any, http.Header) {
	w.t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		w.t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	r.Header.Set("X-Amz-Target", "AmazonSQS."+op)
	r.Header.Set("Content-Type", "application/x-amz-json-1.0")
	rec := w.serve(r, body)
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		w.t.Fatalf("%s answered %q: %v", op, rec.Body.String(), err)
	}
	return rec.Code, out, rec.Header()
}

// ok sends an awsJson 1.0 request that must succeed.
func (w *wire) ok(op string, in any) map[string]any {
	w.t.Helper()
	status, out, _ := w.json(op, in)
	if status != http.StatusOK {
		w.t.Fatalf("%s = %d %v", op, status, out)
	}
	return out
}

// jsonError checks the error an awsJson 1.0 request answers.
func (w *wire) jsonError(op string, in any, status int, typ, queryCode, msg string) {
	w.t.Helper()
	got, out, h := w.json(op, in)
	if got != status || out["__type"] != "com.amazonaws.sqs#"+typ || out["message"] != msg || h.Get("x-amzn-query-error") != queryCode+";Sender" {
		w.t.Errorf("%s = %d %v (x-amzn-query-error %q); want %d %s %q (%s)", op, got, out, h.Get("x-amzn-query-error"), status, typ, msg, queryCode)
	}
}

// query sends an awsQuery request and returns the response's body.
func (w *wire) query(op string, params url.Values) (int, string) {
	w.t.Helper()
	params.Set("Action", op)
	params.Set("Version", "2012-11-05")
	body := []byte(params.Encode())
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := w.serve(r, body)
	return rec.Code, rec.Body.String()
}

func contains(t *testing.T, what, body string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(body, p) {
			t.Errorf("%s = %s; want it to contain %s", what, body, p)
		}
	}
}

// TestEveryOperation: SQS answers every operation of its model.
func TestEveryOperation(t *testing.T) {
	h := Handlers(New(sqssvc.New(sqssvc.Options{})))
	for op := range Model.Operations {
		if h[op] == nil {
			t.Errorf("%s is not implemented", op)
		}
	}
}

func TestPermissionsWire(t *testing.T) {
	w := newWire(t)
	q := w.ok("CreateQueue", map[string]any{"QueueName": "q"})["QueueUrl"].(string)
	w.ok("AddPermission", map[string]any{"QueueUrl": q, "Label": "json", "AWSAccountIds": []string{"111111111111"}, "Actions": []string{"SendMessage", "ReceiveMessage"}})
	if status, body := w.query("AddPermission", url.Values{"QueueUrl": {q}, "Label": {"query"}, "AWSAccountId.1": {"222222222222"},
		"AWSAccountId.2": {"333333333333"}, "ActionName.1": {"SendMessage"}}); status != http.StatusOK {
		t.Fatalf("AddPermission in awsQuery = %d %s", status, body)
	}
	var policy struct{ Statement []map[string]any }
	if err := json.Unmarshal([]byte(w.ok("GetQueueAttributes", map[string]any{"QueueUrl": q, "AttributeNames": []string{"Policy"}})["Attributes"].(map[string]any)["Policy"].(string)), &policy); err != nil {
		t.Fatal(err)
	}
	if len(policy.Statement) != 2 || policy.Statement[0]["Sid"] != "json" || policy.Statement[1]["Sid"] != "query" {
		t.Errorf("policy = %+v", policy)
	}
	w.jsonError("AddPermission", map[string]any{"QueueUrl": q, "Label": "json", "AWSAccountIds": []string{"111111111111"}, "Actions": []string{"SendMessage"}},
		http.StatusBadRequest, "InvalidParameterValue", "InvalidParameterValue", "Value json for parameter Label is invalid. Reason: Already exists.")
	actions := []string{"SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes", "GetQueueUrl", "PurgeQueue", "ListDeadLetterSourceQueues"}
	// Query-compatible, SQS answers 400 to JSON clients, its awsQuery
	// status (403) to awsQuery ones.
	w.jsonError("AddPermission", map[string]any{"QueueUrl": q, "Label": "many", "AWSAccountIds": []string{"111111111111"}, "Actions": actions},
		http.StatusBadRequest, "OverLimit", "OverLimit", "8 Actions were found, maximum allowed is 7.")
	params := url.Values{"QueueUrl": {q}, "Label": {"many"}, "AWSAccountId.1": {"111111111111"}}
	for i, a := range actions {
		params.Set("ActionName."+strconv.Itoa(i+1), a)
	}
	status, body := w.query("AddPermission", params)
	if status != http.StatusForbidden {
		t.Errorf("AddPermission of 8 actions in awsQuery = %d", status)
	}
	contains(t, "AddPermission of 8 actions", body, "<Code>OverLimit</Code>")
	w.ok("RemovePermission", map[string]any{"QueueUrl": q, "Label": "json"})
	status, body = w.query("RemovePermission", url.Values{"QueueUrl": {q}, "Label": {"json"}})
	if status != http.StatusBadRequest {
		t.Errorf("RemovePermission again = %d", status)
	}
	contains(t, "RemovePermission again", body, "<Code>InvalidParameterValue</Code>", "<Message>Value json for parameter Label is invalid. Reason: can&#39;t find label.</Message>")
}

// TestGetQueueAttributesUnknownName: SQS answers an unknown attribute
// name itself, not as a validation error of the model's enumeration.
func TestGetQueueAttributesUnknownName(t *testing.T) {
	w := newWire(t)
	q := w.ok("CreateQueue", map[string]any{"QueueName": "q"})["QueueUrl"].(string)
	w.jsonError("GetQueueAttributes", map[string]any{"QueueUrl": q, "AttributeNames": []string{"Foobar"}},
		http.StatusBadRequest, "InvalidAttributeName", "InvalidAttributeName", "Unknown Attribute Foobar.")
	status, body := w.query("GetQueueAttributes", url.Values{"QueueUrl": {q}, "AttributeName.1": {"Foobar"}})
	if status != http.StatusBadRequest {
		t.Errorf("GetQueueAttributes Foobar in awsQuery = %d", status)
	}
	contains(t, "GetQueueAttributes Foobar", body, "<Type>Sender</Type>", "<Code>InvalidAttributeName</Code>", "<Message>Unknown Attribute Foobar.</Message>")
	w.jsonError("SetQueueAttributes", map[string]any{"QueueUrl": q, "Attributes": map[string]string{"Foobar": "1"}},
		http.StatusBadRequest, "InvalidAttributeName", "InvalidAttributeName", "Unknown Attribute Foobar.")
}

func TestRedriveWire(t *testing.T) {
	w := newWire(t)
	dlq := w.ok("CreateQueue", map[string]any{"QueueName": "dlq"})["QueueUrl"].(string)
	dlqARN := "arn:aws:sqs:us-east-1:" + account + ":dlq"
	src := w.ok("CreateQueue", map[string]any{"QueueName": "src", "Attributes": map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"` + dlqARN + `","maxReceiveCount":1}`}})["QueueUrl"].(string)
	out := w.ok("ListDeadLetterSourceQueues", map[string]any{"QueueUrl": dlq})
	if urls, _ := out["queueUrls"].([]any); len(urls) != 1 || urls[0] != src {
		t.Errorf("ListDeadLetterSourceQueues = %v", out)
	}
	_, body := w.query("ListDeadLetterSourceQueues", url.Values{"QueueUrl": {dlq}})
	contains(t, "ListDeadLetterSourceQueues in awsQuery", body, "<QueueUrl>"+src+"</QueueUrl>")
	// None: an empty list.
	if out := w.ok("ListDeadLetterSourceQueues", map[string]any{"QueueUrl": src}); len(out["queueUrls"].([]any)) != 0 {
		t.Errorf("ListDeadLetterSourceQueues of src = %v", out)
	}

	w.ok("SendMessage", map[string]any{"QueueUrl": src, "MessageBody": "m"})
	w.ok("ReceiveMessage", map[string]any{"QueueUrl": src, "VisibilityTimeout": 0})
	w.ok("ReceiveMessage", map[string]any{"QueueUrl": src})
	h := w.ok("StartMessageMoveTask", map[string]any{"SourceArn": dlqARN, "MaxNumberOfMessagesPerSecond": 10})["TaskHandle"].(string)
	res := w.ok("ListMessageMoveTasks", map[string]any{"SourceArn": dlqARN})["Results"].([]any)
	want := map[string]any{"TaskHandle": h, "Status": "RUNNING", "SourceArn": dlqARN, "MaxNumberOfMessagesPerSecond": 10.0,
		"ApproximateNumberOfMessagesMoved": 0.0, "ApproximateNumberOfMessagesToMove": 1.0, "StartedTimestamp": float64(w.clock.Now().UnixMilli())}
	if len(res) != 1 || !mapsEqual(res[0].(map[string]any), want) {
		t.Errorf("ListMessageMoveTasks = %v\nwant %v", res, want)
	}
	w.clock.Advance(time.Second)
	if err := w.svc.RunMoveTasks(w.ctx, w.clock.Now()); err != nil {
		t.Fatal(err)
	}
	_, body = w.query("ListMessageMoveTasks", url.Values{"SourceArn": {dlqARN}, "MaxResults": {"10"}})
	contains(t, "ListMessageMoveTasks in awsQuery", body, "<Status>COMPLETED</Status>", "<ApproximateNumberOfMessagesMoved>1</ApproximateNumberOfMessagesMoved>")
	w.jsonError("CancelMessageMoveTask", map[string]any{"TaskHandle": h}, http.StatusBadRequest, "ResourceNotFoundException",
		"ResourceNotFoundException", "Task does not exist.")
	w.jsonError("CancelMessageMoveTask", map[string]any{"TaskHandle": "foobared"}, http.StatusBadRequest, "InvalidParameterValue",
		"InvalidParameterValue", "Value for parameter TaskHandle is invalid.")
	w.jsonError("StartMessageMoveTask", map[string]any{"SourceArn": "arn:aws:sqs:us-east-1:" + account + ":src"}, http.StatusBadRequest,
		"InvalidParameterValue", "InvalidParameterValue", "Source queue must be configured as a Dead Letter Queue.")
}

func mapsEqual(a, b map[string]any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// TestReceiveRequestAttemptIDWire: a FIFO receive retried with its
// ReceiveRequestAttemptId returns the same receipt handles.
func TestReceiveRequestAttemptIDWire(t *testing.T) {
	w := newWire(t)
	q := w.ok("CreateQueue", map[string]any{"QueueName": "q.fifo", "Attributes": map[string]string{"FifoQueue": "true"}})["QueueUrl"].(string)
	w.ok("SendMessage", map[string]any{"QueueUrl": q, "MessageBody": "m", "MessageGroupId": "g", "MessageDeduplicationId": "d"})
	handle := func(out map[string]any) any {
		msgs, _ := out["Messages"].([]any)
		if len(msgs) != 1 {
			t.Fatalf("received %v", out)
		}
		return msgs[0].(map[string]any)["ReceiptHandle"]
	}
	in := map[string]any{"QueueUrl": q, "ReceiveRequestAttemptId": "attempt-1"}
	first := handle(w.ok("ReceiveMessage", in))
	if again := handle(w.ok("ReceiveMessage", in)); again != first {
		t.Errorf("retried: handle %v, want %v", again, first)
	}
}
