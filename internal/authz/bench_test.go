package authz

import (
	"testing"

	"github.com/vigilhq/vigil/internal/api"
	"github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/logs"
	"github.com/vigilhq/vigil/internal/api/s3"
	"github.com/vigilhq/vigil/internal/api/sqs"
)

// BenchmarkResolve measures resolutions of frequent calls:
//
//	go test -run '^$' -bench Resolve -benchmem ./internal/authz/
func BenchmarkResolve(b *testing.B) {
	r := newResolver(b)
	entries := make([]events.PutEventsRequestEntry, 10)
	for i := range entries {
		entries[i] = events.PutEventsRequestEntry{Source: api.Ptr("app.orders"), DetailType: api.Ptr("Created"), EventBusName: api.Ptr("orders")}
	}
	cases := []struct {
		name, service, op string
		in                any
	}{
		{"PutLogEvents", "logs", "PutLogEvents", &logs.PutLogEventsRequest{LogGroupName: api.Ptr("/aws/lambda/checkout"), LogStreamName: api.Ptr("2026/06/01/[$LATEST]0123456789abcdef")}},
		{"GetLogEvents/arn", "logs", "GetLogEvents", &logs.GetLogEventsRequest{LogGroupIdentifier: api.Ptr("arn:aws:logs:us-east-1:210987654321:log-group:shared"), LogStreamName: api.Ptr("s")}},
		{"PutMetricAlarm/tags", "cloudwatch", "PutMetricAlarm", &cloudwatch.PutMetricAlarmInput{AlarmName: api.Ptr("cpu-high"),
			AlarmActions: []string{"arn:aws:sns:us-east-1:123456789012:ops"}, Tags: []cloudwatch.Tag{{Key: api.Ptr("team"), Value: api.Ptr("infra")}}}},
		{"PutEvents/10", "events", "PutEvents", &events.PutEventsRequest{Entries: entries}},
		{"SendMessage", "sqs", "SendMessage", &sqs.SendMessageRequest{QueueUrl: api.Ptr("http://localhost:4566/123456789012/jobs")}},
		{"GetObject", "s3", "GetObject", &s3.GetObjectRequest{Bucket: api.Ptr("bkt"), Key: api.Ptr("dir/a.txt")}},
		{"CopyObject", "s3", "CopyObject", &s3.CopyObjectRequest{Bucket: api.Ptr("bkt"), Key: api.Ptr("k"), CopySource: api.Ptr("src/k")}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Resolve(c.service, c.op, c.in, testScope); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkNew measures loading and compiling the data for every routed
// service, done once at start.
func BenchmarkNew(b *testing.B) {
	svcs := services()
	for b.Loop() {
		if _, err := New(svcs...); err != nil {
			b.Fatal(err)
		}
	}
}
