--[[
  Accepts what a list's keys hold as its size: after entries were lost outside
  callguard (eviction, a DEL, a failover) and the operator chose to go on with what is
  left rather than load the list again. Until then checks that find no match answer
  "entries lost" instead of "not listed" (check-list.lua).
  KEYS: info, exact, timed, audit, dense (the root of a dense list's bitmaps)
  ARGV: now (ms), by, reason
  Returns -1 when the list does not exist, otherwise {size before (-1 when it had none),
  size now}. The audit stream records both. A dense list's bitmaps are counted one by
  one (BITCOUNT each block its index names; blocks gone are taken out of the index):
  on a list of a national registry that holds Redis for a second or two (docs/registries.md).
]]
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
local before = redis.call('HGET', KEYS[1], 'size')
local now = redis.call('SCARD', KEYS[2]) + redis.call('ZCARD', KEYS[3])
local list = redis.call('HMGET', KEYS[1], 'dense', 'gen')
if list[1] then
  local index = dense_index_key(KEYS[5], list[2])
  local held, blocks = 0, 0
  for _, block in ipairs(redis.call('ZRANGE', index, 0, -1)) do
    local key = dense_block_key(KEYS[5], list[2], block)
    if redis.call('EXISTS', key) == 1 then
      held = held + redis.call('BITCOUNT', key)
      blocks = blocks + 1
    else
      redis.call('ZREM', index, block)
    end
  end
  redis.call('HSET', KEYS[1], 'denseSize', held, 'blocks', blocks)
  now = now + held
end
redis.call('HSET', KEYS[1], 'size', now)
local fields = {'action', 'recount', 'at', ARGV[1], 'by', ARGV[2],
  'd.sizeBefore', before or 'none', 'd.sizeAfter', tostring(now)}
if ARGV[3] ~= '' then
  fields[#fields + 1] = 'reason'
  fields[#fields + 1] = ARGV[3]
end
redis.call('XADD', KEYS[4], '*', unpack(fields))
return {before and tonumber(before) or -1, now}
