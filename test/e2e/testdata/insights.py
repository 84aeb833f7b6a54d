"""Logs Insights through boto3: a real query lifecycle over known events,
with the rows computed by hand; malformed queries; saved queries."""

import sys
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

failures = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + str(detail)))
    if not ok:
        failures.append(name)


logs = boto3.client("logs", config=Config(retries={"max_attempts": 1, "mode": "standard"}))
now = int(time.time())
logs.create_log_group(logGroupName="/svc/api")
logs.create_log_stream(logGroupName="/svc/api", logStreamName="i-1")
events = []
for i in range(12):
    level = ["INFO", "WARN", "ERROR"][i % 3]
    events.append({"timestamp": (now - 600 + i * 10) * 1000,
                   "message": '{"level": "%s", "path": "/p%d", "latency": %d}' % (level, i % 2, (i + 1) * 10)})
logs.put_log_events(logGroupName="/svc/api", logStreamName="i-1", logEvents=events)


def run(query, **kw):
    qid = logs.start_query(logGroupName="/svc/api", startTime=now - 3600, endTime=now + 60, queryString=query, **kw)["queryId"]
    for _ in range(200):
        res = logs.get_query_results(queryId=qid)
        if res["status"] not in ("Scheduled", "Running"):
            return res
        time.sleep(0.05)
    return res


def rows(res):
    return [{f["field"]: f["value"] for f in r} for r in res["results"]]


res = run("stats count(*) as n, avg(latency) as avg by level | sort level")
check("stats by level", res["status"] == "Complete" and rows(res) == [
    {"level": "ERROR", "n": "4", "avg": "75"},
    {"level": "INFO", "n": "4", "avg": "55"},
    {"level": "WARN", "n": "4", "avg": "65"},
], rows(res))
check("statistics", res["statistics"]["recordsScanned"] == 12 and res["statistics"]["recordsMatched"] == 12, res["statistics"])

res = run("fields @timestamp, latency | filter level = 'ERROR' and latency > 50 | sort latency desc | limit 2")
got = rows(res)
check("filter sort limit", [r["latency"] for r in got] == ["120", "90"] and all("@ptr" in r for r in got), got)
rec = logs.get_log_record(logRecordPointer=got[0]["@ptr"])["logRecord"]
check("get log record", rec.get("latency") == "120" and rec.get("@logStream") == "i-1", rec)

res = run("filter path = '/p1' | stats sum(latency) as total")
check("stats without keys", rows(res) == [{"total": "420"}], rows(res))  # 20+40+60+80+100+120

try:
    logs.start_query(logGroupName="/svc/api", startTime=now - 60, endTime=now, queryString="stats count(*) by")
    check("malformed query", False, "accepted")
except ClientError as e:
    check("malformed query", e.response["Error"]["Code"] == "MalformedQueryException", e.response["Error"])

qs = logs.describe_queries(logGroupName="/svc/api")["queries"]
check("describe queries", len(qs) == 3 and all(q["status"] == "Complete" for q in qs), qs)
fields = {f["name"]: f["percent"] for f in logs.get_log_group_fields(logGroupName="/svc/api", time=now - 600)["logGroupFields"]}
check("log group fields", fields.get("level") == 100 and fields.get("@message") == 100, fields)

qd = logs.put_query_definition(name="errors", queryString="filter level = 'ERROR'", logGroupNames=["/svc/api"])["queryDefinitionId"]
defs = logs.describe_query_definitions(queryDefinitionNamePrefix="err")["queryDefinitions"]
check("query definitions", [d["queryDefinitionId"] for d in defs] == [qd] and defs[0]["logGroupNames"] == ["/svc/api"], defs)
check("delete definition", logs.delete_query_definition(queryDefinitionId=qd)["success"] is True)

sys.exit(1 if failures else 0)
