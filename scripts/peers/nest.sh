#!/usr/bin/env bash
# Runs NEST's example script of the Brunel network for --model (nest_brunel.py)
# in NEST with Spindle's flags and result record.
# $SPINDLE_NEST_PYTHON, if set, must be a Python that can `import nest`;
# otherwise NEST 3.10.0 (the PyPI wheel, which needs Python 3.11) is
# installed into .venv-nest in the repository root on first use.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [ -n "${SPINDLE_NEST_PYTHON:-}" ]; then
  exec "$SPINDLE_NEST_PYTHON" "$here/nest_brunel.py" "$@"
fi
venv="$root/.venv-nest"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import nest" 2>/dev/null; then
  echo "Installing NEST 3.10.0 into $venv (first use)..." >&2
  py=$(command -v python3.11 || true)
  if [ -z "$py" ]; then
    echo "error: the nest-simulator wheel needs python3.11, which is missing; set SPINDLE_NEST_PYTHON" >&2
    exit 3
  fi
  "$py" -m venv "$venv" >&2
  "$venv/bin/pip" install -q "nest-simulator==3.10.0" >&2
fi
exec "$venv/bin/python" "$here/nest_brunel.py" "$@"
