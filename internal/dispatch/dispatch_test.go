package dispatch

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/audit/audittest"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/request"
)

func TestParse(t *testing.T) {
	tests := []struct {
		target string
		want   Address
		bad    bool
	}{
		{target: "arn:aws:logs:us-east-1:111111111111:log-group:/app/web:*",
			want: Address{Partition: "aws", Service: "logs", Region: "us-east-1", Account: "111111111111", Type: "log-group", Resource: "/app/web:*"}},
		{target: "arn:aws:logs:eu-west-1:222222222222:destination:central",
			want: Address{Partition: "aws", Service: "logs", Region: "eu-west-1", Account: "222222222222", Type: "destination", Resource: "central"}},
		{target: "arn:aws:kinesis:eu-west-1:222222222222:stream/s",
			want: Address{Partition: "aws", Service: "kinesis", Region: "eu-west-1", Account: "222222222222", Type: "stream", Resource: "s"}},
		{target: "arn:aws:sns:us-east-1:111111111111:alerts",
			want: Address{Partition: "aws", Service: "sns", Region: "us-east-1", Account: "111111111111", Resource: "alerts"}},
		{target: "arn:aws:events:us-east-1:111111111111:event-bus/default",
			want: Address{Partition: "aws", Service: "events", Region: "us-east-1", Account: "111111111111", Type: "event-bus", Resource: "default"}},
		{target: "https://hooks.example.com/x?y=1", want: Address{Service: "https", Resource: "https://hooks.example.com/x?y=1"}},
		{target: "arn:aws:logs:us-east-1:111111111111", bad: true},
		{target: "arn:aws::us-east-1:111111111111:x", bad: true},
		{target: "urn:aws:logs:r:a:log-group:g", bad: true},
		{target: "ftp://x", bad: true},
		{target: "", bad: true},
	}
	for _, tt := range tests {
		got, err := Parse(tt.target)
		if tt.bad {
			if err == nil {
				t.Errorf("Parse(%q) = %+v; want an error", tt.target, got)
			}
			continue
		}
		tt.want.Raw = tt.target
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tt.target, got, err, tt.want)
		}
	}
}

// recorder is a target that keeps what it receives.
type recorder struct {
	action string
	got    []string
	fail   error
}

func (r *recorder) Action() string { return r.action }
func (r *recorder) Deliver(_ context.Context, to Address, m *Message) error {
	r.got = append(r.got, to.Type+" "+to.Resource+" "+string(m.Payload)+" "+m.ID)
	return r.fail
}

