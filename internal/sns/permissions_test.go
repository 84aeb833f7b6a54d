package sns

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/vigilhq/vigil/internal/policy"
)

// topicPolicy returns a topic's Policy attribute.
func (f *fixture) topicPolicy(arn string) string {
	f.t.Helper()
	attrs, err := f.svc.GetTopicAttributes(f.ctx, scope, arn)
	if err != nil {
		f.t.Fatal(err)
	}
	return attrs["Policy"]
}

func TestAddPermission(t *testing.T) {
	f := newFixture(t)
	arn := f.createTopic("ops", nil)
	def := defaultPolicy(scope, arn)
	if err := f.svc.AddPermission(f.ctx, scope, arn, "test", []string{"210987654321"}, []string{"Publish"}); err != nil {
		t.Fatal(err)
	}
	// AWS's form (LocalStack's snapshot of AWS, test_topic_add_permission):
	// the statement appended to the default policy.
	grant := `{"Sid":"test","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"SNS:Publish",` +
		`"Resource":"arn:aws:sns:us-east-1:123456789012:ops"}`
	want := strings.TrimSuffix(def, "]}") + "," + grant + "]}"
	if got := f.topicPolicy(arn); got != want {
		t.Fatalf("Policy after AddPermission =\n%s\nwant\n%s", got, want)
	}
	// Several accounts and actions are lists.
	if err := f.svc.AddPermission(f.ctx, scope, arn, "two", []string{"210987654321", "111111111111"}, []string{"Publish", "Subscribe"}); err != nil {
		t.Fatal(err)
	}
	grant2 := `{"Sid":"two","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::210987654321:root","arn:aws:iam::111111111111:root"]},` +
		`"Action":["SNS:Publish","SNS:Subscribe"],"Resource":"arn:aws:sns:us-east-1:123456789012:ops"}`
	want = strings.TrimSuffix(want, "]}") + "," + grant2 + "]}"
	if got := f.topicPolicy(arn); got != want {
		t.Fatalf("Policy after a second AddPermission =\n%s\nwant\n%s", got, want)
	}
	// The policy written is one SetTopicAttributes takes, and grants what
	// it says.
	if err := checkTopicPolicy(want); err != nil {
		t.Fatalf("the policy AddPermission wrote is refused: %v", err)
	}
	p, err := policy.Parse([]byte(want))
	if err != nil {
		t.Fatal(err)
	}
	r := &policy.Request{Principal: policy.Principal{Account: "111111111111", ARN: "arn:aws:iam::111111111111:user/u"}, Action: "sns:Subscribe", Resource: arn}
	if got := p.Evaluate(r); got != policy.Allow {
		t.Errorf("the granted account's Subscribe: %v, want allow", got)
	}

	// AWS's refusals (LocalStack's snapshot, test_add_permission_errors),
	// which change nothing.
	err = f.svc.AddPermission(f.ctx, scope, arn, "test", []string{"210987654321"}, []string{"AddPermission"})
	wantErr(t, err, InvalidParameter, "Invalid parameter: Statement already exists")
	err = f.svc.AddPermission(f.ctx, scope, arn, "test-2", []string{"210987654321"}, []string{"InvalidAction"})
	wantErr(t, err, InvalidParameter, "Invalid parameter: Policy statement action out of service scope!")
	err = f.svc.AddPermission(f.ctx, scope, arn+"-not-existing", "test-2", []string{"210987654321"}, []string{"Publish"})
	wantErr(t, err, NotFound, "Topic does not exist")
	err = f.svc.AddPermission(f.ctx, other, arn, "test-2", []string{"210987654321"}, []string{"Publish"})
	wantErr(t, err, NotFound, "Topic does not exist")
	err = f.svc.AddPermission(f.ctx, scope, arn, "test-2", []string{"not-an-account"}, []string{"Publish"})
	wantPrefix(t, err, InvalidParameter, "Invalid parameter: AWSAccountId")
	err = f.svc.AddPermission(f.ctx, scope, arn, "test-2", nil, []string{"Publish"})
	wantErr(t, err, InvalidParameter, "Invalid parameter: AWSAccountId")
	err = f.svc.AddPermission(f.ctx, scope, arn, "test-2", []string{"210987654321"}, nil)
	wantErr(t, err, InvalidParameter, "Invalid parameter: ActionName")
	if got := f.topicPolicy(arn); got != want {
		t.Fatalf("Policy after refused AddPermissions =\n%s\nwant\n%s", got, want)
	}
}

func TestAddPermissionToSetPolicy(t *testing.T) {
	f := newFixture(t)
	arn := f.createTopic("ops", nil)
	set := `{"Version":"2012-10-17","Id":"mine","Statement":{"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},` +
		`"Action":"sns:Publish","Resource":"` + arn + `"}}`
	if err := f.svc.SetTopicAttributes(f.ctx, scope, arn, "Policy", set); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.AddPermission(f.ctx, scope, arn, "acct", []string{"210987654321"}, []string{"Publish"}); err != nil {
		t.Fatal(err)
	}
	want := `{"Version":"2012-10-17","Id":"mine","Statement":[{"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},` +
		`"Action":"sns:Publish","Resource":"` + arn + `"},{"Sid":"acct","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},` +
		`"Action":"SNS:Publish","Resource":"` + arn + `"}]}`
	if got := f.topicPolicy(arn); got != want {
		t.Fatalf("Policy =\n%s\nwant\n%s", got, want)
	}
}

