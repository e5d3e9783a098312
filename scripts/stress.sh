#!/usr/bin/env bash
# Replays the hostile-user probes (scripts/stress.py) against a poolify binary, each in a scratch
# folder and bounded in time; one PASS/FAIL/SKIP line per probe, exit 1 on any failure.
#   scripts/stress.sh                      # build/poolify, full size (several minutes)
#   scripts/stress.sh --quick              # CI size: under two minutes
#   scripts/stress.sh --poolify BIN [--only comments-65534,hard-links] [--keep]
# Full-disk probes mount a small tmpfs and need root; without it they print SKIP with the reason.
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)
BIN="$ROOT/build/poolify"
ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --poolify) BIN=$2; shift 2 ;;
    --poolify=*) BIN=${1#--poolify=}; shift ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
[ -x "$BIN" ] || { echo "stress.sh: error: $BIN is not an executable (build with scripts/test.sh, or pass --poolify BIN)" >&2; exit 2; }
exec python3 "$ROOT/scripts/stress.py" --poolify "$BIN" "${ARGS[@]}"
