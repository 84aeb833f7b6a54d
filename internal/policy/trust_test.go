package policy

import "testing"

func TestParseTrust(t *testing.T) {
	for doc, want := range map[string]string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"logs.amazonaws.com"},"Action":"sts:AssumeRole"}]}`: "",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["sts:assumerole","sts:TagSession"]}]}`:   "",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:*"}]}`:                               "",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Resource":"*"}]}`:       "Has prohibited field Resource",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"logs:PutLogEvents"}]}`:                   "AssumeRole policy may only specify STS AssumeRole actions.",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`:                                              "Missing required field Principal.",
	} {
		p, err := ParseTrust([]byte(doc))
		switch {
		case want == "" && err != nil:
			t.Errorf("ParseTrust(%s): %v", doc, err)
		case want != "" && (err == nil || err.(*Error).Reason != want):
			t.Errorf("ParseTrust(%s) = %v, want %q", doc, err, want)
		case want == "":
			service := &Request{Principal: Principal{Service: "logs.amazonaws.com"}, Action: "sts:AssumeRole", Resource: "arn:aws:iam::111111111111:role/r"}
			user := &Request{Principal: Principal{Account: "222222222222", ARN: "arn:aws:iam::222222222222:user/u"}, Action: "sts:AssumeRole", Resource: "arn:aws:iam::111111111111:role/r"}
			if p.Evaluate(service) != Allow && p.Evaluate(user) != Allow {
				t.Errorf("ParseTrust(%s) lets in none of the principals it names", doc)
			}
		}
	}
}
