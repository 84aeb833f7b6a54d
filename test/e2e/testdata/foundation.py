"""Drives a Vigil with boto3: caller identity, the NotImplemented answer of
each protocol family and the authentication failures. The endpoint, region
and credentials come from the environment Vigil prints (AWS_ENDPOINT_URL,
AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE, AWS_DEFAULT_REGION)."""

import sys

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

account = sys.argv[1]
failures = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail))
    if not ok:
        failures.append(name)


def expect_error(name, call, code, status):
    try:
        call()
    except ClientError as e:
        got = (e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])
        check(name, got == (code, status), "got %s, want %s" % (got, (code, status)))
        return e.response["Error"].get("Message", "")
    check(name, False, "no error")
    return ""


config = Config(retries={"max_attempts": 1, "mode": "standard"})
session = boto3.Session()

ident = session.client("sts", config=config).get_caller_identity()
check("sts get_caller_identity", ident["Account"] == account and ident["Arn"] == "arn:aws:iam::%s:root" % account, repr(ident))

families = [
    ("logs (awsJson1.1)", "logs", lambda c: c.describe_deliveries(), "DescribeDeliveries"),
    ("cloudwatch (awsJson1.0, query-compatible)", "cloudwatch", lambda c: c.describe_insight_rules(), "DescribeInsightRules"),
    ("iam (awsQuery)", "iam", lambda c: c.list_saml_providers(), "ListSAMLProviders"),
    ("guardduty (restJson1)", "guardduty", lambda c: c.list_detectors(), "ListDetectors"),
    ("s3 (restXml)", "s3", lambda c: c.get_bucket_website(Bucket="b"), "GetBucketWebsite"),
]
for name, service, call, op in families:
    client = session.client(service, config=config)
    msg = expect_error("not implemented: " + name, lambda: call(client), "NotImplemented", 501)
    check("message names the operation: " + name, op in msg, msg)

bad = boto3.Session(aws_access_key_id=session.get_credentials().access_key, aws_secret_access_key="wrong",
                    region_name=session.region_name)
expect_error("wrong secret: sts", lambda: bad.client("sts", config=config).get_caller_identity(), "SignatureDoesNotMatch", 403)
expect_error("wrong secret: logs", lambda: bad.client("logs", config=config).describe_log_groups(), "InvalidSignatureException", 400)
expect_error("wrong secret: cloudwatch", lambda: bad.client("cloudwatch", config=config).list_metrics(), "SignatureDoesNotMatch", 400)

unknown = boto3.Session(aws_access_key_id="AKIAUNKNOWNUNKNOWN00", aws_secret_access_key="x", region_name=session.region_name)
expect_error("unknown key: sts", lambda: unknown.client("sts", config=config).get_caller_identity(), "InvalidClientTokenId", 403)
expect_error("unknown key: logs", lambda: unknown.client("logs", config=config).describe_log_groups(), "UnrecognizedClientException", 400)

unsigned = Config(signature_version=botocore.UNSIGNED, retries={"max_attempts": 1, "mode": "standard"})
expect_error("unsigned: sts", lambda: session.client("sts", config=unsigned).get_caller_identity(), "MissingAuthenticationToken", 403)
expect_error("unsigned: logs", lambda: session.client("logs", config=unsigned).describe_log_groups(), "MissingAuthenticationTokenException", 400)
expect_error("unsigned: cloudwatch", lambda: session.client("cloudwatch", config=unsigned).list_metrics(), "MissingAuthenticationToken", 400)

sys.exit(1 if failures else 0)
