--[[
  The check of one number against several lists in one script, shared by check-many.lua
  (every list of a call) and check-guarded.lua (the same, after it found the call's route
  unchanged). Not a script of its own: the loader places this file (after check-list.lua
  and count-calls.lua) before either driver.

  check_lists(k0, a0): the lists' keys start after the first k0 KEYS, the arguments after
  the first a0 ARGV:
  KEYS: info, exact, timed, meta, dense of the first list, then the same of the next, ...,
        then the counter key of each auto-block counter (none for a plain check)
  ARGV: now (ms), number (E.164), and with counters: their count, then for each: member
        (the call), keep, the count of windows, the windows (ms)
  Returns one check_list reply per list, in the order of KEYS: every list is checked,
  also after a match, so a missing list is reported wherever it stands. With counters:
  {those replies, {calls in each window} per counter}: the call is counted in the same
  script as it is checked (count_calls).
]]
local function check_lists(k0, a0)
  local counted = ARGV[a0 + 3]
  local counters = counted and tonumber(counted) or 0
  local list_keys = #KEYS - k0 - counters
  if list_keys % 5 ~= 0 then
    return redis.error_reply('check-many: 5 keys a list (info, exact, timed, meta, dense) and 1 a counter, got ' .. (#KEYS - k0) .. ' for ' .. counters .. ' counters')
  end
  local now = ARGV[a0 + 1]
  local number = ARGV[a0 + 2]
  -- The prefix candidates, per value of the prefixes field (check_list).
  local built = {}
  -- Room for four replies made at once: a table grown one reply at a time is made again
  -- at its 1st, 2nd and 3rd, each time another Redis allocation (bench:check-cost). The
  -- nils end the reply where the lists end.
  local replies = {nil, nil, nil, nil}
  -- KEYS is a global, a lookup at each use: five a list.
  local keys = KEYS
  for list = 1, list_keys / 5 do
    local first = k0 + list * 5 - 4
    replies[list] = check_list(keys[first], keys[first + 1], keys[first + 2], keys[first + 3], keys[first + 4], now, number, built)
  end
  if counters == 0 then
    return replies
  end
  local calls = {}
  local at = a0 + 4
  for counter = 1, counters do
    local member, keep, windows = ARGV[at], tonumber(ARGV[at + 1]), {}
    for i = 1, tonumber(ARGV[at + 2]) do
      windows[i] = tonumber(ARGV[at + 2 + i])
    end
    at = at + 3 + #windows
    calls[counter] = count_calls(KEYS[k0 + list_keys + counter], tonumber(now), member, keep, windows)
  end
  return {replies, calls}
end
