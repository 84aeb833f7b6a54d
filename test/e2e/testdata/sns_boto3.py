"""Makes SNS calls with boto3 for sns_test.go, in one process: reads a JSON
request a line from standard input, {"op": "CreateTopic", "params": {...}},
and answers each with a line, {"response": ...} or {"error": code}, as
scenario.py does for a step. The environment points boto3 at Vigil.

Usage: sns_boto3.py
"""
import json
import sys

import boto3
import botocore.config

from scenario import call, coerce, encode


def main():
    client = boto3.client("sns", config=botocore.config.Config(retries={"max_attempts": 1}))
    for line in sys.stdin:
        request = json.loads(line)
        params = coerce(client.meta.service_model.operation_model(request["op"]).input_shape, request.get("params") or {})
        sys.stdout.write(json.dumps(call(client, request["op"], params), default=encode) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
