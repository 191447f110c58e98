--[[
  Cancels entries of one list: they stop matching, the cancellation stays on record.
  KEYS: info, exact, timed, meta, cancelled, audit
  ARGV: now (ms), by, reason, cancellation json, members...
  Returns -1 when the list does not exist, otherwise one flag per member:
  1 cancelled, 0 not listed (absent or already expired; the janitor purges those).
  The members removed are counted out of the info field `size` (add_to_size, size.lua).
]]
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end

local now = tonumber(ARGV[1])
local flags = {}
local removed = 0

for i = 5, #ARGV do
  local member = ARGV[i]
  local listed = redis.call('SREM', KEYS[2], member) == 1
  if not listed then
    local score = redis.call('ZSCORE', KEYS[3], member)
    if score and (score == 'inf' or tonumber(score) > now) then
      redis.call('ZREM', KEYS[3], member)
      listed = true
    end
  end

  if listed then
    removed = removed + 1
    redis.call('HDEL', KEYS[4], member)
    redis.call('HSET', KEYS[5], member, ARGV[4])
    redis.call('XADD', KEYS[6], '*', 'action', 'cancel', 'at', ARGV[1], 'by', ARGV[2],
      'reason', ARGV[3], 'member', member)
    flags[#flags + 1] = 1
  else
    flags[#flags + 1] = 0
  end
end

add_to_size(KEYS[1], KEYS[2], KEYS[3], -removed)
return flags
