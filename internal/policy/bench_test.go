package policy

import (
	"fmt"
	"strings"
	"testing"
)

// benchPolicies are ten managed policies of a realistic size: five
// statements each, of several actions, with wildcards in actions and
// resources, and a condition.
func benchPolicies(b *testing.B) []*Policy {
	b.Helper()
	services := []string{"ssm", "logs", "sqs", "sns", "dynamodb", "ec2", "cloudwatch", "kms", "lambda", "events"}
	var out []*Policy
	for i, svc := range services {
		statements := []string{
			fmt.Sprintf(`{"Sid":"Read","Effect":"Allow","Action":["%[1]s:Get*","%[1]s:List*","%[1]s:Describe*"],"Resource":"*"}`, svc),
			fmt.Sprintf(`{"Sid":"Write","Effect":"Allow","Action":["%[1]s:PutItem","%[1]s:CreateThing","%[1]s:UpdateThing","%[1]s:TagResource"],`+
				`"Resource":["arn:aws:%[1]s:us-east-1:123456789012:app-%[2]d/*","arn:aws:%[1]s:eu-west-1:123456789012:app-%[2]d/*"]}`, svc, i),
			fmt.Sprintf(`{"Sid":"Admin","Effect":"Allow","Action":"%[1]s:*","Resource":"arn:aws:%[1]s:*:123456789012:team-%[2]d-*",`+
				`"Condition":{"StringEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}}`, svc, i),
			fmt.Sprintf(`{"Sid":"NoDelete","Effect":"Deny","Action":["%[1]s:Delete*","%[1]s:Remove*"],"Resource":"arn:aws:%[1]s:*:*:prod-*"}`, svc),
			fmt.Sprintf(`{"Sid":"Own","Effect":"Allow","Action":["%[1]s:SendMessage","%[1]s:Publish","%[1]s:PutObject"],`+
				`"Resource":"arn:aws:%[1]s:us-east-1:123456789012:home/${aws:username}/*"}`, svc),
		}
		doc := `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
		p, err := ParseIdentity([]byte(doc), KindManaged)
		if err != nil {
			b.Fatalf("%s: %v", doc, err)
		}
		out = append(out, p)
	}
	return out
}

// BenchmarkAuthorize10Policies decides, for a user with ten attached
// policies, a permissions boundary and an SCP, an allowed request and a
// denied one.
func BenchmarkAuthorize10Policies(b *testing.B) {
	boundary := mustIdentity(b, `{"Effect":"Allow","Action":["ssm:*","logs:*","sqs:*","sns:*","dynamodb:*","ec2:*","cloudwatch:*","kms:*","lambda:*","events:*"],"Resource":"*"}`)
	scp := mustIdentity(b, `{"Effect":"Allow","Action":"*","Resource":"*"}`)
	ps := &Policies{Identity: NewSet(benchPolicies(b)...), Boundary: NewSet(boundary), SCPs: []*Set{NewSet(scp)}}
	user := Principal{Account: "123456789012", ARN: "arn:aws:iam::123456789012:user/dev/alice", UserID: "AIDAEXAMPLE"}
	ctx := map[string][]string{"aws:SourceIp": {"203.0.113.7"}, "aws:RequestedRegion": {"us-east-1"}, "aws:SecureTransport": {"true"},
		"aws:CurrentTime": {"2025-01-02T03:04:05Z"}, "aws:MultiFactorAuthPresent": {"true"}}
	for _, c := range []struct {
		name string
		r    Request
		want Decision
	}{
		{"allowed", Request{Principal: user, Action: "lambda:UpdateFunctionCode", Resource: "arn:aws:lambda:us-east-1:123456789012:team-8-api", Context: ctx}, Allow},
		{"denied", Request{Principal: user, Action: "dynamodb:DeleteTable", Resource: "arn:aws:dynamodb:us-east-1:123456789012:prod-orders", Context: ctx}, ExplicitDeny},
		{"implicit", Request{Principal: user, Action: "iam:CreateUser", Resource: "arn:aws:iam::123456789012:user/bob", Context: ctx}, ImplicitDeny},
		{"variable", Request{Principal: user, Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:123456789012:home/alice/q", Context: ctx}, Allow},
	} {
		b.Run(c.name, func(b *testing.B) {
			if got := Authorize(&c.r, ps); got.Decision != c.want {
				b.Fatalf("Authorize = %v, want %v", got, c.want)
			}
			b.ReportAllocs()
			for b.Loop() {
				Authorize(&c.r, ps)
			}
		})
	}
}

// BenchmarkParseIdentity parses a managed policy of five statements.
func BenchmarkParseIdentity(b *testing.B) {
	doc := []byte(`{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"Read","Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"},` +
		`{"Sid":"Write","Effect":"Allow","Action":["s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::b/${aws:username}/*"},` +
		`{"Sid":"Region","Effect":"Deny","NotAction":"iam:*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1"]}}},` +
		`{"Sid":"Ip","Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24"]}}},` +
		`{"Sid":"Time","Effect":"Allow","Action":"logs:*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}}]}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseIdentity(doc, KindManaged); err != nil {
			b.Fatal(err)
		}
	}
}
