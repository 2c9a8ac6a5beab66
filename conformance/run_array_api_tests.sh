#!/usr/bin/env bash
# Run the official array-api-tests suite against polytensor on one backend.
#
#   conformance/run_array_api_tests.sh SUITE_DIR BACKEND [extra pytest args...]
#
# SUITE_DIR: a checkout of github.com/data-apis/array-api-tests with its `array-api`
#            submodule (the spec) present. It is not part of this project.
# BACKEND:   numpy | dask | array_api_strict | cupy (anything `pt.backends.names()` lists).
#
# Environment: PYTHON (default: the project's .venv/bin/python, else python3) must have
# polytensor installed plus the suite's requirements (pip install -r SUITE_DIR/requirements.txt);
# MAX_EXAMPLES (default 100, as the suite); JOBS (pytest-xdist workers, default: none).
# Known failures of a backend are listed, one per line with a reason, in
# conformance/aat-known-failures-BACKEND.txt and passed to the suite's --xfails-file.
set -euo pipefail

if [ $# -lt 2 ]; then
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
SUITE_DIR="$(cd "$1" && pwd)"
BACKEND="$2"
shift 2
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
if [ -z "${PYTHON:-}" ]; then
  if [ -x "$ROOT/.venv/bin/python" ]; then PYTHON="$ROOT/.venv/bin/python"; else PYTHON=python3; fi
fi
[ -d "$SUITE_DIR/array_api_tests" ] || { echo "error: $SUITE_DIR is not an array-api-tests checkout" >&2; exit 2; }
[ -d "$SUITE_DIR/array-api/spec" ] || { echo "error: $SUITE_DIR/array-api (the spec submodule) is missing; run git submodule update --init" >&2; exit 2; }

"$PYTHON" - "$BACKEND" <<'PY'
import sys
import polytensor as pt
status = pt.backends.available()
name = sys.argv[1]
if name not in status:
    sys.exit(f"error: unknown backend {name!r}; registered: {', '.join(status)}")
if status[name] != "available":
    print(f"SKIPPED: backend {name} is unavailable here: {status[name]}")
    sys.exit(3)
PY
rc=$?
[ $rc -eq 0 ] || exit $rc

XFAILS="$HERE/aat-known-failures-$BACKEND.txt"
ARGS=(array_api_tests/ --max-examples "${MAX_EXAMPLES:-100}" --hypothesis-disable-deadline
      -p no:cacheprovider -rfE --tb=short)
if [ -f "$XFAILS" ]; then
  # the suite reads whole lines as ids: drop our inline "  # reason" comments first
  STRIPPED="$(mktemp)"
  trap 'rm -f "$STRIPPED"' EXIT
  sed -e 's/[[:space:]]*#.*$//' -e '/^$/d' "$XFAILS" > "$STRIPPED"
  ARGS+=(--xfails-file "$STRIPPED")
fi
[ -n "${JOBS:-}" ] && ARGS+=(-n "$JOBS")

export ARRAY_API_TESTS_MODULE=polytensor
export POLYTENSOR_BACKEND="$BACKEND"
export ARRAY_API_TESTS_VERSION="${ARRAY_API_TESTS_VERSION:-2025.12}"
cd "$SUITE_DIR"
"$PYTHON" -m pytest "${ARGS[@]}" "$@"
