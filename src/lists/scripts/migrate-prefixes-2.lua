--[[
  Gives a list from before the info field `prefixes` existed (no field), or with one of
  its old flags ('1': any length, '0': none), the field as it is written today (keys.ts),
  so the check scripts read one format only. Run once a list by `migratePrefixFields`
  (migrate.ts) when serve or api starts; a list already in today's format is left as it is.
  A list of at most ARGV[1] members in `timed` is read whole in this one call, so no
  write can slip between the read and the field, and gets the lengths its prefixes have;
  a larger one gets every length a prefix member can have (keys.ts: 3 to 17), a superset,
  which is always right and checks as the old "any length" did.
  KEYS: info, timed
  ARGV: the most `timed` members to read, every length a prefix member can have ("3,...,17"):
        held_prefix_lengths (prefix-lengths.lua, which the loader places before this file)
  Returns -1 (no such list), 0 (already in today's format) or 1 (migrated).
]]
local field = redis.call('HGET', KEYS[1], 'prefixes')
if not field and redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
if field and field ~= '1' and field ~= '0' then
  return 0
end
if field == '0' then
  redis.call('HSET', KEYS[1], 'prefixes', '')
  return 1
end
redis.call('HSET', KEYS[1], 'prefixes', held_prefix_lengths(KEYS[2], ARGV[1], ARGV[2]))
return 1
