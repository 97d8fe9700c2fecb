#!/usr/bin/env bash
# Alternating runs of the seed network (order 2500, 1000 ms) with each
# vector path of the neuron update forced by SPINDLE_ISA.
set -euo pipefail
bin=$1; out=$2
echo "isa,threads,repeat,spike_digest,time_update_cpu_s,time_update_s,sim_time_s" > "$out"
for t in 1 2; do for r in 1 2 3 4 5; do for isa in portable avx2 avx512; do
  j=$(mktemp); SPINDLE_ISA=$isa "$bin" --threads $t --quiet --record-to none --json "$j" > /dev/null
  python3 -c "import json,sys;d=json.load(open('$j'));print(f\"$isa,$t,$r,{d['spike_digest']},{d['phases']['time_update']['cpu']:.4f},{d['time_update']:.4f},{d['sim_time']:.4f}\")" >> "$out"; rm -f "$j"
done; done; done
