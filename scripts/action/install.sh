#!/usr/bin/env bash
# Step 1 of action.yml: puts the poolify release binary on PATH (through $GITHUB_PATH).
# Environment: POOLIFY_VERSION; POOLIFY_ARCHIVE (a local archive) or POOLIFY_RELEASE_URL ({version}
# replaced) or POOLIFY_REPOSITORY (owner/name: its GitHub release); RUNNER_TEMP, GITHUB_PATH.
set -euo pipefail
fail() { echo "::error title=poolify install::$*"; exit 1; }
: "${RUNNER_TEMP:?RUNNER_TEMP is not set (run as a GitHub Actions step)}"
: "${GITHUB_PATH:?GITHUB_PATH is not set (run as a GitHub Actions step)}"
version=${POOLIFY_VERSION:?the version input is empty}
[ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || fail "poolify releases are built for Linux x86-64, not $(uname -s) $(uname -m)"
name="poolify-$version-linux-x64"
archive=${POOLIFY_ARCHIVE:-}
if [ -z "$archive" ]; then
  url=${POOLIFY_RELEASE_URL:-}
  if [ -z "$url" ]; then
    [ -n "${POOLIFY_REPOSITORY:-}" ] || fail "no repository to download from: set the action's repository (owner/name) or release-url input"
    url="https://github.com/$POOLIFY_REPOSITORY/releases/download/v{version}/$name.tar.gz"
  fi
  url=${url//\{version\}/$version}
  archive="$RUNNER_TEMP/$name.tar.gz"
  echo "poolify: downloading $url"
  curl -fsSL --retry 3 -o "$archive" "$url" || fail "cannot download $url"
fi
[ -f "$archive" ] || fail "no such archive: $archive"
# (the whole listing, not `| head -1`: under pipefail tar's SIGPIPE would fail the step)
list=$(tar -tzf "$archive") || fail "$archive is not a .tar.gz archive"
top=${list%%$'\n'*}
[ "${top%%/*}" = "$name" ] || fail "$archive holds ${top%%/*}, not $name (version $version)"
dest="$RUNNER_TEMP/poolify"
rm -rf "$dest"
mkdir -p "$dest"
tar -xzf "$archive" -C "$dest"
bin="$dest/$name/poolify"
[ -x "$bin" ] || fail "$archive has no executable $name/poolify"
"$bin" --version >/dev/null || fail "$bin does not run on this runner"
echo "$dest/$name" >>"$GITHUB_PATH"
echo "poolify: installed $("$bin" --version | head -1) from $archive ($("$bin" --version | sed -n 2p))"
