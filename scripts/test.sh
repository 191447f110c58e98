#!/usr/bin/env bash
# The one test command (README quick start, and CI through .ci/run): prepares the
# machine, then runs every suite — unit, integration against a real redis-server, and
# end-to-end against a real Asterisk 22 with real SIP calls, and the built CLI and serve
# on Node 22 and 24 too.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/prepare.sh
# Node 22 and 24 for test/e2e/node-lines.test.ts (the suite itself runs on the machine's
# Node): fetched once into a cache; where that cannot be done the file says why and skips,
# except under CI=true.
if reason=$(./scripts/newer-node.sh check); then
  ./scripts/newer-node.sh provision
else
  echo "test: no Node 22/24 here: $reason" >&2
fi
npm test
