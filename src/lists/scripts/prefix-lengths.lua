--[[
  Merging prefix lengths into a list's info field `prefixes` (the rules are in keys.ts),
  shared by every script that writes a prefix member: add-6.lua and the importer's
  import-batch-3.lua, each in the same call as the write, so no writer can leave the
  field behind (test/lists/prefix-index.unit.test.ts holds every script to it). Not a
  script of its own: the loader places this file before the drivers
  (src/redis/lua-scripts.ts, `uses`).

  held_prefix_lengths(timed, most, every) is the field for entries already in `timed`
  (a list migrated from an old field, or created again over entries its lost info left
  behind): read whole when it holds at most `most` members, in the caller's one call, so
  no write slips between the read and the field; past that `every` (every length a prefix
  member can have, "3,...,17"), a superset, always right, only slower.

  merge_prefix_lengths(info, lengths)
    info: the list's info key; lengths: a table whose keys are member lengths (numbers)
  Leaves a list without the field, or with the old flag '1', as it is: those mean any
  length, and a writer cannot know which lengths such a list holds. Writes the field only
  when a length is new, sorted ascending, so a check reads longer prefixes first.
]]
local function merge_prefix_lengths(info_key, lengths)
  local field = redis.call('HGET', info_key, 'prefixes')
  if not field or field == '1' then
    return
  end
  local merged = {}
  local known = {}
  for length in string.gmatch(field, '%d+') do
    length = tonumber(length)
    -- The old flag '0' parses to 0: no prefix, so no length.
    if length >= 3 and not known[length] then
      known[length] = true
      merged[#merged + 1] = length
    end
  end
  local grown = false
  for length in pairs(lengths) do
    if not known[length] then
      known[length] = true
      merged[#merged + 1] = length
      grown = true
    end
  end
  if grown then
    table.sort(merged)
    redis.call('HSET', info_key, 'prefixes', table.concat(merged, ','))
  end
end

local function held_prefix_lengths(timed_key, most, every)
  if redis.call('ZCARD', timed_key) > tonumber(most) then
    return every
  end
  local seen, lengths = {}, {}
  for _, member in ipairs(redis.call('ZRANGE', timed_key, 0, -1)) do
    if string.byte(member, -1) == 42 and not seen[#member] then
      seen[#member] = true
      lengths[#lengths + 1] = #member
    end
  end
  table.sort(lengths)
  return table.concat(lengths, ',')
end
