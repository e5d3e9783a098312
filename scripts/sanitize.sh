#!/usr/bin/env bash
# The whole test suite again, on a build with AddressSanitizer and UndefinedBehaviorSanitizer
# (a separate build folder, build-asan/; no LTO, and libstdc++ shared so ASan sees every new/delete).
# Extra arguments go to ctest.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
bash scripts/setup.sh
flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
if [ ! -f build-asan/CMakeCache.txt ]; then
  # -O1 -g1 (line tables, enough for ASan's reports): a third of the compile time of -O2 -g, the
  # longest part of CI; AddressSanitizer's own documentation suggests -O1.
  echo "sanitize.sh: configuring build-asan/ (ASan + UBSan, -O1 -g1)" >&2
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOOLIFY_WERROR=ON -DPOOLIFY_LTO=OFF -DPOOLIFY_STATIC=OFF \
    -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
    -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
fi
cmake --build build-asan -j 2
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export POOLIFY_SANITIZED=1 # tests/safety_test.py: a 10 MB module instead of 50 MB under ASan
ctest --test-dir build-asan --output-on-failure --no-tests=error -j 2 "$@"
