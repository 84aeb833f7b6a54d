#!/usr/bin/env bash
# Foundation benchmarks: server start to healthy on an empty data
# directory, and STS GetCallerIdentity throughput from a loopback load
# generator. Usage: bench/foundation.sh [duration]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10s}
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/vigil" ./cmd/vigil
go build -o "$work/loadgen" ./bench/loadgen
port=4599
start=$(date +%s%N)
"$work/vigil" --data-dir "$work/data" --listen 127.0.0.1:$port --log-level warn 2>"$work/vigil.log" &
pid=$!
until curl -sf http://127.0.0.1:$port/_vigil/health >/dev/null; do sleep 0.005; done
echo "start to healthy (empty data directory): $(( ($(date +%s%N) - start) / 1000000 )) ms"
for op in sts; do
  "$work/loadgen" -endpoint http://127.0.0.1:$port -credentials "$work/data/credentials" -op $op -c 32 -d "$duration" || true
done
