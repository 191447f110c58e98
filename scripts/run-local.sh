#!/usr/bin/env bash
# Runs callguard on this machine against a local Redis and the sandbox Asterisk 22,
# everything on loopback, until Ctrl-C:
#   Redis      127.0.0.1:${REDIS_PORT:-6379}   (a running one is reused)
#   Asterisk   ARI http://127.0.0.1:${ARI_PORT:-8088}, SIP udp 127.0.0.1:${SIP_PORT:-5060}
#   callguard  health/metrics http://127.0.0.1:9464
# Then, from another terminal:
#   node dist/cli/main.js list create dnc
#   node dist/cli/main.js add +493012345678 --list dnc --reason "asked not to be called"
#   node dist/cli/main.js route set default --block dnc --region DE
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/prepare.sh

REDIS_PORT=${REDIS_PORT:-6379}
ARI_PORT=${ARI_PORT:-8088}
SIP_PORT=${SIP_PORT:-5060}
FAR_END_PORT=${FAR_END_PORT:-5070}

pids=()
run_dir=
stop_all() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -z "$run_dir" ] || ./scripts/asterisk-sandbox.sh cleanup "$run_dir" || true
}
trap stop_all EXIT INT TERM

if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no >&2 &
  pids+=($!)
fi

export CALLGUARD_SANDBOX_OWNER=$$
run_dir=$(./scripts/asterisk-sandbox.sh prepare "$ARI_PORT" "$SIP_PORT" "$FAR_END_PORT")
./scripts/asterisk-sandbox.sh exec "$run_dir" >&2 &
pids+=($!)

export ARI_URL="http://127.0.0.1:$ARI_PORT" ARI_USERNAME=callguard ARI_PASSWORD=callguard
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
# National numbers (030 1234567) are read in this region unless a route says otherwise.
export CALLGUARD_REGION=${CALLGUARD_REGION:-DE}
# callguard serve reconnects by itself, so it may start before Asterisk answers.
node dist/cli/main.js serve &
pids+=($!)
wait -n "${pids[@]}"
