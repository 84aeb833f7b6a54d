package authz

import (
	"testing"

	"github.com/vigilhq/vigil/internal/api"
	"github.com/vigilhq/vigil/internal/api/cloudwatch"
	"github.com/vigilhq/vigil/internal/api/events"
	"github.com/vigilhq/vigil/internal/api/sns"
	"github.com/vigilhq/vigil/internal/api/sqs"
	"github.com/vigilhq/vigil/internal/api/sts"
)

func TestResolveCloudWatch(t *testing.T) {
	f := resolveTester(t, newResolver(t), "cloudwatch")
	alarm := "arn:aws:cloudwatch:us-east-1:123456789012:alarm:"
	f("PutMetricAlarm", &cloudwatch.PutMetricAlarmInput{AlarmName: api.Ptr("cpu-high"),
		AlarmActions: []string{"arn:aws:sns:us-east-1:123456789012:ops"}, OKActions: []string{"arn:aws:sns:us-east-1:123456789012:ok"},
		Tags: []cloudwatch.Tag{{Key: api.Ptr("team"), Value: api.Ptr("infra")}}},
		req("cloudwatch:PutMetricAlarm", alarm+"cpu-high").tagged().cond("aws:RequestTag/team", "infra").cond("aws:TagKeys", "team").
			cond("cloudwatch:AlarmActions", "arn:aws:sns:us-east-1:123456789012:ops", "arn:aws:sns:us-east-1:123456789012:ok"))
	f("DeleteAlarms", &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"a", "b"}},
		req("cloudwatch:DeleteAlarms", alarm+"a", alarm+"b").tagged())
	f("DeleteAlarms", &cloudwatch.DeleteAlarmsInput{}, req("cloudwatch:DeleteAlarms", alarm).tagged())
	f("DescribeAlarms", &cloudwatch.DescribeAlarmsInput{}, req("cloudwatch:DescribeAlarms", alarm+"*").tagged())
	f("DescribeAlarms", &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"x"}}, req("cloudwatch:DescribeAlarms", alarm+"x").tagged())
	f("PutMetricData", &cloudwatch.PutMetricDataInput{Namespace: api.Ptr("App/Web")},
		req("cloudwatch:PutMetricData", "*").cond("cloudwatch:namespace", "App/Web"))
	f("PutDashboard", &cloudwatch.PutDashboardInput{DashboardName: api.Ptr("main")},
		req("cloudwatch:PutDashboard", "arn:aws:cloudwatch::123456789012:dashboard/main").tagged())
	f("GetMetricWidgetImage", &cloudwatch.GetMetricWidgetImageInput{MetricWidget: api.Ptr("{}")}, req("cloudwatch:GetMetricWidgetImage", "*"))
}

func TestResolveEvents(t *testing.T) {
	f := resolveTester(t, newResolver(t), "events")
	f("PutRule", &events.PutRuleRequest{Name: api.Ptr("nightly"), RoleArn: api.Ptr("arn:aws:iam::123456789012:role/ev")},
		req("events:PutRule", "arn:aws:events:us-east-1:123456789012:rule/nightly").tagged(),
		req("iam:PassRole", "arn:aws:iam::123456789012:role/ev").tagged().cond("iam:PassedToService", "events.amazonaws.com"))
	f("PutRule", &events.PutRuleRequest{Name: api.Ptr("r"), EventBusName: api.Ptr("orders")},
		req("events:PutRule", "arn:aws:events:us-east-1:123456789012:rule/orders/r").tagged())
	f("PutTargets", &events.PutTargetsRequest{Rule: api.Ptr("r"), EventBusName: api.Ptr("default"), Targets: []events.Target{
		{Id: api.Ptr("1"), Arn: api.Ptr("arn:aws:sqs:us-east-1:123456789012:q")},
		{Id: api.Ptr("2"), Arn: api.Ptr("arn:aws:kinesis:us-east-1:123456789012:stream/s"), RoleArn: api.Ptr("arn:aws:iam::123456789012:role/k")}}},
		req("events:PutTargets", "arn:aws:events:us-east-1:123456789012:rule/r").tagged().
			cond("events:TargetArn", "arn:aws:sqs:us-east-1:123456789012:q", "arn:aws:kinesis:us-east-1:123456789012:stream/s"),
		req("iam:PassRole", "arn:aws:iam::123456789012:role/k").tagged().cond("iam:PassedToService", "events.amazonaws.com"))
	f("PutEvents", &events.PutEventsRequest{Entries: []events.PutEventsRequestEntry{
		{Source: api.Ptr("app.orders"), DetailType: api.Ptr("Created")},
		{Source: api.Ptr("app.orders"), DetailType: api.Ptr("Paid"), EventBusName: api.Ptr("orders")},
		{Source: api.Ptr("app.billing"), EventBusName: api.Ptr("arn:aws:events:us-east-1:210987654321:event-bus/central")}}},
		req("events:PutEvents", "arn:aws:events:us-east-1:123456789012:event-bus/default",
			"arn:aws:events:us-east-1:123456789012:event-bus/orders", "arn:aws:events:us-east-1:210987654321:event-bus/central").tagged().
			cond("events:source", "app.orders", "app.billing").cond("events:detail-type", "Created", "Paid"))
	f("DescribeEventBus", &events.DescribeEventBusRequest{}, req("events:DescribeEventBus", "arn:aws:events:us-east-1:123456789012:event-bus/default").tagged())
	f("TagResource", &events.TagResourceRequest{ResourceARN: api.Ptr("arn:aws:events:us-east-1:123456789012:rule/r"),
		Tags: []events.Tag{{Key: api.Ptr("k"), Value: api.Ptr("v")}}},
		req("events:TagResource", "arn:aws:events:us-east-1:123456789012:rule/r").tagged().cond("aws:RequestTag/k", "v").cond("aws:TagKeys", "k"))
}

