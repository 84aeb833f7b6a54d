package policy

import (
	"errors"
	"testing"
)

// FuzzParse parses documents, evaluates a request against those that
// parse, and checks that an edit's round trip (ParseDocument, Bytes)
// keeps a document's meaning: it parses as the original does and decides
// the request alike; and that Authorize, with the document as the
// resource's policy, decides an anonymous request as Evaluate does.
func FuzzParse(f *testing.F) {
	for _, c := range readCorpus(f) {
		r := Request{Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:123456789012:q"}
		if c.Request != nil {
			r.Action, r.Resource = c.Request.Action, c.Request.Resource
		}
		f.Add(c.document(f), r.Action, r.Resource, "aws:SourceArn", "arn:aws:sns:us-east-1:123456789012:t", "123456789012")
	}
	f.Fuzz(func(t *testing.T, doc []byte, action, resource, key, value, account string) {
		p, err := Parse(doc)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Parse error %T %v; want an *Error", err, err)
			}
			return
		}
		r := &Request{Principal: Principal{Account: account, ARN: "arn:aws:iam::" + account + ":user/u"}, Action: action, Resource: resource,
			Context: map[string][]string{key: {value}}}
		got := p.Evaluate(r)
		d, err := ParseDocument(doc)
		if err != nil {
			t.Fatalf("ParseDocument of a document Parse takes: %v", err)
		}
		again, err := Parse(d.Bytes())
		if err != nil {
			t.Fatalf("the edited form %s does not parse: %v", d.Bytes(), err)
		}
		if again.Evaluate(r) != got {
			t.Fatalf("the edited form %s decides %v, the original %v", d.Bytes(), again.Evaluate(r), got)
		}
		anonymous := &Request{Action: action, Resource: resource, Context: r.Context}
		if res := Authorize(anonymous, &Policies{Resource: p}); res.Decision != p.Evaluate(anonymous) || res.By != ResourcePolicy {
			t.Fatalf("Authorize of an anonymous request = %v, Evaluate %v", res, p.Evaluate(anonymous))
		}
	})
}

// FuzzParseIdentity parses documents of each kind as IAM does — never
// panicking, refusing with an *Error — and decides a request against
// those that parse: alone, as a Set, and as each policy of Authorize,
// deterministically.
func FuzzParseIdentity(f *testing.F) {
	for _, c := range readCases[identityCase](f, "testdata/identity/*.json") {
		r := Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/alice/k"}
		if c.Request != nil {
			r.Action, r.Resource = c.Request.Action, c.Request.Resource
		}
		f.Add(c.document(f), uint8(kinds[c.Kind]), r.Action, r.Resource, "aws:SourceIp", "10.1.2.3", "arn:aws:iam::123456789012:user/alice")
	}
	f.Fuzz(func(t *testing.T, doc []byte, kind uint8, action, resource, key, value, arn string) {
		k := Kind(kind % 4)
		p, err := ParseIdentity(doc, k)
		var e *Error
		if err != nil {
			if !errors.As(err, &e) || e.Statement != -1 || e.Reason == "" {
				t.Fatalf("ParseIdentity error %T %v; want an *Error of the document", err, err)
			}
			if k == KindSCP && e.Reason != scpMalformed {
				t.Fatalf("an SCP is refused with %q", e.Reason)
			}
			return
		}
		r := &Request{Principal: Principal{Account: "123456789012", ARN: arn, Tags: map[string]string{key: value}}, Action: action,
			Resource: resource, Context: map[string][]string{key: {value}, "aws:CurrentTime": {value}}}
		got := p.Evaluate(r)
		if again := p.Evaluate(r); again != got {
			t.Fatalf("Evaluate decides %v, then %v", got, again)
		}
		s := NewSet(p, p)
		if set := s.Evaluate(r); set != got {
			t.Fatalf("the Set decides %v, the policy %v", set, got)
		}
		for _, ps := range []*Policies{{Identity: s}, {Identity: s, Boundary: s}, {Identity: s, Session: s, SCPs: []*Set{s}}} {
			res := Authorize(r, ps)
			if again := Authorize(r, ps); again != res {
				t.Fatalf("Authorize decides %v, then %v", res, again)
			}
			if got == ExplicitDeny && res.Decision != ExplicitDeny {
				t.Fatalf("Authorize = %v; the policy denies", res)
			}
			if root, _ := principalARN(arn); res.Decision == Allow && got != Allow && root == "" {
				t.Fatalf("Authorize = %v; the policy does not allow", res)
			}
			if res.Decision != Allow && res.Message(r) == "" {
				t.Fatal("a deny without a message")
			}
		}
	})
}
