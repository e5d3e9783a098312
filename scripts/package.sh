#!/usr/bin/env bash
# Builds the release binary and the release artifacts, into dist/:
#   dist/poolify-<version>-linux-x64.tar.gz   poolify-<version>-linux-x64/{poolify, LICENSE, README.md}
#   dist/poolify-<version>.tgz                an npm package whose `bin` is the binary itself
#                                             (npm install -g ./dist/poolify-<version>.tgz)
#
#   scripts/package.sh                  Release build in build-release/ (LTO, static), then package
#   scripts/package.sh --binary BIN     package an existing binary (no build; what the tests do)
#   scripts/package.sh --out DIR        write the artifacts into DIR instead of dist/
#   scripts/package.sh --no-pgo         skip profile-guided optimisation of the tree-sitter runtime
#                                       and grammar (see README, Dependencies)
#
# The binary is stripped; archives are reproducible (sorted entries, fixed owner and times: the
# commit's time, or SOURCE_DATE_EPOCH). Prints the artifacts' paths on stdout, progress on stderr.
set -euo pipefail

ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)
cd "$ROOT"
die() { echo "package.sh: error: $*" >&2; exit 1; }
say() { echo "package.sh: $*" >&2; }

BINARY=""
OUT="$ROOT/dist"
PGO=1
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) BINARY=${2:?--binary needs a path}; shift ;;
    --out) OUT=${2:?--out needs a folder}; shift ;;
    --no-pgo) PGO=0 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done

if [ -z "$BINARY" ]; then
  bash scripts/setup.sh --for-tool
  BUILD="$ROOT/build-release"
  mkdir -p "$BUILD"
  configure() { # extra CMake arguments
    cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPOOLIFY_TESTS=OFF -DPOOLIFY_LTO=ON \
      -DPOOLIFY_STATIC=ON "$@" >"$BUILD/package-configure.log" 2>&1 || { cat "$BUILD/package-configure.log" >&2; die "CMake configure failed"; }
  }
  build() {
    cmake --build "$BUILD" -j 2 --target poolify >"$BUILD/package-build.log" 2>&1 \
      || { tail -40 "$BUILD/package-build.log" >&2; die "build failed (log: $BUILD/package-build.log)"; }
  }
  if [ "$PGO" = 1 ]; then
    PROFILE="$BUILD/pgo-profile"
    say "building an instrumented poolify (profile-guided optimisation, step 1 of 3)"
    configure -DPOOLIFY_PGO=generate
    build
    say "training: poolify on a generated corpus and the example tree (step 2 of 3)"
    bash scripts/pgo_train.sh "$BUILD/poolify" >&2
    say "building the release binary with the profile (step 3 of 3)"
    configure -DPOOLIFY_PGO=use
    build
  else
    say "building the release binary (build-release/)"
    configure -DPOOLIFY_PGO=off
    build
  fi
  BINARY="$BUILD/poolify"
fi
[ -x "$BINARY" ] || die "$BINARY is not an executable file"
BINARY=$(readlink -f "$BINARY")

VERSION=$("$BINARY" --version | awk 'NR == 1 {print $2}')
[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || die "'$BINARY --version' did not print a version"
COMMIT=$("$BINARY" --version | awk '$1 == "commit" {print $2}')
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
  SOURCE_DATE_EPOCH=$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || echo 0)
fi
export SOURCE_DATE_EPOCH

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd -P)
STAGE=$(mktemp -d "${TMPDIR:-/tmp}/poolify-package.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT

NAME="poolify-$VERSION-linux-x64"
# reproducible tar: sorted, numeric root owner, every time the commit's
tarball() { # ARCHIVE DIR ENTRY...
  local archive=$1 dir=$2
  shift 2
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
    --format=gnu -C "$dir" -cf - "$@" | gzip -9 -n >"$archive"
}

# 1. The binary archive.
mkdir -p "$STAGE/$NAME"
strip --strip-all -o "$STAGE/$NAME/poolify" "$BINARY"
chmod 755 "$STAGE/$NAME/poolify"
install -m 644 LICENSE README.md "$STAGE/$NAME/"
tarball "$OUT/$NAME.tar.gz" "$STAGE" "$NAME"
say "wrote $OUT/$NAME.tar.gz ($(stat -c %s "$STAGE/$NAME/poolify") bytes binary, commit $COMMIT)"

# 2. The npm package: the same binary as its `bin` (no install script, nothing to build), for
#    linux/x64 only.
PKG="$STAGE/npm/package"
mkdir -p "$PKG/bin"
cp "$STAGE/$NAME/poolify" "$PKG/bin/poolify"
install -m 644 LICENSE README.md "$PKG/"
cat >"$PKG/package.json" <<EOF
{
  "name": "poolify",
  "version": "$VERSION",
  "description": "Migrates Python codebases from direct cloud clients (bigquery.Client(), requests.get(), ...) to shared pools; a native linux-x64 binary.",
  "license": "MIT",
  "bin": {
    "poolify": "bin/poolify"
  },
  "files": [
    "bin/poolify",
    "LICENSE",
    "README.md"
  ],
  "os": ["linux"],
  "cpu": ["x64"],
  "keywords": ["python", "refactoring", "bigquery", "connection-pool", "codemod"]
}
EOF
find "$PKG" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
# `npm pack` names it poolify-<version>.tgz; offline: it packs a folder, nothing is fetched.
npm pack "$PKG" --pack-destination "$OUT" --offline --ignore-scripts --loglevel=error >/dev/null \
  || die "npm pack failed"
[ -f "$OUT/poolify-$VERSION.tgz" ] || die "npm pack did not write $OUT/poolify-$VERSION.tgz"
say "wrote $OUT/poolify-$VERSION.tgz (npm install -g $OUT/poolify-$VERSION.tgz)"

echo "$OUT/$NAME.tar.gz"
echo "$OUT/poolify-$VERSION.tgz"
