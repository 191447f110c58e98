--[[
  Takes up to ARGV[3] due requests of one campaign into an attempt, never more than the
  campaign's ARGV[2] attempts in flight across all instances. Each attempt holds a lease,
  a member `<request id>|<nonce>` of the in-flight set scored with its expiry on Redis'
  own clock (instances' clocks may differ; leases are about liveness, not schedule).
  A lease that ran out belongs to an instance that died mid-attempt: its request is due
  again at once (the attempt is not counted: its result was never written).
  KEYS: due, inflight, state
  ARGV: now (schedule clock, ms), max concurrent, limit, lease (ms), nonce
  Returns {lease, state JSON, lease, state JSON, ...}.
]]
local time = redis.call('TIME')
local clock = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local now = tonumber(ARGV[1])

local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', clock)
for _, lease in ipairs(expired) do
  redis.call('ZREM', KEYS[2], lease)
  local id = string.match(lease, '^(.*)|[^|]*$')
  if id and redis.call('HEXISTS', KEYS[3], id) == 1 then
    redis.call('ZADD', KEYS[1], now, id)
  end
end

local limit = math.min(tonumber(ARGV[2]) - redis.call('ZCARD', KEYS[2]), tonumber(ARGV[3]))
if limit <= 0 then
  return {}
end

local claimed = {}
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)
for i, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  local state = redis.call('HGET', KEYS[3], id)
  if state then
    local lease = id .. '|' .. ARGV[5] .. '.' .. i
    redis.call('ZADD', KEYS[2], clock + tonumber(ARGV[4]), lease)
    claimed[#claimed + 1] = lease
    claimed[#claimed + 1] = state
  end
end
return claimed