func TestRouting(t *testing.T) {
	d := New(Options{})
	groups, dests, anyLogs, topics := &recorder{action: "logs:PutLogEvents"}, &recorder{}, &recorder{}, &recorder{}
	d.Register(Match{Service: "logs", Type: "log-group"}, groups)
	d.Register(Match{Service: "logs", Type: "destination"}, dests)
	d.Register(Match{Service: "logs", Type: "*"}, anyLogs)
	d.Register(Match{Service: "sns"}, topics)
	send := func(target string) error {
		return d.Dispatch(context.Background(), Message{ID: "k/1", Source: Source{Account: "111111111111"}, Target: target, Payload: []byte("p")})
	}
	for _, target := range []string{
		"arn:aws:logs:us-east-1:111111111111:log-group:g",
		"arn:aws:logs:us-east-1:111111111111:destination:d",
		"arn:aws:logs:us-east-1:111111111111:other:o",
		"arn:aws:sns:us-east-1:111111111111:topic",
	} {
		if err := send(target); err != nil {
			t.Errorf("Dispatch(%s) = %v", target, err)
		}
	}
	if len(groups.got) != 1 || groups.got[0] != "log-group g p k/1" || len(dests.got) != 1 || len(anyLogs.got) != 1 || anyLogs.got[0] != "other o p k/1" || len(topics.got) != 1 {
		t.Errorf("routed: groups %v, destinations %v, any %v, topics %v", groups.got, dests.got, anyLogs.got, topics.got)
	}
	for target, code := range map[string]string{
		"arn:aws:sqs:us-east-1:111111111111:queue": "NoTarget",
		"arn:aws:sns:us-east-1:111111111111:t/x":   "NoTarget", // typed: no exact or wildcard route
		"not an arn":                               "InvalidTarget",
	} {
		err := send(target)
		var de *Error
		if !errors.As(err, &de) || de.Code != code || !de.Permanent() {
			t.Errorf("Dispatch(%s) = %v; want a permanent %s error", target, err, code)
		}
	}
	groups.fail = errors.New("group down")
	if err := send("arn:aws:logs:us-east-1:111111111111:log-group:g"); err == nil || err.Error() != "group down" {
		t.Errorf("Dispatch to a failing target = %v; want its error", err)
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	d := New(Options{})
	d.Register(Match{Service: "logs", Type: "log-group"}, &recorder{})
	defer func() {
		if recover() == nil {
			t.Errorf("registering a match twice did not panic")
		}
	}()
	d.Register(Match{Service: "logs", Type: "log-group"}, &recorder{})
}

// TestAcrossAccounts: a delivery to another account is authorized as an
// API call of the target's action by the sender, and audited; one within
// an account is neither.
func TestAcrossAccounts(t *testing.T) {
	type call struct {
		p              request.Principal
		action, target string
	}
	var calls []call
	deny := map[string]bool{}
	audit := &audittest.Recorder{}
	t0 := time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC)
	d := New(Options{
		Authorize: func(_ context.Context, p request.Principal, action, resource string) error {
			calls = append(calls, call{p, action, resource})
			if deny[p.Account] {
				return errors.New("explicit deny")
			}
			return nil
		},
		Audit: audit, Clock: clock.NewFake(t0),
	})
	groups := &recorder{action: "logs:PutLogEvents"}
	d.Register(Match{Service: "logs", Type: "log-group"}, groups)
	target := "arn:aws:logs:eu-west-1:222222222222:log-group:central"
	send := func(account, role string) error {
		return d.Dispatch(context.Background(), Message{ID: "logs.subscription/7", Kind: "logs.subscription", Version: 1,
			Source: Source{Service: "logs", Account: account, Region: "us-east-1", Principal: role}, Target: target, Payload: []byte("abc")})
	}

	if err := send("222222222222", ""); err != nil {
		t.Fatal(err)
	}
	if len(calls) != 0 || len(audit.Events()) != 0 {
		t.Errorf("a delivery within the account was authorized %v and audited %v; want neither", calls, audit.Events())
	}

	if err := send("111111111111", "arn:aws:iam::111111111111:role/ship"); err != nil {
		t.Fatal(err)
	}
	if want := (call{request.Principal{Account: "111111111111", ARN: "arn:aws:iam::111111111111:role/ship", UserID: "111111111111"}, "logs:PutLogEvents", target}); len(calls) != 1 || calls[0] != want {
		t.Errorf("authorized %+v; want %+v", calls, want)
	}
	events := audit.Events()
	if len(events) != 1 {
		t.Fatalf("audited %d events; want 1", len(events))
	}
	e := events[0]
	req, _ := e.Request.(*Delivery)
	if e.Operation != "PutLogEvents" || e.EventSource != "logs.amazonaws.com" || e.Service != "logs" || e.Region != "eu-west-1" ||
		e.Principal.ARN != "arn:aws:iam::111111111111:role/ship" || e.SourceIP != "logs.amazonaws.com" || e.RequestID != "logs.subscription/7" ||
		!e.Time.Equal(t0) || e.ErrorCode != "" || req == nil || req.Target != target || req.Bytes != 3 || req.Kind != "logs.subscription" {
		t.Errorf("audit event = %+v (request %+v)", e, req)
	}

	deny["333333333333"] = true
	err := send("333333333333", "")
	var de *Error
	if !errors.As(err, &de) || de.Code != "AccessDenied" || !strings.Contains(err.Error(), "arn:aws:iam::333333333333:root") {
		t.Errorf("denied delivery = %v; want AccessDenied naming the sender", err)
	}
	if len(groups.got) != 2 {
		t.Errorf("target received %d messages; want 2 (not the denied one)", len(groups.got))
	}
	if events := audit.Events(); len(events) != 2 || events[1].ErrorCode != "AccessDenied" || events[1].ErrorMessage == "" {
		t.Errorf("audit of the denied delivery = %+v; want AccessDenied", events[len(events)-1])
	}
}
