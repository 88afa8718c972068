#!/usr/bin/env bash
# API latency under load: `yeji serve` on a workspace, wrk with 200 connections
# for 10 s on the overview and a rep page (after one warm-up request each),
# then the server's peak RSS.  usage: scripts/web-bench.sh WORKSPACE [PERIOD] [REP]
# With users in the workspace, set YEJI_BENCH_USERS="login:password ..." (e.g.
# "director:demo-director manager:demo-manager" for the demo): each signs in
# (the sign-in's time is printed, median of five) and the load runs once per
# user with their session cookie, in the same run, so a director (who sees
# everything) and a manager (whose views are filtered to their scope) compare.
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
users="${YEJI_BENCH_USERS:-}"

# A session cookie for login:password (none without users); prints the
# median time of five sign-ins to stderr.
sign_in() {
  [ -z "$1" ] && return 0
  local login="${1%%:*}" password="${1#*:}" times=() cookie=""
  for _ in 1 2 3 4 5; do
    times+=("$(curl -s -o /dev/null -w '%{time_total}' -H 'Content-Type: application/json' \
      -d "{\"login\":\"$login\",\"password\":\"$password\"}" "$base/api/v1/session")")
  done
  echo "== sign-in as $login: median $(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p) s" >&2
  cookie=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"login\":\"$login\",\"password\":\"$password\"}" "$base/api/v1/session" \
    | grep -i '^set-cookie: yeji_session=' | sed 's/^[Ss]et-[Cc]ookie: //; s/;.*//')
  echo "$cookie"
}

first_cookie=$(sign_in "${users%% *}")
auth=()
[ -n "$first_cookie" ] && auth=(-H "Cookie: $first_cookie")
# The server computes the default period's overview and the score history of
# entity pages when it starts: wait for both, so the figures below are not those
# of two computations at once.
start=$(date +%s.%N)
curl -s -o /dev/null "${auth[@]}" "$base/api/v1/overview"
echo "== warm-up, default period's overview: $(echo "$(date +%s.%N) - $start" | bc) s"
rep="${3:-$(curl -s "${auth[@]}" "$base/api/v1/evaluation?period=$period&level=rep" | python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["id"])')}"
curl -s -o /dev/null "${auth[@]}" "$base/api/v1/entities/$rep"
echo "== warm-up, and the score history: $(echo "$(date +%s.%N) - $start" | bc) s"
for user in ${users:-""}; do
  cookie=$(sign_in "$user")
  headers=()
  [ -n "$cookie" ] && headers=(-H "Cookie: $cookie")
  [ -n "$user" ] && echo "=== as ${user%%:*}"
  for path in "/api/v1/overview?period=$period" "/api/v1/entities/$rep?period=$period" "/?period=$period"; do
    start=$(date +%s.%N)
    status=$(curl -s -o /dev/null -w '%{http_code}' "${headers[@]}" "$base$path")
    echo "== $path   first (uncached) request: $(echo "$(date +%s.%N) - $start" | bc) s, status $status"
    wrk -t2 -c200 -d10s --latency "${headers[@]}" "$base$path" | grep -E "Requests/sec|Latency  |50%|99%|Non-2xx"
  done
done
echo "first page load, gzip: $(curl -s --compressed -o /dev/null -w '%{size_download}' -H 'Accept-Encoding: gzip' "${auth[@]}" "$base/?period=$period") bytes html + assets:"
for asset in echarts.min.js htmx.min.js app.js app.css; do
  echo "  $asset $(curl -s -o /dev/null -w '%{size_download}' -H 'Accept-Encoding: gzip' "$base/assets/$asset")"
done
echo "server peak RSS: $(grep VmHWM /proc/$server/status | awk '{print $2/1024 " MB"}')"
