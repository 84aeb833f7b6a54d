package e2e

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

const (
	accountA = "111111111111"
	accountB = "222222222222"
)

// keyConfig returns an SDK config for v signing with a key pair (and a
// session token for temporary credentials).
func (v *vigil) keyConfig(id, secret, token string) aws.Config {
	cfg := v.devConfig(id)
	cfg.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: token}, nil
	})
	return cfg
}

// newUserKey creates an IAM user with an inline policy (none when "")
// and an access key, as the account's root.
func newUserKey(t *testing.T, c *iam.Client, user, policy string) (id, secret string) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: &user}); err != nil {
		t.Fatal(err)
	}
	if policy != "" {
		if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: &user, PolicyName: aws.String("p"), PolicyDocument: &policy}); err != nil {
			t.Fatal(err)
		}
	}
	k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: &user})
	if err != nil {
		t.Fatal(err)
	}
	return *k.AccessKey.AccessKeyId, *k.AccessKey.SecretAccessKey
}

const describeOnly = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:Describe*","Resource":"*"}]}`

const bobRefused = "User: arn:aws:iam::111111111111:user/bob is not authorized to perform: logs:PutLogEvents on resource: " +
	"arn:aws:logs:us-east-1:111111111111:log-group:app:log-stream:s1 because no identity-based policy allows the logs:PutLogEvents action"

