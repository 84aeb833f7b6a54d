package access

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/iam"
	"github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/s3"
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
	a.opt.Entity = func(_ context.Context, account, kind, name string) (string, string, string, error) {
		return "arn:aws:iam::" + account + ":" + kind + "/eng/" + name, "AIDA" + name, "", nil
	}
	ids.m[acct+"/user/alice"] = &Identity{Inline: []string{allow(`"iam:CreateAccessKey"`, "arn:aws:iam::*:user/eng/${aws:username}")}}
	alice := request.Principal{Account: acct, ARN: "arn:aws:iam::" + acct + ":user/eng/alice", UserID: "AIDAalice"}
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

// The holes a review found: each is closed.
func TestReviewedBypasses(t *testing.T) {
	a, ids, ctx := setup(t)
	entities := map[string][3]string{ // kind/name: ARN, id, boundary
		"user/dev":    {"arn:aws:iam::111111111111:user/dev", "AIDAdev", "arn:aws:iam::111111111111:policy/bound"},
		"user/alice":  {"arn:aws:iam::111111111111:user/alice", "AIDAalice2", ""},
		"role/agent":  {"arn:aws:iam::111111111111:role/agent", "AROAAGENT", ""},
		"user/reader": {"arn:aws:iam::111111111111:user/reader", "AIDAreader", ""},
	}
	a.opt.Entity = func(_ context.Context, account, kind, name string) (string, string, string, error) {
		e, ok := entities[kind+"/"+name]
		if !ok {
			return "", "", "", store.ErrNotFound
		}
		return e[0], e[1], e[2], nil
	}
	// A user may not remove the boundary a Deny keeps on it.
	ids.m[acct+"/user/dev"] = &Identity{Inline: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"},
		{"Effect":"Deny","Action":"iam:DeleteUserPermissionsBoundary","Resource":"*","Condition":{"StringEquals":{"iam:PermissionsBoundary":"arn:aws:iam::111111111111:policy/bound"}}}]}`},
		Boundary: allow(`"iam:*"`, "*")}
	if err := a.Authorize(ctx, user("dev"), "iam", "DeleteUserPermissionsBoundary", &iam.DeleteUserPermissionsBoundaryRequest{UserName: ptr("dev")}); err == nil {
		t.Error("dev removed its own boundary past a Deny conditioned on it")
	}
	// A session of a user deleted and created again has nothing.
	ids.m[acct+"/user/alice"] = &Identity{Inline: []string{allow(`"logs:*"`, "*")}}
	old := request.Principal{Account: acct, ARN: "arn:aws:iam::111111111111:user/alice", UserID: "AIDAalice1", AccessKey: "ASIAOLD",
		Session: &request.Session{Issuer: "arn:aws:iam::111111111111:user/alice", IssuerID: "AIDAalice1", MFA: true}}
	if err := a.Authorize(ctx, old, "logs", "PutLogEvents", put); err == nil {
		t.Error("a session of a deleted user acts as the user created again under its name")
	}
	// What temporary credentials may never do.
	fed := request.Principal{Account: acct, ARN: "arn:aws:sts::111111111111:federated-user/bob", UserID: acct + ":bob", AccessKey: "ASIAFED",
		Session: &request.Session{Issuer: "arn:aws:iam::111111111111:user/reader", IssuerID: "AIDAreader", Policy: allow(`"*"`, "*")}}
	ids.m[acct+"/user/reader"] = &Identity{Inline: []string{allow(`"*"`, "*")}}
	if err := a.Authorize(ctx, fed, "iam", "ListUsers", &iam.ListUsersRequest{}); err == nil {
		t.Error("a federated user called IAM")
	}
	token := request.Principal{Account: acct, ARN: "arn:aws:iam::111111111111:user/reader", UserID: "AIDAreader", AccessKey: "ASIATOK",
		Session: &request.Session{Issuer: "arn:aws:iam::111111111111:user/reader", IssuerID: "AIDAreader"}}
	if err := a.Authorize(ctx, token, "iam", "ListUsers", &iam.ListUsersRequest{}); err == nil {
		t.Error("a session token without MFA called IAM")
	}
	if err := a.Authorize(ctx, token, "logs", "DescribeLogGroups", &logs.DescribeLogGroupsRequest{}); err != nil {
		t.Errorf("a session token without MFA describing logs: %v", err)
	}
	// A member authz cannot read as AWS would is refused.
	if err := a.Authorize(ctx, user("free"), "logs", "GetLogEvents", &logs.GetLogEventsRequest{LogGroupIdentifier: ptr("arn:x:y:us-east-1:111111111111:log-group:secret"), LogStreamName: ptr("s")}); err == nil {
		t.Error("a log group ARN of another partition and service passed")
	}
	// Only an account's own root ARN is its root.
	fake := request.Principal{Account: acct, ARN: "arn:aws:iam::111111111111:role/x:root", UserID: acct}
	if err := a.AuthorizeAction(context.Background(), fake, "sqs:SendMessage", "arn:aws:sqs:us-east-1:222222222222:q"); err == nil {
		t.Error("a role ARN ending in :root passed as a root")
	}
}

// PutEvents is decided entry by entry: an allowed source does not let
// another through in the same batch.
func TestPutEventsPerEntry(t *testing.T) {
	a, ids, ctx := setup(t)
	a.opt.Resolver = resolver(t, events.Model)
	ids.m[acct+"/user/app"] = &Identity{Inline: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"events:PutEvents","Resource":"*",
		"Condition":{"StringEquals":{"events:source":"my.app"}}}]}`}}
	entry := func(source string) events.PutEventsRequestEntry {
		return events.PutEventsRequestEntry{Source: ptr(source), DetailType: ptr("d"), Detail: ptr("{}")}
	}
	if err := a.Authorize(ctx, user("app"), "events", "PutEvents", &events.PutEventsRequest{Entries: []events.PutEventsRequestEntry{entry("my.app"), entry("my.app")}}); err != nil {
		t.Errorf("its own source: %v", err)
	}
	if err := a.Authorize(ctx, user("app"), "events", "PutEvents", &events.PutEventsRequest{Entries: []events.PutEventsRequestEntry{entry("my.app"), entry("billing.critical")}}); err == nil {
		t.Error("another source passed in a batch with an allowed one")
	}
	// Allowed pairs of source and detail type do not let a mixed one by.
	ids.m[acct+"/user/app"] = &Identity{Inline: []string{`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"events:PutEvents","Resource":"*","Condition":{"StringEquals":{"events:source":"app.orders","events:detail-type":"Created"}}},
		{"Effect":"Allow","Action":"events:PutEvents","Resource":"*","Condition":{"StringEquals":{"events:source":"app.billing","events:detail-type":"Paid"}}}]}`}}
	a.Forget(acct)
	pair := func(source, detailType string) events.PutEventsRequestEntry {
		return events.PutEventsRequestEntry{Source: ptr(source), DetailType: ptr(detailType), Detail: ptr("{}")}
	}
	mixed := &events.PutEventsRequest{Entries: []events.PutEventsRequestEntry{pair("app.orders", "Created"), pair("app.orders", "Paid"), pair("app.billing", "Paid")}}
	if err := a.Authorize(ctx, user("app"), "events", "PutEvents", mixed); err == nil {
		t.Error("a forbidden pair passed among allowed ones")
	}
	fine := &events.PutEventsRequest{Entries: []events.PutEventsRequestEntry{pair("app.orders", "Created"), pair("app.billing", "Paid")}}
	if err := a.Authorize(ctx, user("app"), "events", "PutEvents", fine); err != nil {
		t.Errorf("allowed pairs: %v", err)
	}
}

