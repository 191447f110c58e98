--[[
  Checks one number against every list named, in one call: the store's path on a
  standalone Redis, where one script may touch keys of many lists. On Redis Cluster the
  lists are in different slots, so the store calls check-5.lua once a list instead.
  The check of each list is check_list, from check-list.lua, which the loader places
  before this file, so both paths give the same reply per list.
  The name carries no key count because it varies: 5 keys a list, and the caller passes
  the count first (ioredis' dynamic keys; the loader's `keys: 'variable'`).
  KEYS: info, exact, timed, meta, dense of the first list, then the same of the next, ...,
        then the counter key of each auto-block counter (none for a plain check)
  ARGV: now (ms), number (E.164), and with counters: their count, then for each: member
        (the call), keep, the count of windows, the windows (ms)
  Returns one check_list reply per list, in the order of KEYS: every list is checked,
  also after a match, so a missing list is reported wherever it stands. With counters:
  {those replies, {calls in each window} per counter}: the call is counted in the same
  script as it is checked (count_calls, from count-calls.lua, placed before this file).
]]
local counters = tonumber(ARGV[3] or '0')
local list_keys = #KEYS - counters
if list_keys % 5 ~= 0 then
  return redis.error_reply('check-many: 5 keys a list (info, exact, timed, meta, dense) and 1 a counter, got ' .. #KEYS .. ' for ' .. counters .. ' counters')
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
for list = 1, list_keys / 5 do
  local first = list * 5 - 4
  replies[list] = check_list(KEYS[first], KEYS[first + 1], KEYS[first + 2], KEYS[first + 3], KEYS[first + 4], now, number, candidates)
end
if counters == 0 then
  return replies
end
local counts = {}
local at = 4
for counter = 1, counters do
  local member, keep, windows = ARGV[at], tonumber(ARGV[at + 1]), {}
  for i = 1, tonumber(ARGV[at + 2]) do
    windows[i] = tonumber(ARGV[at + 2 + i])
  end
  at = at + 3 + #windows
  counts[counter] = count_calls(KEYS[list_keys + counter], now, member, keep, windows)
end
return {replies, counts}
