--[[
  Writes one batch of an import into a list (or into the staging keys of a replace).
  KEYS: exact (SET of numbers that never expire), timed (ZSET of timed numbers and prefixes),
        info (the list's own, also when exact and timed are a replace's staging keys)
  ARGV: now (ms), mode ('skip' | 'override' | 'dry'), ttl (ms, '0' for none), then
        'numbers', one expiry for all, the numbers (no prefix) joined by newlines, or
        'pairs', the members joined by newlines, their expiries ('inf' or ms) likewise.
  Members travel joined in one argument: a client then sends one string instead of
  thousands (six times less client CPU), and Redis splits it as fast as it reads ARGV.
  Returns {imported, duplicates, exact size, timed size} after the batch.

  A member is a duplicate when the list already holds it live (the SET, or the ZSET with
  an expiry still ahead) or when it came earlier in the same import. 'skip' leaves the
  existing entry untouched; 'override' gives it the import's expiry, moving it to the SET
  when that is forever; 'dry' decides the same as 'skip' and writes nothing. An expired
  entry is not a duplicate: the import brings it back. The batch is atomic, so an
  interrupted import leaves whole batches and nothing half-written.

  The lengths of the batch's prefixes are merged into the list's info field `prefixes`
  (merge_prefix_lengths, from prefix-lengths.lua) in this same atomic call, before any
  of them is written, so no check can see a prefix whose length it would not look for;
  during a replace into the live list's info, which the staging keys are swapped into.
  A batch into the list itself counts the members it added into the info field `size`
  (add_to_size, from size.lua). A batch into a replace's staging keys, the only keys
  written with a ttl, leaves it: the swap sets the size of what it swaps in. A batch that
  changed the list itself also counts one write into `bulkWrites` (count_bulk_write), so
  a replace running meanwhile refuses to drop it (swap-7.lua). The loader places size.lua,
  prefix-lengths.lua and bulk-writes.lua before this file.
]]
local now = tonumber(ARGV[1])
local mode = ARGV[2]
local ttl = tonumber(ARGV[3])
local shape = ARGV[4]
local counted = ttl == 0 and mode ~= 'dry'
local sizeBefore = counted and redis.call('SCARD', KEYS[1]) + redis.call('ZCARD', KEYS[2]) or 0
-- Keeps unpack() far below Lua's C stack limit.
local CHUNK = 1000

local function split(text)
  local items = {}
  for item in string.gmatch(text, '[^\n]+') do
    items[#items + 1] = item
  end
  return items
end

local function live(score)
  return score and (score == 'inf' or tonumber(score) > now)
end

local function finish(imported, duplicates)
  if ttl > 0 and mode ~= 'dry' then
    redis.call('PEXPIRE', KEYS[1], ttl)
    redis.call('PEXPIRE', KEYS[2], ttl)
  end
  local exactSize, timedSize = redis.call('SCARD', KEYS[1]), redis.call('ZCARD', KEYS[2])
  if counted then
    add_to_size(KEYS[3], KEYS[1], KEYS[2], exactSize + timedSize - sizeBefore)
    if imported > 0 or (mode == 'override' and duplicates > 0) then count_bulk_write(KEYS[3]) end
  end
  return {imported, duplicates, exactSize, timedSize}
end

-- The bulk case (numbers that never expire) costs little more than SADD itself: SADD's
-- reply counts the new members, and the ZSET is only asked when it holds anything.
if shape == 'numbers' and ARGV[5] == 'inf' and mode ~= 'dry' then
  local numbers = split(ARGV[6])
  local imported, duplicates = 0, 0
  local timedEmpty = redis.call('ZCARD', KEYS[2]) == 0
  for from = 1, #numbers, CHUNK do
    local to = math.min(from + CHUNK - 1, #numbers)
    if timedEmpty then
      local added = redis.call('SADD', KEYS[1], unpack(numbers, from, to))
      imported = imported + added
      duplicates = duplicates + (to - from + 1 - added)
    else
      local scores = redis.call('ZMSCORE', KEYS[2], unpack(numbers, from, to))
      local fresh, moved, stale = {}, {}, {}
      for j = 1, to - from + 1 do
        local member, score = numbers[from + j - 1], scores[j]
        if live(score) then
          duplicates = duplicates + 1
          if mode == 'override' then moved[#moved + 1] = member end
        else
          if score then stale[#stale + 1] = member end
          fresh[#fresh + 1] = member
        end
      end
      if #fresh > 0 then
        local added = redis.call('SADD', KEYS[1], unpack(fresh))
        imported = imported + added
        duplicates = duplicates + (#fresh - added)
      end
      if #moved > 0 then
        redis.call('SADD', KEYS[1], unpack(moved))
        redis.call('ZREM', KEYS[2], unpack(moved))
      end
      if #stale > 0 then redis.call('ZREM', KEYS[2], unpack(stale)) end
    end
  end
  return finish(imported, duplicates)
end

local members, expiries
if shape == 'numbers' then
  members = split(ARGV[6])
  expiries = {}
  for i = 1, #members do
    expiries[i] = ARGV[5]
  end
else
  members = split(ARGV[5])
  expiries = split(ARGV[6])
end

local inSet, scores = {}, {}
for from = 1, #members, CHUNK do
  local to = math.min(from + CHUNK - 1, #members)
  local flags = redis.call('SMISMEMBER', KEYS[1], unpack(members, from, to))
  local found = redis.call('ZMSCORE', KEYS[2], unpack(members, from, to))
  for j = 1, to - from + 1 do
    inSet[from + j - 1] = flags[j] == 1
    scores[from + j - 1] = found[j]
  end
end

-- The expiry each member ends the batch with, in first-seen order; absent: untouched.
local decided, order, original = {}, {}, {}
local imported, duplicates = 0, 0
for i = 1, #members do
  local member = members[i]
  if original[member] == nil then
    original[member] = {inSet = inSet[i], score = scores[i]}
  end
  local exists = decided[member] ~= nil or inSet[i] or live(scores[i])
  if not exists then
    imported = imported + 1
    decided[member] = expiries[i]
    order[#order + 1] = member
  else
    duplicates = duplicates + 1
    if mode == 'override' then
      if decided[member] == nil then
        order[#order + 1] = member
      end
      decided[member] = expiries[i]
    end
  end
end

if mode ~= 'dry' then
  local lengths = {}
  for _, member in ipairs(members) do
    if string.byte(member, -1) == 42 then
      lengths[#member] = true
    end
  end
  if next(lengths) then
    merge_prefix_lengths(KEYS[3], lengths)
  end
  local sadd, zadd, srem, zrem = {}, {}, {}, {}
  for _, member in ipairs(order) do
    local expiry = decided[member]
    local was = original[member]
    local isPrefix = string.byte(member, -1) == 42
    if expiry == 'inf' and not isPrefix then
      if not was.inSet then sadd[#sadd + 1] = member end
      if was.score then zrem[#zrem + 1] = member end
    else
      zadd[#zadd + 1] = expiry
      zadd[#zadd + 1] = member
      if was.inSet then srem[#srem + 1] = member end
    end
  end
  local function each(command, key, args, step)
    for from = 1, #args, CHUNK * step do
      redis.call(command, key, unpack(args, from, math.min(from + CHUNK * step - 1, #args)))
    end
  end
  each('SREM', KEYS[1], srem, 1)
  each('ZREM', KEYS[2], zrem, 1)
  each('SADD', KEYS[1], sadd, 1)
  each('ZADD', KEYS[2], zadd, 2)
end

return finish(imported, duplicates)
