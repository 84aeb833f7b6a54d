"""Consumes an SQS queue with boto3 for sqsconsumers_test.go, beside the Go
SDK's consumers, as they do: receives up to MAX messages at a time and
deletes them (DeleteMessageBatch), except those it keeps in flight as a
consumer that crashed would: a message whose body is in KEEP on its first
receive and, in a FIFO queue, the messages of its group received after it
in the same receive. It prints each thing it does as a JSON line:
{"consumer", "call", "kind": "recv" (when a receive returned the message),
"keep" or "del" (just before it asks to delete it), "id", "body", "group",
"count" (ApproximateReceiveCount), "at" (Unix nanoseconds)}.

Usage: sqs_consume.py QUEUE_URL NAME MAX KEEP_JSON

It prints {"kind": "ready"} once its client is made, starts when it reads
a line, and stops when its standard input ends. The environment points
boto3 at Vigil.
"""
import json
import sys
import threading
import time

import boto3
import botocore.config


def main():
    queue, name, most, keep = sys.argv[1], sys.argv[2], int(sys.argv[3]), set(json.loads(sys.argv[4]))
    fifo = queue.endswith(".fifo")
    client = boto3.client("sqs", config=botocore.config.Config(retries={"max_attempts": 1}))
    emit({"kind": "ready"})
    sys.stdin.readline()
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    call = 0
    while not stop.is_set():
        call += 1
        got = client.receive_message(QueueUrl=queue, MaxNumberOfMessages=most, MessageSystemAttributeNames=["All"]).get("Messages", [])
        at = time.time_ns()
        if not got:
            time.sleep(0.005)
            continue
        for m in got:
            emit(event(name, call, "recv", m, at))
        kept, delete = set(), []
        for m in got:
            e = event(name, call, "", m, 0)
            if (e["body"] in keep and e["count"] == 1) or (fifo and e["group"] in kept):
                kept.add(e["group"])
                emit(dict(e, kind="keep", at=time.time_ns()))
            else:
                delete.append(m)
        if delete:
            at = time.time_ns()
            for m in delete:
                emit(event(name, call, "del", m, at))
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(delete)]
            failed = client.delete_message_batch(QueueUrl=queue, Entries=entries).get("Failed")
            if failed:
                sys.exit("DeleteMessageBatch failed: %r" % failed)


def event(name, call, kind, m, at):
    attrs = m.get("Attributes", {})
    return {"consumer": name, "call": call, "kind": kind, "id": m["MessageId"], "body": m["Body"],
            "group": attrs.get("MessageGroupId", ""), "count": int(attrs["ApproximateReceiveCount"]), "at": at}


def emit(e):
    sys.stdout.write(json.dumps(e) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
