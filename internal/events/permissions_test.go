package events

import (
	"errors"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/dispatch"
	"github.com/vigilhq/vigil/internal/svcevents"
)

// other is another account's scope in the region of scope.
var other = Scope{Account: "210987654321", Region: "us-east-1"}

func (f *fixture) policy(bus string) string {
	f.t.Helper()
	b, err := f.svc.DescribeBus(f.ctx, scope, bus)
	if err != nil {
		f.t.Fatalf("DescribeBus %s: %v", bus, err)
	}
	return b.Policy
}

func (f *fixture) permit(bus string, p Permission) {
	f.t.Helper()
	if err := f.svc.PutPermission(f.ctx, scope, bus, p); err != nil {
		f.t.Fatalf("PutPermission %+v: %v", p, err)
	}
}

func TestPutPermission(t *testing.T) {
	f := newFixture(t)
	f.createBus("orders")
	f.permit("", Permission{Action: "events:PutEvents", Principal: "111122223333", StatementID: "one"})
	one := `{"Sid":"one","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"events:PutEvents",` +
		`"Resource":"arn:aws:events:us-east-1:123456789012:event-bus/default"}`
	if got, want := f.policy(""), `{"Version":"2012-10-17","Statement":[`+one+`]}`; got != want {
		t.Fatalf("policy =\n%s\nwant\n%s", got, want)
	}
	org := Permission{Action: "events:PutEvents", Principal: "*", StatementID: "org",
		Condition: &PermissionCondition{Type: "StringEquals", Key: "aws:PrincipalOrgID", Value: "o-1234567"}}
	f.permit("", org)
	// The same id again replaces its statement.
	f.permit("", org)
	orgStatement := `{"Sid":"org","Effect":"Allow","Principal":"*","Action":"events:PutEvents",` +
		`"Resource":"arn:aws:events:us-east-1:123456789012:event-bus/default","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1234567"}}}`
	if got, want := f.policy("default"), `{"Version":"2012-10-17","Statement":[`+one+`,`+orgStatement+`]}`; got != want {
		t.Fatalf("policy =\n%s\nwant\n%s", got, want)
	}
	if b, _ := f.svc.DescribeBus(f.ctx, scope, ""); !b.Updated.Equal(t0) {
		t.Errorf("LastModifiedTime after PutPermission = %v", b.Updated)
	}

	// A whole policy replaces the bus's.
	doc := `{"Version": "2012-10-17", "Statement": [{"Sid": "svc", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
		"Action": "events:ListRules", "Resource": "*"}]}`
	f.permit("orders", Permission{Action: "events:PutEvents", Principal: "111122223333", StatementID: "gone"})
	f.permit("orders", Permission{Policy: doc})
	if got := f.policy("orders"); got != `{"Version":"2012-10-17","Statement":[{"Sid":"svc","Effect":"Allow",`+
		`"Principal":{"Service":"events.amazonaws.com"},"Action":"events:ListRules","Resource":"*"}]}` {
		t.Fatalf("policy after PutPermission with a policy = %s", got)
	}

	long := Permission{Action: "events:PutEvents", Principal: "*", StatementID: strings.Repeat("s", 64),
		Condition: &PermissionCondition{Type: "StringEquals", Key: "aws:PrincipalOrgID", Value: strings.Repeat("o", maxPolicySize)}}
	for _, c := range []struct {
		bus  string
		p    Permission
		code Code
		msg  string
	}{
		{"none", Permission{Action: "events:PutEvents", Principal: "*", StatementID: "s"}, ResourceNotFound, "Event bus none does not exist."},
		{"", Permission{Action: "events:PutRule", Principal: "*", StatementID: "s"}, Validation,
			"Provided value in parameter 'action' is not supported."},
		{"", Permission{Action: "events:PutEvents", StatementID: "s"}, Validation, "Parameter Principal must be specified."},
		{"", Permission{Action: "events:PutEvents", Principal: "*"}, Validation, "Parameter StatementId must be specified."},
		{"", Permission{Action: "events:PutEvents", Principal: "111122223333", StatementID: "s", Condition: org.Condition}, Validation,
			"Value of the parameter 'principal' must be '*' when the parameter 'condition' is set."},
		{"", Permission{Action: "events:PutEvents", Principal: "*", StatementID: "s",
			Condition: &PermissionCondition{Type: "StringLike", Key: "aws:PrincipalOrgID", Value: "o"}}, Validation, ""},
		{"", Permission{Action: "events:PutEvents", Principal: "*", StatementID: "s",
			Condition: &PermissionCondition{Type: "StringEquals", Key: "aws:SourceAccount", Value: "o"}}, Validation, ""},
		{"", Permission{Policy: doc, StatementID: "s"}, Validation, "Parameter Policy cannot be used with StatementId, Action, Principal or Condition."},
		{"", Permission{Policy: `{"Statement": []}`}, Validation, "Parameter Policy is not valid. Reason: Statement must not be empty."},
		{"", Permission{Policy: `not json`}, Validation, ""},
		{"", long, PolicyLengthExceeded, ""},
	} {
		err := f.svc.PutPermission(f.ctx, scope, c.bus, c.p)
		wantErr(t, "PutPermission "+c.p.StatementID+c.p.Policy, err, c.code, c.msg)
	}
	if got, want := f.policy(""), `{"Version":"2012-10-17","Statement":[`+one+`,`+orgStatement+`]}`; got != want {
		t.Fatalf("a refused PutPermission changed the policy to %s", got)
	}
}

