package policy

import (
	"testing"
)

// FuzzParse parses documents, evaluates a request against those that
// parse, and checks that an edit's round trip (ParseDocument, Bytes)
// keeps a document's meaning: it parses as the original does and decides
// the request alike.
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
	})
}
