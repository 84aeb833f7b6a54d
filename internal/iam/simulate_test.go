package iam

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/vigilhq/vigil/internal/policy"
	"github.com/vigilhq/vigil/internal/store"
)

// simulated is an outcome as the tests write it: the decision, the
// statements matched as "ID TYPE L:C-L:C", the missing keys, whether the
// boundary allows ("" without one) and the details.
type simulated struct {
	decision string
	matched  []string
	missing  []string
	boundary string
	details  map[string]string
}

func (o Outcome) simulated() simulated {
	s := simulated{decision: o.Decision.String()}
	for _, m := range o.Matched {
		s.matched = append(s.matched, fmt.Sprintf("%s %s %d:%d-%d:%d", m.PolicyID, m.PolicyType, m.Start.Line, m.Start.Column, m.End.Line, m.End.Column))
	}
	s.missing = o.Missing
	if o.Boundary != nil {
		s.boundary = fmt.Sprint(*o.Boundary)
	}
	if o.Details != nil {
		s.details = map[string]string{}
		for typ, d := range o.Details {
			s.details[typ] = d.String()
		}
	}
	return s
}

func (s simulated) equal(o simulated) bool {
	return s.decision == o.decision && slices.Equal(s.matched, o.matched) && slices.Equal(s.missing, o.missing) &&
		s.boundary == o.boundary && maps.Equal(s.details, o.details)
}

// simulate runs a simulation of one action and returns its outcome.
func (f *fixture) simulate(in Simulation) Evaluation {
	f.t.Helper()
	out, err := f.svc.Simulate(f.ctx, acct, in)
	f.must(err)
	if len(out.Items) != 1 || out.Marker != "" {
		f.t.Fatalf("Simulate(%+v) = %+v; want one evaluation", in, out)
	}
	return out.Items[0]
}

