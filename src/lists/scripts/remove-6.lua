--[[
  Removes a list's data; its audit stream stays, with a 'remove' event, so the history
  of a removed list can still be read.
  KEYS: info, exact, timed, meta, cancelled, audit
  ARGV: now (ms), by, reason, and 'left-behind' to remove what a list whose info was lost
        left behind (keys.ts) instead of a list
  Returns -1 when the list does not exist, -2 when it does but 'left-behind' was asked (a
  list is removed as one, with its checks of routes and campaigns), otherwise 1. The
  bitmaps of a dense list are removed after it, page by page (dense-store.ts).
]]
local left_behind = ARGV[4] == 'left-behind'
local exists = redis.call('EXISTS', KEYS[1]) == 1
if not exists and not left_behind then
  return -1
end
if exists and left_behind then
  return -2
end
-- UNLINK frees a list of millions of numbers in the background instead of blocking Redis.
redis.call('UNLINK', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
local fields = {'action', 'remove', 'at', ARGV[1], 'by', ARGV[2]}
if left_behind then
  fields[#fields + 1] = 'd.leftBehind'
  fields[#fields + 1] = '1'
end
if ARGV[3] ~= '' then
  fields[#fields + 1] = 'reason'
  fields[#fields + 1] = ARGV[3]
end
redis.call('XADD', KEYS[6], '*', unpack(fields))
return 1
