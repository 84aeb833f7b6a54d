#!/usr/bin/env bash
# S3 object throughput side by side with moto, in the same run:
# aws-sdk-go-v2 workers (8 by default), each putting a 64 KiB object and
# reading it back (bench/s3bench putget), first against Vigil's bucket
# store (--dev), then against moto's server; ops/s counts PUTs and GETs.
# The workers run on the same machine as the server: on a small one
# they take a good part of its cores.
# Usage: bench/s3.sh [duration] [workers] [size] (default 20s 8 65536)
set -euo pipefail
cd "$(dirname "$0")/.."
d=${1:-20s}
workers=${2:-8}
size=${3:-65536}
work=$(mktemp -d)
vigil= moto=
trap 'kill $vigil $moto 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/vigil" ./cmd/vigil
go build -o "$work/s3bench" ./bench/s3bench
"$work/vigil" --dev --data-dir "$work/data" --listen 127.0.0.1:4597 --log-level warn 2>"$work/vigil.log" &
vigil=$!
until curl -sf http://127.0.0.1:4597/_vigil/health >/dev/null; do sleep 0.1; done
python3 -m moto.server -p 4598 >"$work/moto.log" 2>&1 &
moto=$!
until curl -sf -o /dev/null http://127.0.0.1:4598/moto-api/ 2>/dev/null; do sleep 0.1; done
echo "== Vigil ($(git describe --always --dirty 2>/dev/null || echo unknown))"
"$work/s3bench" -endpoint http://127.0.0.1:4597 -server-pid $vigil putget -workers "$workers" -size "$size" -d "$d" | tee "$work/vigil.out"
echo "== moto $(python3 -c 'import moto; print(moto.__version__)')"
"$work/s3bench" -endpoint http://127.0.0.1:4598 -server-pid $moto putget -workers "$workers" -size "$size" -d "$d" | tee "$work/moto.out"
v=$(awk '/^RESULT/ {print $3}' "$work/vigil.out")
m=$(awk '/^RESULT/ {print $3}' "$work/moto.out")
echo "== Vigil $v ops/s, moto $m ops/s: Vigil/moto = $(awk -v v="$v" -v m="$m" 'BEGIN { if (m > 0) printf "%.1f", v / m; else print "inf" }')x"
