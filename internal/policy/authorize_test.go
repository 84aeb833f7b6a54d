package policy

import (
	"fmt"
	"strings"
	"testing"
)

// mustIdentity parses an identity-based policy of one statement.
func mustIdentity(t testing.TB, statement string) *Policy {
	t.Helper()
	p, err := ParseIdentity([]byte(`{"Version":"2012-10-17","Statement":[`+statement+`]}`), KindManaged)
	if err != nil {
		t.Fatalf("%s: %v", statement, err)
	}
	return p
}

func mustResource(t testing.TB, statement string) *Policy {
	t.Helper()
	p, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[` + statement + `]}`))
	if err != nil {
		t.Fatalf("%s: %v", statement, err)
	}
	return p
}

// TestAuthorizeRules walks the evaluation logic rule by rule, for a user
// of account 111111111111.
func TestAuthorizeRules(t *testing.T) {
	const (
		allowAll   = `{"Effect":"Allow","Action":"*","Resource":"*"}`
		allowS3    = `{"Effect":"Allow","Action":"s3:*","Resource":"*"}`
		denyS3     = `{"Effect":"Deny","Action":"s3:*","Resource":"*"}`
		allowOther = `{"Effect":"Allow","Action":"sqs:*","Resource":"*"}`
	)
	set := func(statements ...string) *Set {
		var ps []*Policy
		for _, s := range statements {
			ps = append(ps, mustIdentity(t, s))
		}
		return NewSet(ps...)
	}
	user := Principal{Account: "111111111111", ARN: "arn:aws:iam::111111111111:user/u"}
	r := &Request{Principal: user, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}
	f := func(name string, ps *Policies, want Decision, by PolicyType) {
		t.Helper()
		got := Authorize(r, ps)
		if got.Decision != want || got.By != by {
			t.Errorf("%s: Authorize = %v by %v, want %v by %v", name, got.Decision, got.By, want, by)
		}
	}
	f("no policies", &Policies{}, ImplicitDeny, IdentityPolicy)
	f("identity allows", &Policies{Identity: set(allowS3)}, Allow, IdentityPolicy)
	f("identity allows another service", &Policies{Identity: set(allowOther)}, ImplicitDeny, IdentityPolicy)
	f("a deny among the identity policies", &Policies{Identity: set(allowAll, denyS3)}, ExplicitDeny, IdentityPolicy)
	f("boundary intersects", &Policies{Identity: set(allowAll), Boundary: set(allowOther)}, ImplicitDeny, PermissionsBoundary)
	f("boundary allows", &Policies{Identity: set(allowAll), Boundary: set(allowS3)}, Allow, IdentityPolicy)
	f("boundary grants nothing itself", &Policies{Boundary: set(allowAll)}, ImplicitDeny, IdentityPolicy)
	f("session intersects", &Policies{Identity: set(allowAll), Session: set(allowOther)}, ImplicitDeny, SessionPolicy)
	f("boundary before session", &Policies{Identity: set(allowAll), Boundary: set(allowOther), Session: set(allowOther)}, ImplicitDeny, PermissionsBoundary)
	f("session deny", &Policies{Identity: set(allowAll), Session: set(allowAll, denyS3)}, ExplicitDeny, SessionPolicy)
	f("SCPs allow at each level", &Policies{Identity: set(allowS3), SCPs: []*Set{set(allowAll), set(allowS3)}}, Allow, IdentityPolicy)
	f("an SCP level allows nothing", &Policies{Identity: set(allowS3), SCPs: []*Set{set(allowAll), set(allowOther)}}, ImplicitDeny, ServiceControlPolicy)
	f("an SCP denies", &Policies{Identity: set(allowS3), SCPs: []*Set{set(allowAll, denyS3)}}, ExplicitDeny, ServiceControlPolicy)
	f("SCP deny before identity deny", &Policies{Identity: set(denyS3), SCPs: []*Set{set(denyS3)}}, ExplicitDeny, ServiceControlPolicy)
	f("identity deny before SCP implicit deny", &Policies{Identity: set(denyS3), SCPs: []*Set{set(allowOther)}}, ExplicitDeny, IdentityPolicy)
	f("SCPs grant nothing themselves", &Policies{SCPs: []*Set{set(allowAll)}}, ImplicitDeny, IdentityPolicy)
	f("empty session policies allow nothing", &Policies{Identity: set(allowAll), Session: NewSet()}, ImplicitDeny, SessionPolicy)

	byARN := mustResource(t, `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/u"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`)
	byAccount := mustResource(t, `{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`)
	everyone := mustResource(t, `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`)
	denies := mustResource(t, `{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`)
	f("resource policy names the user", &Policies{Resource: byARN}, Allow, ResourcePolicy)
	f("… past its boundary", &Policies{Resource: byARN, Boundary: set(allowOther)}, Allow, ResourcePolicy)
	f("… not past an identity deny", &Policies{Resource: byARN, Identity: set(denyS3)}, ExplicitDeny, IdentityPolicy)
	f("resource policy names the account", &Policies{Resource: byAccount}, ImplicitDeny, IdentityPolicy)
	f("… and the identity allows", &Policies{Resource: byAccount, Identity: set(allowS3)}, Allow, IdentityPolicy)
	f("resource policy names everyone", &Policies{Resource: everyone}, Allow, ResourcePolicy)
	f("… within the boundary", &Policies{Resource: everyone, Boundary: set(allowOther)}, ImplicitDeny, PermissionsBoundary)
	f("resource policy denies", &Policies{Resource: denies, Identity: set(allowAll)}, ExplicitDeny, ResourcePolicy)
	f("the resource is the principal's account's", &Policies{Resource: byARN, ResourceAccount: "111111111111"}, Allow, ResourcePolicy)
	f("cross-account, resource policy only", &Policies{Resource: byARN, ResourceAccount: "222222222222"}, ImplicitDeny, IdentityPolicy)
	f("cross-account, identity only", &Policies{Identity: set(allowS3), ResourceAccount: "222222222222"}, ImplicitDeny, ResourcePolicy)
	f("cross-account, both", &Policies{Identity: set(allowS3), Resource: byAccount, ResourceAccount: "222222222222"}, Allow, ResourcePolicy)
	f("cross-account, boundary", &Policies{Identity: set(allowS3), Boundary: set(allowOther), Resource: byARN, ResourceAccount: "222222222222"},
		ImplicitDeny, PermissionsBoundary)

	r.Principal = Principal{Account: "111111111111", ARN: "arn:aws:iam::111111111111:root"}
	f("root", &Policies{}, Allow, NoPolicy)
	f("root, identity policies ignored", &Policies{Identity: set(denyS3)}, Allow, NoPolicy)
	f("root, SCP", &Policies{SCPs: []*Set{set(allowOther)}}, ImplicitDeny, ServiceControlPolicy)
	f("root, other account", &Policies{ResourceAccount: "222222222222"}, ImplicitDeny, ResourcePolicy)
	f("root, other account trusting it", &Policies{Resource: byAccount, ResourceAccount: "222222222222"}, Allow, ResourcePolicy)

	r.Principal = Principal{}
	f("anonymous", &Policies{Identity: set(allowAll)}, ImplicitDeny, ResourcePolicy)
	f("anonymous, public", &Policies{Resource: everyone}, Allow, ResourcePolicy)
	f("anonymous, denied", &Policies{Resource: denies}, ExplicitDeny, ResourcePolicy)
}

