--[[
  Puts a replace's staging keys in place of a list's entries, in one atomic step: a
  check runs wholly before (old list) or wholly after (new list).
  KEYS: staging exact, staging timed, exact, timed, info
  ARGV: expected size of staging exact, expected size of staging timed
  Returns 1, or an error when the staging keys are not what this run built (another
  replace of the same list cleaned them, or they expired): the list is then untouched.
  The old entries are UNLINKed, so freeing millions of members does not block Redis.
  Meta, cancellations, audit and info stay: they are history, not entries; the info
  field `size` becomes the size of what was swapped in (keys.ts), which also ends an
  alarm about entries lost before.
]]
if redis.call('SCARD', KEYS[1]) ~= tonumber(ARGV[1]) or redis.call('ZCARD', KEYS[2]) ~= tonumber(ARGV[2]) then
  return redis.error_reply('CALLGUARD staging keys changed during the replace; the list was left as it was')
end
redis.call('UNLINK', KEYS[3], KEYS[4])
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('RENAME', KEYS[1], KEYS[3])
  redis.call('PERSIST', KEYS[3])
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('RENAME', KEYS[2], KEYS[4])
  redis.call('PERSIST', KEYS[4])
end
if redis.call('EXISTS', KEYS[5]) == 1 then
  redis.call('HSET', KEYS[5], 'size', tonumber(ARGV[1]) + tonumber(ARGV[2]))
end
return 1
