package app

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/vigilhq/vigil/internal/audit"
	"github.com/vigilhq/vigil/internal/svcevents"
)

// TestAPICallsOnTheBus: the audit hook publishes each management call on
// the bus of service events as EventBridge receives it from CloudTrail,
// and leaves the data-plane calls out.
func TestAPICallsOnTheBus(t *testing.T) {
	a := devApp(t)
	var got []*svcevents.Event
	a.events.Subscribe("test", nil, func(_ context.Context, e *svcevents.Event) { got = append(got, e) })
	call := logsCaller(t, a.Handler())
	call("CreateLogGroup", []byte(`{"logGroupName":"g"}`))
	call("CreateLogStream", []byte(`{"logGroupName":"g","logStreamName":"s"}`))
	call("PutLogEvents", []byte(`{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1,"message":"m"}]}`))
	call("DescribeLogGroups", []byte(`{}`))
	// Closing the hook drains its queue: every event has been published.
	if err := a.audit.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	var names []string
	for _, e := range got {
		var d struct {
			EventName, EventSource, EventType string
			ReadOnly                          bool
			RequestParameters                 map[string]any
		}
		if err := json.Unmarshal(e.Detail, &d); err != nil {
			t.Fatal(err)
		}
		names = append(names, d.EventName)
		if e.DetailType != "AWS API Call via CloudTrail" || e.Source != "aws.logs" || e.Account != "000000000000" ||
			d.EventSource != "logs.amazonaws.com" || d.EventType != "AwsApiCall" || d.ReadOnly != (d.EventName == "DescribeLogGroups") {
			t.Errorf("event %+v with detail %s", e, e.Detail)
		}
		if d.EventName == "CreateLogGroup" && d.RequestParameters["logGroupName"] != "g" {
			t.Errorf("CreateLogGroup's requestParameters = %v", d.RequestParameters)
		}
	}
	if want := []string{"CreateLogGroup", "CreateLogStream", "DescribeLogGroups"}; !slices.Equal(names, want) {
		t.Errorf("published %v; want %v (no PutLogEvents: a data-plane call)", names, want)
	}
}

// TestDataCallsLeftOut: CloudTrail's data events of SQS and SNS stay off
// the bus; the same services' management calls are on it.
func TestDataCallsLeftOut(t *testing.T) {
	for _, c := range []struct {
		service, op string
		on          bool
	}{
		{"sqs", "SendMessageBatch", false}, {"sqs", "ReceiveMessage", false}, {"sqs", "DeleteMessage", false},
		{"sqs", "CreateQueue", true}, {"sqs", "SetQueueAttributes", true},
		{"sns", "Publish", false}, {"sns", "Subscribe", true},
		{"logs", "PutLogEvents", false}, {"events", "PutRule", true},
		{"s3", "PutObject", false}, {"s3", "GetObject", false}, {"s3", "UploadPart", false}, {"s3", "CreateBucket", true},
		{"s3", "PutBucketPolicy", true},
	} {
		if got := managementCall(&audit.Event{Service: c.service, Operation: c.op}); got != c.on {
			t.Errorf("%s:%s on the bus = %v; want %v", c.service, c.op, got, c.on)
		}
	}
}
