package app

import (
	"context"
	"errors"

	"github.com/vigilhq/vigil/internal/audit"

	eventsengine "github.com/vigilhq/vigil/internal/events"
	logsengine "github.com/vigilhq/vigil/internal/logs"
	"github.com/vigilhq/vigil/internal/metrics"
	"github.com/vigilhq/vigil/internal/outbox"
)

// metricSink hands the data points of metric filters and of the embedded
// metric format to the metrics engine: the one place the two engines
// meet. Data points the engine refuses for good are a permanent error,
// which keeps them as a dead letter instead of retrying them.
type metricSink struct{ m *metrics.Engine }

func (s metricSink) PutMetrics(ctx context.Context, account, region string, data []logsengine.Datum) error {
	out := make([]metrics.Datum, len(data))
	for i, d := range data {
		out[i] = metrics.Datum{Namespace: d.Namespace, Name: d.Name, Timestamp: d.Timestamp, Value: d.Value, Values: d.Values,
			Unit: d.Unit, StorageResolution: d.StorageResolution}
		for _, dim := range d.Dimensions {
			out[i].Dimensions = append(out[i].Dimensions, metrics.Dimension(dim))
		}
	}
	err := s.m.Ingest(ctx, account, region, out)
	if errors.Is(err, metrics.ErrInvalid) {
		return outbox.Permanent(err)
	}
	return err
}

// PutCounts stores EventBridge's metrics (events.MetricSink), in their
// AWS/Events namespace.
func (s metricSink) PutCounts(ctx context.Context, account, region string, counts []eventsengine.Count) error {
	out := make([]metrics.Datum, 0, len(counts))
	for _, c := range counts {
		d := metrics.Datum{Namespace: eventsengine.MetricsNamespace, Name: c.Name, Timestamp: c.Minute, Value: c.Value,
			Unit: "Count", StorageResolution: 60}
		for _, dim := range c.Dimensions {
			d.Dimensions = append(d.Dimensions, metrics.Dimension(dim))
		}
		out = append(out, d)
	}
	// A PutMetricData takes at most 1,000 data points.
	for len(out) > 0 {
		n := min(len(out), 1000)
		if err := s.m.IngestAWS(ctx, account, region, out[:n]); err != nil {
			return err
		}
		out = out[n:]
	}
	return nil
}

// dataCalls are the high-volume data-plane operations that the bus of
// service events does not carry: CloudTrail records none of them as
// management events, which are what EventBridge receives (SQS's message
// operations and SNS's publishes are CloudTrail data events, logged only
// by trails that ask for them).
var dataCalls = map[string]bool{
	"logs:PutLogEvents": true, "logs:GetLogEvents": true, "logs:FilterLogEvents": true,
	"cloudwatch:PutMetricData": true, "cloudwatch:GetMetricData": true,
	"sqs:SendMessage": true, "sqs:SendMessageBatch": true, "sqs:ReceiveMessage": true,
	"sqs:DeleteMessage": true, "sqs:DeleteMessageBatch": true,
	"sqs:ChangeMessageVisibility": true, "sqs:ChangeMessageVisibilityBatch": true,
	"sns:Publish": true, "sns:PublishBatch": true,
	// S3's object-level operations
	// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html#cloudtrail-data-events).
	"s3:GetObject": true, "s3:HeadObject": true, "s3:PutObject": true, "s3:CopyObject": true,
	"s3:DeleteObject": true, "s3:DeleteObjects": true, "s3:CreateMultipartUpload": true,
	"s3:UploadPart": true, "s3:UploadPartCopy": true, "s3:CompleteMultipartUpload": true,
	"s3:AbortMultipartUpload": true, "s3:ListParts": true,
}

// managementCall selects the API calls published on the bus.
func managementCall(e *audit.Event) bool { return !dataCalls[e.Service+":"+e.Operation] }
