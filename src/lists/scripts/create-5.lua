--[[
  Creates a list.
  KEYS: info, audit, exact, timed, dense (the root of a dense list's bitmaps, keys.ts)
  ARGV: now (ms), by, reason, dense plan ('' for an ordinary list), its first generation,
        then for held_prefix_lengths (prefix-lengths.lua, placed before this file) the most
        `timed` members to read and every prefix length, then the generation left behind
        to adopt ('' unless the caller names one), the generation the caller counted
        (countGeneration in dense-store.ts; '' none) and the numbers its bitmaps hold,
        then for each generation the caller found under the dense root by its keys'
        names (scanGenerations) its id, the bitmaps found and the id of one of them ('' none)
  Returns 0 when the list exists already, -2 when the generation to adopt is not the one
  counted (what was left changed meanwhile: the caller reads it again); {1, size, the
  generation adopted or ''} when
  created (enabled, with no prefix length but those of entries left behind, below: a
  check then skips the prefix candidates until an add or import records a length); a
  refusal, nothing written: {-1, the members `exact` holds, of them those of the plan
  asked (-1: too many to read, some taken to be), the members `timed` holds, then for each
  generation of bitmaps left behind its id, its plan ('' unknown), the blocks its index
  names and, when its index is gone, the bitmaps found by name (else 0)}.

  A list of that name may have lost its info (eviction, a DEL, a failover) and left its
  other keys behind. They count as the new list's own when it reads them all: `exact`
  and `timed` always, prefixes too (the field gets their lengths, held_prefix_lengths, as
  migrate-prefixes-2.lua does; with '' the checks would skip them). A check reads the
  bitmaps of one generation only, the one the info's `gen` names, and a dense list never
  reads `exact` for a number of its plan, so the create is refused when what is left
  could not be read: bitmaps under an ordinary list, a dense list's numbers of its plan
  in `exact`, bitmaps of another plan, several generations when none is named (which
  one checks read was in the info), or a generation whose index is gone, alone or beside
  others, named or not (its bitmaps cannot be read, checks may have read them, and beside
  an adopted one they would be left read by no list, named by nothing). Else a dense
  list adopts the generation left behind, its numbers counted by the caller. A block its
  index names whose key is gone stays named: a check of a number in it answers "entries
  lost" (check-list.lua), as in a list whose block was lost, until it is loaded again or
  recounted, never "not listed".
  Generations are found through `<dense>:gens` (keys.ts) and by their keys' names; one
  whose index is gone cannot be read (the index names its blocks), so every create over
  it is refused, and it is never adopted.
]]
local plan = ARGV[4] ~= '' and ARGV[4] or false

-- The plan a block id belongs to: its calling code and 6 more digits (dense-slot.lua).
local function plan_of_block(block)
  for name, code in pairs(DENSE_CALLING_CODES) do
    if #block == #code + 6 and string.sub(block, 1, #code) == code then
      return name
    end
  end
  return ''
end

if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
local exact = redis.call('SCARD', KEYS[3])
local timed = redis.call('ZCARD', KEYS[4])
local gens_key = KEYS[5] .. ':gens'
-- The generations `<dense>:gens` names, and those the caller found by their keys' names
-- (ARGV from the 11th: id, bitmaps found, the id of one), as that set can be lost too.
local found = {}
local candidates = redis.call('SMEMBERS', gens_key)
for i = 11, #ARGV, 3 do
  found[ARGV[i]] = {tonumber(ARGV[i + 1]), ARGV[i + 2]}
  candidates[#candidates + 1] = ARGV[i]
end
local left, seen, unindexed = {}, {}, false
for _, gen in ipairs(candidates) do
  if gen ~= ARGV[5] and not seen[gen] then
    seen[gen] = true
    local index = dense_index_key(KEYS[5], gen)
    local blocks = redis.call('ZCARD', index)
    if blocks > 0 then
      left[#left + 1] = {gen, plan_of_block(redis.call('ZRANGE', index, 0, 0)[1]), blocks, 0}
    elseif found[gen] and found[gen][1] > 0 then
      left[#left + 1] = {gen, plan_of_block(found[gen][2]), 0, found[gen][1]}
      unindexed = true
    end
  end
end
table.sort(left, function(a, b) return a[1] < b[1] end)

local in_plan = 0
if plan and exact > 0 then
  if exact > tonumber(ARGV[6]) then
    in_plan = -1
  else
    for _, member in ipairs(redis.call('SMEMBERS', KEYS[3])) do
      if dense_slot(plan, member) then
        in_plan = in_plan + 1
      end
    end
  end
end

local adopt = nil
if plan and #left == 1 and ARGV[8] == '' then
  adopt = left[1]
elseif plan then
  for _, generation in ipairs(left) do
    if generation[1] == ARGV[8] then
      adopt = generation
    end
  end
end
if in_plan ~= 0 or unindexed or (#left > 0 and not adopt) or (adopt and adopt[2] ~= plan) then
  local refusal = {-1, exact, in_plan, timed}
  for _, generation in ipairs(left) do
    refusal[#refusal + 1] = generation[1]
    refusal[#refusal + 1] = generation[2]
    refusal[#refusal + 1] = generation[3]
    refusal[#refusal + 1] = generation[4]
  end
  return refusal
end

local gen, held = ARGV[5], 0
if adopt then
  -- Counted by the caller, outside this call: no writer changes a list without its info.
  if adopt[1] ~= ARGV[9] then
    return -2
  end
  gen, held = adopt[1], tonumber(ARGV[10])
  redis.call('SREM', gens_key, ARGV[5])
  -- Named again, so the next replace removes those not adopted (removeGenerationsBut).
  for _, generation in ipairs(left) do
    if generation[3] > 0 then
      redis.call('SADD', gens_key, generation[1])
    end
  end
end

local lengths = timed == 0 and '' or held_prefix_lengths(KEYS[4], ARGV[6], ARGV[7])
local size = exact + timed + held
redis.call('HSET', KEYS[1], 'created', ARGV[1], 'by', ARGV[2], 'enabled', '1', 'prefixes', lengths, 'size', size)
local fields = {'action', 'create', 'at', ARGV[1], 'by', ARGV[2]}
if plan then
  redis.call('HSET', KEYS[1], 'dense', plan, 'gen', gen, 'denseSize', held, 'blocks', adopt and adopt[3] or 0)
  fields[#fields + 1] = 'd.dense'
  fields[#fields + 1] = plan
end
if adopt then
  fields[#fields + 1] = 'd.adopted'
  fields[#fields + 1] = gen
end
if size > 0 then
  fields[#fields + 1] = 'd.leftBehind'
  fields[#fields + 1] = tostring(size)
end
if ARGV[3] ~= '' then
  fields[#fields + 1] = 'reason'
  fields[#fields + 1] = ARGV[3]
end
redis.call('XADD', KEYS[2], '*', unpack(fields))
return {1, size, adopt and gen or ''}
