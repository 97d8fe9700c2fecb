#!/usr/bin/env bash
# Thread scaling of the seed network on a many-core box, the current build
# against an older one in the same session: one `spindle bench` result set
# per build (orders 2500 and 10000, threads 1..cores in powers of two,
# 3 repeats), then `compare` of the two and the machine's lscpu.
# usage: scripts/thread_scaling.sh NEW_BIN OLD_BIN OUT_DIR [ORDERS]
set -euo pipefail
new=$1; old=$2; out=$3; orders=${4:-2500,10000}
cores=$(nproc)
threads=1; t=2
while [ "$t" -le "$cores" ]; do threads="$threads,$t"; t=$((t * 2)); done
mkdir -p "$out"
lscpu > "$out/lscpu.txt"
"$new" bench --orders "$orders" --threads "$threads" --repeats 3 --out "$out/new" --label new
"$old" bench --orders "$orders" --threads "$threads" --repeats 3 --out "$out/old" --label old
"$new" compare "$out/old" "$out/new" > "$out/compare.txt" || true
