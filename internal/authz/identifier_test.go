package authz

import (
	"errors"
	"reflect"
	"testing"

	"github.com/vigilhq/vigil/internal/api/cloudtrail"
	"github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/glue"
	"github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/s3"
	"github.com/vigilhq/vigil/internal/api/sqs"
	"github.com/vigilhq/vigil/internal/protocol"
)

// identifierTester resolves op of m with one member set to a value (or
// two, with "member2=value2" pairs in more) and compares the resources of
// the requirements with want; a want of nil expects an *InputError naming
// the member.
func identifierTester(t *testing.T, r *Resolver, m *protocol.Service, op string) func(member, value string, want []string, more ...string) {
	return func(member, value string, want []string, more ...string) {
		t.Helper()
		in := input(t, m, op, append([]string{member, value}, more...)...)
		got, err := r.Resolve(m.IAMPrefix, op, in, testScope)
		if want == nil {
			var ie *InputError
			if !errors.As(err, &ie) || ie.Member != member || ie.Value != value || ie.Operation != op || ie.Service != m.IAMPrefix {
				t.Errorf("%s %s=%q: got %v, %v; want an InputError for the member", op, member, value, got, err)
			}
			return
		}
		if err != nil {
			t.Errorf("%s %s=%q: %v", op, member, value, err)
			return
		}
		var res []string
		for _, q := range got {
			res = append(res, q.Resources...)
		}
		if !reflect.DeepEqual(res, want) {
			t.Errorf("%s %s=%q:\n got %q\nwant %q", op, member, value, res, want)
		}
	}
}

func one(s string) []string { return []string{s} }

func TestLogGroupIdentifier(t *testing.T) {
	r := newResolver(t)
	f := identifierTester(t, r, logs.Model, "FilterLogEvents")
	f("logGroupIdentifier", "app", one("arn:aws:logs:us-east-1:123456789012:log-group:app:log-stream:"))
	f("logGroupIdentifier", "/aws/lambda/fn", one("arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn:log-stream:"))
	f("logGroupIdentifier", "arn:aws:logs:us-east-1:123456789012:log-group:app", one("arn:aws:logs:us-east-1:123456789012:log-group:app:log-stream:"))
	f("logGroupIdentifier", "arn:aws:logs:eu-west-1:210987654321:log-group:/shared/x",
		one("arn:aws:logs:eu-west-1:210987654321:log-group:/shared/x:log-stream:"))
	f("logGroupIdentifier", "arn:aws-cn:logs:cn-north-1:210987654321:log-group:cn", one("arn:aws-cn:logs:cn-north-1:210987654321:log-group:cn:log-stream:"))
	// The name keeps what follows the type, as DescribeLogGroups' arn (…:*) would.
	f("logGroupIdentifier", "arn:aws:logs:us-east-1:123456789012:log-group:app:*", one("arn:aws:logs:us-east-1:123456789012:log-group:app:*:log-stream:"))
	// The identifier wins over the name when both are sent.
	f("logGroupIdentifier", "arn:aws:logs:us-east-1:210987654321:log-group:b", one("arn:aws:logs:us-east-1:210987654321:log-group:b:log-stream:"),
		"logGroupName", "a")
	f("logGroupName", "a", one("arn:aws:logs:us-east-1:123456789012:log-group:a:log-stream:"))
	f("logGroupIdentifier", "arn:aws:logs:us-east-1:123456789012:destination:d", nil)
	f("logGroupIdentifier", "arn:aws:sqs:us-east-1:123456789012:log-group:x", nil)
	f("logGroupIdentifier", "arn:", nil)

	g := identifierTester(t, r, logs.Model, "GetLogEvents")
	g("logGroupIdentifier", "arn:aws:logs:eu-west-1:210987654321:log-group:shared", one("arn:aws:logs:eu-west-1:210987654321:log-group:shared:log-stream:s1"),
		"logStreamName", "s1")
	g("logGroupIdentifier", "shared", one("arn:aws:logs:us-east-1:123456789012:log-group:shared:log-stream:s1"), "logStreamName", "s1")
	g("logStreamName", "s1", one("arn:aws:logs:us-east-1:123456789012:log-group::log-stream:s1"))

	tags := identifierTester(t, r, logs.Model, "TagResource")
	tags("resourceArn", "arn:aws:logs:us-east-1:123456789012:log-group:app", one("arn:aws:logs:us-east-1:123456789012:log-group:app"))
	tags("resourceArn", "arn:aws:logs:us-east-1:123456789012:destination:d", one("arn:aws:logs:us-east-1:123456789012:destination:d"))
}

func TestEventBusName(t *testing.T) {
	r := newResolver(t)
	f := identifierTester(t, r, events.Model, "DescribeRule")
	f("Name", "r", one("arn:aws:events:us-east-1:123456789012:rule/r"))
	f("EventBusName", "default", one("arn:aws:events:us-east-1:123456789012:rule/r"), "Name", "r")
	f("EventBusName", "arn:aws:events:us-east-1:210987654321:event-bus/default", one("arn:aws:events:us-east-1:210987654321:rule/r"), "Name", "r")
	f("EventBusName", "orders", one("arn:aws:events:us-east-1:123456789012:rule/orders/r"), "Name", "r")
	f("EventBusName", "arn:aws:events:eu-west-1:210987654321:event-bus/orders", one("arn:aws:events:eu-west-1:210987654321:rule/orders/r"), "Name", "r")
	f("EventBusName", "aws.partner/saas.com/123/bus", one("arn:aws:events:us-east-1:123456789012:rule/aws.partner/saas.com/123/bus/r"), "Name", "r")
	f("EventBusName", "arn:aws:events:us-east-1:123456789012:rule/r", nil, "Name", "r")
	f("EventBusName", "arn:aws:events:us-east-1:123456789012:event-bus", nil, "Name", "r")

	b := identifierTester(t, r, events.Model, "DescribeEventBus")
	b("Name", "orders", one("arn:aws:events:us-east-1:123456789012:event-bus/orders"))
	b("Name", "arn:aws:events:us-east-1:210987654321:event-bus/orders", one("arn:aws:events:us-east-1:210987654321:event-bus/orders"))
}

