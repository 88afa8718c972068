#!/usr/bin/env bash
# Fuzzes the JSON API from its own OpenAPI document with schemathesis, against
# a real `yeji serve` on the demo company: every documented status, every
# response schema, server errors, and requests the schema forbids.
# usage: scripts/api-fuzz.sh [MAX_EXAMPLES]        (needs `pip install schemathesis`)
#
# Not checked: "positive data acceptance". The schema gives a period's shape
# (a pattern), and the server refuses with a documented 400 what only its
# meaning rules out (a range whose ends are of different kinds or in the
# wrong order, week 53 of a year without one). Nor "ignored auth": every
# request carries the director's token (-H), which schemathesis cannot take
# away when it sends a forged cookie beside it; anonymous, forged, expired and
# revoked credentials are tested by crates/yeji/tests/people.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/yeji/target}"
examples="${1:-50}"
work="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
cargo build --release -p yeji
yeji="$CARGO_TARGET_DIR/release/yeji"
"$yeji" demo --no-serve -w "$work/demo" >/dev/null
# As the demo's director (sees everything), by an API token.
token=$("$yeji" token create -w "$work/demo" director 2>/dev/null | tail -1)
"$yeji" serve -w "$work/demo" --addr 127.0.0.1:18089 > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 50); do curl -sf http://127.0.0.1:18089/api/v1/openapi.json >/dev/null && break; sleep 0.2; done
# POST paths (imports, reverts) change the workspace: fuzzed by the tests instead.
st run http://127.0.0.1:18089/api/v1/openapi.json --checks all --exclude-checks positive_data_acceptance,ignored_auth \
  --exclude-method POST --max-examples "$examples" -H "Authorization: Bearer $token"
