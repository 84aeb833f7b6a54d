"""The CloudWatch Logs scenario through boto3: groups, streams, ingestion
with partial rejection, get/filter with several pattern forms and
pagination, metric filters, subscriptions across accounts, tags, retention
and Live Tail. Vigil runs in dev mode so that two accounts can be used."""

import gzip
import json
import sys
import threading
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = sys.argv[1]
failures = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + str(detail)))
    if not ok:
        failures.append(name)


def client(account, region="us-east-1"):
    return boto3.client("logs", endpoint_url=endpoint, region_name=region, aws_access_key_id=account,
                        aws_secret_access_key="x", config=Config(retries={"max_attempts": 1, "mode": "standard"}))


def error_code(call):
    try:
        call()
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"].get("Message", "")
    return None, None


logs = client("111111111111")
now = int(time.time() * 1000)

logs.create_log_group(logGroupName="/app/web", tags={"team": "core"}, logGroupClass="STANDARD")
logs.create_log_group(logGroupName="/app/api")
code, msg = error_code(lambda: logs.create_log_group(logGroupName="/app/web"))
check("duplicate group", code == "ResourceAlreadyExistsException", code)
code, msg = error_code(lambda: logs.create_log_group(logGroupName="bad:name"))
check("invalid group name", code == "InvalidParameterException" and "regular expression pattern" in msg, msg)

groups = logs.describe_log_groups(logGroupNamePrefix="/app/")["logGroups"]
check("describe groups sorted", [g["logGroupName"] for g in groups] == ["/app/api", "/app/web"], groups)
web = [g for g in groups if g["logGroupName"] == "/app/web"][0]
check("group arn", web["arn"].endswith(":log-group:/app/web:*") and web["logGroupArn"] == web["arn"][:-2], web)
paged = [g["logGroupName"] for page in logs.get_paginator("describe_log_groups").paginate(PaginationConfig={"PageSize": 1}) for g in page["logGroups"]]
check("describe groups paginator", paged == ["/app/api", "/app/web"], paged)

logs.create_log_stream(logGroupName="/app/web", logStreamName="i-1")
logs.create_log_stream(logGroupName="/app/web", logStreamName="i-2")

resp = logs.put_log_events(logGroupName="/app/web", logStreamName="i-1", logEvents=[{"timestamp": now, "message": "ERROR disk full"}])
check("accepted batch has no rejectedLogEventsInfo", "rejectedLogEventsInfo" not in resp, resp)
resp = logs.put_log_events(logGroupName="/app/web", logStreamName="i-1", logEvents=[
    {"timestamp": now - 15 * 24 * 3600 * 1000, "message": "too old"},
    {"timestamp": now - 15 * 24 * 3600 * 1000 + 1000, "message": "too old 2"},
])
check("too old rejected", resp.get("rejectedLogEventsInfo") == {"tooOldLogEventEndIndex": 2}, resp)
resp = logs.put_log_events(logGroupName="/app/web", logStreamName="i-1", logEvents=[
    {"timestamp": now + 1, "message": "INFO ok"},
    {"timestamp": now + 3 * 3600 * 1000, "message": "too new"},
])
check("too new rejected", resp.get("rejectedLogEventsInfo") == {"tooNewLogEventStartIndex": 1}, resp)
code, msg = error_code(lambda: logs.put_log_events(logGroupName="/app/web", logStreamName="i-1", logEvents=[
    {"timestamp": now, "message": "b"}, {"timestamp": now - 1, "message": "a"}]))
check("chronological order", code == "InvalidParameterException" and "chronological" in msg, msg)

events = [{"timestamp": now + i, "message": json.dumps({"level": "ERROR" if i % 3 == 0 else "INFO", "n": i, "path": "/p%d" % (i % 2)})} for i in range(30)]
logs.put_log_events(logGroupName="/app/web", logStreamName="i-2", logEvents=events)

got = logs.get_log_events(logGroupName="/app/web", logStreamName="i-2", limit=10)
check("get latest page", [json.loads(e["message"])["n"] for e in got["events"]] == list(range(20, 30)), got["events"])
back = logs.get_log_events(logGroupName="/app/web", logStreamName="i-2", limit=10, nextToken=got["nextBackwardToken"])
check("get backward page", [json.loads(e["message"])["n"] for e in back["events"]] == list(range(10, 20)), back["events"])
head = logs.get_log_events(logGroupName="/app/web", logStreamName="i-2", startFromHead=True)
end = logs.get_log_events(logGroupName="/app/web", logStreamName="i-2", nextToken=head["nextForwardToken"])
check("end of stream returns the same forward token", end["events"] == [] and end["nextForwardToken"] == head["nextForwardToken"], end)

def filter_all(**kw):
    out = []
    for page in logs.get_paginator("filter_log_events").paginate(logGroupName="/app/web", PaginationConfig={"PageSize": 4}, **kw):
        out.extend(page["events"])
    return out

