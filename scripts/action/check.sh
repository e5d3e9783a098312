#!/usr/bin/env bash
# Step 2 of action.yml: `poolify check` once per requested format (the analysis is cached after the
# first), the job summary, and the step's outputs. Exit code: poolify's (0 clean, 1 findings, 2 usage).
# Environment: POOLIFY_PATHS, POOLIFY_BASELINE, POOLIFY_FORMATS, POOLIFY_OUTPUT_DIR, POOLIFY_ARGS,
# POOLIFY_SUMMARY; GITHUB_OUTPUT, GITHUB_STEP_SUMMARY.
set -uo pipefail
fail() { echo "::error title=poolify check::$*"; exit 2; }
command -v poolify >/dev/null 2>&1 || fail "poolify is not on PATH (the install step did not run?)"
read -r -a paths <<<"${POOLIFY_PATHS:-.}"
[ ${#paths[@]} -gt 0 ] || paths=(.)
read -r -a extra <<<"${POOLIFY_ARGS:-}"
opts=()
if [ -n "${POOLIFY_BASELINE:-}" ]; then
  [ -f "$POOLIFY_BASELINE" ] || fail "baseline $POOLIFY_BASELINE does not exist (write one with: poolify check --write-baseline $POOLIFY_BASELINE .)"
  opts+=(--baseline "$POOLIFY_BASELINE")
fi
outdir=${POOLIFY_OUTPUT_DIR:-.}
mkdir -p "$outdir"
output() { [ -z "${GITHUB_OUTPUT:-}" ] || echo "$1=$2" >>"$GITHUB_OUTPUT"; }

IFS=',' read -r -a formats <<<"${POOLIFY_FORMATS:-github}"
status=""
for format in "${formats[@]}"; do
  format=${format//[[:space:]]/}
  [ -n "$format" ] || continue
  case "$format" in
    github|text)
      poolify check --format "$format" "${opts[@]}" "${extra[@]}" -- "${paths[@]}"
      rc=$? ;;
    json|sarif)
      file="$outdir/poolify.$format"
      poolify check --format "$format" "${opts[@]}" "${extra[@]}" -- "${paths[@]}" >"$file"
      rc=$?
      [ "$format" = sarif ] && output sarif-file "$file"
      echo "poolify: wrote $file" ;;
    *) fail "unknown format '$format' (github, text, json, sarif)" ;;
  esac
  [ "$rc" -le 1 ] || { output exit-code "$rc"; exit "$rc"; }
  [ -n "$status" ] || status=$rc
done
[ -n "$status" ] || fail "no format given (formats: github, text, json, sarif)"
if [ "${POOLIFY_SUMMARY:-true}" = true ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  poolify manifest --format markdown -- "${paths[@]}" >>"$GITHUB_STEP_SUMMARY" || true
fi
output exit-code "$status"
exit "$status"
