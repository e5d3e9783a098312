#!/usr/bin/env bash
# Fuzzes poolify's analyze -> plan -> apply path with libFuzzer, ASan and UBSan (clang 14).
#   scripts/fuzz.sh [SECONDS]     default 60; seeds: every golden case's input files
# Crashes and property violations land in build-fuzz/artifacts/ (turn each into a golden case).
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
seconds="${1:-60}"
bash scripts/setup.sh
for pkg in clang-14 libclang-rt-14-dev; do
  if [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null)" != "ii " ]; then
    echo "fuzz.sh: installing $pkg" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$pkg" >/dev/null ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$pkg" >/dev/null; }
  fi
done
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g -O1"
if [ ! -f build-fuzz/CMakeCache.txt ]; then
  cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPOOLIFY_FUZZ=ON -DPOOLIFY_LTO=OFF -DPOOLIFY_STATIC=OFF \
    -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
    -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" >/dev/null
fi
cmake --build build-fuzz -j 2 --target poolify_fuzz
mkdir -p build-fuzz/corpus build-fuzz/artifacts
# Seed with every golden input (copied under hashed names so re-runs just add to the corpus).
find fixtures/golden -path '*/input/*' -name '*.py' -print0 | while IFS= read -r -d '' f; do
  cp "$f" "build-fuzz/corpus/seed-$(sha1sum "$f" | cut -c1-16).py"
done
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
./build-fuzz/poolify_fuzz -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -max_len=65536 \
  -artifact_prefix=build-fuzz/artifacts/ -print_final_stats=1 build-fuzz/corpus
echo "fuzz.sh: ${seconds}s of fuzzing found nothing (corpus: $(ls build-fuzz/corpus | wc -l) inputs)"
