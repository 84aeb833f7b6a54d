package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// trailVigil starts a --dev Vigil standing at the hour, with the bucket
// audit-logs and CloudTrail's policy on it (trailPolicy), and returns it
// and must, which fails t on a call's error.
func trailVigil(t *testing.T) (*vigil, func(any, error)) {
	base := time.Now().UTC().Truncate(time.Hour)
	v := startStill(t, base)
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	buckets := s3.NewFromConfig(v.devConfig(devAccount), func(o *s3.Options) { o.UsePathStyle = true })
	must(buckets.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("audit-logs")}))
	must(buckets.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("audit-logs"), Policy: aws.String(trailPolicy)}))
	return v, must
}

// TestCloudTrailProcessFlow is the seeds' CloudTrail flow through
// aws-sdk-go-v2: a bucket with CloudTrail's policy, a topic that lets
// CloudTrail publish (a queue subscribed), a log group with a metric
// filter on failed calls and an alarm on it; a trail with validation
// into all three; calls, one failing. The calls show in LookupEvents, the
// log file's notification reaches the queue, the failed call reaches the
// log group, its metric filter and the alarm, which goes to ALARM.
func TestCloudTrailProcessFlow(t *testing.T) {
	v, must := trailVigil(t)
	ctx := context.Background()
	cfg := v.devConfig(devAccount)
	buckets := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	trails := cloudtrail.NewFromConfig(cfg)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	cw := cloudwatch.NewFromConfig(cfg)
	topics := sns.NewFromConfig(cfg)
	queues := sqs.NewFromConfig(cfg)
	const trailARN = "arn:aws:cloudtrail:us-east-1:" + devAccount + ":trail/audit"
	topic, err := topics.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("trail-files")})
	if err != nil {
		t.Fatal(err)
	}
	must(topics.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: topic.TopicArn, AttributeName: aws.String("Policy"),
		AttributeValue: aws.String(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
		  "Action": "SNS:Publish", "Resource": "` + *topic.TopicArn + `", "Condition": {"StringEquals": {"aws:SourceArn": "` + trailARN + `"}}}]}`)}))
	queue, err := queues.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("trail-files")})
	if err != nil {
		t.Fatal(err)
	}
	must(queues.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: queue.QueueUrl, Attributes: map[string]string{"Policy": `{"Version": "2012-10-17",
	  "Statement": [{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
	  "Resource": "arn:aws:sqs:us-east-1:` + devAccount + `:trail-files", "Condition": {"ArnEquals": {"aws:SourceArn": "` + *topic.TopicArn + `"}}}]}`}}))
	must(topics.Subscribe(ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("sqs"),
		Endpoint: aws.String("arn:aws:sqs:us-east-1:" + devAccount + ":trail-files"), Attributes: map[string]string{"RawMessageDelivery": "true"}}))
	must(logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("CloudTrail/audit")}))
	must(logs.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: aws.String("CloudTrail/audit"), FilterName: aws.String("failed"),
		FilterPattern:         aws.String(`{ $.errorCode = "ResourceNotFoundException" }`),
		MetricTransformations: []logstypes.MetricTransformation{{MetricNamespace: aws.String("CloudTrailMetrics"), MetricName: aws.String("FailedCalls"), MetricValue: aws.String("1")}}}))
	must(cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("failed-calls"), Namespace: aws.String("CloudTrailMetrics"),
		MetricName: aws.String("FailedCalls"), Statistic: cwtypes.StatisticSum, Period: aws.Int32(300), EvaluationPeriods: aws.Int32(3), DatapointsToAlarm: aws.Int32(1),
		Threshold: aws.Float64(1), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold, TreatMissingData: aws.String("notBreaching")}))

	created, err := trails.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("audit"), S3BucketName: aws.String("audit-logs"),
		S3KeyPrefix: aws.String("vigil"), EnableLogFileValidation: aws.Bool(true), SnsTopicName: aws.String("trail-files"),
		CloudWatchLogsLogGroupArn: aws.String("arn:aws:logs:us-east-1:" + devAccount + ":log-group:CloudTrail/audit:*"),
		CloudWatchLogsRoleArn:     aws.String("arn:aws:iam::" + devAccount + ":role/CloudTrail_CloudWatchLogs_Role")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(created.SnsTopicARN) != *topic.TopicArn {
		t.Errorf("CreateTrail's SnsTopicARN = %q; want %q", aws.ToString(created.SnsTopicARN), *topic.TopicArn)
	}
	must(trails.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("audit")}))
	if _, err := logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("no-such-group")}); err == nil {
		t.Fatal("deleting a missing log group succeeded")
	}

	// The failed call is in the event history, with its error.
	// Recording is asynchronous: a move of the clock waits for it.
	v.settle(t)
	out, err := trails.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("DeleteLogGroup")}}})
	if err != nil {
		t.Fatal(err)
	}
	if found := out.Events; len(found) != 1 || !strings.Contains(aws.ToString(found[0].CloudTrailEvent), `"errorCode":"ResourceNotFoundException"`) {
		t.Fatalf("LookupEvents(DeleteLogGroup) = %+v", found)
	}

	// Five minutes on: a log file, its notification, the events in the
	// log group; the alarm sees the failed call.
	for range 3 {
		v.moveClock(t, `{"advance": "5m"}`)
	}
	msgs, err := queues.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: queue.QueueUrl, MaxNumberOfMessages: 10})
	if err != nil || len(msgs.Messages) == 0 {
		t.Fatalf("ReceiveMessage = %v, %v; want the log file's notification", msgs, err)
	}
	var note struct {
		S3Bucket    string   `json:"s3Bucket"`
		S3ObjectKey []string `json:"s3ObjectKey"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(msgs.Messages[0].Body)), &note); err != nil || note.S3Bucket != "audit-logs" ||
		len(note.S3ObjectKey) != 1 || !strings.HasPrefix(note.S3ObjectKey[0], "vigil/AWSLogs/"+devAccount+"/CloudTrail/us-east-1/") {
		t.Errorf("notification = %s", aws.ToString(msgs.Messages[0].Body))
	}
	if _, err := buckets.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("audit-logs"), Key: aws.String(note.S3ObjectKey[0])}); err != nil {
		t.Errorf("the notified log file: %v", err)
	}
	events, err := logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("CloudTrail/audit"),
		FilterPattern: aws.String(`{ $.eventName = "DeleteLogGroup" }`)})
	if err != nil || len(events.Events) != 1 || aws.ToString(events.Events[0].LogStreamName) != devAccount+"_CloudTrail_us-east-1" {
		t.Fatalf("FilterLogEvents(DeleteLogGroup) = %+v, %v", events, err)
	}
	alarms, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"failed-calls"}})
	if err != nil || len(alarms.MetricAlarms) != 1 || alarms.MetricAlarms[0].StateValue != cwtypes.StateValueAlarm {
		t.Errorf("alarm on failed calls = %+v, %v; want ALARM", alarms.MetricAlarms, err)
	}
	status, err := trails.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("audit")})
	if err != nil || status.LatestCloudWatchLogsDeliveryTime == nil || status.LatestNotificationTime == nil || status.LatestDeliveryError != nil {
		t.Errorf("GetTrailStatus = %+v, %v", status, err)
	}

	// S3 data events: the trail selects the writes to one bucket's
	// objects; they reach the log group, not the event history.
	must(buckets.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("uploads")}))
	must(trails.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("audit"), AdvancedEventSelectors: []cttypes.AdvancedEventSelector{
		{Name: aws.String("management"), FieldSelectors: []cttypes.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"Management"}}}},
		{Name: aws.String("uploads writes"), FieldSelectors: []cttypes.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Data"}}, {Field: aws.String("resources.type"), Equals: []string{"AWS::S3::Object"}},
			{Field: aws.String("readOnly"), Equals: []string{"false"}}, {Field: aws.String("resources.ARN"), StartsWith: []string{"arn:aws:s3:::uploads/"}}}},
	}}))
	must(buckets.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("uploads"), Key: aws.String("report.csv"), Body: strings.NewReader("a,b\n")}))
	must(buckets.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("uploads"), Key: aws.String("report.csv")}))
	v.moveClock(t, `{"advance": "5m"}`)
	data, err := logs.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("CloudTrail/audit"),
		FilterPattern: aws.String(`{ $.eventCategory = "Data" }`)})
	if err != nil || len(data.Events) != 1 || !strings.Contains(aws.ToString(data.Events[0].Message), `"eventName":"PutObject"`) ||
		!strings.Contains(aws.ToString(data.Events[0].Message), `"ARN":"arn:aws:s3:::uploads/report.csv"`) {
		t.Errorf("data events in the log group = %+v, %v; want the PutObject", data, err)
	}
	history, err := trails.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("PutObject")}}})
	if err != nil || len(history.Events) != 0 {
		t.Errorf("LookupEvents(PutObject) = %+v, %v; want none: the event history has management events only", history, err)
	}
}

