package policy

import (
	"testing"
)

func TestGrant(t *testing.T) {
	f := func(principals, actions []string, want string) {
		t.Helper()
		if got := string(Grant("lbl<&>", principals, actions, "arn:aws:sns:us-east-1:123456789012:t")); got != want {
			t.Errorf("Grant(%q, %q) =\n%s\nwant\n%s", principals, actions, got, want)
		}
	}
	f([]string{"arn:aws:iam::111111111111:root"}, []string{"SNS:Publish"},
		`{"Sid":"lbl<&>","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"SNS:Publish","Resource":"arn:aws:sns:us-east-1:123456789012:t"}`)
	f([]string{"arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"}, []string{"SNS:Publish", "SNS:Subscribe"},
		`{"Sid":"lbl<&>","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:root","arn:aws:iam::222222222222:root"]},`+
			`"Action":["SNS:Publish","SNS:Subscribe"],"Resource":"arn:aws:sns:us-east-1:123456789012:t"}`)
}

func TestDocumentEdits(t *testing.T) {
	const doc = `{ "Version": "2012-10-17", "Id": "x&y",
		"Statement": { "Sid": "a", "Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*",
			"Condition": {"StringLike": {"aws:SourceArn": "arn:aws:sns:*:*:<t>"}} } }`
	d, err := ParseDocument([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if !d.HasSid("a") || d.HasSid("b") || d.Len() != 1 {
		t.Fatalf("HasSid: a %v, b %v; Len %d", d.HasSid("a"), d.HasSid("b"), d.Len())
	}
	d.Add(Grant("b", []string{"111111111111"}, []string{"SQS:SendMessage"}, "arn:aws:sqs:us-east-1:123456789012:q"))
	want := `{"Version":"2012-10-17","Id":"x&y","Statement":[{"Sid":"a","Effect":"Allow","Principal":"*","Action":"sqs:*","Resource":"*",` +
		`"Condition":{"StringLike":{"aws:SourceArn":"arn:aws:sns:*:*:<t>"}}},` +
		`{"Sid":"b","Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"SQS:SendMessage","Resource":"arn:aws:sqs:us-east-1:123456789012:q"}]}`
	if got := string(d.Bytes()); got != want {
		t.Fatalf("after Add:\n%s\nwant\n%s", got, want)
	}
	if _, err := Parse(d.Bytes()); err != nil {
		t.Fatalf("the edited document does not parse: %v", err)
	}
	if d.Remove("nosuch") {
		t.Error("Remove(nosuch) = true")
	}
	if d.Len() != 2 || !d.Remove("a") || !d.Remove("b") || d.HasSid("a") || d.Len() != 0 {
		t.Fatal("Remove(a), Remove(b) did not remove them")
	}
	// A document may be left no statement; it stays editable.
	if got, want := string(d.Bytes()), `{"Version":"2012-10-17","Id":"x&y","Statement":[]}`; got != want {
		t.Fatalf("after removing all:\n%s\nwant\n%s", got, want)
	}
	d2, err := ParseDocument(d.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	d2.Add(Grant("c", []string{"111111111111"}, []string{"SQS:SendMessage"}, "*"))
	if !d2.HasSid("c") {
		t.Error("HasSid(c) after Add = false")
	}
}

func TestDocumentWithoutStatement(t *testing.T) {
	d, err := ParseDocument([]byte(`{"Version":"2012-10-17"}`))
	if err != nil {
		t.Fatal(err)
	}
	d.Add(Grant("s", []string{"111111111111"}, []string{"SNS:Publish"}, "*"))
	want := `{"Version":"2012-10-17","Statement":[{"Sid":"s","Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"SNS:Publish","Resource":"*"}]}`
	if got := string(d.Bytes()); got != want {
		t.Errorf("Bytes =\n%s\nwant\n%s", got, want)
	}
}

func TestParseDocumentRefuses(t *testing.T) {
	for _, doc := range []string{``, `[]`, `{"Statement": 3}`, `{"a":1,"a":2}`, `{"Statement": [`} {
		if _, err := ParseDocument([]byte(doc)); err == nil {
			t.Errorf("ParseDocument(%s) succeeded, want an error", doc)
		}
	}
}