// The documents of the tests: the AWS CLI's example of
// simulate-custom-policy, and policies written over several lines.
const (
	afterDate = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*",` +
		`"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`
	readBucket = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Sid\": \"Read\", \"Effect\": \"Allow\", \"Action\": \"s3:Get*\", \"Resource\": \"*\"},\n" +
		"    {\"Sid\": \"NoSecrets\", \"Effect\": \"Deny\", \"Action\": \"s3:*\", \"Resource\": \"arn:aws:s3:::b/secret/*\"}\n  ]\n}"
	allowS3     = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	allowQueues = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`
)

// TestSimulateCustom walks SimulateCustomPolicy's decisions: the
// statements that decide, where they are, the keys missing, boundaries
// and resource policies.
func TestSimulateCustom(t *testing.T) {
	f := newFixture(t)
	bob := "arn:aws:iam::" + acct + ":user/bob"
	bobsQueue := `{"Version":"2012-10-17","Statement":[{"Sid":"Bob","Effect":"Allow","Principal":{"AWS":"` + bob + `"},"Action":"sqs:SendMessage","Resource":"*"}]}`
	noBob := `{"Statement":[{"Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalArn":"` + bob + `"}}}]}`
	date := func(v string) []ContextEntry {
		return []ContextEntry{{Key: "aws:CurrentTime", Values: []string{v}, Type: "date"}}
	}
	for _, c := range []struct {
		name string
		in   Simulation
		want simulated
	}{
		{"allowed, as the AWS CLI's example", Simulation{Policies: []string{afterDate}, Actions: []string{"dynamodb:CreateBackup"}, Context: date("2019-04-25T11:00:00Z")},
			simulated{decision: "allow", matched: []string{"PolicyInputList.1 IAM Policy 1:38-1:167"}}},
		{"too early", Simulation{Policies: []string{afterDate}, Actions: []string{"dynamodb:CreateBackup"}, Context: date("2014-04-25T11:00:00Z")},
			simulated{decision: "implicit deny"}},
		{"no date given", Simulation{Policies: []string{afterDate}, Actions: []string{"dynamodb:CreateBackup"}},
			simulated{decision: "implicit deny", missing: []string{"aws:CurrentTime"}}},
		{"every allow", Simulation{Policies: []string{allowS3, readBucket}, Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::b/k"}},
			simulated{decision: "allow", matched: []string{"PolicyInputList.1 IAM Policy 1:38-1:87", "PolicyInputList.2 IAM Policy 3:17-4:77"}, details: map[string]string{}}},
		{"the deny only", Simulation{Policies: []string{allowS3, readBucket}, Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::b/secret/k"}},
			simulated{decision: "explicit deny", matched: []string{"PolicyInputList.2 IAM Policy 4:77-5:100"}, details: map[string]string{}}},
		{"within the boundary", Simulation{Policies: []string{allowS3}, Boundaries: []string{readBucket}, Actions: []string{"s3:GetObject"}},
			simulated{decision: "allow", matched: []string{"PolicyInputList.1 IAM Policy 1:38-1:87", "PermissionsBoundaryPolicyInputList.1 Permissions Boundary Policy 3:17-4:77"},
				boundary: "true"}},
		{"past the boundary", Simulation{Policies: []string{allowS3}, Boundaries: []string{readBucket}, Actions: []string{"s3:PutObject"}},
			simulated{decision: "implicit deny", boundary: "false"}},
		{"denied by the boundary", Simulation{Policies: []string{allowS3}, Boundaries: []string{readBucket}, Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::b/secret/1"}},
			simulated{decision: "explicit deny", matched: []string{"PermissionsBoundaryPolicyInputList.1 Permissions Boundary Policy 4:77-5:100"}, boundary: "false", details: map[string]string{}}},
		{"a resource policy naming its caller", Simulation{Policies: []string{allowS3}, Actions: []string{"sqs:SendMessage"}, Resources: []string{"arn:aws:sqs:us-east-1:" + acct + ":q"},
			ResourcePolicy: bobsQueue, Caller: bob},
			simulated{decision: "allow", matched: []string{"ResourcePolicy Resource Policy 1:38-1:167"}, details: map[string]string{}}},
		{"another caller", Simulation{Policies: []string{allowS3}, Actions: []string{"sqs:SendMessage"}, Resources: []string{"arn:aws:sqs:us-east-1:" + acct + ":q"},
			ResourcePolicy: bobsQueue, Caller: "arn:aws:iam::" + acct + ":user/carol"},
			simulated{decision: "implicit deny", details: map[string]string{}}},
		{"a resource policy's deny first", Simulation{Policies: []string{allowQueues}, Actions: []string{"sqs:SendMessage"}, Resources: []string{"arn:aws:sqs:us-east-1:" + acct + ":q"},
			ResourcePolicy: noBob, Caller: bob},
			simulated{decision: "explicit deny", matched: []string{"ResourcePolicy Resource Policy 1:15-1:167"}, details: map[string]string{}}},
		{"another account's queue", Simulation{Policies: []string{allowQueues}, Actions: []string{"sqs:SendMessage"}, Resources: []string{"arn:aws:sqs:us-east-1:999999999999:q"},
			ResourcePolicy: bobsQueue, Caller: "arn:aws:iam::" + acct + ":user/carol"},
			simulated{decision: "implicit deny", details: map[string]string{SourceIdentity: "allow", SourceResource: "implicit deny"}}},
		{"another account's bucket", Simulation{Policies: []string{allowS3}, Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::b/k"},
			ResourcePolicy: `{"Statement":{"Effect":"Allow","Principal":{"AWS":"` + bob + `"},"Action":"s3:GetObject","Resource":"*"}}`, Caller: bob, ResourceOwner: "999999999999"},
			simulated{decision: "allow", matched: []string{"ResourcePolicy Resource Policy 1:15-1:128", "PolicyInputList.1 IAM Policy 1:38-1:87"},
				details: map[string]string{SourceIdentity: "allow", SourceResource: "allow"}}},
		{"binary and list keys", Simulation{Actions: []string{"s3:GetObject"},
			Policies: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"BinaryEquals":{"s3:x-amz-key":"QUJD"},` +
				`"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}}`},
			Context: []ContextEntry{{Key: "s3:x-amz-key", Values: []string{"QUJD"}, Type: "binary"}, {Key: "aws:TagKeys", Values: []string{"b", "a"}, Type: "stringList"},
				{Key: "aws:sourceip", Values: []string{"10.1.2.3"}, Type: "ip"}}},
			simulated{decision: "allow", matched: []string{"PolicyInputList.1 IAM Policy 1:38-1:235"}}},
	} {
		ev := f.simulate(c.in)
		if got := ev.Outcome.simulated(); !got.equal(c.want) {
			t.Errorf("%s: Simulate = %+v\nwant %+v", c.name, got, c.want)
		}
	}
}

