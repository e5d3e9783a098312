#!/usr/bin/env bash
# Installs what poolify needs, and only what is missing; one line on stderr for each step it takes
# (nothing when everything is there). The output of apt-get and npm is shown only when they fail.
#
#   scripts/setup.sh --for-tool    what building the tool needs: compilers, CMake/Ninja, LLVM/clang 14,
#                                  fmt, static terminfo/zlib, git, node/npm; then the pinned npm sources
#   scripts/setup.sh --for-tests   all of that, plus what the test suite needs: doctest, python3 with
#                                  PyYAML, and chromium (tests/report_test.py renders the HTML report
#                                  in it; poolify itself never needs it) and strace (tests/cache_test.py
#                                  checks that a warm check opens no Python file)
#   scripts/setup.sh               the same as --for-tests
#   scripts/setup.sh --for-lint    only the LLVM 14 clang-format and clang-tidy scripts/lint.sh runs
#                                  (the tree is formatted with that version)
#
# The npm step (`npm ci --ignore-scripts`) fetches the C sources CMake compiles into poolify: the
# tree-sitter runtime (node_modules/tree-sitter/vendor/tree-sitter/lib) and the Python grammar
# (node_modules/tree-sitter-python/src), at the versions pinned in package-lock.json.
# Safe to run from any directory and as often as you like.
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

die() { echo "setup.sh: error: $*" >&2; exit 1; }
say() { echo "setup.sh: $*" >&2; }
LOG=$(mktemp "${TMPDIR:-/tmp}/poolify-setup.XXXXXX")
trap 'rm -f "$LOG"' EXIT
# logged WHAT CMD...: runs CMD with its output in $LOG; on failure shows it and stops.
logged() {
  local what=$1
  shift
  "$@" >"$LOG" 2>&1 || { cat "$LOG" >&2; die "$what failed: $*"; }
}
trap 'echo "setup.sh: error: command failed (exit $?) at line $LINENO: $BASH_COMMAND" >&2' ERR

FOR=tests
for arg in "$@"; do
  case "$arg" in
    --for-tool) FOR=tool ;;
    --for-tests) FOR=tests ;;
    --for-lint) FOR=lint ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) die "unknown option '$arg' (--for-tool, --for-tests or --for-lint)" ;;
  esac
done

# Libraries and headers: only dpkg knows whether they are there. libncurses-dev and zlib1g-dev give
# the static libtinfo.a and libz.a that LLVM Support is linked with (a self-contained binary).
LIB_PACKAGES=(libfmt-dev libclang-14-dev libclang-cpp14-dev llvm-14-dev libncurses-dev zlib1g-dev)
# Tools: "package:command". The tool counts as present when its Debian package is installed or its
# command is on PATH (e.g. NodeSource's nodejs bundles npm and *conflicts* with Debian's npm package;
# python3 may come from pyenv).
TOOL_PACKAGES=(cmake:cmake ninja-build:ninja g++:g++ git:git nodejs:node npm:npm)
if [ "$FOR" = tests ]; then
  LIB_PACKAGES+=(doctest-dev python3-yaml)
  TOOL_PACKAGES+=(python3:python3 chromium:chromium strace:strace)
fi
if [ "$FOR" = lint ]; then
  LIB_PACKAGES=()
  LLVM_BIN=${POOLIFY_LLVM_BIN:-/usr/lib/llvm-14/bin} # where Debian's packages put them
  TOOL_PACKAGES=(clang-format-14:$LLVM_BIN/clang-format clang-tidy-14:$LLVM_BIN/run-clang-tidy)
fi

installed() { [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" = "ii " ]; }

command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script supports Debian/Ubuntu only"

missing=()
for p in "${LIB_PACKAGES[@]}"; do
  installed "$p" || missing+=("$p")
done
for entry in "${TOOL_PACKAGES[@]}"; do
  p=${entry%%:*} cmd=${entry#*:}
  installed "$p" || command -v "$cmd" >/dev/null 2>&1 || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "not root and sudo is not available; install as root: apt-get install ${missing[*]}"
    SUDO=(sudo)
  fi
  say "installing packages (apt-get): ${missing[*]}"
  logged "apt-get update" "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  logged "apt-get install" "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}"
fi

[ "$FOR" = lint ] && exit 0

# The C sources: npm ci when one is absent or the lock file changed since the last ci.
STAMP=node_modules/.poolify-stamp
SOURCES=(node_modules/tree-sitter/vendor/tree-sitter/lib/src/lib.c
         node_modules/tree-sitter/vendor/tree-sitter/lib/include/tree_sitter/api.h
         node_modules/tree-sitter-python/src/parser.c
         node_modules/tree-sitter-python/src/scanner.c)
need_ci=0
for f in "${SOURCES[@]}"; do [ -f "$f" ] || need_ci=1; done
if [ "$need_ci" = 1 ] || [ ! -f "$STAMP" ] || [ package-lock.json -nt "$STAMP" ] || [ package.json -nt "$STAMP" ]; then
  [ -f package-lock.json ] || die "package-lock.json is missing at $(pwd)"
  command -v npm >/dev/null 2>&1 || die "npm not found on PATH"
  say "npm ci: tree-sitter runtime and Python grammar sources (package-lock.json)"
  logged "npm ci (network? registry settings in .npmrc?)" npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  for f in "${SOURCES[@]}"; do
    [ -f "$f" ] || die "npm ci succeeded but $f is missing"
  done
  touch "$STAMP"
fi
