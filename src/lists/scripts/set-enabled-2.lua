--[[
  Enables or disables a list; a disabled list matches nothing.
  KEYS: info, audit
  ARGV: now (ms), '1' or '0', by, reason
  Returns -1 when the list does not exist, 0 when it was already so, 1 when changed.
]]
local current = redis.call('HGET', KEYS[1], 'enabled')
if not current then
  return -1
end
if current == ARGV[2] then
  return 0
end
redis.call('HSET', KEYS[1], 'enabled', ARGV[2])
local fields = {'action', ARGV[2] == '1' and 'enable' or 'disable', 'at', ARGV[1], 'by', ARGV[3]}
if ARGV[4] ~= '' then
  fields[#fields + 1] = 'reason'
  fields[#fields + 1] = ARGV[4]
end
redis.call('XADD', KEYS[2], '*', unpack(fields))
return 1
