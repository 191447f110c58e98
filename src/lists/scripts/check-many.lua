--[[
  Checks one number against every list named, in one call: the store's path on a
  standalone Redis, where one script may touch keys of many lists. On Redis Cluster the
  lists are in different slots, so the store calls check-5.lua once a list instead.
  The check of each list is check_list, from check-list.lua, so both paths give the same
  reply per list; check_lists (check-lists.lua) walks the lists and counts the calls.
  The name carries no key count because it varies: 5 keys a list, and the caller passes
  the count first (ioredis' dynamic keys; the loader's `keys: 'variable'`).
  KEYS and ARGV as check_lists takes them (check-lists.lua), from the first.
]]
return check_lists(0, 0)