func TestResultMessage(t *testing.T) {
	f := func(p Principal, resource string, res Result, want string) {
		t.Helper()
		r := &Request{Principal: p, Action: "sqs:SendMessage", Resource: resource}
		if got := res.Message(r); got != want {
			t.Errorf("Message(%+v) =\n%s\nwant\n%s", res, got, want)
		}
	}
	user := Principal{Account: "1", ARN: "arn:aws:iam::1:user/u"}
	f(user, "arn:aws:sqs:us-east-1:1:q", Result{Allow, IdentityPolicy}, "")
	f(user, "arn:aws:sqs:us-east-1:1:q", Result{ImplicitDeny, IdentityPolicy},
		"User: arn:aws:iam::1:user/u is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:1:q because no identity-based policy allows the sqs:SendMessage action")
	f(user, "*", Result{ExplicitDeny, ServiceControlPolicy},
		"User: arn:aws:iam::1:user/u is not authorized to perform: sqs:SendMessage with an explicit deny in a service control policy")
	f(user, "", Result{ExplicitDeny, PermissionsBoundary},
		"User: arn:aws:iam::1:user/u is not authorized to perform: sqs:SendMessage with an explicit deny in a permissions boundary")
	f(Principal{}, "arn:aws:sqs:us-east-1:1:q", Result{ImplicitDeny, ResourcePolicy},
		"User: anonymous is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:1:q because no resource-based policy allows the sqs:SendMessage action")
	f(Principal{Service: "sns.amazonaws.com"}, "*", Result{ExplicitDeny, ResourcePolicy},
		"User: sns.amazonaws.com is not authorized to perform: sqs:SendMessage with an explicit deny in a resource-based policy")
}