// TestCloudTrailInsights: a trail with Insights learns 37 hours of a few
// CreateLogGroup calls an hour, then a burst of them in one minute
// starts an Insights event, which the next quiet minute ends; both show
// in LookupEvents (EventCategory insight) and in the bucket.
func TestCloudTrailInsights(t *testing.T) {
	v, must := trailVigil(t)
	ctx := context.Background()
	cfg := v.devConfig(devAccount)
	buckets := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	trails := cloudtrail.NewFromConfig(cfg)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	must(trails.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("audit"), S3BucketName: aws.String("audit-logs"), S3KeyPrefix: aws.String("vigil")}))
	must(trails.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("audit")}))
	if _, err := trails.GetInsightSelectors(ctx, &cloudtrail.GetInsightSelectorsInput{TrailName: aws.String("audit")}); err == nil {
		t.Error("GetInsightSelectors before any = nil error; want InsightNotEnabledException")
	}
	must(trails.PutInsightSelectors(ctx, &cloudtrail.PutInsightSelectorsInput{TrailName: aws.String("audit"),
		InsightSelectors: []cttypes.InsightSelector{{InsightType: cttypes.InsightTypeApiCallRateInsight}}}))
	n := 0
	create := func(count int) {
		for range count {
			n++
			must(logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("g" + strconv.Itoa(n))}))
		}
	}
	for range 37 {
		create(2)
		v.moveClock(t, `{"advance": "1h"}`)
	}
	create(15)
	// A minute is analysed a minute after it ends.
	for range 3 {
		v.moveClock(t, `{"advance": "1m"}`)
	}
	got, err := trails.LookupEvents(ctx, &cloudtrail.LookupEventsInput{EventCategory: cttypes.EventCategoryInsight})
	if err != nil || len(got.Events) != 2 || aws.ToString(got.Events[0].EventName) != "CreateLogGroup" {
		t.Fatalf("LookupEvents(insight) = %+v, %v; want the start and end of an Insights event on CreateLogGroup", got, err)
	}
	for _, e := range got.Events {
		if !strings.Contains(aws.ToString(e.CloudTrailEvent), `"insightType":"ApiCallRateInsight"`) {
			t.Errorf("Insights event = %s", aws.ToString(e.CloudTrailEvent))
		}
	}
	v.moveClock(t, `{"advance": "5m"}`)
	files, err := buckets.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("audit-logs"), Prefix: aws.String("vigil/AWSLogs/" + devAccount + "/CloudTrail-Insight/us-east-1/")})
	if err != nil || len(files.Contents) != 1 {
		t.Errorf("Insights files = %+v, %v; want one", files, err)
	}
}

