--[[
  Removes a list's data; its audit stream stays, with a 'remove' event, so the history
  of a removed list can still be read.
  KEYS: info, exact, timed, meta, cancelled, audit
  ARGV: now (ms), by, reason
  Returns -1 when the list does not exist, otherwise 1.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
-- UNLINK frees a list of millions of numbers in the background instead of blocking Redis.
redis.call('UNLINK', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
local fields = {'action', 'remove', 'at', ARGV[1], 'by', ARGV[2]}
if ARGV[3] ~= '' then
  fields[#fields + 1] = 'reason'
  fields[#fields + 1] = ARGV[3]
end
redis.call('XADD', KEYS[6], '*', unpack(fields))
return 1
