--[[
  Extends the leases of attempts still running, on Redis' clock.
  KEYS: inflight
  ARGV: lease (ms), leases...
  Returns one flag per lease: 1 renewed, 0 gone (it ran out and may be attempted again).
]]
local time = redis.call('TIME')
local expiry = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) + tonumber(ARGV[1])
local flags = {}
for i = 2, #ARGV do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[1], expiry, ARGV[i])
    flags[#flags + 1] = 1
  else
    flags[#flags + 1] = 0
  end
end
return flags
