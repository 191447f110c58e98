--[[
  Adds entries to one list, atomically with their metadata and audit events.
  KEYS: info, exact, timed, meta, audit, dense (the root of a dense list's bitmaps)
  ARGV: now (ms), meta json, by, reason, source, ref (a consent's reference, or ''), then
        pairs of member, expiry ('inf' or ms)
  Returns -1 when the list does not exist, -2 (nothing written) when a dense list lost
  the bitmap of a member's block outside callguard (dense_members_whole), otherwise
  {added, extended, unchanged}.
  Adding again keeps the later expiry; a number that never expires lives in the SET
  `exact` only, everything else (timed numbers, every prefix) in the ZSET `timed`.
  The lengths of the batch's prefixes are merged into the list's info field `prefixes`
  (merge_prefix_lengths, from prefix-lengths.lua, which the loader places before this
  file), in this same atomic call, so a check looks for prefixes of those lengths; also
  when a prefix was listed already, which heals a field that lacks its length. Nothing
  removes a length: a stale one only makes checks slower (keys.ts). The members added
  are counted into the info field `size` (add_to_size, from size.lua).
  In a dense list a never-expiring number of its plan is a bit (dense_set, dense.lua)
  instead of a SET member; one listed with an expiry moves there when added forever.
]]
local exists, plan, gen = dense_header(KEYS[1])
if not exists then
  return -1
end
if not dense_members_whole(KEYS[1], KEYS[6], plan, gen, 7, 2) then
  return -2
end

local now = tonumber(ARGV[1])
local metaJson, by, reason, source, ref = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local added, extended, unchanged = 0, 0, 0
local grown = 0
local prefixLengths = {}
local hasPrefix = false

local function expiryValue(score)
  if score == 'inf' then
    return math.huge
  end
  return tonumber(score)
end

local function record(member, change, expiry)
  local fields = {'action', 'add', 'at', ARGV[1], 'by', by, 'member', member,
    'd.change', change, 'd.expiresAt', expiry == 'inf' and 'never' or expiry}
  if reason ~= '' then
    fields[#fields + 1] = 'reason'
    fields[#fields + 1] = reason
  end
  if source ~= '' then
    fields[#fields + 1] = 'd.source'
    fields[#fields + 1] = source
  end
  if ref ~= '' then
    fields[#fields + 1] = 'd.ref'
    fields[#fields + 1] = ref
  end
  redis.call('XADD', KEYS[5], '*', unpack(fields))
end

for i = 7, #ARGV, 2 do
  local member, expiry = ARGV[i], ARGV[i + 1]
  local change = nil
  local isPrefix = string.byte(member, -1) == 42
  if isPrefix then
    prefixLengths[#member] = true
    hasPrefix = true
  end
  local block, bit = dense_slot(plan, member)
  local listedForever
  if block then
    listedForever = redis.call('GETBIT', dense_block_key(KEYS[6], gen, block), bit) == 1
  else
    listedForever = redis.call('SISMEMBER', KEYS[2], member) == 1
  end
  if not listedForever then
    local current = redis.call('ZSCORE', KEYS[3], member)
    if not current or expiryValue(current) <= now then
      change = 'added'
    elseif expiryValue(expiry) > expiryValue(current) then
      change = 'extended'
    end
  end

  if change then
    if expiry == 'inf' and block then
      grown = grown - redis.call('ZREM', KEYS[3], member) + dense_set(KEYS[1], KEYS[6], gen, block, bit, true)
    elseif expiry == 'inf' and not isPrefix then
      grown = grown - redis.call('ZREM', KEYS[3], member) + redis.call('SADD', KEYS[2], member)
    else
      grown = grown + redis.call('ZADD', KEYS[3], expiry, member)
    end
    redis.call('HSET', KEYS[4], member, metaJson)
    record(member, change, expiry)
    if change == 'added' then
      added = added + 1
    else
      extended = extended + 1
    end
  else
    unchanged = unchanged + 1
  end
end

if hasPrefix then
  merge_prefix_lengths(KEYS[1], prefixLengths)
end
add_to_size(KEYS[1], KEYS[2], KEYS[3], grown)

return {added, extended, unchanged}
