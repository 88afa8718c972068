#!/usr/bin/env bash
# API latency under load: `yeji serve` on a workspace, wrk with 200 connections
# for 10 s on the overview and a rep page (after one warm-up request each),
# then the server's peak RSS.  usage: scripts/web-bench.sh WORKSPACE [PERIOD] [REP]
# Needs wrk (apt install wrk) and a release build (cargo build --release -p yeji).
set -euo pipefail
cd "$(dirname "$0")/.."
workspace="$1"
period="${2:-2026-Q3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/yeji/target}"
yeji="$CARGO_TARGET_DIR/release/yeji"
port=18089
"$yeji" serve -w "$workspace" --addr "127.0.0.1:$port" >/dev/null &
server=$!
trap 'kill $server 2>/dev/null' EXIT
until curl -s -o /dev/null "http://127.0.0.1:$port/assets/app.css"; do sleep 0.2; done
base="http://127.0.0.1:$port"
# The server computes the default period's overview and the score history of
# entity pages when it starts: wait for both, so the figures below are not those
# of two computations at once.
start=$(date +%s.%N)
curl -s -o /dev/null "$base/api/v1/overview"
echo "== warm-up, default period's overview: $(echo "$(date +%s.%N) - $start" | bc) s"
rep="${3:-$(curl -s "$base/api/v1/evaluation?period=$period&level=rep" | python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["id"])')}"
curl -s -o /dev/null "$base/api/v1/entities/$rep"
echo "== warm-up, and the score history: $(echo "$(date +%s.%N) - $start" | bc) s"
for path in "/api/v1/overview?period=$period" "/api/v1/entities/$rep?period=$period" "/?period=$period"; do
  start=$(date +%s.%N)
  curl -s -o /dev/null "$base$path"
  echo "== $path   first (uncached) request: $(echo "$(date +%s.%N) - $start" | bc) s"
  wrk -t2 -c200 -d10s --latency "$base$path" | grep -E "Requests/sec|Latency  |50%|99%"
done
echo "first page load, gzip: $(curl -s --compressed -o /dev/null -w '%{size_download}' -H 'Accept-Encoding: gzip' "$base/?period=$period") bytes html + assets:"
for asset in echarts.min.js htmx.min.js app.js app.css; do
  echo "  $asset $(curl -s -o /dev/null -w '%{size_download}' -H 'Accept-Encoding: gzip' "$base/assets/$asset")"
done
echo "server peak RSS: $(grep VmHWM /proc/$server/status | awk '{print $2/1024 " MB"}')"
