#!/usr/bin/env bash
# The Redis of run-local.sh, in the foreground until SIGTERM or SIGINT, on loopback only:
#   local-redis.sh PORT DATA_DIR
# Everything persists in DATA_DIR: an append-only file fsynced every second (a crash
# loses at most the last second; a stop loses nothing, Redis writes out on SIGTERM), and
# the server's own log (redis.log), so the terminal stays free for callguard's log lines.
# noeviction: a full Redis refuses writes instead of silently dropping list entries.
set -euo pipefail
[ $# = 2 ] || { echo "usage: local-redis.sh PORT DATA_DIR" >&2; exit 2; }
port=$1
mkdir -p "$2"
# Absolute: Redis changes into --dir before it opens the log file.
dir=$(cd "$2" && pwd)
exec redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" \
  --appendonly yes --appendfsync everysec --save '' \
  --maxmemory-policy noeviction \
  --logfile "$dir/redis.log"
