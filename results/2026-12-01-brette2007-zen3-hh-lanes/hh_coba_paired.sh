#!/bin/bash
# Paired ABBA rounds of HH-COBA (seed 3, 1000 ms): base and new build, threads $1.
t=$1
for r in 1 2 3 4; do
  if [ $((r % 2)) -eq 1 ]; then order="base new"; else order="new base"; fi
  for b in $order; do
    /tmp/spindle-$b --network brette2007 --model hh_coba --threads $t --seed 3 --record-to none --quiet --json /tmp/hp.json > /dev/null
    python3 -c "import json;d=json.load(open('/tmp/hp.json'));print('round $r $b threads $t', round(d['time_simulate'],3), d['spike_digest'])"
  done
done
