#!/usr/bin/env bash
# Builds poolify and runs the whole test suite (unit tests + golden cases) through ctest.
#   scripts/test.sh            everything
#   scripts/test.sh -R golden  extra arguments go to ctest
# Exit code: ctest's (or the failing step's).
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

fail() { echo "test.sh: error: $*" >&2; exit 1; }

bash scripts/setup.sh --for-tests || fail "scripts/setup.sh failed"
# setup.sh installed chromium: the report test's rendering checks must run, not be skipped.
export POOLIFY_REQUIRE_CHROMIUM=1

if [ ! -f build/CMakeCache.txt ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOOLIFY_WERROR=ON -DPOOLIFY_TESTS=ON \
    || fail "CMake configure failed"
elif [ ! -f build/build.ninja ] && [ ! -f build/Makefile ] || ! grep -q '^POOLIFY_TESTS:BOOL=ON$' build/CMakeCache.txt; then
  # A cache without a build system (an earlier configure failed part-way), or one that scripts/poolify
  # configured without the tests: configure again, with the generator recorded in the cache.
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOOLIFY_TESTS=ON || fail "CMake configure failed"
fi

cmake --build build -j 2 || fail "build failed"

# --no-tests=error: a filter that matches nothing (or a CMakeLists that registers nothing) is a failure.
rc=0
ctest --test-dir build --output-on-failure --no-tests=error -j 2 "$@" || rc=$?
exit "$rc"
