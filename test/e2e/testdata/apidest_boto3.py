"""EventBridge connection (OAuth client credentials) and API destination
through boto3: the rule's events reach the local server given in argv[1].
Prints the ARNs made, as JSON."""
import json
import sys

import boto3

base = sys.argv[1]
ev = boto3.client("events")
conn = ev.create_connection(
    Name="hooks-boto3",
    AuthorizationType="OAUTH_CLIENT_CREDENTIALS",
    AuthParameters={
        "OAuthParameters": {
            "ClientParameters": {"ClientID": "vigil", "ClientSecret": "s3cret"},
            "AuthorizationEndpoint": base + "/token",
            "HttpMethod": "POST",
            "OAuthHttpParameters": {"BodyParameters": [{"Key": "grant_type", "Value": "client_credentials"}]},
        }
    },
)
got = ev.describe_connection(Name="hooks-boto3")
assert got["AuthorizationType"] == "OAUTH_CLIENT_CREDENTIALS", got
assert "ClientSecret" not in json.dumps(got["AuthParameters"], default=str), got
dest = ev.create_api_destination(
    Name="orders-boto3",
    ConnectionArn=conn["ConnectionArn"],
    InvocationEndpoint=base + "/orders/*",
    HttpMethod="POST",
    InvocationRateLimitPerSecond=10,
)
ev.put_rule(Name="to-hook-boto3", EventPattern=json.dumps({"source": ["shop.boto3"]}))
out = ev.put_targets(
    Rule="to-hook-boto3",
    Targets=[{
        "Id": "hook",
        "Arn": dest["ApiDestinationArn"],
        "RoleArn": "arn:aws:iam::123456789012:role/events",
        "HttpParameters": {"PathParameterValues": ["7"], "HeaderParameters": {"X-Client": "boto3"}},
    }],
)
assert out["FailedEntryCount"] == 0, out
put = ev.put_events(Entries=[{"Source": "shop.boto3", "DetailType": "order", "Detail": json.dumps({"n": 7})}])
assert put["FailedEntryCount"] == 0, put
print(json.dumps({"connection": conn["ConnectionArn"], "destination": dest["ApiDestinationArn"]}))
