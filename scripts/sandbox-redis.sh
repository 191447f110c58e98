#!/usr/bin/env bash
# Redis 8 and Valkey from Debian's unstable suite, for `npm run bench:registry` to weigh
# what an ordinary (SET) list costs on them against the host's Redis 7.0. Installed into
# the Asterisk sandbox's root (scripts/asterisk-sandbox.sh provision builds it), with
# chroot apt-get, so the host's Redis stays as it is; the bench runs them with chroot.
#
#   sandbox-redis.sh install   install redis-server and valkey-server into the root (idempotent)
#   sandbox-redis.sh path      print the root, when both servers are there (exit 1 otherwise)
#
# Environment: CALLGUARD_ASTERISK_ROOT (default /var/cache/callguard-asterisk/root).
set -euo pipefail

ROOT="${CALLGUARD_ASTERISK_ROOT:-/var/cache/callguard-asterisk/root}"
ROOT="${ROOT%/}"
LOCK="$ROOT.lock"
PACKAGES=(redis-server valkey-server)
APT_OPTS=(-o Acquire::Check-Valid-Until=false -o APT::Install-Recommends=false -o Dpkg::Use-Pty=0)

die() { echo "sandbox-redis: $*" >&2; exit 1; }

# Both servers there and configured (an install cut short leaves packages unconfigured).
installed() {
  [ -x "$ROOT/usr/bin/redis-server" ] && [ -x "$ROOT/usr/bin/valkey-server" ] || return 1
  [ "$(chroot "$ROOT" dpkg-query -W -f '${Status}\n' "${PACKAGES[@]}" 2>/dev/null | grep -c 'install ok installed')" = "${#PACKAGES[@]}" ]
}

case "${1:-}" in
  install)
    [ "$(id -u)" = 0 ] || die "needs root (chroot)"
    [ -d "$ROOT/usr" ] || die "no sandbox root at $ROOT: run scripts/asterisk-sandbox.sh provision first"
    installed && exit 0
    # The same lock as the sandbox's own provisioning: one apt in the root at a time.
    exec 9>"$LOCK"
    flock 9
    # Packages must not start their services inside the root (policy-rc.d: 101 = not allowed).
    [ -x "$ROOT/usr/sbin/policy-rc.d" ] || { printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"; chmod 755 "$ROOT/usr/sbin/policy-rc.d"; }
    # Their maintainer scripts want /proc: mounted in a mount namespace of this run only,
    # so nothing stays mounted on the host.
    unshare --mount --fork sh -c '
      root="$1"
      shift
      mount -t proc proc "$root/proc"
      chroot "$root" env DEBIAN_FRONTEND=noninteractive dpkg --configure -a
      chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get "$@"
    ' sh "$ROOT" "${APT_OPTS[@]}" -qq -y install "${PACKAGES[@]}"
    installed || die "redis-server or valkey-server missing after the install"
    ;;
  path)
    installed || exit 1
    echo "$ROOT"
    ;;
  *)
    die "usage: sandbox-redis.sh install|path"
    ;;
esac
