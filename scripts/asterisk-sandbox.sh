#!/usr/bin/env bash
# A real Asterisk for the end-to-end tests, without Docker: Debian unstable's asterisk
# package inside a debootstrap root cached outside the repository, started with the
# project's asterisk-config/ on loopback ports chosen per run.
#
#   asterisk-sandbox.sh check                 why the sandbox cannot run here (exit 1), or nothing
#   asterisk-sandbox.sh provision             build the root once (idempotent, serialized by flock)
#   asterisk-sandbox.sh prepare HTTP SIP FAR  make a run directory inside the root, print its path
#   asterisk-sandbox.sh exec RUNDIR [ARGS]    run asterisk in the foreground for RUNDIR (replaces this shell)
#   asterisk-sandbox.sh cli RUNDIR COMMAND    run one CLI command in that asterisk (asterisk -rx)
#   asterisk-sandbox.sh stop RUNDIR           ask that asterisk to stop
#   asterisk-sandbox.sh cleanup RUNDIR        remove RUNDIR
#   asterisk-sandbox.sh run [HTTP SIP FAR]    prepare + exec with a console, for people (default 8088 5060 5070)
#
# Environment: CALLGUARD_ASTERISK_ROOT (default /var/cache/callguard-asterisk/root),
# CALLGUARD_DEBIAN_MIRROR (default: the host's apt mirror, else http://deb.debian.org/debian).
set -euo pipefail

ROOT="${CALLGUARD_ASTERISK_ROOT:-/var/cache/callguard-asterisk/root}"
ROOT="${ROOT%/}"
LOCK="$ROOT.lock"
MARKER=".callguard-sandbox-ready"
# Bump when the package set changes so cached roots are rebuilt.
ROOT_VERSION=1
PACKAGES=(asterisk asterisk-modules asterisk-core-sounds-en-gsm)
RUNS_DIR=/srv/callguard-runs
CONFIG_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../asterisk-config" && pwd)"
# The sid Release file on snapshot-backed mirrors can be past its Valid-Until date.
APT_OPTS=(-o Acquire::Check-Valid-Until=false -o APT::Install-Recommends=false -o Dpkg::Use-Pty=0)

die() { echo "asterisk-sandbox: $*" >&2; exit 1; }

why_not() {
  [ "$(id -u)" = 0 ] || { echo "needs root (debootstrap, chroot and namespaces); run as root or point ASTERISK_ARI_URL at an Asterisk"; return; }
  local tool
  for tool in debootstrap chroot unshare setpriv flock; do
    command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install debootstrap util-linux coreutils)"; return; }
  done
  unshare --mount --pid --fork true 2>/dev/null || echo "cannot create mount/pid namespaces here (unshare failed; a container without CAP_SYS_ADMIN?)"
}

