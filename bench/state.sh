#!/usr/bin/env bash
# Small durable state changes side by side with moto, in the same run:
# 16 aws-sdk-go-v2 clients, each in a log group of its own, alternating
# CreateLogStream and PutRetentionPolicy (logsbench state). Then the same
# load beside log ingestion (capped at 300 calls/s, then at full speed),
# against ingestion alone, each ingestion phase on a fresh database. The
# clients run on the same machine: on a small one the full-speed phase
# mostly measures the clients taking the server's cores.
# Usage: bench/state.sh [duration] (default 10s)
set -euo pipefail
cd "$(dirname "$0")/.."
d=${1:-10s}
work=$(mktemp -d)
trap 'kill $vigil $moto 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/vigil" ./cmd/vigil
go build -o "$work/logsbench" ./bench/logsbench
# start_vigil runs Vigil on a fresh data directory: each ingestion phase
# starts from an empty database, so that one phase's compaction does not
# land in the next.
start_vigil() {
  [ -n "${vigil:-}" ] && kill $vigil && wait $vigil 2>/dev/null || true
  rm -rf "$work/data"
  "$work/vigil" --dev --data-dir "$work/data" --listen 127.0.0.1:4597 --log-level warn 2>>"$work/vigil.log" &
  vigil=$!
  until curl -sf http://127.0.0.1:4597/_vigil/health >/dev/null; do sleep 0.1; done
}
start_vigil
python3 -m moto.server -p 4598 >"$work/moto.log" 2>&1 &
moto=$!
until curl -sf -o /dev/null http://127.0.0.1:4598/moto-api/ 2>/dev/null; do sleep 0.1; done
echo "== Vigil: state changes"
"$work/logsbench" -endpoint http://127.0.0.1:4597 -server-pid $vigil state -clients 16 -d "$d"
echo "== moto: state changes"
"$work/logsbench" -endpoint http://127.0.0.1:4598 -server-pid $moto state -clients 16 -d "$d"
start_vigil
echo "== Vigil: ingestion alone (4 streams)"
"$work/logsbench" -endpoint http://127.0.0.1:4597 -server-pid $vigil ingest -streams 4 -d "$d"
start_vigil
echo "== Vigil: ingestion (4 streams) with 300 state changes/s (16 clients) alongside"
"$work/logsbench" -endpoint http://127.0.0.1:4597 -server-pid $vigil state -clients 16 -rate 300 -streams 4 -d "$d"
start_vigil
echo "== Vigil: ingestion (4 streams) with state changes at full speed (16 clients) alongside"
"$work/logsbench" -endpoint http://127.0.0.1:4597 -server-pid $vigil state -clients 16 -streams 4 -d "$d"
