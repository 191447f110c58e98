--[[
  Renews or releases a replace's lease on its list (replace-lease.ts), only while it is
  still the one this run took: a lease that lapsed and was taken by another replace is
  left to that one.
  KEYS: the lease
  ARGV: the value the run set, then 'renew' and the lease's length (ms), or 'release'
  Returns 1 when the lease was this run's (renewed, or removed), 0 when it was not.
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
if ARGV[2] == 'release' then
  redis.call('DEL', KEYS[1])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return 1
