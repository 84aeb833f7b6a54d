package e2e

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// oidcBoto3 drives IAM's OpenID Connect providers with boto3, asserting
// as it goes. Usage: python3 -c oidcBoto3 ACCOUNT_ID.
const oidcBoto3 = `
import datetime
import sys

import boto3
import botocore.config
import botocore.exceptions

ACCOUNT = sys.argv[1]
iam = boto3.client("iam", config=botocore.config.Config(retries={"max_attempts": 1}))
URL = "https://token.actions.githubusercontent.com"
ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
THUMB = "6938FD4D98BAB03FAADB97B34396831E3780AEA1"


def fails(code, message, fn, **kwargs):
    try:
        fn(**kwargs)
    except botocore.exceptions.ClientError as e:
        got = e.response["Error"]
        assert got["Code"] == code and (message is None or got["Message"] == message), f"{fn.__name__}{kwargs}: {got}; want {code} {message}"
        return
    raise AssertionError(f"{fn.__name__}{kwargs} succeeded; want {code}")


out = iam.create_open_id_connect_provider(Url=URL, ClientIDList=["sts.amazonaws.com"], ThumbprintList=[THUMB],
                                          Tags=[{"Key": "env", "Value": "ci"}])
assert out["OpenIDConnectProviderArn"] == ARN, out
assert out["Tags"] == [{"Key": "env", "Value": "ci"}], out
fails("EntityAlreadyExists", f"Provider with url {URL} already exists.", iam.create_open_id_connect_provider, Url=URL)
fails("ValidationError", "Invalid Open ID Connect Provider URL", iam.create_open_id_connect_provider, Url="example.org")
fails("InvalidInput", "Invalid Open ID Connect Provider URL. The URL must begin with https://.",
      iam.create_open_id_connect_provider, Url="http://example.org")
fails("InvalidInput", "Invalid Open ID Connect Provider URL.", iam.create_open_id_connect_provider, Url="https://example.org?a=b")
fails("InvalidInput", "Thumbprint list must contain fewer than 5 entries.", iam.create_open_id_connect_provider,
      Url="https://example.org", ThumbprintList=[THUMB] * 6)
fails("LimitExceeded", "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100", iam.create_open_id_connect_provider,
      Url="https://example.org", ClientIDList=[str(i) for i in range(101)])

got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=ARN)
assert got["Url"] == "token.actions.githubusercontent.com", got
assert got["ClientIDList"] == ["sts.amazonaws.com"] and got["ThumbprintList"] == [THUMB.lower()], got
assert isinstance(got["CreateDate"], datetime.datetime) and got["Tags"] == [{"Key": "env", "Value": "ci"}], got

iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=ARN, ClientID="my-app")
iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=ARN, ClientID="my-app")
iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=ARN, ClientID="sts.amazonaws.com")
iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=ARN, ClientID="sts.amazonaws.com")
iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=ARN, ThumbprintList=["a" * 40, "b" * 40])
iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=ARN, Tags=[{"Key": "team", "Value": "x"}])
iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=ARN, TagKeys=["env"])
got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=ARN)
assert got["ClientIDList"] == ["my-app"] and got["ThumbprintList"] == ["a" * 40, "b" * 40], got
assert got["Tags"] == [{"Key": "team", "Value": "x"}], got
tags = iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=ARN)
assert tags["Tags"] == [{"Key": "team", "Value": "x"}] and not tags["IsTruncated"], tags

bare = iam.create_open_id_connect_provider(Url="https://oidc.example.com/id/AB")["OpenIDConnectProviderArn"]
got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=bare)
assert got["Url"] == "oidc.example.com/id/AB" and got["ClientIDList"] == [] and got["ThumbprintList"] == [] and got["Tags"] == [], got
arns = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
assert arns == [bare, ARN], arns

iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=ARN)
fails("NoSuchEntity", f"OpenId connect Provider {ARN} cannot be found.", iam.delete_open_id_connect_provider, OpenIDConnectProviderArn=ARN)
fails("NoSuchEntity", f"OpenIDConnect Provider not found for arn {ARN}", iam.get_open_id_connect_provider, OpenIDConnectProviderArn=ARN)
fails("NoSuchEntity", f"OpenIDConnect Provider not found for arn {ARN}", iam.tag_open_id_connect_provider,
      OpenIDConnectProviderArn=ARN, Tags=[{"Key": "a", "Value": "b"}])
print("ok")
`

