#!/usr/bin/env bash
# What recording API calls costs, side by side in the same run: Vigil at
# HEAD against Vigil built at a base revision (by default b712f25, the
# last build without CloudTrail's recorder), alternately, each run on a
# fresh data directory. logsbench ingest (PutLogEvents, 4 streams: a data
# call, never recorded) and logsbench state (16 clients making
# CreateLogStream and PutRetentionPolicy: management calls, each
# recorded). Prints events/s or calls/s and server CPU (from /proc).
# Usage: bench/recording.sh [base revision] [duration] [rounds] (default b712f25 15s 3)
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-b712f25}
d=${2:-15s}
rounds=${3:-3}
work=$(mktemp -d)
pid=
trap 'kill $pid 2>/dev/null || true; git worktree remove --force "$work/base" 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/head" ./cmd/vigil
go build -o "$work/logsbench" ./bench/logsbench
git worktree add -q --detach "$work/base" "$base"
(cd "$work/base" && go build -o "$work/base-vigil" ./cmd/vigil)
run() { # label binary workload...
  local label=$1 bin=$2; shift 2
  rm -rf "$work/data"
  "$bin" --dev --data-dir "$work/data" --listen 127.0.0.1:4729 --log-level warn 2>>"$work/vigil.log" &
  pid=$!
  until curl -sf http://127.0.0.1:4729/_vigil/health >/dev/null; do sleep 0.1; done
  out=$(AWS_ACCESS_KEY_ID=123456789012 AWS_SECRET_ACCESS_KEY=x "$work/logsbench" -endpoint http://127.0.0.1:4729 -server-pid $pid "$@")
  echo "$label $1: $(echo "$out" | grep -Eo '[0-9]+ (events|calls)/s') $(echo "$out" | grep -o '[0-9.]* µs per [a-z]*')"
  kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; pid=
}
for _ in $(seq "$rounds"); do
  for workload in "ingest -streams 4" "state -clients 16"; do
    run "base $base" "$work/base-vigil" $workload -d "$d"
    run "HEAD      " "$work/head" $workload -d "$d"
  done
done
