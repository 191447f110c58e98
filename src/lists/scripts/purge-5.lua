--[[
  Removes up to `batch` expired members of one list.
  KEYS: timed, meta, audit, info, exact
  ARGV: now (ms), batch size, by
  Entries added one by one (they have metadata) get one 'expire' event each, so
  `show` tells when a number left; entries loaded in bulk (no metadata, no per-entry
  add event either) get one 'expire' event per batch with their count.
  The members removed are counted out of the info field `size` (add_to_size, size.lua).
  Returns the number of members removed; less than `batch` means none are left.
]]
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
local bulk = 0
for i = 1, #expired, 2 do
  local member, score = expired[i], expired[i + 1]
  redis.call('ZREM', KEYS[1], member)
  if redis.call('HDEL', KEYS[2], member) == 1 then
    redis.call('XADD', KEYS[3], '*', 'action', 'expire', 'at', ARGV[1], 'by', ARGV[3],
      'member', member, 'd.expiresAt', score)
  else
    bulk = bulk + 1
  end
end
if bulk > 0 then
  redis.call('XADD', KEYS[3], '*', 'action', 'expire', 'at', ARGV[1], 'by', ARGV[3],
    'd.count', tostring(bulk))
end
add_to_size(KEYS[4], KEYS[5], KEYS[1], -(#expired / 2))
return #expired / 2
