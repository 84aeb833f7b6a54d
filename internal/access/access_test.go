package access

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/api/iam"
	"github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/sts"
	"github.com/vigilhq/vigil/internal/auth"
	"github.com/vigilhq/vigil/internal/authz"
	"github.com/vigilhq/vigil/internal/clock"
	"github.com/vigilhq/vigil/internal/policy"
	"github.com/vigilhq/vigil/internal/protocol"
	"github.com/vigilhq/vigil/internal/request"
	"github.com/vigilhq/vigil/internal/store"
)

// identities is an IAM of users and roles by "account/kind/name".
type identities struct {
	m     map[string]*Identity
	reads int
}

func (f *identities) Identity(_ context.Context, account, kind, name string) (*Identity, error) {
	f.reads++
	if id, ok := f.m[account+"/"+kind+"/"+name]; ok {
		return id, nil
	}
	return nil, store.ErrNotFound
}

func (f *identities) ManagedPolicy(_ context.Context, arn string) (string, error) {
	if arn == "arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess" {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:Describe*","logs:Get*"],"Resource":"*"}]}`, nil
	}
	return "", store.ErrNotFound
}

func resolver(t *testing.T, models ...*protocol.Service) *authz.Resolver {
	t.Helper()
	var ss []authz.Service
	for _, m := range models {
		s := authz.Service{Prefix: m.IAMPrefix, Inputs: map[string]reflect.Type{}}
		for name, op := range m.Operations {
			s.Inputs[name] = op.Input
		}
		ss = append(ss, s)
	}
	r, err := authz.New(ss...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

const acct = "111111111111"

func user(name string) request.Principal {
	return request.Principal{Account: acct, ARN: "arn:aws:iam::" + acct + ":user/" + name, UserID: "AIDA" + name}
}

func allow(actions, resource string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":` + actions + `,"Resource":"` + resource + `"}]}`
}

func setup(t *testing.T) (*Authorizer, *identities, context.Context) {
	t.Helper()
	ids := &identities{m: map[string]*Identity{
		acct + "/user/reader": {Inline: []string{allow(`"logs:Describe*"`, "*")}},
		acct + "/user/writer": {
			Inline:   []string{allow(`"logs:PutLogEvents"`, "arn:aws:logs:*:*:log-group:app:*")},
			Boundary: allow(`"logs:Describe*"`, "*"),
		},
		acct + "/user/free":  {Inline: []string{allow(`"logs:*"`, "*")}},
		acct + "/role/agent": {Managed: []string{allow(`"logs:*"`, "*")}, Tags: map[string]string{"team": "blue"}},
	}}
	a := New(Options{Resolver: resolver(t, logs.Model, sts.Model, iam.Model), Identities: ids, Clock: clock.NewFake(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))})
	ctx := request.NewContext(context.Background(), &request.Info{Region: "us-east-1"})
	return a, ids, ctx
}

var put = &logs.PutLogEventsRequest{LogGroupName: ptr("app"), LogStreamName: ptr("s1")}

func ptr(s string) *string { return &s }

func denial(err error) string {
	var d *auth.Denied
	if errors.As(err, &d) {
		return d.Message
	}
	if err != nil {
		return "error: " + err.Error()
	}
	return ""
}

func TestAuthorize(t *testing.T) {
	a, _, ctx := setup(t)
	for name, tc := range map[string]struct {
		p    request.Principal
		op   string
		in   any
		want string
	}{
		"root":             {request.Principal{Account: acct, ARN: "arn:aws:iam::" + acct + ":root"}, "PutLogEvents", put, ""},
		"reader describes": {user("reader"), "DescribeLogGroups", &logs.DescribeLogGroupsRequest{}, ""},
		"reader puts": {user("reader"), "PutLogEvents", put,
			"User: arn:aws:iam::111111111111:user/reader is not authorized to perform: logs:PutLogEvents on resource: arn:aws:logs:us-east-1:111111111111:log-group:app:log-stream:s1 because no identity-based policy allows the logs:PutLogEvents action"},
		"boundary": {user("writer"), "PutLogEvents", put,
			"User: arn:aws:iam::111111111111:user/writer is not authorized to perform: logs:PutLogEvents on resource: arn:aws:logs:us-east-1:111111111111:log-group:app:log-stream:s1 because no permissions boundary allows the logs:PutLogEvents action"},
		"free":     {user("free"), "PutLogEvents", put, ""},
		"gone":     {user("ghost"), "DescribeLogGroups", &logs.DescribeLogGroupsRequest{}, "User: arn:aws:iam::111111111111:user/ghost is not authorized to perform this operation: its user ghost no longer exists"},
		"identity": {user("reader"), "GetCallerIdentity", &sts.GetCallerIdentityRequest{}, ""},
	} {
		prefix := "logs"
		if _, ok := tc.in.(*sts.GetCallerIdentityRequest); ok {
			prefix = "sts"
		}
		if got := denial(a.Authorize(ctx, tc.p, prefix, tc.op, tc.in)); got != tc.want {
			t.Errorf("%s: %q\nwant %q", name, got, tc.want)
		}
	}
}

// What IAM changes shows at the next call once it calls Forget.
func TestForget(t *testing.T) {
	a, ids, ctx := setup(t)
	if err := a.Authorize(ctx, user("reader"), "logs", "PutLogEvents", put); err == nil {
		t.Fatal("reader may put")
	}
	reads := ids.reads
	ids.m[acct+"/user/reader"] = &Identity{Inline: []string{allow(`"logs:*"`, "*")}}
	if err := a.Authorize(ctx, user("reader"), "logs", "PutLogEvents", put); err == nil || ids.reads != reads {
		t.Fatalf("before Forget: %v with %d reads; want the cached refusal", err, ids.reads-reads)
	}
	a.Forget("222222222222")
	if err := a.Authorize(ctx, user("reader"), "logs", "PutLogEvents", put); err == nil {
		t.Fatal("Forget of another account dropped this one's")
	}
	a.Forget(acct)
	if err := a.Authorize(ctx, user("reader"), "logs", "PutLogEvents", put); err != nil {
		t.Fatalf("after Forget: %v", err)
	}
}

// Temporary credentials: a role session has its role's policies, limited
// by its session policies; a federated user has only what its session
// policies allow of its issuer's.
func TestSessions(t *testing.T) {
	a, _, ctx := setup(t)
	role := request.Principal{Account: acct, ARN: "arn:aws:sts::" + acct + ":assumed-role/agent/s1", UserID: "AROAAGENT:s1", AccessKey: "ASIA1",
		Session: &request.Session{Issuer: "arn:aws:iam::" + acct + ":role/agent"}}
	if err := a.Authorize(ctx, role, "logs", "PutLogEvents", put); err != nil {
		t.Errorf("role session: %v", err)
	}
	limited := role
	limited.AccessKey = "ASIA2"
	limited.Session = &request.Session{Issuer: role.Session.Issuer, PolicyARNs: []string{"arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess"}}
	want := "User: arn:aws:sts::111111111111:assumed-role/agent/s1 is not authorized to perform: logs:PutLogEvents on resource: arn:aws:logs:us-east-1:111111111111:log-group:app:log-stream:s1 because no session policy allows the logs:PutLogEvents action"
	if got := denial(a.Authorize(ctx, limited, "logs", "PutLogEvents", put)); got != want {
		t.Errorf("limited session: %q\nwant %q", got, want)
	}
	if err := a.Authorize(ctx, limited, "logs", "DescribeLogGroups", &logs.DescribeLogGroupsRequest{}); err != nil {
		t.Errorf("limited session describing: %v", err)
	}
	fed := request.Principal{Account: acct, ARN: "arn:aws:sts::" + acct + ":federated-user/bob", UserID: acct + ":bob", AccessKey: "ASIA3",
		Session: &request.Session{Issuer: "arn:aws:iam::" + acct + ":user/free"}}
	if err := a.Authorize(ctx, fed, "logs", "DescribeLogGroups", &logs.DescribeLogGroupsRequest{}); err == nil {
		t.Error("a federated user without session policies may act")
	}
	fed.AccessKey, fed.Session = "ASIA4", &request.Session{Issuer: "arn:aws:iam::" + acct + ":user/reader", Policy: allow(`"logs:*"`, "*")}
	if err := a.Authorize(ctx, fed, "logs", "DescribeLogGroups", &logs.DescribeLogGroupsRequest{}); err != nil {
		t.Errorf("federated user of reader describing: %v", err)
	}
	if err := a.Authorize(ctx, fed, "logs", "PutLogEvents", put); err == nil {
		t.Error("a federated user may do what its issuer may not")
	}
}

// AssumeRole is decided with the role's trust policy as the resource's.
func TestResourcePolicyHook(t *testing.T) {
	a, _, ctx := setup(t)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/reader"},"Action":"sts:AssumeRole"}]}`
	a.opt.Resources = map[string]ResourcePolicy{"sts:AssumeRole": func(_ context.Context, arn string) (*policy.Policy, string, error) {
		p, err := policy.ParseTrust([]byte(trust))
		return p, acct, err
	}}
	in := &sts.AssumeRoleRequest{RoleArn: ptr("arn:aws:iam::111111111111:role/agent"), RoleSessionName: ptr("s")}
	if err := a.Authorize(ctx, user("reader"), "sts", "AssumeRole", in); err != nil {
		t.Errorf("reader, named by the trust policy: %v", err)
	}
	if err := a.Authorize(ctx, user("free"), "sts", "AssumeRole", in); err == nil {
		t.Error("free, whose policies do not allow sts:AssumeRole and whom the trust does not name, may assume the role")
	}
}

// BenchmarkAuthorize: a user with 10 attached policies calls
// PutLogEvents, allowed by the last of them (resolution of the action and
// resource, condition context, evaluation; the compiled policies cached).
func BenchmarkAuthorize(b *testing.B) {
	t := &testing.T{}
	a, ids, ctx := setup(t)
	var managed []string
	for i := range 9 {
		managed = append(managed, `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":["cloudwatch:Get*","cloudwatch:List*"],"Resource":"*"},
			{"Effect":"Allow","Action":"sns:Publish","Resource":"arn:aws:sns:*:111111111111:topic-`+string(rune('a'+i))+`"},
			{"Effect":"Deny","Action":"logs:DeleteLogGroup","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"us-east-1"}}},
			{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-${aws:username}/*"}]}`)
	}
	managed = append(managed, allow(`["logs:PutLogEvents","logs:CreateLogStream"]`, "arn:aws:logs:us-east-1:111111111111:log-group:app:*"))
	ids.m[acct+"/user/bench"] = &Identity{Managed: managed}
	p := user("bench")
	if err := a.Authorize(ctx, p, "logs", "PutLogEvents", put); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := a.Authorize(ctx, p, "logs", "PutLogEvents", put); err != nil {
			b.Fatal(err)
		}
	}
}