// IAM's resources are where a call puts them: a user created at a path,
// a user moved to another path (which needs the action there too).
func TestIAMPaths(t *testing.T) {
	a, ids, ctx := setup(t)
	a.opt.Entity = func(_ context.Context, account, kind, name string) (string, string, string, error) {
		switch kind + "/" + name {
		case "user/temp":
			return "arn:aws:iam::" + account + ":user/sandbox/temp", "AIDAtemp", "", nil
		case "user/sandboxadmin":
			return "arn:aws:iam::" + account + ":user/sandboxadmin", "AIDAsandboxadmin", "", nil
		}
		return "", "", "", store.ErrNotFound
	}
	ids.m[acct+"/user/sandboxadmin"] = &Identity{Inline: []string{allow(`"iam:*"`, "arn:aws:iam::111111111111:user/sandbox/*")}}
	p := user("sandboxadmin")
	if err := a.Authorize(ctx, p, "iam", "CreateUser", &iam.CreateUserRequest{UserName: ptr("new"), Path: ptr("/sandbox/")}); err != nil {
		t.Errorf("CreateUser under its path: %v", err)
	}
	if err := a.Authorize(ctx, p, "iam", "CreateUser", &iam.CreateUserRequest{UserName: ptr("new"), Path: ptr("/admins/")}); err == nil {
		t.Error("CreateUser under another path")
	}
	if err := a.Authorize(ctx, p, "iam", "UpdateUser", &iam.UpdateUserRequest{UserName: ptr("temp"), NewUserName: ptr("temp2")}); err != nil {
		t.Errorf("renaming a user within its path: %v", err)
	}
	if err := a.Authorize(ctx, p, "iam", "UpdateUser", &iam.UpdateUserRequest{UserName: ptr("temp"), NewPath: ptr("/admins/")}); err == nil {
		t.Error("moving a user out of the path it may manage")
	}
	if err := a.Authorize(ctx, p, "iam", "CreatePolicy", &iam.CreatePolicyRequest{PolicyName: ptr("b"), Path: ptr("/admins/"), PolicyDocument: ptr("{}")}); err == nil {
		t.Error("CreatePolicy under another path")
	}
	ids.m[acct+"/user/sandboxadmin"].Inline = []string{allow(`"iam:*"`, "arn:aws:iam::111111111111:policy/sandbox/*")}
	a.Forget(acct)
	if err := a.Authorize(ctx, p, "iam", "CreatePolicy", &iam.CreatePolicyRequest{PolicyName: ptr("b"), Path: ptr("/sandbox/"), PolicyDocument: ptr("{}")}); err != nil {
		t.Errorf("CreatePolicy under its path: %v", err)
	}
}

