"""Signs requests with botocore and prints them as JSON for botocore_test.go.

Each case is signed at 2026-01-02T03:04:05Z with the test credentials the Go
test uses; the output lists the method, URL, Host, headers and body exactly as
botocore would send them.
"""

import base64
import datetime
import io
import json
import sys
from urllib.parse import quote

import botocore.auth as auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.httpchecksum import AwsChunkedWrapper, Crc32Checksum, apply_request_checksum

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
REGION = "us-east-1"

auth.get_current_datetime = lambda *args, **kwargs: datetime.datetime(2026, 1, 2, 3, 4, 5)

creds = Credentials(AKID, SECRET)
token_creds = Credentials(AKID, SECRET, "FwoGZXIvYXdzEXAMPLE/token+==")

cases = []


def emit(name, signer, req, s3=False, payload=None):
    signer.add_auth(req)
    prepared = req.prepare()
    body = prepared.body
    if body is None:
        body = b""
    elif hasattr(body, "read"):
        body = body.read()
    elif isinstance(body, str):
        body = body.encode("utf-8")
    cases.append(
        {
            "name": name,
            "s3": s3,
            "method": prepared.method,
            "url": prepared.url,
            "host": auth._host_from_url(prepared.url),
            "headers": [[k, v if isinstance(v, str) else v.decode()] for k, v in prepared.headers.items()],
            "body": base64.b64encode(body).decode(),
            "payload": None if payload is None else base64.b64encode(payload).decode(),
        }
    )


emit(
    "logs awsJson",
    auth.SigV4Auth(creds, "logs", REGION),
    AWSRequest(
        "POST",
        "https://logs.us-east-1.amazonaws.com/",
        data=b'{"logGroupNamePrefix":"app"}',
        headers={"X-Amz-Target": "Logs_20140328.DescribeLogGroups", "Content-Type": "application/x-amz-json-1.1"},
    ),
)
emit(
    "sts form body with session token",
    auth.SigV4Auth(token_creds, "sts", REGION),
    AWSRequest(
        "POST",
        "https://sts.amazonaws.com/",
        data={"Action": "GetCallerIdentity", "Version": "2011-06-15"},
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    ),
)
emit(
    "query params with spaces sent as +",
    auth.SigV4Auth(creds, "monitoring", REGION),
    AWSRequest(
        "GET",
        "https://monitoring.us-east-1.amazonaws.com/",
        params={"Action": "ListMetrics", "Namespace": "My App/x", "MetricName": "a+b~c*", "Empty": ""},
    ),
)
emit(
    "non-S3 path normalized",
    auth.SigV4Auth(creds, "guardduty", REGION),
    AWSRequest("GET", "https://guardduty.us-east-1.amazonaws.com//detector/./abc%20def/../x//findings"),
)
emit(
    "Date header instead of X-Amz-Date",
    auth.SigV4Auth(creds, "logs", REGION),
    AWSRequest(
        "POST",
        "http://localhost:4566/",
        data=b"{}",
        headers={"Date": "placeholder", "X-Amz-Target": "Logs_20140328.DescribeLogGroups", "X-Custom": "a   b  c"},
    ),
)
emit(
    "s3 key with spaces, unicode and +",
    auth.S3SigV4Auth(creds, "s3", REGION),
    AWSRequest(
        "PUT",
        "https://s3.us-east-1.amazonaws.com/bucket/" + quote("my dir/\u00fcber+x %.txt", safe="/~"),
        data=b"hello world",
        headers={"Content-Type": "text/plain", "x-amz-meta-note": "two  spaces"},
    ),
    s3=True,
)
emit(
    "s3 query with repeated keys and empty values",
    auth.S3SigV4Auth(creds, "s3", REGION),
    AWSRequest("GET", "http://127.0.0.1:9000/bucket?list-type=2&prefix=&delimiter=%2F&acl&x=b&x=a"),
    s3=True,
)
emit(
    "s3 key with // and %2F",
    auth.S3SigV4Auth(creds, "s3", REGION),
    AWSRequest("GET", "https://s3.amazonaws.com/bucket//a%2Fb//./c"),
    s3=True,
)

# aws-chunked with an unsigned trailer, the way PutObject over HTTPS sends it.
data = b"0123456789abcdefghijklmnopqrstuvwxyz" * 3
request_dict = {
    "headers": {"Content-Length": str(len(data))},
    "body": data,
    "context": {"checksum": {"request_algorithm": {"in": "trailer", "name": "x-amz-checksum-sha256", "algorithm": "sha256"}}},
}
apply_request_checksum(request_dict)
req = AWSRequest("PUT", "https://bucket.s3.amazonaws.com/chunked.bin", data=request_dict["body"], headers=request_dict["headers"])
req.context = request_dict["context"]
emit("s3 aws-chunked sha256 trailer", auth.S3SigV4Auth(creds, "s3", REGION), req, s3=True, payload=data)

headers = {
    "Content-Encoding": "aws-chunked",
    "X-Amz-Trailer": "x-amz-checksum-crc32",
    "X-Amz-Decoded-Content-Length": str(len(data)),
    "Transfer-Encoding": "chunked",
}
req = AWSRequest(
    "PUT",
    "https://bucket.s3.amazonaws.com/small-chunks.bin",
    data=AwsChunkedWrapper(io.BytesIO(data), checksum_cls=Crc32Checksum, checksum_name="x-amz-checksum-crc32", chunk_size=10),
    headers=headers,
)
req.context = {"checksum": {"request_algorithm": {"in": "trailer", "name": "x-amz-checksum-crc32", "algorithm": "crc32"}}}
emit("s3 aws-chunked crc32 trailer, 10-byte chunks", auth.S3SigV4Auth(creds, "s3", REGION), req, s3=True, payload=data)

emit(
    "sts presigned",
    auth.SigV4QueryAuth(creds, "sts", REGION, expires=60),
    AWSRequest("GET", "https://sts.amazonaws.com/", params={"Action": "GetCallerIdentity", "Version": "2011-06-15"}),
)
emit(
    "s3 presigned with token",
    auth.S3SigV4QueryAuth(token_creds, "s3", REGION, expires=900),
    AWSRequest(
        "GET",
        "https://bucket.s3.amazonaws.com/"
        + quote("photos/my pic+1.jpg", safe="/~")
        + "?response-content-disposition="
        + quote('attachment; filename="a b.jpg"', safe=""),
    ),
    s3=True,
)

json.dump(cases, sys.stdout, indent=1)
