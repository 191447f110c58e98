--[[
  Creates a list.
  KEYS: info, audit, exact, timed
  ARGV: now (ms), by, reason, dense plan ('' for an ordinary list), its first generation,
        then for held_prefix_lengths (prefix-lengths.lua, placed before this file) the most
        `timed` members to read and every prefix length
  Returns 0 when the list exists already, 1 when created (enabled, with no prefix length
  but those of entries left behind, below: a check then skips the prefix candidates
  until an add or import records a length).
  Its size is what exact and timed hold: nothing, unless a list of that name lost its
  info and left entries behind, which then count as its own, prefixes too: the field
  gets their lengths (held_prefix_lengths, as migrate-prefixes-2.lua does); with '' the
  checks would skip them and answer "not listed".
]]
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
local timed = redis.call('ZCARD', KEYS[4])
local lengths = timed == 0 and '' or held_prefix_lengths(KEYS[4], ARGV[6], ARGV[7])
redis.call('HSET', KEYS[1], 'created', ARGV[1], 'by', ARGV[2], 'enabled', '1', 'prefixes', lengths,
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