// TestCloudTrailAggregation: trails of two accounts deliver into one
// bucket of the first, whose policy lets CloudTrail write each account's
// files (AWSLogs/<account>/…), as the seeds' multi-account setup does; a
// third account the policy does not name is refused.
func TestCloudTrailAggregation(t *testing.T) {
	base := time.Now().UTC().Truncate(time.Hour)
	v := startStill(t, base)
	ctx := context.Background()
	const second, third = "222222222222", "333333333333"
	owner := s3.NewFromConfig(v.devConfig(devAccount), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := owner.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("org-trails")}); err != nil {
		t.Fatal(err)
	}
	policy := `{"Version": "2012-10-17", "Statement": [{"Sid": "AWSCloudTrailWrite", "Effect": "Allow",
	  "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
	  "Resource": ["arn:aws:s3:::org-trails/AWSLogs/` + devAccount + `/*", "arn:aws:s3:::org-trails/AWSLogs/` + second + `/*"],
	  "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}]}`
	if _, err := owner.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("org-trails"), Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	for _, account := range []string{devAccount, second} {
		c := cloudtrail.NewFromConfig(v.devConfig(account))
		if _, err := c.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("org"), S3BucketName: aws.String("org-trails")}); err != nil {
			t.Fatalf("CreateTrail of %s: %v", account, err)
		}
		if _, err := c.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("org")}); err != nil {
			t.Fatal(err)
		}
		if _, err := cloudwatchlogs.NewFromConfig(v.devConfig(account)).CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("app")}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := cloudtrail.NewFromConfig(v.devConfig(third)).CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("org"), S3BucketName: aws.String("org-trails")})
	var refused *cttypes.InsufficientS3BucketPolicyException
	if !errors.As(err, &refused) {
		t.Errorf("CreateTrail of an account the policy does not name = %v; want InsufficientS3BucketPolicyException", err)
	}
	v.moveClock(t, `{"advance": "5m"}`)
	for _, account := range []string{devAccount, second} {
		files, err := owner.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("org-trails"), Prefix: aws.String("AWSLogs/" + account + "/CloudTrail/")})
		if err != nil || len(files.Contents) != 1 {
			t.Errorf("log files of %s in the shared bucket = %+v, %v; want one", account, files, err)
		}
	}
}
