#!/usr/bin/env bash
# Runs the seed network in Brian2 (C++ standalone, OpenMP). Installs Brian2
# 2.9.0 from PyPI into .venv-brian2 in the repository root on first use.
# Flags: those of brian2_brunel.py (--order --threads --seed --simtime --json).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${SPINDLE_BRIAN2_VENV:-$root/.venv-brian2}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import brian2" 2>/dev/null; then
  echo "Installing Brian2 into $venv (first use)..." >&2
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q "brian2==2.9.0" "numpy==2.3.5" >&2
fi
export SPINDLE_BRIAN2_BUILD="${SPINDLE_BRIAN2_BUILD:-$root/.brian2-build}"
exec "$venv/bin/python" "$here/brian2_brunel.py" "$@"
