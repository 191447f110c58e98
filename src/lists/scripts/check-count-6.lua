--[[
  Checks one number against one list and counts the call for the auto-block rules that
  fill that list, in the same call: the per-list path (Redis Cluster) of a route with
  auto-block rules, whose counter lives in the slot of the list it fills. check_list and
  count_calls come from check-list.lua (with dense-slot.lua) and count-calls.lua, which the
  loader places before this file.
  KEYS: info, exact, timed, meta, dense (the root of its bitmaps), counter
  ARGV: now (ms), number (E.164), member (the call), keep, window (ms)...
  Returns {check_list's reply, {calls in each window}}.
]]
local reply = check_list(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[1], ARGV[2], {})
local windows = {}
for i = 5, #ARGV do
  windows[#windows + 1] = tonumber(ARGV[i])
end
return {reply, count_calls(KEYS[6], tonumber(ARGV[1]), ARGV[3], tonumber(ARGV[4]), windows)}
