#!/usr/bin/env bash
# Runs callguard on this machine against a local Redis and the sandbox Asterisk 22,
# everything on loopback, until Ctrl-C or SIGTERM (`kill <pid>`), which stop all of it
# in a few seconds:
#   Redis      127.0.0.1:${REDIS_PORT:-6379}   (a running one is reused), data in
#              ${CALLGUARD_DATA_DIR:-~/.local/share/callguard}/redis, kept across restarts
#   Asterisk   ARI http://127.0.0.1:${ARI_PORT:-8088}, SIP udp 127.0.0.1:${SIP_PORT:-5060},
#              its console output in $CALLGUARD_DATA_DIR/asterisk.log
#   callguard  serve: health/metrics http://127.0.0.1:9464 (CALLGUARD_HEALTH);
#              api: http://127.0.0.1:8080 (CALLGUARD_API_LISTEN; docs/api.md); their JSON
#              log lines are this script's stdout, everything else goes to stderr
# Then, from another terminal:
#   node dist/cli/main.js list create dnc
#   node dist/cli/main.js add +493012345678 --list dnc --reason "asked not to be called"
#   node dist/cli/main.js route set default --block dnc --region DE
#   ./scripts/call.sh +493012345678
#   node dist/cli/main.js token create --name me --role admin    # for the API
set -euo pipefail
cd "$(dirname "$0")/.."
# Set by the tests, which prepare the machine once for every suite.
[ -n "${CALLGUARD_SKIP_PREPARE:-}" ] || ./scripts/prepare.sh >&2

REDIS_PORT=${REDIS_PORT:-6379}
ARI_PORT=${ARI_PORT:-8088}
SIP_PORT=${SIP_PORT:-5060}
FAR_END_PORT=${FAR_END_PORT:-5070}
DATA_DIR=${CALLGUARD_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/callguard}
# Longest serve may take to finish the calls in flight (its own limit is 30 s).
SERVE_STOP_S=35
# Asterisk and Redis stop in about a second; past these they are killed.
ASTERISK_STOP_S=10
REDIS_STOP_S=10

say() { echo "run-local: $*" >&2; }

# Job control: each child runs in a process group of its own, so a Ctrl-C reaches this
# script only, and it stops them in order: serve first (it finishes its calls while
# Asterisk and Redis are still up), then Asterisk, then Redis (its data written last).
set -m
serve_pid=
api_pid=
asterisk_pid=
redis_pid=
run_dir=

# Waits for a child of ours for up to $2 seconds, then kills it.
reap() {
  local pid=$1 seconds=$2 timer
  (sleep "$seconds" && kill -KILL "$pid" 2>/dev/null) &
  timer=$!
  wait "$pid" 2>/dev/null || true
  # The timer has a process group of its own (set -m): end it and its sleep together.
  kill -- "-$timer" 2>/dev/null || true
  wait "$timer" 2>/dev/null || true
}

stop_all() {
  trap - EXIT INT TERM
  # serve and the api stop together: each finishes what it has in flight.
  [ -z "$api_pid" ] || kill -TERM "$api_pid" 2>/dev/null || true
  if [ -n "$serve_pid" ]; then
    kill -TERM "$serve_pid" 2>/dev/null || true
    reap "$serve_pid" "$SERVE_STOP_S"
  fi
  [ -z "$api_pid" ] || reap "$api_pid" "$SERVE_STOP_S"
  if [ -n "$asterisk_pid" ]; then
    # The process is unshare, which ignores SIGTERM: ask Asterisk itself. A SIGKILL
    # of unshare takes everything in its PID namespace with it.
    ./scripts/asterisk-sandbox.sh stop "$run_dir" 2>/dev/null || kill -KILL "$asterisk_pid" 2>/dev/null || true
    reap "$asterisk_pid" "$ASTERISK_STOP_S"
  fi
  [ -z "$run_dir" ] || ./scripts/asterisk-sandbox.sh cleanup "$run_dir" || true
  if [ -n "$redis_pid" ]; then
    kill -TERM "$redis_pid" 2>/dev/null || true
    reap "$redis_pid" "$REDIS_STOP_S"
  fi
  say "stopped"
}
on_signal() {
  say "$1: stopping callguard (serve, api), Asterisk, Redis"
  stop_all
  exit 0
}
trap stop_all EXIT
trap 'on_signal SIGINT' INT
trap 'on_signal SIGTERM' TERM

mkdir -p "$DATA_DIR"
if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  say "Redis on 127.0.0.1:$REDIS_PORT was running already and is reused; its data is where that Redis keeps it"
  if [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" config get appendonly | tail -1)" = no ] &&
    [ -z "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" config get save | tail -1)" ]; then
    say "warning: that Redis does not persist (no AOF, no snapshots): its lists are lost when it stops"
  fi
else
  ./scripts/local-redis.sh "$REDIS_PORT" "$DATA_DIR/redis" &
  redis_pid=$!
  say "Redis on 127.0.0.1:$REDIS_PORT, data in $DATA_DIR/redis"
fi

export CALLGUARD_SANDBOX_OWNER=$$
run_dir=$(./scripts/asterisk-sandbox.sh prepare "$ARI_PORT" "$SIP_PORT" "$FAR_END_PORT")
# -n: no colour codes; the console output goes to a file, not into callguard's log stream.
./scripts/asterisk-sandbox.sh exec "$run_dir" -n >"$DATA_DIR/asterisk.log" 2>&1 &
asterisk_pid=$!
say "Asterisk: ARI http://127.0.0.1:$ARI_PORT, SIP udp 127.0.0.1:$SIP_PORT, console output in $DATA_DIR/asterisk.log"

export ARI_URL="http://127.0.0.1:$ARI_PORT" ARI_USERNAME=callguard ARI_PASSWORD=callguard
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
# National numbers (030 1234567) are read in this region unless a route says otherwise.
export CALLGUARD_REGION=${CALLGUARD_REGION:-DE}
# callguard serve reconnects by itself, so it may start before Asterisk answers.
node dist/cli/main.js serve &
serve_pid=$!
node dist/cli/main.js api &
api_pid=$!
say "callguard serve and api (http://${CALLGUARD_API_LISTEN:-127.0.0.1:8080}) started; stop everything with Ctrl-C or: kill $$"

set +e
wait -n -p ended "$serve_pid" "$api_pid" "$asterisk_pid" ${redis_pid:+"$redis_pid"}
code=$?
set -e
case "$ended" in
  "$serve_pid") serve_pid= part="callguard serve" ;;
  "$api_pid") api_pid= part="callguard api" ;;
  "$asterisk_pid") asterisk_pid= part=Asterisk ;;
  *) redis_pid= part=Redis ;;
esac
say "$part exited by itself (code $code); stopping the rest"
exit "$code"
