"""Runs a scenario (see scenario_test.go) with boto3 and prints the
outcomes as JSON: one {"response": ...} or {"error": code} per step.

Usage: scenario.py SCENARIO.json (the environment points boto3 at Vigil).
"""
import base64
import datetime
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request

import boto3
import botocore.config
import botocore.exceptions
from botocore import xform_name


def encode(o):
    if isinstance(o, datetime.datetime):
        return o.isoformat()
    if isinstance(o, (bytes, bytearray)):
        return base64.b64encode(o).decode()
    raise TypeError(type(o))


def main():
    with open(sys.argv[1]) as f:
        scenario = json.load(f)
    config = botocore.config.Config(retries={"max_attempts": 1}, inject_host_prefix=False)
    clients = {}
    out = []
    # The values saved by the steps, which later steps' parameters take
    # as {{name}}; {{endpoint}} is Vigil's URL.
    saved = {"endpoint": os.environ["AWS_ENDPOINT_URL"]}
    for step in scenario["steps"]:
        if "clock" in step:
            out.append(move_clock(step["clock"]))
            continue
        service = step.get("service") or scenario["service"]
        if service not in clients:
            clients[service] = boto3.client(service, config=config)
        client = clients[service]
        params = coerce(client.meta.service_model.operation_model(step["op"]).input_shape, expand(step.get("params") or {}, saved))
        outcome = repeat(step.get("until"), lambda: call(client, step["op"], params))
        for name, path in (step.get("save") or {}).items():
            value = lookup(outcome.get("response"), path)
            if isinstance(value, str):
                saved[name] = value
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                saved[name] = str(value)
        out.append(outcome)
    json.dump(out, sys.stdout, default=encode)


PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def expand(value, saved):
    """Replaces the {{name}} placeholders of parameters with the values
    saved by earlier steps (one not saved stays)."""
    if isinstance(value, dict):
        return {k: expand(v, saved) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v, saved) for v in value]
    if isinstance(value, str):
        return PLACEHOLDER.sub(lambda m: saved.get(m.group(1), m.group(0)), value)
    return value


def call(client, op, params):
    try:
        return {"response": getattr(client, xform_name(op))(**params)}
    except botocore.exceptions.ClientError as e:
        return {"error": e.response["Error"]["Code"]}


def move_clock(move):
    """Makes a clock step: posts the move to /_vigil/clock, which answers
    once the jobs it made due have finished; the outcome is an empty
    response."""
    request = urllib.request.Request(os.environ["AWS_ENDPOINT_URL"] + "/_vigil/clock", data=json.dumps(move).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request) as response:
            state = json.load(response)
    except urllib.error.HTTPError as e:
        sys.exit("POST /_vigil/clock %s = %d %s" % (json.dumps(move), e.code, e.read().decode()))
    if not state.get("settled"):
        sys.exit("POST /_vigil/clock %s answered before the jobs it made due had finished" % json.dumps(move))
    return {"response": {}}


def repeat(path, call):
    """Repeats a call while its response has nothing at path (a dotted
    path of keys and list indexes), for up to 15 seconds."""
    deadline = time.time() + 15
    while True:
        outcome = call()
        if not path or "error" in outcome or lookup(outcome["response"], path) or time.time() > deadline:
            return outcome
        time.sleep(0.2)


def lookup(value, path):
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def coerce(shape, value):
    """Turns the JSON parameters into what boto3 takes: datetimes for
    timestamps, bytes for blobs."""
    if shape is None or value is None:
        return value
    if shape.type_name == "structure":
        return {k: coerce(shape.members.get(k), v) for k, v in value.items()}
    if shape.type_name == "list":
        return [coerce(shape.member, v) for v in value]
    if shape.type_name == "map":
        return {k: coerce(shape.value, v) for k, v in value.items()}
    if shape.type_name == "timestamp" and isinstance(value, str):
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if shape.type_name == "blob" and isinstance(value, str):
        return base64.b64decode(value)
    return value


if __name__ == "__main__":
    main()
