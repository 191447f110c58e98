#!/usr/bin/env bash
# Installs what callguard's tests and local run need on a Debian/Ubuntu machine with
# Node (20.19+, 22 or 24): redis-server, sipp (sip-tester), debootstrap, chromium and
# docker-compose from apt, the npm dependencies, and the cached Asterisk 22 sandbox
# root. Idempotent: a second run installs nothing new.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v sipp >/dev/null || missing+=(sip-tester)
command -v debootstrap >/dev/null || missing+=(debootstrap)
# `docker-compose config` validates docker-compose.yml without a Docker engine.
command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 || missing+=(docker-compose)
# The console's tests drive Debian's chromium (playwright-core downloads no browser).
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ "${#missing[@]}" -gt 0 ]; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update
  "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build

# The end-to-end suites need the Asterisk sandbox root (about a minute the first time,
# cached afterwards). Where it cannot run (no root), the e2e suites say why and skip,
# except under CI=true, where they fail.
if reason=$(./scripts/asterisk-sandbox.sh check); then
  ./scripts/asterisk-sandbox.sh provision >/dev/null
else
  echo "prepare: no Asterisk sandbox here: $reason" >&2
fi