func TestQueueURL(t *testing.T) {
	r := newResolver(t)
	f := identifierTester(t, r, sqs.Model, "ReceiveMessage")
	f("QueueUrl", "http://localhost:4566/123456789012/jobs", one("arn:aws:sqs:us-east-1:123456789012:jobs"))
	f("QueueUrl", "https://vigil.example:8443/210987654321/jobs.fifo", one("arn:aws:sqs:us-east-1:210987654321:jobs.fifo"))
	// The region is the request's, whatever host the URL names.
	f("QueueUrl", "https://sqs.eu-west-1.amazonaws.com/210987654321/jobs", one("arn:aws:sqs:us-east-1:210987654321:jobs"))
	f("QueueUrl", "http://localhost:4566/123456789012/jobs/", one("arn:aws:sqs:us-east-1:123456789012:jobs"))
	f("QueueUrl", "http://localhost:4566/jobs", nil)
	f("QueueUrl", "http://localhost:4566/1/2/jobs", nil)
	f("QueueUrl", "jobs", nil)
	f("QueueUrl", "http://[::1", nil)
}

func TestCopySource(t *testing.T) {
	r := newResolver(t)
	f := identifierTester(t, r, s3.Model, "UploadPartCopy")
	dst := "arn:aws:s3:::dst/k"
	f("x-amz-copy-source", "/src/a/b.txt", []string{dst, "arn:aws:s3:::src/a/b.txt"}, "Bucket", "dst", "Key", "k")
	f("x-amz-copy-source", "src/a%20b%3F.txt", []string{dst, "arn:aws:s3:::src/a b?.txt"}, "Bucket", "dst", "Key", "k")
	f("x-amz-copy-source", "src/k?versionId=3HL4", []string{dst, "arn:aws:s3:::src/k"}, "Bucket", "dst", "Key", "k")
	f("x-amz-copy-source", "src", nil, "Bucket", "dst", "Key", "k")
	f("x-amz-copy-source", "/src/", nil, "Bucket", "dst", "Key", "k")
	f("x-amz-copy-source", "arn:aws:s3:us-west-2:123456789012:accesspoint/ap/object/k", nil, "Bucket", "dst", "Key", "k")
	f("x-amz-copy-source", "src/%zz", nil, "Bucket", "dst", "Key", "k")
}

func TestOtherIdentifiers(t *testing.T) {
	r := newResolver(t)
	trail := identifierTester(t, r, cloudtrail.Model, "GetTrailStatus")
	trail("Name", "main", one("arn:aws:cloudtrail:us-east-1:123456789012:trail/main"))
	trail("Name", "arn:aws:cloudtrail:us-east-1:210987654321:trail/org", one("arn:aws:cloudtrail:us-east-1:210987654321:trail/org"))
	trail("Name", "arn:aws:cloudtrail:us-east-1:210987654321:eventdatastore/x", nil)

	reg := identifierTester(t, r, glue.Model, "GetRegistry")
	reg("RegistryId.RegistryName", "events", one("arn:aws:glue:us-east-1:123456789012:registry/events"))
	reg("RegistryId.RegistryArn", "arn:aws:glue:eu-west-1:210987654321:registry/shared", one("arn:aws:glue:eu-west-1:210987654321:registry/shared"))
	reg("RegistryId.RegistryArn", "arn:aws:glue:eu-west-1:210987654321:schema/shared", nil)
}

// TestTemplateMatch pins how an ARN splits into a template's variables.
func TestTemplateMatch(t *testing.T) {
	f := func(tmpl, arn string, want map[string]string) {
		t.Helper()
		tp, err := parseTemplate(tmpl)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		if !tp.match(arn, func(v, val string) { got[v] = val }) {
			got = nil
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s on %s: got %v, want %v", tmpl, arn, got, want)
		}
	}
	ls := "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}"
	f(ls, "arn:aws:logs:r:1:log-group:g:log-stream:s:x", map[string]string{"Partition": "aws", "Region": "r", "Account": "1", "LogGroupName": "g", "LogStreamName": "s:x"})
	f(ls, "arn:aws:logs:r:1:log-group:g", nil)
	f("arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", "arn:aws:iam::1:role/a/b/c", map[string]string{"Partition": "aws", "Account": "1", "RoleNameWithPath": "a/b/c"})
	f("arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}", "arn:aws:iam:us-east-1:1:role/a", nil)
	f("arn:${Partition}:s3:::${BucketName}/${ObjectName}", "arn:aws:s3:::b/k/with/slashes", map[string]string{"Partition": "aws", "BucketName": "b", "ObjectName": "k/with/slashes"})
	f("arn:${Partition}:glue:${Region}:${Account}:catalog", "arn:aws:glue:r:1:catalog", map[string]string{"Partition": "aws", "Region": "r", "Account": "1"})
	f("arn:${Partition}:glue:${Region}:${Account}:catalog", "arn:aws:glue:r:1:catalog/x", nil)
}
