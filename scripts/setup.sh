#!/usr/bin/env bash
# Installs what poolify needs to build, and only what is missing; silent when everything is there.
#   1. Debian packages (compilers, CMake/Ninja, tree-sitter, LLVM/clang 14, fmt, doctest, node/npm, and
#      chromium, which tests/report_test.py renders the HTML report in)
#   2. the pinned tree-sitter Python grammar from npm (node_modules/tree-sitter-python/src/parser.c)
# Safe to run from any directory and as often as you like.
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

die() { echo "setup.sh: error: $*" >&2; exit 1; }
trap 'echo "setup.sh: error: command failed (exit $?) at line $LINENO: $BASH_COMMAND" >&2' ERR

# Libraries and headers: only dpkg knows whether they are there.
LIB_PACKAGES=(libtree-sitter-dev libfmt-dev doctest-dev libclang-14-dev libclang-cpp14-dev llvm-14-dev)
# Tools: "package:command". The tool counts as present when its Debian package is installed or its
# command is on PATH (e.g. NodeSource's nodejs bundles npm and *conflicts* with Debian's npm package;
# python3 may come from pyenv).
TOOL_PACKAGES=(cmake:cmake ninja-build:ninja pkg-config:pkg-config g++:g++ git:git python3:python3 nodejs:node npm:npm
               chromium:chromium)

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
  echo "setup.sh: installing missing Debian packages: ${missing[*]}" >&2
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
    || die "apt-get update failed"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    || die "apt-get install failed for: ${missing[*]}"
fi

# The grammar: npm ci when the generated parser is absent or the lock file changed since the last ci.
STAMP=node_modules/.poolify-stamp
if [ ! -f node_modules/tree-sitter-python/src/parser.c ] \
   || [ ! -f node_modules/tree-sitter-python/src/scanner.c ] \
   || [ ! -f "$STAMP" ] || [ package-lock.json -nt "$STAMP" ] || [ package.json -nt "$STAMP" ]; then
  [ -f package-lock.json ] || die "package-lock.json is missing at $(pwd)"
  command -v npm >/dev/null 2>&1 || die "npm not found on PATH"
  echo "setup.sh: npm ci (tree-sitter Python grammar)" >&2
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2 \
    || die "npm ci --ignore-scripts failed (network? registry settings in .npmrc?)"
  [ -f node_modules/tree-sitter-python/src/parser.c ] \
    || die "npm ci succeeded but node_modules/tree-sitter-python/src/parser.c is missing"
  touch "$STAMP"
fi
