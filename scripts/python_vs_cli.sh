#!/usr/bin/env bash
# The seed script on spindle.nest against the `spindle` command (and NEST on
# the original script, with NEST_PYTHON set), same network, seed and thread
# count, alternating runs. Prints one CSV row per run:
#   system,threads,repeat,build_s,sim_s
# Usage: scripts/python_vs_cli.sh PYTHON_WITH_SPINDLE [REPEATS] [THREADS]
set -euo pipefail
py=$1; repeats=${2:-3}; threads=${3:-1}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/target/release/spindle
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
script=$work/brunel_alpha_nest.py
# The seed script as committed, with the thread count set after ResetKernel.
sed "s/^nest.ResetKernel()$/nest.ResetKernel()\nnest.local_num_threads = $threads/" \
    "$root/tests/python/brunel_alpha_nest.py" > "$script"
field() { grep "^$1 *:" | sed 's/.*: *\([0-9.]*\) s/\1/'; }
echo "system,threads,repeat,build_s,sim_s"
for r in $(seq 1 "$repeats"); do
    out=$(cd "$work" && MPLBACKEND=Agg "$py" "$script" 2>/dev/null)
    echo "spindle.nest,$threads,$r,$(field "Building time" <<<"$out"),$(field "Simulation time" <<<"$out")"
    out=$("$bin" --threads "$threads" --seed 143202461 --quiet --output-dir "$work/cli")
    echo "spindle,$threads,$r,$(field "Building time" <<<"$out"),$(field "Simulation time" <<<"$out")"
done
if [ -n "${NEST_PYTHON:-}" ]; then
    sed 's/^import spindle.nest as nest$/import nest/; s/^import spindle.nest.raster_plot$/import nest.raster_plot/' \
        "$script" > "$work/nest_script.py"
    out=$(cd "$work" && MPLBACKEND=Agg "$NEST_PYTHON" "$work/nest_script.py" 2>/dev/null)
    echo "nest,$threads,1,$(field "Building time" <<<"$out"),$(field "Simulation time" <<<"$out")"
fi