// TestSimulatePrincipal simulates the policies of users, groups and
// roles, named as IAM's simulator names them.
func TestSimulatePrincipal(t *testing.T) {
	f := newFixture(t)
	_, err := f.svc.CreateUser(f.ctx, acct, NewEntity{Name: "alice", Path: "/eng/", Tags: map[string]string{"team": "obs"}})
	f.must(err)
	_, err = f.svc.CreateGroup(f.ctx, acct, "devs", "")
	f.must(err)
	f.must(f.svc.AddUserToGroup(f.ctx, acct, "devs", "alice"))
	alice, devs := Ref{Kind: store.IAMUser, Name: "alice"}, Ref{Kind: store.IAMGroup, Name: "devs"}
	home := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/home/${aws:username}/*",` +
		`"Condition":{"StringEquals":{"aws:PrincipalTag/team":"obs"}}}]}`
	f.must(f.svc.PutInlinePolicy(f.ctx, acct, alice, "home", home))
	f.must(f.svc.PutInlinePolicy(f.ctx, acct, devs, "queues", allowQueues))
	f.must(f.svc.AttachPolicy(f.ctx, acct, devs, "arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess"))
	f.must(f.svc.SetBoundary(f.ctx, acct, alice, "arn:aws:iam::aws:policy/AmazonS3FullAccess"))
	_, err = f.svc.CreateRole(f.ctx, acct, NewRole{NewEntity: NewEntity{Name: "ops"}, TrustPolicy: trustAccount})
	f.must(err)
	f.must(f.svc.PutInlinePolicy(f.ctx, acct, Ref{Kind: store.IAMRole, Name: "ops"}, "home", home))

	user, group, role := "arn:aws:iam::"+acct+":user/eng/alice", "arn:aws:iam::"+acct+":group/devs", "arn:aws:iam::"+acct+":role/ops"
	for _, c := range []struct {
		name             string
		source, caller   string
		action, resource string
		want             simulated
	}{
		{"her own policy, her name and tag", user, "", "s3:GetObject", "arn:aws:s3:::b/home/alice/k",
			simulated{decision: "allow", matched: []string{"user_alice_home IAM Policy 1:38-1:184", "AmazonS3FullAccess Permissions Boundary Policy 3:19-11:10"},
				boundary: "true", details: map[string]string{}}},
		{"someone else's home", user, "", "s3:GetObject", "arn:aws:s3:::b/home/bob/k", simulated{decision: "implicit deny", boundary: "true", details: map[string]string{}}},
		{"her group's, past her boundary", user, "", "sqs:SendMessage", "", simulated{decision: "implicit deny", boundary: "false"}},
		{"the group's own", group, "", "sqs:SendMessage", "", simulated{decision: "allow", matched: []string{"group_devs_queues IAM Policy 1:38-1:88"}}},
		{"a managed policy, named", group, "", "logs:GetLogEvents", "", simulated{decision: "allow", matched: []string{"CloudWatchLogsReadOnlyAccess IAM Policy 3:19-24:10"}}},
		{"a role has no user name", role, "", "s3:GetObject", "arn:aws:s3:::b/home/ops/k",
			simulated{decision: "implicit deny", missing: []string{"aws:username"}, details: map[string]string{}}},
		{"as another caller", user, "arn:aws:iam::" + acct + ":user/bob", "s3:GetObject", "arn:aws:s3:::b/home/bob/k",
			simulated{decision: "implicit deny", missing: []string{"aws:PrincipalTag/team"}, boundary: "true", details: map[string]string{}}},
	} {
		in := Simulation{Source: c.source, Caller: c.caller, Actions: []string{c.action}}
		if c.resource != "" {
			in.Resources = []string{c.resource}
		}
		ev := f.simulate(in)
		if got := ev.Outcome.simulated(); !got.equal(c.want) {
			t.Errorf("%s: Simulate = %+v\nwant %+v", c.name, got, c.want)
		}
	}
	ev := f.simulate(Simulation{Source: user, Boundaries: []string{allowQueues}, Actions: []string{"sqs:SendMessage"}})
	want := simulated{decision: "allow", matched: []string{"group_devs_queues IAM Policy 1:38-1:88", "PermissionsBoundaryPolicyInputList.1 Permissions Boundary Policy 1:38-1:88"},
		boundary: "true"}
	if got := ev.Outcome.simulated(); !got.equal(want) {
		t.Errorf("Simulate with a boundary given = %+v\nwant %+v, in place of hers", got, want)
	}
}

// trustAccount lets the account's principals assume a role.
const trustAccount = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`

// TestSimulateResources checks the results of an action on several
// resources: one result, the most restrictive decision, and each
// resource's.
func TestSimulateResources(t *testing.T) {
	f := newFixture(t)
	ev := f.simulate(Simulation{Policies: []string{readBucket}, Actions: []string{"s3:GetObject"},
		Resources: []string{"arn:aws:s3:::b/k", "arn:aws:s3:::b/secret/k", "arn:aws:s3:::b/secret/l"}})
	want := simulated{decision: "explicit deny", matched: []string{"PolicyInputList.1 IAM Policy 4:77-5:100"}, details: map[string]string{}}
	if got := ev.Outcome.simulated(); ev.Resource != "" || !got.equal(want) {
		t.Errorf("Simulate on three resources = %q %+v; want no resource and %+v", ev.Resource, got, want)
	}
	var decisions []string
	for _, r := range ev.Resources {
		decisions = append(decisions, r.Resource+" "+r.Decision.String())
	}
	if want := []string{"arn:aws:s3:::b/k allow", "arn:aws:s3:::b/secret/k explicit deny", "arn:aws:s3:::b/secret/l explicit deny"}; !slices.Equal(decisions, want) {
		t.Errorf("the resources' decisions = %q; want %q", decisions, want)
	}
	if ev.Resources[0].Details != nil {
		t.Errorf("a resource of the account has details %v; want none", ev.Resources[0].Details)
	}
	star := f.simulate(Simulation{Policies: []string{readBucket}, Actions: []string{"s3:GetObject"}, Resources: []string{"*"}})
	if star.Resource != "*" || star.Resources != nil || star.Details != nil {
		t.Errorf("Simulate on * = %+v; want the result of *, without resources or details", star)
	}
}

// TestSimulatePages pages the results, one an action, in the order of
// the actions.
func TestSimulatePages(t *testing.T) {
	f := newFixture(t)
	in := Simulation{Policies: []string{allowS3}, Actions: []string{"s3:PutObject", "sqs:SendMessage", "s3:GetObject"}, Page: Page{MaxItems: 2}}
	var got []string
	for range 3 {
		page, err := f.svc.Simulate(f.ctx, acct, in)
		f.must(err)
		for _, ev := range page.Items {
			got = append(got, ev.Action+" "+ev.Decision.String())
		}
		if in.Page.Marker = page.Marker; page.Marker == "" {
			break
		}
	}
	if want := []string{"s3:PutObject allow", "sqs:SendMessage implicit deny", "s3:GetObject allow"}; !slices.Equal(got, want) {
		t.Errorf("the pages = %q; want %q", got, want)
	}
}

// TestSimulateRefusals checks the simulator's refusals and their
// messages.
func TestSimulateRefusals(t *testing.T) {
	f := newFixture(t)
	f.user("alice")
	user := "arn:aws:iam::" + acct + ":user/alice"
	ok := Simulation{Policies: []string{allowS3}, Actions: []string{"s3:GetObject"}}
	with := func(change func(*Simulation)) Simulation {
		in := ok
		change(&in)
		return in
	}
	for _, c := range []struct {
		name string
		in   Simulation
		code Code
		msg  string
	}{
		{"no such user", with(func(s *Simulation) { s.Source = "arn:aws:iam::" + acct + ":user/nobody" }), NoSuchEntity, "The user with name nobody cannot be found."},
		{"another path", with(func(s *Simulation) { s.Source = "arn:aws:iam::" + acct + ":user/eng/alice" }), NoSuchEntity, "The user with name alice cannot be found."},
		{"another account", with(func(s *Simulation) { s.Source = "arn:aws:iam::999999999999:user/alice" }), NoSuchEntity, "The user with name alice cannot be found."},
		{"no such role", with(func(s *Simulation) { s.Source = "arn:aws:iam::" + acct + ":role/none" }), NoSuchEntity, "The role with name none cannot be found."},
		{"a session", with(func(s *Simulation) { s.Source = "arn:aws:sts::" + acct + ":assumed-role/r/s" }), InvalidInput,
			"Invalid Entity Arn: arn:aws:sts::" + acct + ":assumed-role/r/s does not clearly define entity type and name."},
		{"a policy", with(func(s *Simulation) { s.Source = "arn:aws:iam::" + acct + ":policy/p" }), InvalidInput,
			"Invalid Entity Arn: arn:aws:iam::" + acct + ":policy/p does not clearly define entity type and name."},
		{"a wildcard action", with(func(s *Simulation) { s.Actions = []string{"s3:Get*"} }), InvalidInput,
			"Invalid action name s3:Get*: an action is SERVICE:ACTION (iam:CreateUser), without wildcards."},
		{"a resource that is no ARN", with(func(s *Simulation) { s.Resources = []string{"bucket"} }), InvalidInput, `Resource bucket must be in ARN format or "*".`},
		{"a malformed policy", with(func(s *Simulation) { s.Policies = []string{allowS3, `{"Statement":[]}`} }), InvalidInput, "PolicyInputList.2: Syntax errors in policy."},
		{"a malformed boundary", with(func(s *Simulation) {
			s.Boundaries = []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject"}}`}
		}),
			InvalidInput, "PermissionsBoundaryPolicyInputList.1: Policy statement must contain resources."},
		{"two boundaries", with(func(s *Simulation) { s.Boundaries = []string{allowS3, allowS3} }), InvalidInput, "The list of Permissions Boundary policies cannot exceed 1 items."},
		{"a resource policy without a caller", with(func(s *Simulation) { s.ResourcePolicy = `{"Statement":[]}` }), InvalidInput,
			"Invalid caller - Caller must be an IAM user in this context."},
		{"a role as caller", with(func(s *Simulation) { s.Caller = "arn:aws:iam::" + acct + ":role/r" }), InvalidInput, "Invalid caller - Caller must be an IAM user in this context."},
		{"a malformed resource policy", with(func(s *Simulation) {
			s.Caller, s.ResourcePolicy = user, `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
		}),
			InvalidInput, "ResourcePolicy: Statement 1: Missing required field Principal."},
		{"a service principal", with(func(s *Simulation) {
			s.Caller, s.ResourcePolicy = user, `{"Statement":{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"s3:*","Resource":"*"}}`
		}), InvalidInput, "Principal of type Service is not supported"},
		{"an owner that is no account", with(func(s *Simulation) { s.ResourceOwner = "arn:aws:iam::12345:root" }), InvalidInput,
			"Invalid ResourceOwner arn:aws:iam::12345:root: it is an account id, or its root's ARN (arn:aws:iam::ACCOUNT:root)."},
		{"binary that is not base64", with(func(s *Simulation) { s.Context = []ContextEntry{{Key: "s3:k", Values: []string{"!"}, Type: "binary"}} }), InvalidInput,
			"Invalid value ! of context key s3:k: binary values are base64."},
		{"an unknown scenario", with(func(s *Simulation) { s.ResourceHandling = "EC2-Classic" }), InvalidInput,
			"Invalid ResourceHandlingOption EC2-Classic: the scenarios are EC2-VPC-InstanceStore, EC2-VPC-InstanceStore-Subnet, EC2-VPC-EBS and EC2-VPC-EBS-Subnet."},
		{"a scenario lacking a resource", with(func(s *Simulation) {
			s.ResourceHandling, s.Resources = "EC2-VPC-EBS", []string{"arn:aws:ec2:us-east-1:" + acct + ":instance/*", "arn:aws:ec2:us-east-1::image/ami-1",
				"arn:aws:ec2:us-east-1:" + acct + ":security-group/*", "arn:aws:ec2:us-east-1:" + acct + ":network-interface/*"}
		}), InvalidInput, "The ResourceHandlingOption EC2-VPC-EBS needs a resource of type volume in ResourceArns."},
	} {
		_, err := f.svc.Simulate(f.ctx, acct, c.in)
		wantError(t, c.name, err, c.code, c.msg)
	}
	legacy := f.user("legacy")
	f.must(f.st.IAM().UpdateIAM(f.ctx, acct, func(w store.IAMWriter) error {
		return w.PutInlinePolicy(store.IAMInlinePolicy{Owner: legacy.ID, Name: "old", Document: `{"Statement":[]}`})
	}))
	_, err := f.svc.Simulate(f.ctx, acct, Simulation{Source: legacy.ARN, Actions: []string{"s3:GetObject"}})
	wantError(t, "a stored policy IAM refuses today", err, PolicyEvaluation, "The policy user_legacy_old cannot be evaluated: Syntax errors in policy.")

	ev := f.simulate(with(func(s *Simulation) {
		s.ResourceHandling, s.Resources = "EC2-VPC-InstanceStore", []string{"arn:aws:ec2:us-east-1:" + acct + ":instance/*", "arn:aws:ec2:us-east-1::image/ami-1",
			"arn:aws:ec2:us-east-1:" + acct + ":security-group/*", "arn:aws:ec2:us-east-1:" + acct + ":network-interface/*"}
	}))
	if len(ev.Resources) != 4 {
		t.Errorf("Simulate(EC2-VPC-InstanceStore) = %+v; want its four resources decided", ev)
	}
}

// TestSimulateLikeTheFrontDoor checks that the simulator decides as
// policy.Authorize does with the same policies.
func TestSimulateLikeTheFrontDoor(t *testing.T) {
	f := newFixture(t)
	docs := []string{readBucket, allowQueues, afterDate}
	var compiled []*policy.Policy
	for _, doc := range docs {
		p, err := policy.ParseIdentity([]byte(doc), policy.KindInline)
		f.must(err)
		compiled = append(compiled, p)
	}
	set := policy.NewSet(compiled...)
	actions := []string{"s3:GetObject", "s3:PutObject", "sqs:SendMessage", "dynamodb:Scan", "sns:Publish"}
	resources := []string{"arn:aws:s3:::b/k", "arn:aws:s3:::b/secret/k", "arn:aws:sqs:us-east-1:" + acct + ":q"}
	out, err := f.svc.Simulate(f.ctx, acct, Simulation{Policies: docs, Actions: actions, Resources: resources})
	f.must(err)
	for i, ev := range out.Items {
		for j, r := range ev.Resources {
			req := &policy.Request{Principal: policy.Principal{Account: acct}, Action: actions[i], Resource: resources[j], Context: map[string][]string{}}
			if want := policy.Authorize(req, &policy.Policies{Identity: set}); r.Decision != want.Decision {
				t.Errorf("%s on %s: the simulator decides %v, Authorize %v", actions[i], resources[j], r.Decision, want.Decision)
			}
		}
	}
	if !strings.HasPrefix(out.Items[0].Action, "s3:") || len(out.Items) != len(actions) {
		t.Errorf("Simulate = %+v; want one result an action, in order", out.Items)
	}
}
