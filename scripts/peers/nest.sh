#!/usr/bin/env bash
# Runs NEST's example script of the Brunel network for --model (nest_brunel.py),
# or with --network microcircuit NEST's PD14 microcircuit example
# (nest_microcircuit.py), with --network hpc_benchmark NEST's hpc_benchmark.py
# (nest_hpc_benchmark.py), with --network brette2007 its brette_et_al_2007
# scripts (nest_brette2007.py), in NEST with Spindle's flags and result record.
# $SPINDLE_NEST_PYTHON, if set, must be a Python that can `import nest`
# (and, for the microcircuit, numpy and matplotlib, which the example
# imports); otherwise NEST 3.10.0 (the PyPI wheel, which needs Python 3.11)
# and matplotlib are installed into .venv-nest in the repository root on
# first use.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
script="$here/nest_brunel.py"
prev=""
for a in "$@"; do
  net=""
  case "$a" in --network=*) net="${a#--network=}" ;; esac
  [ "$prev" = "--network" ] && net="$a"
  case "$net" in
    microcircuit) script="$here/nest_microcircuit.py" ;;
    hpc_benchmark) script="$here/nest_hpc_benchmark.py" ;;
    brette2007) script="$here/nest_brette2007.py" ;;
  esac
  prev="$a"
done
if [ -n "${SPINDLE_NEST_PYTHON:-}" ]; then
  exec "$SPINDLE_NEST_PYTHON" "$script" "$@"
fi
venv="$root/.venv-nest"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import nest, matplotlib" 2>/dev/null; then
  echo "Installing NEST 3.10.0 and matplotlib into $venv (first use)..." >&2
  py=$(command -v python3.11 || true)
  if [ -z "$py" ]; then
    echo "error: the nest-simulator wheel needs python3.11, which is missing; set SPINDLE_NEST_PYTHON" >&2
    exit 3
  fi
  [ -x "$venv/bin/python" ] || "$py" -m venv "$venv" >&2
  "$venv/bin/pip" install -q "nest-simulator==3.10.0" matplotlib >&2
fi
exec "$venv/bin/python" "$script" "$@"
