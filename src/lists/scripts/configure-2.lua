--[[
  Changes a list's settings (its info fields `consent` and `auditRetention`), with one
  audit event naming what changed.
  KEYS: info, audit
  ARGV: now (ms), by, reason, then pairs of field, value ('' removes the field)
  Returns -1 when the list does not exist, else the number of fields changed (no event
  when none did).
]]
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
local fields = {'action', 'configure', 'at', ARGV[1], 'by', ARGV[2]}
if ARGV[3] ~= '' then
  fields[#fields + 1] = 'reason'
  fields[#fields + 1] = ARGV[3]
end
local changed = 0
for i = 4, #ARGV, 2 do
  local field, value = ARGV[i], ARGV[i + 1]
  local current = redis.call('HGET', KEYS[1], field) or ''
  if current ~= value then
    if value == '' then
      redis.call('HDEL', KEYS[1], field)
    else
      redis.call('HSET', KEYS[1], field, value)
    end
    changed = changed + 1
    fields[#fields + 1] = 'd.' .. field
    fields[#fields + 1] = value == '' and 'none' or value
  end
end
if changed > 0 then
  redis.call('XADD', KEYS[2], '*', unpack(fields))
end
return changed