func TestResolveSNS(t *testing.T) {
	f := resolveTester(t, newResolver(t), "sns")
	topic := "arn:aws:sns:us-east-1:123456789012:alerts"
	f("Publish", &sns.PublishInput{TopicArn: api.Ptr(topic), Message: api.Ptr("hi")}, req("sns:Publish", topic).tagged())
	f("Publish", &sns.PublishInput{PhoneNumber: api.Ptr("+15550100"), Message: api.Ptr("hi")}, req("sns:Publish", "*").tagged())
	f("PublishBatch", &sns.PublishBatchInput{TopicArn: api.Ptr(topic)}, req("sns:Publish", topic).tagged())
	f("Subscribe", &sns.SubscribeInput{TopicArn: api.Ptr(topic), Protocol: api.Ptr("email"), Endpoint: api.Ptr("ops@example.com")},
		req("sns:Subscribe", topic).tagged().cond("sns:Protocol", "email").cond("sns:Endpoint", "ops@example.com"))
	f("CreateTopic", &sns.CreateTopicInput{Name: api.Ptr("alerts"), Tags: []sns.Tag{{Key: api.Ptr("env"), Value: api.Ptr("prod")}}},
		req("sns:CreateTopic", topic).tagged().cond("aws:RequestTag/env", "prod").cond("aws:TagKeys", "env"))
	f("Unsubscribe", &sns.UnsubscribeInput{SubscriptionArn: api.Ptr(topic + ":1")}, req("sns:Unsubscribe", "*"))
}

func TestResolveSQS(t *testing.T) {
	f := resolveTester(t, newResolver(t), "sqs")
	f("SendMessage", &sqs.SendMessageRequest{QueueUrl: api.Ptr("http://localhost:4566/123456789012/jobs")},
		req("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:jobs").tagged())
	f("SendMessageBatch", &sqs.SendMessageBatchRequest{QueueUrl: api.Ptr("https://sqs.us-east-1.amazonaws.com/210987654321/shared.fifo")},
		req("sqs:SendMessage", "arn:aws:sqs:us-east-1:210987654321:shared.fifo").tagged())
	f("GetQueueUrl", &sqs.GetQueueUrlRequest{QueueName: api.Ptr("jobs")}, req("sqs:GetQueueUrl", "arn:aws:sqs:us-east-1:123456789012:jobs").tagged())
	f("GetQueueUrl", &sqs.GetQueueUrlRequest{QueueName: api.Ptr("jobs"), QueueOwnerAWSAccountId: api.Ptr("210987654321")},
		req("sqs:GetQueueUrl", "arn:aws:sqs:us-east-1:210987654321:jobs").tagged())
	f("CreateQueue", &sqs.CreateQueueRequest{QueueName: api.Ptr("jobs"), Tags: map[string]string{"a": "1"}},
		req("sqs:CreateQueue", "arn:aws:sqs:us-east-1:123456789012:jobs").tagged().cond("aws:RequestTag/a", "1").cond("aws:TagKeys", "a"))
	f("ListQueues", &sqs.ListQueuesRequest{}, req("sqs:ListQueues", "*"))
}

func TestResolveSTS(t *testing.T) {
	f := resolveTester(t, newResolver(t), "sts")
	role := "arn:aws:iam::210987654321:role/deploy"
	f("GetCallerIdentity", &sts.GetCallerIdentityRequest{})
	f("AssumeRole", &sts.AssumeRoleRequest{RoleArn: api.Ptr(role), RoleSessionName: api.Ptr("ci"), ExternalId: api.Ptr("x1")},
		req("sts:AssumeRole", role).tagged().cond("sts:RoleSessionName", "ci").cond("sts:ExternalId", "x1"))
	f("AssumeRole", &sts.AssumeRoleRequest{RoleArn: api.Ptr(role), RoleSessionName: api.Ptr("ci"), SourceIdentity: api.Ptr("alice"),
		Tags: []sts.Tag{{Key: api.Ptr("project"), Value: api.Ptr("p")}}, TransitiveTagKeys: []string{"project"}},
		req("sts:AssumeRole", role).tagged().cond("sts:RoleSessionName", "ci").cond("sts:SourceIdentity", "alice").
			cond("aws:RequestTag/project", "p").cond("aws:TagKeys", "project").cond("sts:TransitiveTagKeys", "project"),
		req("sts:TagSession", role).tagged().cond("aws:RequestTag/project", "p").cond("aws:TagKeys", "project").cond("sts:TransitiveTagKeys", "project"),
		req("sts:SetSourceIdentity", role).tagged().cond("sts:SourceIdentity", "alice"))
	f("GetSessionToken", &sts.GetSessionTokenRequest{}, req("sts:GetSessionToken", "*"))
	f("GetFederationToken", &sts.GetFederationTokenRequest{Name: api.Ptr("bob")},
		req("sts:GetFederationToken", "arn:aws:sts::123456789012:federated-user/bob"))
}
