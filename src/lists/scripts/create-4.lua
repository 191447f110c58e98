--[[
  Creates a list.
  KEYS: info, audit, exact, timed
  ARGV: now (ms), by, reason, dense plan ('' for an ordinary list), its first generation
  Returns 0 when the list exists already, 1 when created (enabled, with no prefix length
  but those of entries left behind, below: a check then skips the prefix candidates
  until an add or import records a length).
  Its size is what exact and timed hold: nothing, unless a list of that name lost its
  info and left entries behind, which then count as its own, prefixes too: the field
  gets their lengths (keys.ts), or past LEFT_BEHIND_READ members in `timed` every length a
  prefix member can have (3 to 17, a superset), as migrate-prefixes-2.lua does; with ''
  the checks would skip them and answer "not listed".
]]
local LEFT_BEHIND_READ = 10000
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
local timed = redis.call('ZCARD', KEYS[4])
local lengths = {}
if timed > LEFT_BEHIND_READ then
  for length = 3, 17 do
    lengths[#lengths + 1] = length
  end
elseif timed > 0 then
  local seen = {}
  for _, member in ipairs(redis.call('ZRANGE', KEYS[4], 0, -1)) do
    if string.byte(member, -1) == 42 and not seen[#member] then
      seen[#member] = true
      lengths[#lengths + 1] = #member
    end
  end
  table.sort(lengths)
end
redis.call('HSET', KEYS[1], 'created', ARGV[1], 'by', ARGV[2], 'enabled', '1', 'prefixes', table.concat(lengths, ','),
  'size', redis.call('SCARD', KEYS[3]) + timed)
local fields = {'action', 'create', 'at', ARGV[1], 'by', ARGV[2]}
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[1], 'dense', ARGV[4], 'gen', ARGV[5], 'denseSize', 0, 'blocks', 0)
  fields[#fields + 1] = 'd.dense'
  fields[#fields + 1] = ARGV[4]
end
if ARGV[3] ~= '' then
  fields[#fields + 1] = 'reason'
  fields[#fields + 1] = ARGV[3]
end
redis.call('XADD', KEYS[2], '*', unpack(fields))
return 1