func TestPolicyTypeString(t *testing.T) {
	for typ, want := range map[PolicyType]string{NoPolicy: "no policy", IdentityPolicy: "identity-based policy", ResourcePolicy: "resource-based policy",
		ServiceControlPolicy: "service control policy", PermissionsBoundary: "permissions boundary", SessionPolicy: "session policy"} {
		if got := typ.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", typ, got, want)
		}
	}
}

// TestSetDecidesAsItsPolicies: a Set, whatever its index finds, decides
// as its policies taken one by one: a deny in one wins, else an allow in
// one.
func TestSetDecidesAsItsPolicies(t *testing.T) {
	var policies []*Policy
	var requests []*Request
	for _, c := range readCases[identityCase](t, "testdata/identity/*.json") {
		p, err := ParseIdentity(c.document(t), kinds[c.Kind])
		if err != nil {
			continue
		}
		policies = append(policies, p)
		r := c.Request.request()
		requests = append(requests, r)
		upper := *r
		upper.Action = strings.ToUpper(r.Action)
		long := *r
		long.Action = r.Action + strings.Repeat("X", 80)
		requests = append(requests, &upper, &long)
	}
	for _, n := range []int{1, 3, len(policies)} {
		for start := 0; start+n <= len(policies); start += n {
			group := policies[start : start+n]
			s := NewSet(group...)
			for _, r := range requests {
				want := ImplicitDeny
				for _, p := range group {
					switch p.Evaluate(r) {
					case ExplicitDeny:
						want = ExplicitDeny
					case Allow:
						if want == ImplicitDeny {
							want = Allow
						}
					}
				}
				if got := s.Evaluate(r); got != want {
					t.Fatalf("Set of policies %d to %d decides %s %s %v, its policies %v", start, start+n, r.Action, r.Resource, got, want)
				}
			}
		}
	}
	if s := NewSet(); s.Evaluate(&Request{Action: "s3:GetObject"}) != ImplicitDeny {
		t.Error("an empty Set allows")
	}
}

// TestSetIndexDuplicates: a statement naming an action twice, in two
// cases, is found once.
func TestSetIndexDuplicates(t *testing.T) {
	s := NewSet(mustIdentity(t, `{"Effect":"Allow","Action":["s3:GetObject","S3:GETOBJECT","s3:PutObject"],"Resource":"*"}`))
	if got := len(s.byAction["s3:getobject"]); got != 1 {
		t.Errorf("s3:getobject is indexed %d times", got)
	}
	if len(s.always) != 0 {
		t.Errorf("always = %v", s.always)
	}
	for _, action := range []string{"s3:GetObject", "S3:PUTOBJECT"} {
		if s.Evaluate(&Request{Action: action, Resource: "arn:aws:s3:::b/k"}) != Allow {
			t.Errorf("%s is not allowed", action)
		}
	}
}

// TestAuthorizeDeterministic: the same request decides alike, however
// the context's map iterates, even with keys that differ in case only.
func TestAuthorizeDeterministic(t *testing.T) {
	p := mustIdentity(t, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"red"}}}`)
	ps := &Policies{Identity: NewSet(p)}
	for i := range 50 {
		ctx := map[string][]string{"aws:requesttag/team": {"blue"}, "AWS:RequestTag/Team": {"red"}}
		for j := range i % 7 {
			ctx[fmt.Sprintf("k%d", j)] = []string{"v"}
		}
		r := &Request{Principal: Principal{Account: "1", ARN: "arn:aws:iam::1:user/u"}, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: ctx}
		if got := Authorize(r, ps); got.Decision != Allow {
			t.Fatalf("run %d: %v; want allow (AWS:RequestTag/Team sorts first)", i, got)
		}
	}
}
