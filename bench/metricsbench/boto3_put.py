"""PutMetricData through boto3 against any CloudWatch endpoint (Vigil, or
moto's server, which cannot decode the Go SDK's CBOR): the put workload of
metricsbench — 1,000 datums per call over 20 metric names x 50 hosts — from
several processes, reporting data points per second. Bodies go
uncompressed unless --gzip: moto's server fails on botocore's gzipped
PutMetricData (BadGzipFile), and compression costs the client more CPU than
the server spends.

    python3 bench/metricsbench/boto3_put.py --endpoint http://127.0.0.1:4590 --procs 4 --seconds 15

--server-pid PID also reports the CPU time (user and system, from Linux's
/proc) the server spent per call, which compares servers when the clients
are what bounds the rate.
"""
import argparse
import datetime
import multiprocessing
import time

import boto3
from botocore.config import Config


def datums():
    now = datetime.datetime.now(datetime.timezone.utc)
    return [
        {"MetricName": "Metric%02d" % m, "Dimensions": [{"Name": "Host", "Value": "host-%02d" % h}],
         "Timestamp": now, "Value": float(m * h), "Unit": "Milliseconds"}
        for m in range(20) for h in range(50)
    ]


def worker(endpoint, seconds, gzip, out):
    c = boto3.client("cloudwatch", endpoint_url=endpoint, region_name="us-east-1",
                     aws_access_key_id="123456789012", aws_secret_access_key="bench",
                     config=Config(retries={"max_attempts": 1}, disable_request_compression=not gzip))
    data = datums()
    calls = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        c.put_metric_data(Namespace="Bench", MetricData=data)
        calls += 1
    out.put(calls)


def cpu_seconds(pid):
    """utime + stime of a process, in seconds (USER_HZ is 100)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / 100.0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--endpoint", default="http://127.0.0.1:4580")
    p.add_argument("--procs", type=int, default=4)
    p.add_argument("--seconds", type=float, default=15)
    p.add_argument("--gzip", action="store_true")
    p.add_argument("--server-pid", type=int, default=0)
    a = p.parse_args()
    cpu = cpu_seconds(a.server_pid) if a.server_pid else 0
    out = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=worker, args=(a.endpoint, a.seconds, a.gzip, out)) for _ in range(a.procs)]
    start = time.monotonic()
    for pr in procs:
        pr.start()
    calls = sum(out.get() for _ in procs)
    for pr in procs:
        pr.join()
    elapsed = time.monotonic() - start
    print("boto3 put: %d processes, %d calls of 1000 datums in %.1fs: %.0f data points/s"
          % (a.procs, calls, elapsed, calls * 1000 / elapsed))
    if a.server_pid and calls:
        used = cpu_seconds(a.server_pid) - cpu
        print("server CPU: %.2fs, %.2f ms per call" % (used, used * 1000 / calls))


if __name__ == "__main__":
    main()
