#!/usr/bin/env bash
# Style and static checks of poolify's own C++ (tool/, tests/unit/, tests/fuzz/):
#   scripts/lint.sh            clang-format (must be clean) and clang-tidy (.clang-tidy, warnings are errors)
#   scripts/lint.sh --format   clang-format only (seconds)
# Needs a configured build/ (scripts/test.sh makes one) for clang-tidy's compile_commands.json.
# Exit code: 1 when a file is not formatted or clang-tidy reports anything.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

say() { echo "lint.sh: $*" >&2; }
status=0
# LLVM 14's tools, whatever else is on PATH: another clang-format version formats differently.
bash scripts/setup.sh --for-lint
CLANG_FORMAT=/usr/lib/llvm-14/bin/clang-format
RUN_CLANG_TIDY=/usr/lib/llvm-14/bin/run-clang-tidy

mapfile -t sources < <(git ls-files 'tool/*.cpp' 'tool/*.h' 'tests/unit/*.cpp' 'tests/unit/*.h' 'tests/fuzz/*.cpp')
say "clang-format: ${#sources[@]} files"
if ! "$CLANG_FORMAT" --dry-run -Werror "${sources[@]}"; then
  say "clang-format: the files above are not formatted; run: $CLANG_FORMAT -i \$(git ls-files 'tool/*.cpp' 'tool/*.h' 'tests/unit/*.[ch]*' 'tests/fuzz/*.cpp')"
  status=1
fi
# A unit test marked may_fail/should_fail passes whatever its subject does: a test that cannot fail.
if git grep -n -E 'doctest::(may_fail|should_fail)|\b(may_fail|should_fail)\(' -- 'tests/unit/*.cpp'; then
  say "doctest: the tests above are marked may_fail/should_fail; fix the subject, or the test"
  status=1
fi
[ "${1:-}" = "--format" ] && exit $status

[ -f build/compile_commands.json ] || { say "error: build/compile_commands.json is missing; run scripts/test.sh first"; exit 2; }
mapfile -t units < <(git ls-files 'tool/*.cpp')
say "clang-tidy: ${#units[@]} files on 2 jobs (a few minutes)"
if ! "$RUN_CLANG_TIDY" -clang-tidy-binary /usr/lib/llvm-14/bin/clang-tidy -quiet -p build -j 2 -extra-arg=-Wno-ignored-optimization-argument "${units[@]/#/$PWD/}" >build/clang-tidy.log 2>&1; then
  grep -E '(error|warning):' build/clang-tidy.log | sort -u >&2 || cat build/clang-tidy.log >&2
  say "clang-tidy: findings above (full log: build/clang-tidy.log)"
  status=1
else
  say "clang-tidy: clean"
fi
exit $status
