package policy

import (
	"slices"
	"strings"
	"testing"
)

// recorder is a Trace that keeps what it is told.
type recorder struct {
	applied []*Statement
	missing []string
}

func (r *recorder) Applies(s *Statement) { r.applied = append(r.applied, s) }
func (r *recorder) Missing(key string)   { r.missing = append(r.missing, key) }

// sids returns the Sids of the statements that applied.
func (r *recorder) sids() []string {
	var out []string
	for _, s := range r.applied {
		out = append(out, s.Sid)
	}
	return out
}

// TestExplain checks what Explain tells its trace, and that it decides
// as Authorize does.
func TestExplain(t *testing.T) {
	user := Principal{Account: "111111111111", ARN: "arn:aws:iam::111111111111:user/u", UserID: "AIDAU"}
	role := Principal{Account: "111111111111", ARN: "arn:aws:iam::111111111111:role/r"}
	set := func(statements ...string) *Set {
		var ps []*Policy
		for _, s := range statements {
			ps = append(ps, mustIdentity(t, s))
		}
		return NewSet(ps...)
	}
	f := func(name string, p Principal, ps *Policies, ctx map[string][]string, want Decision, applied, missing []string) {
		t.Helper()
		r := &Request{Principal: p, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/home/u/k", Context: ctx}
		var rec recorder
		got := Explain(r, ps, &rec)
		if plain := Authorize(r, ps); got != plain || got.Decision != want {
			t.Errorf("%s: Explain = %+v, Authorize = %+v; want %v from both", name, got, plain, want)
		}
		if !slices.Equal(rec.sids(), applied) || !slices.Equal(rec.missing, missing) {
			t.Errorf("%s: the trace heard of statements %q and missing keys %q; want %q and %q", name, rec.sids(), rec.missing, applied, missing)
		}
	}
	f("every allow", user, &Policies{Identity: set(
		`{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}`,
		`{"Sid":"B","Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"}`,
		`{"Sid":"Other","Effect":"Allow","Action":"sqs:*","Resource":"*"}`)}, nil, Allow, []string{"A", "B"}, nil)
	f("the boundary's too", user, &Policies{Identity: set(`{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"}`),
		Boundary: set(`{"Sid":"Bound","Effect":"Allow","Action":"s3:*","Resource":"*"}`)}, nil, Allow, []string{"A", "Bound"}, nil)
	f("the first deny ends it", user, &Policies{Identity: set(
		`{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"}`,
		`{"Sid":"D1","Effect":"Deny","Action":"s3:*","Resource":"*"}`,
		`{"Sid":"D2","Effect":"Deny","Action":"s3:*","Resource":"*"}`)}, nil, ExplicitDeny, []string{"A", "D1"}, nil)
	f("every missing key of a statement", user, &Policies{Identity: set(`{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*",` +
		`"Condition":{"DateLessThan":{"aws:CurrentTime":"2030-01-01"},"Bool":{"aws:SecureTransport":"true"},"StringEquals":{"s3:prefix":"p"}}}`)},
		map[string][]string{"s3:prefix": {"p"}}, ImplicitDeny, nil, []string{"aws:CurrentTime", "aws:SecureTransport"})
	f("IfExists and Null", user, &Policies{Identity: set(`{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*",` +
		`"Condition":{"StringEqualsIfExists":{"aws:SourceVpc":"vpc-1"},"Null":{"aws:TokenIssueTime":"true"}}}`)},
		nil, Allow, []string{"A"}, []string{"aws:SourceVpc"})
	f("a policy variable", role, &Policies{Identity: set(`{"Sid":"Home","Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/home/${aws:username}/*"}`)},
		nil, ImplicitDeny, nil, []string{"aws:username"})
	f("derived keys are there", user, &Policies{Identity: set(`{"Sid":"Home","Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/home/${aws:username}/*",` +
		`"Condition":{"StringEquals":{"aws:userid":"AIDAU"}}}`)}, nil, Allow, []string{"Home"}, nil)
	f("other actions are not looked at", user, &Policies{Identity: set(`{"Sid":"Q","Effect":"Allow","Action":"sqs:*","Resource":"*",` +
		`"Condition":{"Bool":{"aws:SecureTransport":"true"}}}`)}, nil, ImplicitDeny, nil, nil)

	resource := mustResource(t, `{"Sid":"Them","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/other"},"Action":"s3:*","Resource":"*",`+
		`"Condition":{"Bool":{"aws:SecureTransport":"true"}}},{"Sid":"Me","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/u"},"Action":"s3:*","Resource":"*"}`)
	f("statements naming others are not looked at", user, &Policies{Resource: resource}, nil, Allow, []string{"Me"}, nil)
	f("the resource policy, then the identity's", user, &Policies{Resource: resource, Identity: set(`{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"}`)},
		nil, Allow, []string{"Me", "A"}, nil)
}

// TestExplainCorpus checks that Explain decides every request of the
// corpus as Authorize does, and that an explicit deny comes with a Deny
// statement that applies.
func TestExplainCorpus(t *testing.T) {
	for name, c := range readCorpus(t) {
		if strings.HasPrefix(name, "invalid-") {
			continue
		}
		p, err := Parse(c.document(t))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		r, ps := c.Request.request(), &Policies{Resource: p}
		var rec recorder
		got := Explain(r, ps, &rec)
		if want := Authorize(r, ps); got != want {
			t.Errorf("%s: Explain = %+v, Authorize = %+v", name, got, want)
		}
		denied := slices.ContainsFunc(rec.applied, func(s *Statement) bool { return s.Effect == EffectDeny })
		if (got.Decision == ExplicitDeny) != denied {
			t.Errorf("%s: Explain = %v; the trace heard of statements %q", name, got.Decision, rec.sids())
		}
	}
}