// A delivery across accounts made as a role is decided by the role's
// policies; as a root, allowed.
func TestAuthorizeAction(t *testing.T) {
	a, _, _ := setup(t)
	ctx := context.Background() // off a request
	role := request.Principal{Account: acct, ARN: "arn:aws:iam::" + acct + ":role/agent", UserID: acct}
	if err := a.AuthorizeAction(ctx, role, "logs:PutLogEvents", "arn:aws:logs:us-east-1:222222222222:log-group:x:log-stream:y"); err != nil {
		t.Errorf("agent: %v", err)
	}
	if err := a.AuthorizeAction(ctx, role, "sqs:SendMessage", "arn:aws:sqs:us-east-1:222222222222:q"); err == nil {
		t.Error("agent may send to a queue no policy of its allows")
	}
	root := request.Principal{Account: acct, ARN: "arn:aws:iam::" + acct + ":root"}
	if err := a.AuthorizeAction(ctx, root, "sqs:SendMessage", "arn:aws:sqs:us-east-1:222222222222:q"); err != nil {
		t.Errorf("root: %v", err)
	}
}

// IAM's own resources are named by their ARN with its path; an operation
// on the caller (no UserName) is on the caller's ARN.
func TestIAMResources(t *testing.T) {
	a, ids, ctx := setup(t)
	a.opt.EntityARN = func(_ context.Context, account, kind, name string) (string, error) {
		return "arn:aws:iam::" + account + ":" + kind + "/eng/" + name, nil
	}
	ids.m[acct+"/user/alice"] = &Identity{Inline: []string{allow(`"iam:CreateAccessKey"`, "arn:aws:iam::*:user/eng/${aws:username}")}}
	alice := request.Principal{Account: acct, ARN: "arn:aws:iam::" + acct + ":user/eng/alice", UserID: "AIDAALICE"}
	if err := a.Authorize(ctx, alice, "iam", "CreateAccessKey", &iam.CreateAccessKeyRequest{}); err != nil {
		t.Errorf("alice's own key: %v", err)
	}
	if err := a.Authorize(ctx, alice, "iam", "CreateAccessKey", &iam.CreateAccessKeyRequest{UserName: ptr("alice")}); err != nil {
		t.Errorf("alice's own key by name: %v", err)
	}
	want := "User: arn:aws:iam::111111111111:user/eng/alice is not authorized to perform: iam:CreateAccessKey on resource: arn:aws:iam::111111111111:user/eng/bob because no identity-based policy allows the iam:CreateAccessKey action"
	if got := denial(a.Authorize(ctx, alice, "iam", "CreateAccessKey", &iam.CreateAccessKeyRequest{UserName: ptr("bob")})); got != want {
		t.Errorf("bob's key: %q\nwant %q", got, want)
	}
}
