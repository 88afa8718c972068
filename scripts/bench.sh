#!/usr/bin/env bash
# yeji beside the DuckDB yardstick on the same files, in the same run.
# usage: scripts/bench.sh [LINES] [REPS]     (needs `pip install duckdb`)
set -euo pipefail
cd "$(dirname "$0")/.."
lines="${1:-10000000}"
reps="${2:-2000}"
shared="${SHARED:-../shared}"
work="${BENCH_DIR:-$HOME/.cache/yeji/bench}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/yeji/target}"
mkdir -p "$work"
data="$work/big-$lines"
if [ ! -f "$data/orders.csv" ]; then
  python3 "$shared/bench/make_big.py" "$data" "$lines" "$reps"
fi
cargo build --release -p yeji
echo "== duckdb"
python3 "$shared/bench/duckdb_anchor.py" "$data" 2026-Q3 2
echo "== yeji"
"$CARGO_TARGET_DIR/release/yeji" bench --data "$data" --workspace "$work/yeji-ws" --period 2026-Q3
