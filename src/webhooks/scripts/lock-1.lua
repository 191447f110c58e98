--[[
  Takes or keeps the lease of the event reader: one api instance at a time reads the
  source streams (others would only queue the same events again).
  KEYS: lock
  ARGV: owner, lease (ms)
  Returns 1 when `owner` holds the lease now, 0 when another does.
]]
local holder = redis.call('GET', KEYS[1])
if holder == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
