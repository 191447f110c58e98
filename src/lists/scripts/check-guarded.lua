--[[
  The route read and the check of a call in one script (standalone Redis): the caller
  sends the lists of the route as it last read it, with that route's stored text; when
  the route is still that text, the lists are checked as check-many.lua does, else
  nothing is checked (nor counted) and the route's text comes back, so the caller
  screens again on the route as it is now. Every call still reads its route, in the
  same script as its check.
  The text itself is compared, not a digest of it: Lua holds one copy of each string, so
  the comparison is of two references, where redis.sha1hex of a 580-byte route cost
  ~18,800 Redis instructions a call, 9 % of the check (bench:check-cost).
  On Redis Cluster the route's hash and the lists are in different slots, so the store
  sends the route read beside the per-list checks instead (ListStore.checkGuarded).
  KEYS: the hash holding the route, then the keys check_lists takes (check-lists.lua)
  ARGV: the route's field, its text as last read, then the arguments check_lists takes
  Returns {1, check_lists' reply} when the field still holds that text, {0, the text}
  when it holds another, {0} when it is gone.
]]
local text = redis.call('HGET', KEYS[1], ARGV[1])
if not text then
  return {0}
end
if text ~= ARGV[2] then
  return {0, text}
end
return {1, check_lists(1, 2)}
