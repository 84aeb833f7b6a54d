#!/usr/bin/env bash
# SQS message throughput side by side with moto, in the same run:
# aws-sdk-go-v2 workers (8 by default) on one standard queue, each
# sending batches of 10, receiving up to 10 and deleting what it got
# (bench/sqsbench cycle), first against Vigil (--dev), then against
# moto's server; msgs/s counts messages sent, received and deleted.
# The workers run on the same machine as the server: on a small one
# they take a good part of its cores.
# Usage: bench/sqs.sh [duration] [workers] (default 20s 8)
set -euo pipefail
cd "$(dirname "$0")/.."
d=${1:-20s}
workers=${2:-8}
work=$(mktemp -d)
vigil= moto=
trap 'kill $vigil $moto 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/vigil" ./cmd/vigil
go build -o "$work/sqsbench" ./bench/sqsbench
"$work/vigil" --dev --data-dir "$work/data" --listen 127.0.0.1:4595 --log-level warn 2>"$work/vigil.log" &
vigil=$!
until curl -sf http://127.0.0.1:4595/_vigil/health >/dev/null; do sleep 0.1; done
python3 -m moto.server -p 4596 >"$work/moto.log" 2>&1 &
moto=$!
until curl -sf -o /dev/null http://127.0.0.1:4596/moto-api/ 2>/dev/null; do sleep 0.1; done
echo "== Vigil ($(git describe --always --dirty 2>/dev/null || echo unknown))"
"$work/sqsbench" -endpoint http://127.0.0.1:4595 -server-pid $vigil cycle -workers "$workers" -d "$d" | tee "$work/vigil.out"
echo "== moto $(python3 -c 'import moto; print(moto.__version__)')"
"$work/sqsbench" -endpoint http://127.0.0.1:4596 -server-pid $moto cycle -workers "$workers" -d "$d" | tee "$work/moto.out"
v=$(awk '/^RESULT/ {print $3}' "$work/vigil.out")
m=$(awk '/^RESULT/ {print $3}' "$work/moto.out")
echo "== Vigil $v msgs/s, moto $m msgs/s: Vigil/moto = $(awk -v v="$v" -v m="$m" 'BEGIN { if (m > 0) printf "%.1f", v / m; else print "inf" }')x"
