#!/usr/bin/env bash
# Compares what two poolify binaries print and write, byte for byte, on the same trees: a check
# for changes that must not change any output (refactorings, speed work).
#
#   scripts/compare_binaries.sh OLD_BIN NEW_BIN [TREE...]
#
# Trees default to fixtures/pipeline and a generated 2,000-file corpus (scripts/gen_corpus.py,
# seed 7). For each tree and each binary it records, in a scratch folder: `migrate` (diff on
# stdout, --explain on stderr, exit code), `migrate --manifest` (json, md, csv), `migrate --out`
# batch files, `manifest` in three formats, `check` in four formats, `report` (HTML), and the tree
# after `migrate --apply`. Prints one line per difference and exits 1 when there is any.
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 OLD_BIN NEW_BIN [TREE...]" >&2; exit 2; }
OLD=$(readlink -f "$1") NEW=$(readlink -f "$2")
shift 2
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/poolify-compare.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

TREES=("$@")
if [ ${#TREES[@]} -eq 0 ]; then
  echo "compare: generating a 2,000-file corpus" >&2
  python3 "$ROOT/scripts/gen_corpus.py" --files 2000 --seed 7 --out "$WORK/corpus" >/dev/null
  TREES=("$ROOT/fixtures/pipeline" "$WORK/corpus")
fi

# record BIN TREE DEST: every output of BIN on a scratch copy of TREE, into DEST/. Both binaries
# run in the same folder ($WORK/run), so paths in messages are the same.
record() {
  local bin=$1 tree=$2 dest=$3 out="$WORK/run" t
  rm -rf "$out"
  mkdir -p "$out"
  t="$out/tree"
  cp -a "$tree" "$t"
  (
    cd "$t"
    run() { # name, then the command's arguments
      local name=$1
      shift
      set +e
      "$bin" "$@" >"$out/$name.out" 2>"$out/$name.err"
      echo $? >"$out/$name.code"
      set -e
    }
    run migrate migrate --explain --no-cache .
    run migrate_manifest migrate --no-cache --manifest "$out/m.json" .
    run migrate_manifest_md migrate --no-cache --manifest "$out/m.md" .
    run migrate_manifest_csv migrate --no-cache --manifest "$out/m.csv" .
    run batches migrate --no-cache --max-files 7 --out "$out/batches" .
    for f in json markdown csv; do run "manifest_$f" manifest --no-cache --format "$f" .; done
    for f in text json sarif github; do run "check_$f" check --no-cache --format "$f" .; done
    run report report --no-cache -o "$out/report.html" .
    run apply migrate --apply --no-cache .
  )
  mv "$out" "$dest"
}

status=0
for tree in "${TREES[@]}"; do
  name=$(basename "$tree")
  record "$OLD" "$tree" "$WORK/old-$name"
  record "$NEW" "$tree" "$WORK/new-$name"
  if ! diff -r "$WORK/old-$name" "$WORK/new-$name" >"$WORK/diff-$name" 2>&1; then
    echo "compare: $tree: outputs differ:" >&2
    head -60 "$WORK/diff-$name" >&2
    status=1
  else
    echo "compare: $tree: identical ($(ls "$WORK/old-$name" | wc -l) outputs)" >&2
  fi
done
exit $status
