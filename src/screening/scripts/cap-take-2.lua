--[[
  One attempt to a number against a cap, counting every campaign's attempts: either the
  attempt is let through and counted, or it is refused with the time the window will
  have slid far enough. Check and count in one step, so two instances cannot both take
  the last slot.
  KEYS: horizon, calls (of this number)
  ARGV: now (ms), member (unique per attempt), cap count (0: no cap, only count), cap window (ms)
  Returns {1, attempts in the window, this one included} or {0, retry at (ms)}.
  Attempts are kept for the longer of the horizon (the longest cap of any campaign) and
  this cap's window; with neither, nothing is kept.
]]
local now = tonumber(ARGV[1])
local count = tonumber(ARGV[3])
local window = tonumber(ARGV[4])
local keep = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), count > 0 and window or 0)
if keep <= 0 then
  return {1, 0}
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - keep)
local held = 0
if count > 0 then
  held = redis.call('ZCOUNT', KEYS[2], '(' .. (now - window), '+inf')
  if held >= count then
    -- The oldest attempts in the window leave it first: once held - count + 1 of them have, one slot is free.
    local leaving = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. (now - window), '+inf', 'WITHSCORES', 'LIMIT', held - count, 1)
    return {0, tonumber(leaving[2]) + window}
  end
end
redis.call('ZADD', KEYS[2], now, ARGV[2])
redis.call('PEXPIRE', KEYS[2], keep)
return {1, held + 1}
