"""Calls a few AWS APIs with boto3 against the test server of botocore_test.go.

Usage: boto3_calls.py <endpoint> <ca-bundle>. Responses are not checked here
(the server answers with stubs); the Go test checks what the server verified.
"""

import ssl
import sys
import urllib.request

import boto3
from botocore.config import Config

endpoint, ca = sys.argv[1], sys.argv[2]
session = boto3.session.Session(
    aws_access_key_id="AKIDEXAMPLE",
    aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    region_name="us-east-1",
)
config = Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"})


def call(fn):
    try:
        fn()
    except Exception as e:  # the stub responses do not always parse
        print(type(e).__name__, e, file=sys.stderr)


logs = session.client("logs", endpoint_url=endpoint, verify=ca, config=config)
call(lambda: logs.describe_log_groups(logGroupNamePrefix="app"))

sts = session.client("sts", endpoint_url=endpoint, verify=ca, config=config)
call(lambda: sts.get_caller_identity())

s3 = session.client("s3", endpoint_url=endpoint, verify=ca, config=config)
call(lambda: s3.put_object(Bucket="bucket", Key="dir/my key+\u00fc.txt", Body=b"hello from boto3 " * 100))
call(lambda: s3.put_object(Bucket="bucket", Key="sha", Body=b"checksummed", ChecksumAlgorithm="SHA256"))
call(lambda: s3.list_objects_v2(Bucket="bucket", Prefix="a b+c/\u00fc", Delimiter="/"))

# In us-east-1 boto3 presigns S3 URLs with SigV2 unless told otherwise; the
# server must refuse that one and accept the SigV4 one.
for version in (None, "s3v4"):
    presigner = session.client(
        "s3", endpoint_url=endpoint, verify=ca, config=config.merge(Config(signature_version=version))
    )
    url = presigner.generate_presigned_url(
        "get_object", Params={"Bucket": "bucket", "Key": "dir/my key+\u00fc.txt"}, ExpiresIn=300
    )
    call(lambda: urllib.request.urlopen(url, context=ssl.create_default_context(cafile=ca)).read())