errors = filter_all(filterPattern="ERROR")
check("term pattern across streams", len(errors) == 11, len(errors))
check("event ids unique", len({e["eventId"] for e in errors}) == len(errors))
check("ascending time", [e["timestamp"] for e in errors] == sorted(e["timestamp"] for e in errors))
check("JSON pattern", len(filter_all(filterPattern='{ $.level = "ERROR" && $.n >= 15 }')) == 5)
check("OR terms", len(filter_all(filterPattern="?disk ?ok")) == 2)
check("stream names", len(filter_all(logStreamNames=["i-1"], filterPattern="")) == 2)
code, msg = error_code(lambda: logs.filter_log_events(logGroupName="/app/web", filterPattern="{ $.a = "))
check("invalid pattern", code == "InvalidParameterException", (code, msg))

logs.put_metric_filter(logGroupName="/app/web", filterName="errors", filterPattern='{ $.level = "ERROR" }',
                       metricTransformations=[{"metricName": "Errors", "metricNamespace": "App", "metricValue": "1",
                                               "dimensions": {"Path": "$.path"}, "unit": "Count"}])
mf = logs.describe_metric_filters(logGroupName="/app/web")["metricFilters"]
check("describe metric filters", len(mf) == 1 and mf[0]["metricTransformations"][0]["dimensions"] == {"Path": "$.path"}, mf)
tm = logs.test_metric_filter(filterPattern="[ip, user, status=4*]", logEventMessages=["1.1.1.1 bob 404", "1.1.1.1 bob 200"])
check("test metric filter", [m["eventNumber"] for m in tm["matches"]] == [1] and tm["matches"][0]["extractedValues"]["$status"] == "404", tm)

logs.tag_resource(resourceArn=web["logGroupArn"], tags={"env": "prod"})
logs.untag_resource(resourceArn=web["logGroupArn"], tagKeys=["team"])
check("tags", logs.list_tags_for_resource(resourceArn=web["logGroupArn"])["tags"] == {"env": "prod"})
check("legacy tags", logs.list_tags_log_group(logGroupName="/app/web")["tags"] == {"env": "prod"})
logs.put_retention_policy(logGroupName="/app/web", retentionInDays=30)
code, msg = error_code(lambda: logs.put_retention_policy(logGroupName="/app/web", retentionInDays=2))
check("retention values", code == "InvalidParameterException" and "enum value set" in msg, msg)
check("retention shown", logs.describe_log_groups(logGroupNamePrefix="/app/web")["logGroups"][0]["retentionInDays"] == 30)

# Cross-account subscription through a destination.
central = client("222222222222", "eu-west-1")
central.create_log_group(logGroupName="central")
target = central.describe_log_groups()["logGroups"][0]["logGroupArn"]
dest = central.put_destination(destinationName="aggregate", targetArn=target, roleArn="arn:aws:iam::222222222222:role/x")["destination"]
central.put_destination_policy(destinationName="aggregate", accessPolicy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "111111111111"}, "Action": "logs:PutSubscriptionFilter", "Resource": dest["arn"]}]}))
logs.put_subscription_filter(logGroupName="/app/api", filterName="to-central", filterPattern="shipped", destinationArn=dest["arn"])
code, msg = error_code(lambda: logs.put_subscription_filter(logGroupName="/app/api", filterName="k", filterPattern="",
                                                             destinationArn="arn:aws:kinesis:us-east-1:111111111111:stream/s"))
check("kinesis target refused", code == "InvalidParameterException" and "Vigil delivers subscription data" in msg, msg)
logs.create_log_stream(logGroupName="/app/api", logStreamName="s")
logs.put_log_events(logGroupName="/app/api", logStreamName="s", logEvents=[{"timestamp": now, "message": "shipped 1"}, {"timestamp": now, "message": "kept"}])
received = []
for _ in range(50):
    received = central.filter_log_events(logGroupName="central")["events"]
    if received:
        break
    time.sleep(0.1)
check("subscription delivered across accounts", [e["message"] for e in received] == ["shipped 1"] and received[0]["logStreamName"] == "111111111111//app/api/s", received)

# Live Tail (botocore injects the stream- host prefix unless told not to).
arn = logs.describe_log_groups(logGroupNamePrefix="/app/api")["logGroups"][0]["logGroupArn"]
tail = logs.start_live_tail(logGroupIdentifiers=[arn], logEventFilterPattern="tailed")
def writer():
    time.sleep(1.2)
    logs.put_log_events(logGroupName="/app/api", logStreamName="s", logEvents=[{"timestamp": int(time.time() * 1000), "message": "tailed event"}])
threading.Thread(target=writer).start()
seen, kinds = [], []
for ev in tail["responseStream"]:
    kinds.append(next(iter(ev)))
    seen.extend(r["message"] for r in ev.get("sessionUpdate", {}).get("sessionResults", []))
    if seen or len(kinds) > 6:
        break
tail["responseStream"].close()
check("live tail", kinds[0] == "sessionStart" and seen == ["tailed event"], (kinds, seen))

logs.delete_log_stream(logGroupName="/app/web", logStreamName="i-1")
logs.delete_log_group(logGroupName="/app/web")
code, _ = error_code(lambda: logs.describe_log_streams(logGroupName="/app/web"))
check("deleted group is gone", code == "ResourceNotFoundException", code)

sys.exit(1 if failures else 0)