// TestIAMEnforced, through aws-sdk-go-v2, boto3 and the AWS CLI: an IAM
// user limited to logs:Describe* is refused PutLogEvents with AWS's
// message; a deactivated key is refused at once; a role of account A
// assumed from account B reads A's logs only while the trust policy and
// B's user's policy allow it, and its credentials expire on the clock.
func TestIAMEnforced(t *testing.T) {
	v := startStill(t, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	ctx := context.Background()
	rootA := iam.NewFromConfig(v.devConfig(accountA))
	logsA := cloudwatchlogs.NewFromConfig(v.devConfig(accountA))
	if _, err := logsA.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	if _, err := logsA.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("app"), LogStreamName: aws.String("s1")}); err != nil {
		t.Fatal(err)
	}
	put := &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("app"), LogStreamName: aws.String("s1"),
		LogEvents: []logstypes.InputLogEvent{{Message: aws.String("hi"), Timestamp: aws.Int64(time.Now().UnixMilli())}}}

	bobID, bobSecret := newUserKey(t, rootA, "bob", describeOnly)
	bob := cloudwatchlogs.NewFromConfig(v.keyConfig(bobID, bobSecret, ""))
	if _, err := bob.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{}); err != nil {
		t.Fatalf("bob describes: %v", err)
	}
	_, err := bob.PutLogEvents(ctx, put)
	apiError(t, err, "AccessDeniedException", 400, bobRefused)
	if _, err := cloudwatchlogs.NewFromConfig(v.keyConfig(bobID, "wrong", "")).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{}); err == nil {
		t.Error("bob's key id with another secret was accepted")
	}
	t.Run("boto3", func(t *testing.T) {
		py := python3(t)
		cmd := exec.Command(py, "-c", `
import boto3, sys
c = boto3.client("logs", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3])
c.describe_log_groups()
try:
    c.put_log_events(logGroupName="app", logStreamName="s1", logEvents=[{"timestamp": 1, "message": "hi"}])
    sys.exit("PutLogEvents was allowed")
except c.exceptions.ClientError as e:
    print(e.response["Error"]["Code"], e.response["Error"]["Message"])
`, v.endpoint, bobID, bobSecret)
		out, err := cmd.CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "AccessDeniedException "+bobRefused {
			t.Errorf("boto3: %v\n%s", err, out)
		}
	})
	t.Run("awscli-1.45", func(t *testing.T) {
		cmd := exec.Command(python3(t), "-m", "awscli", "--endpoint-url", v.endpoint, "logs", "put-log-events",
			"--log-group-name", "app", "--log-stream-name", "s1", "--log-events", "timestamp=1,message=hi")
		cmd.Env = append(v.env(), "AWS_ACCESS_KEY_ID="+bobID, "AWS_SECRET_ACCESS_KEY="+bobSecret, "AWS_DEFAULT_REGION=us-east-1")
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "(AccessDeniedException) when calling the PutLogEvents operation") || !strings.Contains(string(out), bobRefused) {
			t.Errorf("aws logs put-log-events as bob: %v\n%s", err, out)
		}
	})
	// A refused management call is in CloudTrail, as bob's, AccessDenied.
	_, err = bob.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("mine")})
	apiError(t, err, "AccessDeniedException", 400, "is not authorized to perform: logs:CreateLogGroup")
	v.settle(t)
	events, err := cloudtrail.NewFromConfig(v.devConfig(accountA)).LookupEvents(ctx, &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyUsername, AttributeValue: aws.String("bob")}}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range events.Events {
		if *e.EventName == "CreateLogGroup" && strings.Contains(*e.CloudTrailEvent, `"errorCode":"AccessDenied"`) &&
			strings.Contains(*e.CloudTrailEvent, `"arn":"arn:aws:iam::111111111111:user/bob"`) {
			found = true
		}
	}
	if !found {
		t.Errorf("bob's refused CreateLogGroup is not in CloudTrail as AccessDenied: %d events", len(events.Events))
	}
	if _, err := rootA.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("bob"), AccessKeyId: &bobID, Status: "Inactive"}); err != nil {
		t.Fatal(err)
	}
	_, err = bob.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	apiError(t, err, "UnrecognizedClientException", 400, "The security token included in the request is invalid.")

	// A queue's policy takes part: its Deny binds the owner's users.
	sqsA := sqs.NewFromConfig(v.devConfig(accountA))
	vaultPolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"sqs:SendMessage","Resource":"*",
		"Condition":{"StringNotEquals":{"aws:PrincipalArn":"arn:aws:iam::111111111111:root"}}}]}`
	q, err := sqsA.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("vault"), Attributes: map[string]string{"Policy": vaultPolicy}})
	if err != nil {
		t.Fatal(err)
	}
	opsID, opsSecret := newUserKey(t, rootA, "ops", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`)
	ops := sqs.NewFromConfig(v.keyConfig(opsID, opsSecret, ""))
	_, err = ops.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("x")})
	apiError(t, err, "AccessDenied", 400, "with an explicit deny in a resource-based policy")
	if _, err := ops.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl}); err != nil {
		t.Errorf("ops reads the queue's attributes, which the policy does not deny: %v", err)
	}
	if _, err := sqsA.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("x")}); err != nil {
		t.Errorf("the root sends: %v", err)
	}

	// Account A's role, which account B may assume.
	trustB := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"sts:AssumeRole"}]}`
	if _, err := rootA.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("reader"), AssumeRolePolicyDocument: &trustB}); err != nil {
		t.Fatal(err)
	}
	if _, err := rootA.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("reader"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess")}); err != nil {
		t.Fatal(err)
	}
	rootB := iam.NewFromConfig(v.devConfig(accountB))
	carolID, carolSecret := newUserKey(t, rootB, "carol", "")
	carol := sts.NewFromConfig(v.keyConfig(carolID, carolSecret, ""))
	assume := &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/reader"), RoleSessionName: aws.String("audit")}
	_, err = carol.AssumeRole(ctx, assume)
	apiError(t, err, "AccessDenied", 403, "User: arn:aws:iam::222222222222:user/carol is not authorized to perform: sts:AssumeRole on resource: "+
		"arn:aws:iam::111111111111:role/reader because no identity-based policy allows the sts:AssumeRole action")
	mayAssume := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::111111111111:role/*"}]}`
	if _, err := rootB.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("assume"), PolicyDocument: &mayAssume}); err != nil {
		t.Fatal(err)
	}
	got, err := carol.AssumeRole(ctx, assume)
	if err != nil {
		t.Fatalf("carol assumes reader: %v", err)
	}
	if *got.AssumedRoleUser.Arn != "arn:aws:sts::111111111111:assumed-role/reader/audit" || !strings.HasPrefix(*got.Credentials.AccessKeyId, "ASIA") {
		t.Errorf("AssumeRole = %+v", got.AssumedRoleUser)
	}
	c := got.Credentials
	session := v.keyConfig(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	who, err := sts.NewFromConfig(session).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || *who.Arn != "arn:aws:sts::111111111111:assumed-role/reader/audit" || *who.Account != accountA {
		t.Fatalf("GetCallerIdentity as the session = %+v, %v", who, err)
	}
	t.Run("awscli-2.9", func(t *testing.T) {
		_, err := exec.LookPath(debianAWSCLI)
		requireClient(t, "the Debian AWS CLI 2.9", err == nil)
		cmd := exec.Command(debianAWSCLI, "--endpoint-url", v.endpoint, "--output", "text", "sts", "get-caller-identity", "--query", "Arn")
		cmd.Env = append(v.env(), "AWS_ACCESS_KEY_ID="+*c.AccessKeyId, "AWS_SECRET_ACCESS_KEY="+*c.SecretAccessKey,
			"AWS_SESSION_TOKEN="+*c.SessionToken, "AWS_DEFAULT_REGION=us-east-1")
		out, err := cmd.CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "arn:aws:sts::111111111111:assumed-role/reader/audit" {
			t.Errorf("aws sts get-caller-identity with the session's credentials: %v\n%s", err, out)
		}
	})
	reader := cloudwatchlogs.NewFromConfig(session)
	if _, err := reader.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("app"), LogStreamName: aws.String("s1")}); err != nil {
		t.Errorf("the session reads A's log stream: %v", err)
	}
	_, err = reader.PutLogEvents(ctx, put)
	apiError(t, err, "AccessDeniedException", 400, "User: arn:aws:sts::111111111111:assumed-role/reader/audit is not authorized to perform: logs:PutLogEvents")

	// The trust no longer names B: AssumeRole is refused by it.
	trustC := strings.ReplaceAll(trustB, accountB, "333333333333")
	if _, err := rootA.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("reader"), PolicyDocument: &trustC}); err != nil {
		t.Fatal(err)
	}
	_, err = carol.AssumeRole(ctx, assume)
	apiError(t, err, "AccessDenied", 403, "because no resource-based policy allows the sts:AssumeRole action")

	// Role sessions last an hour by default, on Vigil's clock.
	v.moveClock(t, `{"advance": "61m"}`)
	_, err = reader.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	apiError(t, err, "ExpiredTokenException", 400, "The security token included in the request is expired")
}
