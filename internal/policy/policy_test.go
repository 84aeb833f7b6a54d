package policy

import (
	"fmt"
	"testing"
)

func TestGlob(t *testing.T) {
	f := func(pattern, s string, want bool) {
		t.Helper()
		if got := glob(pattern, s); got != want {
			t.Errorf("glob(%q, %q) = %v, want %v", pattern, s, got, want)
		}
	}
	f("", "", true)
	f("", "a", false)
	f("*", "", true)
	f("*", "anything:at/all", true)
	f("a*", "a", true)
	f("a*c", "abbbc", true)
	f("a*c", "abbbd", false)
	f("a*b*c", "aXbYbZc", true)
	f("a*b*c", "aXcYb", false)
	f("?", "", false)
	f("?", "é", true) // one character, two bytes
	f("??", "é", false)
	f("*??", "中", false) // a * never splits a character
	f("*?", "中", true)
	f("a?c", "abc", true)
	f("a?c", "ac", false)
	f("**", "x", true)
	f("*a", "bbbb", false)
	f("a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaa", false)
	f("Case", "case", false)
}

func TestARNMatch(t *testing.T) {
	f := func(pattern, arn string, want bool) {
		t.Helper()
		if got := arnMatch(pattern, arn); got != want {
			t.Errorf("arnMatch(%q, %q) = %v, want %v", pattern, arn, got, want)
		}
	}
	f("arn:aws:sns:*:123456789012:t", "arn:aws:sns:us-east-1:123456789012:t", true)
	f("arn:aws:sns:*:123456789012:t", "arn:aws:sns:us-east-1:210987654321:t", false)
	// The last component holds the colons of the resource.
	f("arn:aws:cloudwatch:us-east-2:111122223333:alarm:*", "arn:aws:cloudwatch:us-east-2:111122223333:alarm:High:CPU", true)
	// A * does not cross into the next component.
	f("arn:aws:s3:::*", "arn:aws:s3:::bucket/key", true)
	f("arn:*:s3:::bucket", "arn:aws:s3:us-east-1::bucket", false)
	// Not an ARN, on either side.
	f("*", "arn:aws:s3:::bucket", false)
	f("arn:aws:s3:::bucket", "bucket", false)
}

func TestErrorText(t *testing.T) {
	for _, c := range []struct {
		err  Error
		want string
	}{
		{Error{Statement: -1, Reason: "Syntax errors in policy."}, "Syntax errors in policy."},
		{Error{Statement: 0, Reason: "Missing required field Effect."}, "Statement 1: Missing required field Effect."},
		{Error{Statement: 2, Sid: "Grant", Reason: "Invalid effect: \"Permit\"."}, "Statement \"Grant\": Invalid effect: \"Permit\"."},
	} {
		if got := c.err.Error(); got != c.want {
			t.Errorf("%+v.Error() = %q, want %q", c.err, got, c.want)
		}
	}
}

func TestParsedFields(t *testing.T) {
	p, err := Parse([]byte(`{"Id":"q-policy","Statement":{"Sid":"S","Effect":"Deny","Principal":"*","NotAction":["SQS:Delete*"],
		"NotResource":"arn:aws:sqs:us-east-1:123456789012:q"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if p.Version != Version2008 || p.ID != "q-policy" || len(p.Statements) != 1 {
		t.Fatalf("Parse = %+v", p)
	}
	s := p.Statements[0]
	if s.Sid != "S" || s.Effect != EffectDeny || !s.NotAction || len(s.Actions) != 1 || s.Actions[0] != "SQS:Delete*" ||
		!s.NotResource || len(s.Resources) != 1 {
		t.Errorf("statement = %+v", s)
	}
}

func TestDecisionString(t *testing.T) {
	for d, want := range map[Decision]string{Allow: "allow", ExplicitDeny: "explicit deny", ImplicitDeny: "implicit deny"} {
		if d.String() != want {
			t.Errorf("%d.String() = %q, want %q", d, d.String(), want)
		}
	}
}

// TestContextOverridesPrincipalKeys checks that the principal's keys are
// derived only when the request's context does not hold them.
func TestContextOverridesPrincipalKeys(t *testing.T) {
	p, err := Parse([]byte(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sns:Publish","Resource":"*",
		"Condition":{"StringEquals":{"aws:PrincipalAccount":"111111111111"}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	r := &Request{Principal: Principal{Account: "111111111111", ARN: "arn:aws:iam::111111111111:user/u"}, Action: "sns:Publish", Resource: "arn:aws:sns:us-east-1:1:t"}
	if got := p.Evaluate(r); got != Allow {
		t.Errorf("derived aws:PrincipalAccount: %v, want allow", got)
	}
	r.Context = map[string][]string{"aws:principalaccount": {"222222222222"}}
	if got := p.Evaluate(r); got != ImplicitDeny {
		t.Errorf("aws:PrincipalAccount of the context: %v, want implicit deny", got)
	}
}

// TestCache: a cached parse returns the policy of the first, and the
// error of a document that does not parse.
func TestCache(t *testing.T) {
	var c Cache
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"*"}]}`
	p1, err := c.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := c.Parse(doc)
	if err != nil || p1 != p2 {
		t.Fatalf("second Parse = %p, %v; want the first's %p", p2, err, p1)
	}
	if p1.Evaluate(&Request{Principal: Principal{Account: "111122223333", ARN: "arn:aws:iam::111122223333:root"}, Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:111122223333:q"}) != Allow {
		t.Errorf("the cached policy does not allow what it says")
	}
	for range 2 {
		if _, err := c.Parse(`{"Statement":`); err == nil {
			t.Fatal("a document that does not parse parsed")
		}
	}
	for i := range maxCached + 1 {
		c.Parse(fmt.Sprintf(`{"Id":"%d","Statement":[]}`, i))
	}
	if len(c.m) > maxCached {
		t.Errorf("the cache holds %d documents; at most %d", len(c.m), maxCached)
	}
}