// A bucket's policy takes part in its owner's users' calls: its Deny
// binds them.
func TestBucketPolicyDeny(t *testing.T) {
	a, ids, ctx := setup(t)
	a.opt.Resolver = resolver(t, s3.Model)
	ids.m[acct+"/user/eve"] = &Identity{Inline: []string{allow(`"s3:*"`, "*")}}
	vault, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::vault/*",
		"Condition":{"StringNotEquals":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/Vault"}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	a.opt.ServiceResources = map[string]ResourcePolicy{"s3": func(_ context.Context, arn string) (*policy.Policy, string, error) {
		if strings.HasPrefix(arn, "arn:aws:s3:::vault") {
			return vault, acct, nil
		}
		return nil, acct, nil
	}}
	if err := a.Authorize(ctx, user("eve"), "s3", "GetObject", &s3.GetObjectRequest{Bucket: ptr("other"), Key: ptr("k")}); err != nil {
		t.Errorf("eve reads another bucket: %v", err)
	}
	if err := a.Authorize(ctx, user("eve"), "s3", "GetObject", &s3.GetObjectRequest{Bucket: ptr("vault"), Key: ptr("k")}); err == nil {
		t.Error("eve read past the vault's Deny")
	}
}

// Service control policies limit every principal of a member account,
// its root included: each level must allow, a Deny anywhere wins.
func TestSCPs(t *testing.T) {
	a, _, ctx := setup(t)
	levels := [][]string{
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"logs:PutLogEvents","Resource":"*"}]}`},
	}
	version := uint64(1)
	a.opt.SCPs = func(_ context.Context, account string) ([][]string, uint64, error) {
		if account != acct {
			return nil, 0, nil
		}
		return levels, version, nil
	}
	root := request.Principal{Account: acct, ARN: "arn:aws:iam::" + acct + ":root", UserID: acct}
	want := "User: arn:aws:iam::111111111111:root is not authorized to perform: logs:PutLogEvents on resource: arn:aws:logs:us-east-1:111111111111:log-group:app:log-stream:s1 with an explicit deny in a service control policy"
	if got := denial(a.Authorize(ctx, root, "logs", "PutLogEvents", put)); got != want {
		t.Errorf("a member's root: %q\nwant %q", got, want)
	}
	if err := a.Authorize(ctx, root, "logs", "DescribeLogGroups", &logs.DescribeLogGroupsRequest{}); err != nil {
		t.Errorf("a member's root describing: %v", err)
	}
	if err := a.Authorize(ctx, user("free"), "logs", "PutLogEvents", put); err == nil {
		t.Error("a member's user past its SCP")
	}
	// A level that allows only some actions limits the rest.
	levels, version = [][]string{levels[0], {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:Describe*","Resource":"*"}]}`}}, 2
	if err := a.Authorize(ctx, root, "sts", "AssumeRole", &sts.AssumeRoleRequest{RoleArn: ptr("arn:aws:iam::111111111111:role/r"), RoleSessionName: ptr("s")}); err == nil {
		t.Error("an action no level-2 SCP allows")
	}
	other := request.Principal{Account: "222222222222", ARN: "arn:aws:iam::222222222222:root", UserID: "222222222222"}
	if err := a.Authorize(ctx, other, "logs", "PutLogEvents", put); err != nil {
		t.Errorf("an account in no organization: %v", err)
	}
}

// aws:ResourceTag holds the resource's tags (a log stream's are its log
// group's), looked up only for principals whose policies name the key.
func TestResourceTags(t *testing.T) {
	a, ids, ctx := setup(t)
	lookups := 0
	a.opt.ResourceTags = func(_ context.Context, arn string) (map[string]string, error) {
		lookups++
		if arn == "arn:aws:logs:us-east-1:111111111111:log-group:app" {
			return map[string]string{"env": "prod"}, nil
		}
		return nil, nil
	}
	ids.m[acct+"/user/ops"] = &Identity{Inline: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"},
		{"Effect":"Deny","Action":"logs:PutLogEvents","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"prod"}}}]}`}}
	if err := a.Authorize(ctx, user("ops"), "logs", "PutLogEvents", put); err == nil {
		t.Error("a Deny on the log group's tag did not apply")
	}
	other := &logs.PutLogEventsRequest{LogGroupName: ptr("dev"), LogStreamName: ptr("s1")}
	if err := a.Authorize(ctx, user("ops"), "logs", "PutLogEvents", other); err != nil {
		t.Errorf("an untagged group: %v", err)
	}
	n := lookups
	if err := a.Authorize(ctx, user("free"), "logs", "PutLogEvents", put); err != nil || lookups != n {
		t.Errorf("a principal whose policies name no resource tag: %v, %d lookups", err, lookups-n)
	}
}

// A resource policy's Deny on a resource tag applies: the tags are looked
// up for it too.
func TestResourcePolicyResourceTags(t *testing.T) {
	a, ids, ctx := setup(t)
	a.opt.Resolver = resolver(t, s3.Model)
	ids.m[acct+"/user/eve"] = &Identity{Inline: []string{allow(`"s3:*"`, "*")}}
	secret, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*",
		"Condition":{"StringEquals":{"aws:ResourceTag/classification":"secret"}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	a.opt.ServiceResources = map[string]ResourcePolicy{"s3": func(context.Context, string) (*policy.Policy, string, error) { return secret, acct, nil }}
	a.opt.ResourceTags = func(context.Context, string) (map[string]string, error) {
		return map[string]string{"classification": "secret"}, nil
	}
	if err := a.Authorize(ctx, user("eve"), "s3", "GetObject", &s3.GetObjectRequest{Bucket: ptr("vault"), Key: ptr("k")}); err == nil {
		t.Error("a bucket policy's Deny on a resource tag did not apply")
	}
}

// A bucket policy's Deny binds the owner's root too, as S3's does.
func TestRootAndResourceDeny(t *testing.T) {
	a, _, ctx := setup(t)
	a.opt.Resolver = resolver(t, s3.Model)
	deny, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::vault/*"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	a.opt.ServiceResources = map[string]ResourcePolicy{"s3": func(_ context.Context, arn string) (*policy.Policy, string, error) {
		if strings.HasPrefix(arn, "arn:aws:s3:::vault") {
			return deny, acct, nil
		}
		return nil, acct, nil
	}}
	root := request.Principal{Account: acct, ARN: "arn:aws:iam::" + acct + ":root", UserID: acct}
	if err := a.Authorize(ctx, root, "s3", "GetObject", &s3.GetObjectRequest{Bucket: ptr("vault"), Key: ptr("k")}); err == nil {
		t.Error("the root read past its bucket's Deny")
	}
	if err := a.Authorize(ctx, root, "s3", "GetObject", &s3.GetObjectRequest{Bucket: ptr("open"), Key: ptr("k")}); err != nil {
		t.Errorf("the root reads another bucket: %v", err)
	}
	if err := a.Authorize(ctx, root, "s3", "DeleteBucketPolicy", &s3.DeleteBucketPolicyRequest{Bucket: ptr("vault")}); err != nil {
		t.Errorf("the root removes the policy: %v", err)
	}
}
