--[[
  Takes the due events of one webhook into delivery: each gets a lease (its due time
  moved to the lease's end), so another api instance does not deliver it at the same
  time, and an instance that dies mid-delivery leaves it to be delivered again.
  KEYS: due, events
  ARGV: now (ms), limit, lease end (ms)
  Returns {id, event json, id, event json, ...}; an id whose event is gone is dropped.
]]
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, id in ipairs(ids) do
  local json = redis.call('HGET', KEYS[2], id)
  if json then
    redis.call('ZADD', KEYS[1], ARGV[3], id)
    out[#out + 1] = id
    out[#out + 1] = json
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out
