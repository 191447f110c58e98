#!/usr/bin/env bash
# Places one SIP call into the local Asterisk (scripts/run-local.sh) from the caller
# number you give, and says in words how it ended:
#   ./scripts/call.sh +493012345678
#   refused: 403 Forbidden (cause 21)
#   callguard: verdict blocked (list dnc), action hangup:21
#
#   call.sh FROM [TO]   FROM: the caller's number as a provider would send it
#                       (+493012345678, 0301234567, anonymous); TO: the number dialled
#                       (default +4930555000)
# Environment: SIP_PORT (default 5060), CALLGUARD_ROUTE (the callguard route to screen
# with; default: the dialplan's, `default`), REDIS_URL and CALLGUARD_NAMESPACE (where
# callguard's call log is read, as for every callguard command).
# The call comes from 127.0.0.1, which the shipped pjsip.conf takes as its test caller.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] && [ $# -le 2 ] || { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
from=$1
to=${2:-+4930555000}
SIP_PORT=${SIP_PORT:-5060}
# A call is over within seconds (an answered one is hung up after one); this bounds a silent PBX.
CALL_TIMEOUT_S=30
# callguard writes its call-log entry right after it acted; a moment is enough.
LOG_WAIT_S=3
command -v sipp >/dev/null || { echo "call.sh: needs sipp (apt-get install sip-tester)" >&2; exit 2; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
headers=
[ -z "${CALLGUARD_ROUTE:-}" ] || headers="X-Callguard-Route: $CALLGUARD_ROUTE"$'\r\n'
# sipp binds this port for audio and the one two above it for video, and stops if either is taken.
media_port=$(node -e "
const dgram = require('node:dgram');
const bind = (port) => new Promise((resolve) => {
  const s = dgram.createSocket('udp4');
  s.once('error', () => resolve(undefined));
  s.bind(port, '127.0.0.1', () => resolve(s));
});
(async () => {
  for (let pick = 0; pick < 20; pick++) {
    const audio = await bind(0);
    const video = await bind(audio.address().port + 2);
    const port = audio.address().port;
    audio.close();
    if (video) { video.close(); console.log(port); return; }
  }
  process.exit(1);
})();
")
started=$(date +%s%3N)
# The scenario is the one the end-to-end tests call with: the final response is the result.
sipp "127.0.0.1:$SIP_PORT" -sf test/sipp/uac-call.xml -s "$to" -i 127.0.0.1 -mp "$media_port" \
  -m 1 -nostdin -ci 127.0.0.1 -timeout "${CALL_TIMEOUT_S}s" -timeout_error \
  -trace_msg -message_file "$dir/messages.log" -trace_err -error_file "$dir/errors.log" \
  -set from "<sip:$from@127.0.0.1>" -set extra_headers "$headers" >"$dir/sipp.out" 2>&1 || true

# The last final response (code >= 200) received for the INVITE, and its Q.850 cause.
read -r code phrase < <(awk '
  function flush() {
    if (received && invite && status >= 200) { last = status " " text; cause = reason }
    received = 0; invite = 0; status = 0; text = ""; reason = ""
  }
  /^-----+ / { flush(); next }
  /UDP message received/ { received = 1; first = 1; next }
  received && first && /^SIP\/2\.0 [0-9][0-9][0-9]/ { status = $2 + 0; text = $0; sub(/^SIP\/2\.0 [0-9]+ */, "", text); sub(/\r$/, "", text); first = 0; next }
  received && /^[Cc][Ss]eq: *1 INVITE/ { invite = 1 }
  received && /^Reason:.*cause=[0-9]+/ { reason = $0; sub(/.*cause=/, "", reason); sub(/[^0-9].*/, "", reason) }
  END { flush(); if (last != "") print last (cause == "" ? "" : " (cause " cause ")") }
' "$dir/messages.log" 2>/dev/null || true)
if [ -z "${code:-}" ]; then
  echo "no answer from Asterisk at 127.0.0.1:$SIP_PORT (is scripts/run-local.sh running?)" >&2
  tail -5 "$dir/sipp.out" >&2
  exit 1
fi
case "$code" in
  2??) echo "answered: $code $phrase" ;;
  *) echo "refused: $code $phrase" ;;
esac

# What callguard decided, from its call log: the newest entry for this caller since the call began.
for ((i = 0; i < LOG_WAIT_S * 10; i++)); do
  decision=$(node dist/cli/main.js report --since "$(date -u -d "@$((started / 1000 - 1))" +%Y-%m-%dT%H:%M:%SZ)" --json 2>/dev/null |
    node -e '
      let text = "";
      process.stdin.on("data", (chunk) => (text += chunk)).on("end", () => {
        const calls = JSON.parse(text || "{}").calls ?? [];
        const call = calls.find((entry) => entry.raw === process.argv[1]);
        if (call) console.log(`callguard: verdict ${call.verdict}${call.list ? ` (list ${call.list})` : ""}, action ${call.action}${call.route ? `, route ${call.route}` : ""}`);
      });' "$from" 2>/dev/null || true)
  [ -z "$decision" ] || { echo "$decision"; exit 0; }
  sleep 0.1
done
echo "callguard: no call-log entry for $from: it did not screen this call (serve not running, or another Redis/namespace)"
