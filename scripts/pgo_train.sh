#!/usr/bin/env bash
# The training run of profile-guided optimisation (scripts/package.sh): runs an instrumented poolify
# (POOLIFY_PGO=generate) over a generated corpus (scripts/gen_corpus.py, fixed seed, 60% of the bytes
# in files that can hold a site) and the example tree, one job, so the profile is the same every time.
#   scripts/pgo_train.sh BUILD/poolify
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)
BIN=$(readlink -f "${1:?usage: pgo_train.sh INSTRUMENTED_POOLIFY}")
BUILD=$(dirname "$BIN")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/poolify-pgo.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# Profiles of an earlier training would be added to: start from none.
find "$BUILD" -name '*.gcda' -delete
python3 "$ROOT/scripts/gen_corpus.py" --files 1500 --seed 11 --site-share 0.6 --out "$WORK/corpus" >&2
cp -a "$ROOT/fixtures/pipeline" "$WORK/pipeline"
for tree in "$WORK/corpus" "$WORK/pipeline"; do
  "$BIN" migrate --jobs 1 --no-cache --manifest "$WORK/m.json" "$tree" >/dev/null 2>&1 || true
  "$BIN" check --jobs 1 --no-cache "$tree" >/dev/null 2>&1 || true
done
n=$(find "$BUILD" -name '*.gcda' | wc -l)
[ "$n" -gt 0 ] || { echo "pgo_train.sh: error: no profile (.gcda) written: is $BIN instrumented?" >&2; exit 1; }
echo "pgo_train.sh: $n profiles written" >&2