func TestRemovePermission(t *testing.T) {
	f := newFixture(t)
	wantErr(t, "RemovePermission without a policy", f.svc.RemovePermission(f.ctx, scope, "", "s", false), ResourceNotFound,
		"Statement with the provided id does not exist.")
	if err := f.svc.RemovePermission(f.ctx, scope, "", "", true); err != nil {
		t.Fatalf("RemoveAllPermissions without a policy: %v", err)
	}
	for _, id := range []string{"a", "b"} {
		f.permit("", Permission{Action: "events:PutEvents", Principal: "111122223333", StatementID: id})
	}
	wantErr(t, "RemovePermission of no such statement", f.svc.RemovePermission(f.ctx, scope, "", "c", false), ResourceNotFound,
		"Statement with the provided id does not exist.")
	wantErr(t, "RemovePermission without an id", f.svc.RemovePermission(f.ctx, scope, "", "", false), Validation,
		"Parameter StatementId is required.")
	wantErr(t, "RemovePermission on no bus", f.svc.RemovePermission(f.ctx, scope, "none", "a", false), ResourceNotFound,
		"Event bus none does not exist.")
	if err := f.svc.RemovePermission(f.ctx, scope, "", "a", false); err != nil {
		t.Fatal(err)
	}
	if p := f.policy(""); strings.Contains(p, `"Sid":"a"`) || !strings.Contains(p, `"Sid":"b"`) {
		t.Fatalf("policy after removing a = %s", p)
	}
	// A policy left without statements is no policy.
	if err := f.svc.RemovePermission(f.ctx, scope, "", "b", false); err != nil {
		t.Fatal(err)
	}
	if p := f.policy(""); p != "" {
		t.Fatalf("policy after removing its last statement = %s", p)
	}
	f.permit("", Permission{Action: "events:PutEvents", Principal: "*", StatementID: "all"})
	if err := f.svc.RemovePermission(f.ctx, scope, "", "", true); err != nil || f.policy("") != "" {
		t.Fatalf("RemoveAllPermissions: %v; policy %q", err, f.policy(""))
	}
}

// crossAccountFixture has, on the default bus of scope, a rule sending
// the events of the source shop to a queue.
func crossAccountFixture(t *testing.T) *fixture {
	f := newFixture(t)
	f.putRule(Rule{Name: "shop", EventPattern: `{"source":["shop"]}`})
	f.putTargets("", "shop", Target{ID: "q", ARN: queue})
	return f
}