// TestBoto3IAMOIDC drives OpenID Connect providers with boto3.
func TestBoto3IAMOIDC(t *testing.T) {
	py := python3(t)
	v := start(t, false)
	cmd := exec.Command(py, "-c", oidcBoto3, v.app.Root().AccountID)
	cmd.Env = v.env()
	out, err := cmd.CombinedOutput()
	t.Logf("boto3:\n%s", out)
	if err != nil {
		t.Fatalf("boto3 OpenID Connect providers: %v", err)
	}
}

// TestAWSCLIIAMOIDC drives OpenID Connect providers with the AWS CLI
// 1.45, which takes --url as it is (it fetches the URLs of other
// parameters).
func TestAWSCLIIAMOIDC(t *testing.T) {
	py := python3(t)
	v := start(t, false)
	run := func(args ...string) (string, error) {
		cmd := exec.Command(py, append([]string{"-m", "awscli", "--output", "json", "iam"}, args...)...)
		cmd.Env = v.env()
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	aws := func(args ...string) string {
		t.Helper()
		out, err := run(args...)
		if err != nil {
			t.Fatalf("aws iam %v: %v\n%s", args, err, out)
		}
		return out
	}
	decode := func(out string, v any) {
		t.Helper()
		if err := json.Unmarshal([]byte(out), v); err != nil {
			t.Fatalf("%s: %v", out, err)
		}
	}
	var created struct{ OpenIDConnectProviderArn string }
	decode(aws("create-open-id-connect-provider", "--url", "https://oidc.example.com/id/AB", "--client-id-list", "sts.amazonaws.com",
		"--thumbprint-list", strings.Repeat("F", 40), "--tags", "Key=env,Value=ci"), &created)
	arn := "arn:aws:iam::" + v.app.Root().AccountID + ":oidc-provider/oidc.example.com/id/AB"
	if created.OpenIDConnectProviderArn != arn {
		t.Fatalf("create-open-id-connect-provider = %+v; want %s", created, arn)
	}
	if out, err := run("create-open-id-connect-provider", "--url", "https://oidc.example.com/id/AB"); err == nil ||
		!strings.Contains(out, "(EntityAlreadyExists)") || !strings.Contains(out, "Provider with url https://oidc.example.com/id/AB already exists.") {
		t.Errorf("create-open-id-connect-provider again = %v\n%s; want EntityAlreadyExists", err, out)
	}
	aws("add-client-id-to-open-id-connect-provider", "--open-id-connect-provider-arn", arn, "--client-id", "app")
	aws("update-open-id-connect-provider-thumbprint", "--open-id-connect-provider-arn", arn, "--thumbprint-list", strings.Repeat("a", 40))
	var got struct {
		Url                          string
		ClientIDList, ThumbprintList []string
		CreateDate                   string
		Tags                         []struct{ Key, Value string }
	}
	decode(aws("get-open-id-connect-provider", "--open-id-connect-provider-arn", arn), &got)
	if got.Url != "oidc.example.com/id/AB" || !slices.Equal(got.ClientIDList, []string{"app", "sts.amazonaws.com"}) ||
		!slices.Equal(got.ThumbprintList, []string{strings.Repeat("a", 40)}) || got.CreateDate == "" || len(got.Tags) != 1 || got.Tags[0].Key != "env" {
		t.Errorf("get-open-id-connect-provider = %+v", got)
	}
	var list struct{ OpenIDConnectProviderList []struct{ Arn string } }
	decode(aws("list-open-id-connect-providers"), &list)
	if len(list.OpenIDConnectProviderList) != 1 || list.OpenIDConnectProviderList[0].Arn != arn {
		t.Errorf("list-open-id-connect-providers = %+v; want %s", list, arn)
	}
	aws("untag-open-id-connect-provider", "--open-id-connect-provider-arn", arn, "--tag-keys", "env")
	var tags struct{ Tags []struct{ Key string } }
	decode(aws("list-open-id-connect-provider-tags", "--open-id-connect-provider-arn", arn), &tags)
	if len(tags.Tags) != 0 {
		t.Errorf("list-open-id-connect-provider-tags after untagging = %+v; want none", tags)
	}
	aws("delete-open-id-connect-provider", "--open-id-connect-provider-arn", arn)
	if out, err := run("get-open-id-connect-provider", "--open-id-connect-provider-arn", arn); err == nil || !strings.Contains(out, "(NoSuchEntity)") {
		t.Errorf("get-open-id-connect-provider after deleting = %v\n%s; want NoSuchEntity", err, out)
	}
}