host_mirror() {
  local uri
  uri=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v -- '-security' | grep -m1 '/debian/\?$' || true)
  [ -n "$uri" ] || uri=$(grep -hsE '^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?https?://' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
    | sed -E 's/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//' | awk '{print $1}' | grep -v -- '-security' | grep -m1 '/debian/\?$' || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

# Refuse to delete a tree that has anything mounted inside it.
assert_unmounted() {
  if awk '{print $5}' /proc/self/mountinfo | grep -qE "^$1(/|$)"; then
    die "$1 has mounts inside; unmount them first: $(awk '{print $5}' /proc/self/mountinfo | grep -E "^$1(/|$)" | tr '\n' ' ')"
  fi
}

is_ready() { [ -f "$ROOT/$MARKER" ] && [ "$(cat "$ROOT/$MARKER")" = "$ROOT_VERSION" ]; }

build_root() {
  local tmp="$ROOT.building" mirror
  mirror="${CALLGUARD_DEBIAN_MIRROR:-$(host_mirror)}"
  assert_unmounted "$tmp"
  rm -rf "$tmp"
  echo "asterisk-sandbox: debootstrap sid from $mirror into $tmp (about a minute)" >&2
  debootstrap --variant=minbase sid "$tmp" "$mirror" >&2
  printf 'Acquire::Check-Valid-Until "false";\n' >"$tmp/etc/apt/apt.conf.d/99callguard-sandbox"
  # Package scripts must not start services inside the root.
  printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
  chmod 755 "$tmp/usr/sbin/policy-rc.d"
  echo "asterisk-sandbox: installing ${PACKAGES[*]}" >&2
  chroot "$tmp" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" -q update >&2
  chroot "$tmp" env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" -q -y install "${PACKAGES[@]}" >&2
  chroot "$tmp" apt-get clean
  mkdir -p "$tmp$RUNS_DIR"
  echo "$ROOT_VERSION" >"$tmp/$MARKER"
  assert_unmounted "$ROOT"
  rm -rf "$ROOT"
  mv "$tmp" "$ROOT"
}

provision() {
  local reason
  reason=$(why_not)
  [ -z "$reason" ] || die "$reason"
  mkdir -p "$(dirname "$ROOT")"
  exec 9>"$LOCK"
  flock 9
  is_ready || build_root
  flock -u 9
}

# Run directories of runs whose owner process is gone (a killed test run) are removed.
remove_stale_runs() {
  local dir owner
  for dir in "$ROOT$RUNS_DIR"/*/; do
    [ -d "$dir" ] || continue
    if [ -f "$dir/owner.pid" ]; then
      owner=$(cat "$dir/owner.pid")
      kill -0 "$owner" 2>/dev/null || rm -rf "$dir"
    elif [ -n "$(find "$dir" -maxdepth 0 -mmin +10)" ]; then
      # A run directory without an owner is one a concurrent prepare is still making,
      # unless it is old: then its prepare died before writing the owner.
      rm -rf "$dir"
    fi
  done
}

# asterisk-config/ is copied over the package's /etc/asterisk, as users install it;
# only the ports change, because they must differ per run.
set_port() {
  local file=$1 pattern=$2 replacement=$3
  grep -qE "$pattern" "$file" || die "$(basename "$file") has no line matching $pattern; the sandbox cannot set its port"
  sed -i -E "s/$pattern/$replacement/" "$file"
}

prepare() {
  [ $# = 3 ] || die "usage: prepare HTTP_PORT SIP_PORT FAR_END_PORT"
  local http_port=$1 sip_port=$2 far_port=$3 run etc owner
  owner="${CALLGUARD_SANDBOX_OWNER:-$PPID}"
  provision
  remove_stale_runs
  run=$(mktemp -d "$ROOT$RUNS_DIR/run-XXXXXXXX")
  echo "$owner" >"$run/owner.pid"
  chmod 755 "$run"
  etc="$run/etc"
  mkdir -p "$etc" "$run/run" "$run/log" "$run/spool" "$run/db"
  cp -a "$ROOT/etc/asterisk/." "$etc/"
  # As docs/asterisk.md says to install it: the package's users.conf defines no user,
  # and its mere presence makes Asterisk 21+ warn that users.conf is deprecated.
  rm -f "$etc/users.conf"
  cp "$CONFIG_DIR"/*.conf "$etc/"
  set_port "$etc/http.conf" '^bindport[[:space:]]*=.*$' "bindport = $http_port"
  set_port "$etc/pjsip.conf" '^bind[[:space:]]*=[[:space:]]*127\.0\.0\.1:5060$' "bind = 127.0.0.1:$sip_port"
  set_port "$etc/pjsip.conf" '^contact[[:space:]]*=[[:space:]]*sip:127\.0\.0\.1:5070$' "contact = sip:127.0.0.1:$far_port"
  local inside="${run#"$ROOT"}"
  # Test harness only: every directory Asterisk writes is private to this run, so two
  # runs in the same root never share a control socket, astdb or log.
  cat >"$etc/asterisk.conf" <<EOF
[directories]
astetcdir => $inside/etc
astmoddir => /usr/lib/x86_64-linux-gnu/asterisk/modules
astvarlibdir => /var/lib/asterisk
astdbdir => $inside/db
astkeydir => /var/lib/asterisk
astdatadir => /usr/share/asterisk
astagidir => /usr/share/asterisk/agi-bin
astspooldir => $inside/spool
astrundir => $inside/run
astlogdir => $inside/log
astsbindir => /usr/sbin

[options]
systemname = callguard-test
EOF
  cat >"$etc/logger.conf" <<'EOF'
[general]
[logfiles]
console => notice,warning,error
full => notice,warning,error,verbose(3)
EOF
  local moddir
  moddir=$(cd "$ROOT/usr/lib" && ls -d ./*/asterisk/modules 2>/dev/null | head -1)
  [ -n "$moddir" ] || die "no asterisk modules directory in $ROOT/usr/lib"
  sed -i "s#^astmoddir => .*#astmoddir => /usr/lib/${moddir#./}#" "$etc/asterisk.conf"
  chroot "$ROOT" chown -R asterisk:asterisk "$inside"
  echo "$run"
}

inside_path() {
  local run=${1%/}
  case "$run" in "$ROOT$RUNS_DIR"/run-*) ;; *) die "not a sandbox run directory: $run" ;; esac
  [ -d "$run" ] || die "no such run directory: $run"
  echo "${run#"$ROOT"}"
}

exec_asterisk() {
  local inside
  inside=$(inside_path "$1")
  shift
  # setpriv: unshare dies with the process that started it (a killed test run leaves
  # nothing behind). unshare: a private /proc mount and a PID namespace whose first
  # process, a shell, is killed with unshare (--kill-child); the kernel then ends every
  # process of the namespace. Not asterisk itself as that first process: its switch to
  # user asterisk (-U) clears the kill-with-parent signal, and it would outlive unshare.
  exec setpriv --pdeathsig SIGKILL \
    unshare --mount --propagation private --pid --kill-child=SIGKILL --mount-proc="$ROOT/proc" \
    /bin/sh -c '"$@" & wait "$!"' sh \
    chroot "$ROOT" asterisk -f -U asterisk -G asterisk -C "$inside/etc/asterisk.conf" "$@"
}

cli() {
  local inside
  inside=$(inside_path "$1")
  chroot "$ROOT" asterisk -C "$inside/etc/asterisk.conf" -rx "$2"
}

cleanup() {
  inside_path "$1" >/dev/null
  rm -rf "${1%/}"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  check) reason=$(why_not); [ -z "$reason" ] || { echo "$reason"; exit 1; } ;;
  provision) provision; echo "$ROOT" ;;
  prepare) prepare "$@" ;;
  exec) [ $# -ge 1 ] || die "usage: exec RUNDIR [asterisk args]"; exec_asterisk "$@" ;;
  cli) [ $# = 2 ] || die "usage: cli RUNDIR COMMAND"; cli "$1" "$2" ;;
  stop) [ $# = 1 ] || die "usage: stop RUNDIR"; cli "$1" 'core stop now' >/dev/null ;;
  cleanup) [ $# = 1 ] || die "usage: cleanup RUNDIR"; cleanup "$1" ;;
  run)
    export CALLGUARD_SANDBOX_OWNER=$$
    run=$(prepare "${1:-8088}" "${2:-5060}" "${3:-5070}")
    echo "asterisk-sandbox: config in $run/etc, logs in $run/log; 'core stop now' to quit" >&2
    exec_asterisk "$run" -c
    ;;
  *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
