#!/usr/bin/env bash
# Step 2 of action.yml: one `poolify check` run writing every requested format (github or text to the
# log, json and sarif to files), the job summary, and the step's outputs. Exit code: poolify's (0 clean, 1 findings, 2 usage).
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
# One run: the first of github/text goes to the log, json and sarif to files, the summary appended.
stdout_format=""
files=()
for format in "${formats[@]}"; do
  format=${format//[[:space:]]/}
  [ -n "$format" ] || continue
  case "$format" in
    github|text)
      if [ -z "$stdout_format" ]; then stdout_format=$format; else opts+=(--output-$format "$outdir/poolify.$format.txt"); fi ;;
    json|sarif)
      file="$outdir/poolify.$format"
      opts+=(--output-$format "$file")
      files+=("$file")
      [ "$format" = sarif ] && output sarif-file "$file" ;;
    *) fail "unknown format '$format' (github, text, json, sarif)" ;;
  esac
done
[ -n "$stdout_format" ] || [ ${#files[@]} -gt 0 ] || fail "no format given (formats: github, text, json, sarif)"
opts=(--format "${stdout_format:-text}" "${opts[@]}")
if [ "${POOLIFY_SUMMARY:-true}" = true ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  opts+=(--summary-markdown "$GITHUB_STEP_SUMMARY")
fi
poolify check "${opts[@]}" "${extra[@]}" -- "${paths[@]}"
status=$?
[ "$status" -gt 1 ] || for file in "${files[@]}"; do echo "poolify: wrote $file"; done
output exit-code "$status"
exit "$status"
