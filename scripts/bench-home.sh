#!/usr/bin/env bash
# Load test of the citizen home page of one tenant, on loopback, with wrk (Debian package).
# Starts `carta dev` on a free port with the demo data, warms up, then measures:
#   1. GET / on cerveteri.localhost (tenant resolution, profile read in a tenant transaction,
#      template rendering)
#   2. GET /healthz (the same server without any database work): the baseline of the run
# and prints requests/s and latency percentiles for both, so the ratio can be compared across
# machines. Usage: scripts/bench-home.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-32}
port=${BENCH_PORT:-18181}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
make -s assets >/dev/null
go build -o /tmp/carta-bench ./cmd/carta
LOG_LEVEL=warn /tmp/carta-bench dev --port "$port" >/tmp/carta-bench.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break
  sleep 0.5
done
host="cerveteri.localhost:$port"
curl -fsS -o /dev/null -H "Host: $host" "http://127.0.0.1:$port/" || { echo "home page not served" >&2; cat /tmp/carta-bench.log; exit 1; }
wrk -t2 -c"$conns" -d3s -H "Host: $host" "http://127.0.0.1:$port/" >/dev/null
echo "== citizen home ($host), ${secs}s, $conns connections"
wrk -t2 -c"$conns" -d"${secs}s" --latency -H "Host: $host" "http://127.0.0.1:$port/" | grep -E 'Requests/sec|Latency|50%|90%|99%|Non-2xx'
echo "== /healthz baseline, same server"
wrk -t2 -c"$conns" -d"${secs}s" --latency "http://127.0.0.1:$port/healthz" | grep -E 'Requests/sec|Latency|50%|90%|99%'