func TestPutEventsAcrossAccounts(t *testing.T) {
	f := crossAccountFixture(t)
	put := func(sc Scope, bus string) EntryResult {
		t.Helper()
		e := entry("shop", "x", `{}`)
		e.Bus = bus
		res, err := f.svc.PutEvents(f.ctx, sc, []Entry{e})
		if err != nil {
			t.Fatal(err)
		}
		f.step()
		return res[0]
	}
	denied := "User: arn:aws:iam::210987654321:root is not authorized to perform: events:PutEvents on resource: " + defaultBusARN +
		" because no resource-based policy allows the events:PutEvents action"
	if r := put(other, defaultBusARN); r.Code != "AccessDeniedException" || r.Message != denied {
		t.Fatalf("PutEvents on another account's bus without its permission = %+v", r)
	}
	// A statement for another organization does not allow it: Vigil has
	// no organizations.
	f.permit("", Permission{Action: "events:PutEvents", Principal: "*", StatementID: "org",
		Condition: &PermissionCondition{Type: "StringEquals", Key: "aws:PrincipalOrgID", Value: "o-1"}})
	if r := put(other, defaultBusARN); r.Code != "AccessDeniedException" {
		t.Fatalf("PutEvents allowed to an organization only = %+v", r)
	}
	if got := f.take(); len(got) != 0 {
		t.Fatalf("refused events were delivered: %+v", got)
	}
	f.permit("", Permission{Action: "events:PutEvents", Principal: other.Account, StatementID: "other"})
	r := put(other, defaultBusARN)
	got := f.take()
	if r.EventID == "" || len(got) != 1 || got[0].Header["EventId"] != r.EventID {
		t.Fatalf("PutEvents allowed by the bus's policy = %+v, delivered %+v", r, got)
	}
	var evt svcevents.Event
	if err := evt.UnmarshalJSON(got[0].Payload); err != nil || evt.Account != other.Account {
		t.Fatalf("the event put from another account = %+v, %v; want its account", evt, err)
	}
	// Another account's bus that does not exist is no bus it may put on.
	if r := put(other, "arn:aws:events:us-east-1:123456789012:event-bus/none"); r.Code != "AccessDeniedException" {
		t.Fatalf("PutEvents on another account's bus that does not exist = %+v", r)
	}
	// A bus of another region is not reached.
	if r := put(other, "arn:aws:events:eu-west-1:123456789012:event-bus/default"); r.Code != "InvalidArgument" {
		t.Fatalf("PutEvents on a bus of another region = %+v", r)
	}

	// An explicit deny refuses even the bus's own account.
	f.permit("", Permission{Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*",` +
		`"Action":"events:PutEvents","Resource":"*"}]}`})
	if r := put(scope, ""); r.Code != "AccessDeniedException" || !strings.HasSuffix(r.Message, "with an explicit deny in a resource-based policy") {
		t.Fatalf("PutEvents explicitly denied = %+v", r)
	}
}

func TestBusTargetAcrossAccounts(t *testing.T) {
	f := crossAccountFixture(t)
	to, err := dispatch.Parse(defaultBusARN)
	if err != nil {
		t.Fatal(err)
	}
	const forward = "arn:aws:events:us-east-1:210987654321:rule/forward"
	deliver := func(rule string) error {
		evt := svcevents.Event{ID: "e1", DetailType: "x", Source: "shop", Account: other.Account, Region: other.Region, Time: t0}
		payload, err := evt.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		return f.svc.BusTarget().Deliver(f.ctx, to, &dispatch.Message{Source: dispatch.Source{Service: "events", Account: other.Account,
			Region: other.Region, ARN: rule}, Target: defaultBusARN, Payload: payload})
	}
	var de *dispatch.Error
	if err := deliver(forward); !errors.As(err, &de) || de.Code != "AccessDenied" || !de.Permanent() {
		t.Fatalf("a rule of another account sending to the bus without its permission: %v; want a permanent AccessDenied", err)
	}
	// AWS's example: only the events of one rule of the other account.
	f.permit("", Permission{Policy: `{"Version":"2012-10-17","Statement":[{"Sid":"AllowSpecificRulesAsCrossRegionSource",` +
		`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"events:PutEvents","Resource":"` + defaultBusARN + `",` +
		`"Condition":{"ArnEquals":{"aws:SourceArn":["` + forward + `"]}}}]}`})
	if err := deliver(forward + "-other"); !errors.As(err, &de) || de.Code != "AccessDenied" {
		t.Fatalf("another rule of the account the policy names: %v; want AccessDenied", err)
	}
	if err := deliver(forward); err != nil {
		t.Fatalf("the rule the bus's policy allows: %v", err)
	}
	f.step()
	if got := f.take(); len(got) != 1 || got[0].Header["EventId"] != "e1" {
		t.Fatalf("delivered %+v; want event e1 to the queue", got)
	}
}

func TestPolicyOnEventSource(t *testing.T) {
	f := crossAccountFixture(t)
	// AWS's example: another account may publish events of one source.
	f.permit("", Permission{Policy: `{"Version":"2012-10-17","Statement":[{"Sid":"WebStoreCrossAccountPublish","Effect":"Allow",` +
		`"Action":["events:PutEvents"],"Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Resource":"` + defaultBusARN + `",` +
		`"Condition":{"ForAllValues:StringEquals":{"events:source":"shop"},"StringEquals":{"events:detail-type":"newOrderCreated"}}}]}`})
	e := func(source, detailType string) Entry {
		e := entry(source, detailType, `{}`)
		e.Bus = defaultBusARN
		return e
	}
	res, err := f.svc.PutEvents(f.ctx, other, []Entry{e("shop", "newOrderCreated"), e("other", "newOrderCreated"), e("shop", "x")})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].EventID == "" || res[1].Code != "AccessDeniedException" || res[2].Code != "AccessDeniedException" {
		t.Fatalf("PutEvents under a policy on source and detail type = %+v", res)
	}
}
