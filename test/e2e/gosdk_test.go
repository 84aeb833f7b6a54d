package e2e

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
)

// goConfig returns an SDK config for v signed with the root key; secret
// overrides the secret, and anonymous sends unsigned requests.
func (v *vigil) goConfig(secret string, anonymous bool) aws.Config {
	root := v.app.Root()
	if secret == "" {
		secret = root.SecretAccessKey
	}
	cfg := aws.Config{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(v.endpoint),
		RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: root.AccessKeyID, SecretAccessKey: secret}, nil
		}),
	}
	if anonymous {
		cfg.Credentials = aws.AnonymousCredentials{}
	}
	return cfg
}

// devConfig returns an SDK config for a dev-mode Vigil at v, signing as
// the given account id.
func (v *vigil) devConfig(account string) aws.Config {
	return aws.Config{
		Region: "us-east-1", BaseEndpoint: aws.String(v.endpoint), RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: account, SecretAccessKey: "dev"}, nil
		}),
	}
}

// apiError asserts err is an API error with the code and HTTP status.
func apiError(t *testing.T, err error, code string, status int, msgPart string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v; want an API error %s", err, code)
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msgPart) {
		t.Errorf("error = %s: %s; want %s containing %q", ae.ErrorCode(), ae.ErrorMessage(), code, msgPart)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != status {
		t.Errorf("HTTP status = %d; want %d", re.HTTPStatusCode(), status)
	}
}

func TestGoSDKCallerIdentity(t *testing.T) {
	v := start(t, false)
	out, err := sts.NewFromConfig(v.goConfig("", false)).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	root := v.app.Root()
	if aws.ToString(out.Account) != root.AccountID || aws.ToString(out.Arn) != "arn:aws:iam::"+root.AccountID+":root" ||
		aws.ToString(out.UserId) != root.AccountID {
		t.Errorf("GetCallerIdentity = %s %s %s", aws.ToString(out.Account), aws.ToString(out.Arn), aws.ToString(out.UserId))
	}
}

// TestGoSDKNotImplemented calls an unimplemented operation in each protocol
// family: it must answer 501 NotImplemented naming itself.
func TestGoSDKNotImplemented(t *testing.T) {
	v := start(t, false)
	cfg := v.goConfig("", false)
	ctx := context.Background()
	calls := []struct {
		name string
		call func() error
		msg  string
	}{
		{"awsJson1.1 (logs)", func() error {
			_, err := cloudwatchlogs.NewFromConfig(cfg).DescribeDeliveries(ctx, &cloudwatchlogs.DescribeDeliveriesInput{})
			return err
		}, "DescribeDeliveries of service CloudWatch Logs"},
		{"rpcv2Cbor (cloudwatch)", func() error {
			_, err := cloudwatch.NewFromConfig(cfg).DescribeInsightRules(ctx, &cloudwatch.DescribeInsightRulesInput{})
			return err
		}, "DescribeInsightRules of service CloudWatch"},
		{"awsQuery (sts)", func() error {
			_, err := sts.NewFromConfig(cfg).AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String("111122223333"),
				TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials")}})
			return err
		}, "AssumeRoot of service STS"},
		{"restJson1 (guardduty)", func() error {
			_, err := guardduty.NewFromConfig(cfg).ListDetectors(ctx, &guardduty.ListDetectorsInput{})
			return err
		}, "ListDetectors of service GuardDuty"},
		{"restXml (s3)", func() error {
			_, err := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).GetBucketWebsite(ctx, &s3.GetBucketWebsiteInput{Bucket: aws.String("b")})
			return err
		}, "GetBucketWebsite of service S3"},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			apiError(t, c.call(), "NotImplemented", http.StatusNotImplemented, c.msg)
		})
	}
}

// TestGoSDKAuthFailures checks that wrongly signed and unsigned requests are
// refused with the codes each protocol's clients expect.
func TestGoSDKAuthFailures(t *testing.T) {
	v := start(t, false)
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		secret    string
		anonymous bool
		logs      string
		sts       string
		cw        string
	}{
		{"wrong secret", "not-the-secret", false, "InvalidSignatureException", "SignatureDoesNotMatch", "SignatureDoesNotMatch"},
		{"unsigned", "", true, "MissingAuthenticationTokenException", "MissingAuthenticationToken", "MissingAuthenticationToken"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := v.goConfig(tc.secret, tc.anonymous)
			_, err := cloudwatchlogs.NewFromConfig(cfg).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
			apiError(t, err, tc.logs, 400, "")
			_, err = sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			apiError(t, err, tc.sts, 403, "")
			_, err = cloudwatch.NewFromConfig(cfg).ListMetrics(ctx, &cloudwatch.ListMetricsInput{})
			apiError(t, err, tc.cw, 400, "")
		})
	}
}

// TestGoSDKDevMode accepts any credentials and derives the account from a
// 12-digit access key id.
func TestGoSDKDevMode(t *testing.T) {
	v := start(t, true)
	cfg := v.goConfig("", false)
	cfg.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "123456789012", SecretAccessKey: "anything"}, nil
	})
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Account) != "123456789012" {
		t.Errorf("dev-mode account = %s; want 123456789012", aws.ToString(out.Account))
	}
}
