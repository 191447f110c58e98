--[[
  Appends call-log entries once each, in the order given, even when a client sends them
  again because it never got the answer to an earlier try (a timeout while Redis was
  stalled, a connection cut after the command left): an entry whose id is in `written`
  was appended already and is skipped.
  KEYS: calllog (STREAM), written (ZSET entry id -> ms it was appended)
  ARGV: now (ms), window (ms an id is remembered), max length of the log (MAXLEN ~),
        then for each entry: its id, its field count n, and n fields (name, value, ...)
  Returns {appended, skipped}.
]]
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[2]))
local appended, skipped = 0, 0
local i = 4
while i <= #ARGV do
  local id, count = ARGV[i], tonumber(ARGV[i + 1])
  if redis.call('ZSCORE', KEYS[2], id) then
    skipped = skipped + 1
  else
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', unpack(ARGV, i + 2, i + 1 + count))
    redis.call('ZADD', KEYS[2], now, id)
    appended = appended + 1
  end
  i = i + 2 + count
end
return {appended, skipped}
