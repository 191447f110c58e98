#!/usr/bin/env bash
# The one test command (README quick start, and CI through .ci/run): prepares the
# machine, then runs every suite — unit, integration against a real redis-server, and
# end-to-end against a real Asterisk 22 with real SIP calls.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/prepare.sh
npm test
