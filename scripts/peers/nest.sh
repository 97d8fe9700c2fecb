#!/usr/bin/env bash
# Runs the seed network in NEST with Spindle's flags and result record.
# Uses $SPINDLE_NEST_PYTHON (default python3), which must `import nest`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec "${SPINDLE_NEST_PYTHON:-python3}" "$here/nest_brunel.py" "$@"
