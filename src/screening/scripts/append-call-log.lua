--[[
  Appends call-log entries once each, in the order given, even when a client sends them
  again because it never got the answer to an earlier try (a timeout while Redis was
  stalled, a connection cut after the command left): an entry whose id is in `written`
  was appended already and is skipped. Each entry appended is also counted in the hash of
  its hour (by its `time`: fields <verdict> and <verdict>|<route>; an agent's feature use,
  direction `feature`, is no call and not counted), so calls per hour are
  read from a few counters rather than from the whole log; `since` keeps when counting
  began (hours before it are counted from the log itself).
  KEYS (variable: 3 + the hours): calllog (STREAM), written (ZSET entry id -> ms it was
        appended), since (STRING), then the hour hashes the entries fall in
  ARGV: now (ms), window (ms an id is remembered), max length of the log (MAXLEN ~),
        ms an hour hash is kept, the hour count h, the start (ms) of each hour of KEYS[4..],
        then for each entry: its id, its field count n, and n fields (name, value, ...)
  Returns {appended, skipped}.
]]
local now = tonumber(ARGV[1])
local hour_ms = 3600000
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[2]))
redis.call('SET', KEYS[3], ARGV[1], 'NX')
local hours = tonumber(ARGV[5])
local hour_keys = {}
for h = 1, hours do
  hour_keys[tonumber(ARGV[5 + h])] = KEYS[3 + h]
end
local appended, skipped = 0, 0
local i = 6 + hours
while i <= #ARGV do
  local id, count = ARGV[i], tonumber(ARGV[i + 1])
  if redis.call('ZSCORE', KEYS[2], id) then
    skipped = skipped + 1
  else
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[3], '*', unpack(ARGV, i + 2, i + 1 + count))
    redis.call('ZADD', KEYS[2], now, id)
    appended = appended + 1
    local time, verdict, route, direction
    for f = i + 2, i + count, 2 do
      local name = ARGV[f]
      if name == 'time' then time = tonumber(ARGV[f + 1])
      elseif name == 'verdict' then verdict = ARGV[f + 1]
      elseif name == 'route' then route = ARGV[f + 1]
      elseif name == 'direction' then direction = ARGV[f + 1] end
    end
    local hour_key = time and verdict and direction ~= 'feature' and hour_keys[time - time % hour_ms]
    if hour_key then
      redis.call('HINCRBY', hour_key, verdict, 1)
      if route then redis.call('HINCRBY', hour_key, verdict .. '|' .. route, 1) end
    end
  end
  i = i + 2 + count
end
for h = 1, hours do
  redis.call('PEXPIRE', KEYS[3 + h], ARGV[4])
end
return {appended, skipped}