func TestRemovePermission(t *testing.T) {
	f := newFixture(t)
	arn := f.createTopic("ops", nil)
	def := defaultPolicy(scope, arn)
	// Removing a label the policy has not succeeds and changes nothing.
	if err := f.svc.RemovePermission(f.ctx, scope, arn, "nosuch"); err != nil {
		t.Fatal(err)
	}
	if got := f.topicPolicy(arn); got != def {
		t.Fatalf("Policy = %s, want the default", got)
	}
	if err := f.svc.AddPermission(f.ctx, scope, arn, "test", []string{"210987654321"}, []string{"Publish"}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RemovePermission(f.ctx, scope, arn, "test"); err != nil {
		t.Fatal(err)
	}
	// AWS's form (LocalStack's snapshot, test_topic_remove_permission):
	// the default policy again.
	if got := f.topicPolicy(arn); got != def {
		t.Fatalf("Policy after RemovePermission =\n%s\nwant\n%s", got, def)
	}
	// The default statement goes too, leaving no statement; a statement
	// can be added again.
	if err := f.svc.RemovePermission(f.ctx, scope, arn, "__default_statement_ID"); err != nil {
		t.Fatal(err)
	}
	empty := `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[]}`
	if got := f.topicPolicy(arn); got != empty {
		t.Fatalf("Policy after removing the default statement = %s, want %s", got, empty)
	}
	if err := f.svc.AddPermission(f.ctx, scope, arn, "again", []string{"210987654321"}, []string{"Publish"}); err != nil {
		t.Fatal(err)
	}
	if got := f.topicPolicy(arn); !strings.Contains(got, `"Sid":"again"`) {
		t.Fatalf("Policy after AddPermission = %s", got)
	}

	err := f.svc.RemovePermission(f.ctx, scope, arn+"-not-existing", "test")
	wantErr(t, err, NotFound, "Topic does not exist")
	err = f.svc.RemovePermission(f.ctx, other, arn, "test")
	wantErr(t, err, NotFound, "Topic does not exist")
}

// TestAddPermissionConcurrent checks that the policy is edited in one
// transaction: permissions added at once all land.
func TestAddPermissionConcurrent(t *testing.T) {
	f := newFixture(t)
	arn := f.createTopic("ops", nil)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f.svc.AddPermission(f.ctx, scope, arn, fmt.Sprintf("l%d", i), []string{"210987654321"}, []string{"Publish"})
		}()
	}
	wg.Wait()
	got := f.topicPolicy(arn)
	for i, err := range errs {
		if err != nil {
			t.Errorf("AddPermission %d: %v", i, err)
		}
		if !strings.Contains(got, fmt.Sprintf(`"Sid":"l%d"`, i)) {
			t.Errorf("the policy lacks l%d: %s", i, got)
		}
	}
}

func TestTopicPolicyChecked(t *testing.T) {
	f := newFixture(t)
	arn := f.createTopic("ops", nil)
	stmt := func(action string) string {
		return `{"Effect":"Allow","Principal":{"AWS":"210987654321"},"Action":"` + action + `","Resource":"` + arn + `"}`
	}
	doc := func(statements ...string) string {
		return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
	}
	many := make([]string, 101)
	for i := range many {
		many[i] = stmt("sns:Publish")
	}
	for _, c := range []struct {
		doc, want string
	}{
		{`{"Version":`, "Invalid parameter: Policy: failed to parse JSON"},
		{doc(), "Invalid parameter: Policy Error: Statement must not be empty."},
		{doc(strings.Replace(stmt("sns:Publish"), `"Allow"`, `"Permit"`, 1)), `Invalid parameter: Policy Error: Statement 1: Invalid effect: "Permit".`},
		{doc(stmt("sqs:SendMessage")), "Invalid parameter: Policy statement action out of service scope!"},
		{doc(stmt("*:Publish")), `Invalid parameter: Policy Error: Statement 1: Invalid action "*:Publish": the service prefix cannot hold wildcards.`},
		{doc(stmt("sns:Publish"), strings.Replace(stmt("sns:Publish"), "210987654321", "café", 1)),
			"Invalid parameter: Policy Error: only ASCII characters are allowed in a topic's policy"},
		{doc(many...), "Invalid parameter: Policy Error: the policy has 101 statements, more than 100"},
		{doc(stmt("sns:Publish"), `{"Sid":"x","Effect":"Allow","Principal":"*","Action":"sns:Publish","Resource":"`+strings.Repeat("a", 30*1024)+`"}`),
			"Invalid parameter: Policy Error: the policy is larger than 30720 bytes"},
	} {
		err := f.svc.SetTopicAttributes(f.ctx, scope, arn, "Policy", c.doc)
		wantErr(t, err, InvalidParameter, c.want)
		_, err = f.svc.CreateTopic(f.ctx, scope, CreateTopicInput{Name: "new", Attributes: map[string]string{"Policy": c.doc}})
		wantErr(t, err, InvalidParameter, c.want)
	}
	if got := f.topicPolicy(arn); got != defaultPolicy(scope, arn) {
		t.Fatalf("Policy after refused ones = %s", got)
	}
	// Every SNS action, "*", and a NotAction naming other services' are
	// taken.
	for _, d := range []string{
		doc(stmt("SNS:Publish"), stmt("sns:*"), stmt("*")),
		doc(strings.Replace(stmt("sqs:SendMessage"), `"Action"`, `"NotAction"`, 1)),
		defaultPolicy(scope, arn),
	} {
		if err := f.svc.SetTopicAttributes(f.ctx, scope, arn, "Policy", d); err != nil {
			t.Errorf("SetTopicAttributes Policy %s: %v", d, err)
		}
	}
}
