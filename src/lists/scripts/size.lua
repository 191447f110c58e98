--[[
  Keeping a list's info field `size` (keys.ts): how many members its keys `exact` and
  `timed` hold, expired ones not yet purged included. Every script that adds members to
  them or removes members from them adds its change here, in the same atomic call, so
  the field only disagrees with the keys when something outside these scripts took
  members away: eviction, FLUSHALL, a DEL, a failover to a replica that lacks them.
  Not a script of its own: the loader places this file before the drivers that use it
  (src/redis/lua-scripts.ts, `uses`).

  add_to_size(info, exact, timed, delta)
    info, exact, timed: the list's keys; delta: members added minus members removed
  Does nothing when the list has no info (it was removed or lost: writing the field would
  make a list without a header look like one that exists). A list from before the field
  is counted as its keys stand, after this script's change.
]]
local function add_to_size(info_key, exact_key, timed_key, delta)
  if redis.call('EXISTS', info_key) == 0 then
    return
  end
  if redis.call('HEXISTS', info_key, 'size') == 0 then
    redis.call('HSET', info_key, 'size', redis.call('SCARD', exact_key) + redis.call('ZCARD', timed_key))
  elseif delta ~= 0 then
    redis.call('HINCRBY', info_key, 'size', delta)
  end
end
