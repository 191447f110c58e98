--[[
  Checks one number against every list named, in one call: the store's path on a
  standalone Redis, where one script may touch keys of many lists. On Redis Cluster the
  lists are in different slots, so the store calls check-5.lua once a list instead.
  The check of each list is check_list, from check-list.lua, which the loader places
  before this file, so both paths give the same reply per list.
  The name carries no key count because it varies: 5 keys a list, and the caller passes
  the count first (ioredis' dynamic keys; the loader's `keys: 'variable'`).
  KEYS: info, exact, timed, meta, dense of the first list, then the same of the next, ...
  ARGV: now (ms), number (E.164)
  Returns one check_list reply per list, in the order of KEYS: every list is checked,
  also after a match, so a missing list is reported wherever it stands.
]]
if #KEYS % 5 ~= 0 then
  return redis.error_reply('check-many: 5 keys a list (info, exact, timed, meta, dense), got ' .. #KEYS)
end
local now = tonumber(ARGV[1])
local number = ARGV[2]
-- Per value of the prefixes field (false, when missing, is a valid table key).
local built, counts = {}, {}
local function candidates(field)
  local members = built[field]
  if not members then
    members, counts[field] = prefix_candidates(number, field)
    built[field] = members
  end
  return members, counts[field]
end
local replies = {}
for list = 1, #KEYS / 5 do
  local first = list * 5 - 4
  replies[list] = check_list(KEYS[first], KEYS[first + 1], KEYS[first + 2], KEYS[first + 3], KEYS[first + 4], now, number, candidates)
end
return replies
