--[[
  Cancels entries of one list: they stop matching, the cancellation stays on record.
  KEYS: info, exact, timed, meta, cancelled, audit, dense (the root of a dense list's bitmaps)
  ARGV: now (ms), by, reason, cancellation json, members...
  Returns -1 when the list does not exist, -2 (nothing written) when a dense list lost
  the bitmap of a member's block outside callguard (dense_members_whole: "not listed"
  could not be told), otherwise one flag per member:
  1 cancelled, 0 not listed (absent or already expired; the janitor purges those).
  The members removed are counted out of the info field `size` (add_to_size, size.lua).
  A number of a dense list's plan is cleared from its bitmap (dense_clear, dense.lua).
]]
local exists, plan, gen = dense_header(KEYS[1])
if not exists then
  return -1
end
if not dense_members_whole(KEYS[1], KEYS[7], plan, gen, 5, 1) then
  return -2
end

local now = tonumber(ARGV[1])
local flags = {}
local removed = 0

for i = 5, #ARGV do
  local member = ARGV[i]
  local block, bit = dense_slot(plan, member)
  local listed
  if block then
    listed = dense_clear(KEYS[1], KEYS[7], gen, block, bit) == 1
  else
    listed = redis.call('SREM', KEYS[2], member) == 1
  end
  -- A dense number added forever while also listed for a time (an import) is in both.
  if not listed or block then
    local score = redis.call('ZSCORE', KEYS[3], member)
    if score and (score == 'inf' or tonumber(score) > now) then
      redis.call('ZREM', KEYS[3], member)
      if listed then
        removed = removed + 1
      end
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
