--[[
  The call counter of an auto-block rule, shared by the check scripts that count
  (check-many.lua with counters, check-count-6.lua): not a script of its own, the loader
  places this file before them (src/redis/lua-scripts.ts, `uses`).

  count_calls(key, now, member, keep, windows)
    key: a ZSET of calls (score = when, ms), in the slot of the list the rule fills
    member: this call (its channel id), so counting one call again changes nothing
    keep: the most calls kept (the largest limit of the rules: more cannot change a verdict)
    windows: the rules' windows in ms
  Records the call, forgets calls older than the longest window, and returns the calls in
  each window, this one included. The key expires after the longest window.
]]
local function count_calls(key, now, member, keep, windows)
  local longest = 0
  for i = 1, #windows do
    if windows[i] > longest then
      longest = windows[i]
    end
  end
  -- Each call is a Redis command inside the check: a check that counts pays only what it
  -- must. After the trim, what the key holds is the count of the longest window.
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - longest)
  redis.call('ZADD', key, now, member)
  local held = redis.call('ZCARD', key)
  local counts = {}
  for i = 1, #windows do
    if windows[i] == longest then
      counts[i] = held
    else
      counts[i] = redis.call('ZCOUNT', key, '(' .. (now - windows[i]), '+inf')
    end
  end
  if held > keep then
    redis.call('ZREMRANGEBYRANK', key, 0, -(keep + 1))
  end
  redis.call('PEXPIRE', key, longest)
  return counts
end
