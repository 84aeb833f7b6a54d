package policy

import (
	"slices"
	"testing"
)

// TestStatementPositions checks Statement.Start and End against the
// positions IAM's policy simulator answered for documents whose text is
// known: the AWS CLI's example of simulate-custom-policy, AWS's
// AdministratorAccess as GetPolicyVersion returns it, and a bucket
// policy and an identity policy of a published simulation (S3 returns
// bucket policies compact, Python's json.dumps writes ", " and ": ").
func TestStatementPositions(t *testing.T) {
	const bucket = `{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"*",` +
		`"Resource":["arn:aws:s3:::tims-fancy-bucket/*","arn:aws:s3:::tims-fancy-bucket"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}},` +
		`{"Sid":"DenyTimDelete","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::tims-fancy-bucket/*",` +
		`"Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::112233445566:role/tims-test-role"}}}]}`
	f := func(name string, parse func([]byte) (*Policy, error), doc string, want ...Position) {
		t.Helper()
		p, err := parse([]byte(doc))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var got []Position
		for _, s := range p.Statements {
			got = append(got, s.Start, s.End)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: statements at %v; want %v", name, got, want)
		}
	}
	identity := func(doc []byte) (*Policy, error) { return ParseIdentity(doc, KindInline) }
	f("one statement, not a list", identity,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`,
		Position{1, 38}, Position{1, 167})
	f("AdministratorAccess", identity, "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n"+
		"      \"Action\": \"*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}", Position{3, 17}, Position{8, 6})
	f("bucket policy", Parse, bucket, Position{1, 38}, Position{1, 248}, Position{1, 248}, Position{1, 470})
	f("json.dumps", identity, `{"Version": "2012-10-17", "Statement": [{"Sid": "s3", "Effect": "Allow", "Action": ["s3:GetObject", "s3:DeleteObject"], `+
		`"Resource": ["arn:aws:s3:::tims-fancy-bucket/only-here/*"]}]}`, Position{1, 41}, Position{1, 180})

	// What Vigil adds: line ends of every kind, characters past ASCII
	// (counted as Java does: 𝄞 is two), escapes in keys and strings.
	f("CR LF", identity, "{\"Statement\":\r\n[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"},\r{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"*\"}\n]}",
		Position{2, 2}, Position{2, 51}, Position{2, 51}, Position{3, 49})
	f("wide characters", identity, `{"Id":"é𝄞","St\u0061tement":[{"Sid":"a\"}","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
		Position{1, 31}, Position{1, 93})
	f("trust policy", ParseTrust, `{"Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
		Position{1, 15}, Position{1, 103})
}
