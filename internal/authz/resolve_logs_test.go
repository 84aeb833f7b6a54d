package authz

import (
	"testing"

	"github.com/vigilhq/vigil/internal/api"
	"github.com/vigilhq/vigil/internal/api/logs"
)

func TestResolveLogs(t *testing.T) {
	r := newResolver(t)
	lg := "arn:aws:logs:us-east-1:123456789012:log-group:app:log-stream:"
	f := resolveTester(t, r, "logs")
	f("PutLogEvents", &logs.PutLogEventsRequest{LogGroupName: api.Ptr("app"), LogStreamName: api.Ptr("web/1")},
		req("logs:PutLogEvents", "arn:aws:logs:us-east-1:123456789012:log-group:app:log-stream:web/1").tagged())
	f("CreateLogGroup", &logs.CreateLogGroupRequest{LogGroupName: api.Ptr("app"), Tags: map[string]string{"env": "prod", "team": "a"}},
		req("logs:CreateLogGroup", lg).tagged().cond("aws:RequestTag/env", "prod").cond("aws:RequestTag/team", "a").cond("aws:TagKeys", "env", "team"))
	f("DescribeLogGroups", &logs.DescribeLogGroupsRequest{},
		req("logs:DescribeLogGroups", "arn:aws:logs:us-east-1:123456789012:log-group::log-stream:").tagged())
	f("FilterLogEvents", &logs.FilterLogEventsRequest{LogGroupIdentifier: api.Ptr("arn:aws:logs:eu-west-1:210987654321:log-group:shared")},
		req("logs:FilterLogEvents", "arn:aws:logs:eu-west-1:210987654321:log-group:shared:log-stream:").tagged())
	f("GetLogEvents", &logs.GetLogEventsRequest{LogGroupName: api.Ptr("app"), LogStreamName: api.Ptr("s")},
		req("logs:GetLogEvents", "arn:aws:logs:us-east-1:123456789012:log-group:app:log-stream:s").tagged())
	f("StartLiveTail", &logs.StartLiveTailRequest{LogGroupIdentifiers: []string{"arn:aws:logs:us-east-1:123456789012:log-group:a", "b"}},
		req("logs:StartLiveTail", "arn:aws:logs:us-east-1:123456789012:log-group:a:log-stream:",
			"arn:aws:logs:us-east-1:123456789012:log-group:b:log-stream:").tagged())
	f("StartQuery", &logs.StartQueryRequest{LogGroupNames: []string{"a", "b"}, QueryString: api.Ptr("fields @message")},
		req("logs:StartQuery", "arn:aws:logs:us-east-1:123456789012:log-group:a:log-stream:",
			"arn:aws:logs:us-east-1:123456789012:log-group:b:log-stream:").tagged())
	f("StartQuery", &logs.StartQueryRequest{QueryString: api.Ptr("SOURCE logGroups()")},
		req("logs:StartQuery", "arn:aws:logs:us-east-1:123456789012:log-group::log-stream:").tagged())
	f("TagResource", &logs.TagResourceRequest{ResourceArn: api.Ptr("arn:aws:logs:us-east-1:123456789012:log-group:app"), Tags: map[string]string{"k": "v"}},
		req("logs:TagResource", "arn:aws:logs:us-east-1:123456789012:log-group:app").tagged().cond("aws:RequestTag/k", "v").cond("aws:TagKeys", "k"))
	f("UntagLogGroup", &logs.UntagLogGroupRequest{LogGroupName: api.Ptr("app"), Tags: []string{"k1", "k2"}},
		req("logs:UntagLogGroup", lg).tagged().cond("aws:TagKeys", "k1", "k2"))
	f("PutSubscriptionFilter", &logs.PutSubscriptionFilterRequest{LogGroupName: api.Ptr("app"), RoleArn: api.Ptr("arn:aws:iam::123456789012:role/cwl")},
		req("logs:PutSubscriptionFilter", lg).tagged(),
		req("iam:PassRole", "arn:aws:iam::123456789012:role/cwl").tagged().cond("iam:PassedToService", "logs.amazonaws.com"))
	f("PutSubscriptionFilter", &logs.PutSubscriptionFilterRequest{LogGroupName: api.Ptr("app")},
		req("logs:PutSubscriptionFilter", lg).tagged())
	f("DescribeDestinations", &logs.DescribeDestinationsRequest{}, req("logs:DescribeDestinations", "*"))
}
