--[[
  Removes one batch of a deletion file's numbers from a list's ordinary keys (the
  numbers of a dense list's plan leave its bitmaps through dense-bits-2.lua instead):
  `import --delete`, and the deletions of `import --changes`.
  KEYS: exact, timed, meta, info
  ARGV: now (ms), dry ('1' counts and writes nothing, '0' removes), the members joined by newlines
  Returns {removed, not listed}. A member listed with an expiry already past counts as
  not listed (the janitor purges it). Bulk deletions leave no cancellation of their own:
  the import's audit event records the file; metadata of a number added by hand goes.
  The members removed are counted out of the info field `size` (add_to_size, size.lua),
  and a batch that removed any counts one write into `bulkWrites` (count_bulk_write).
  The loader places size.lua and bulk-writes.lua before this file.
]]
local now = tonumber(ARGV[1])
local dry = ARGV[2] == '1'
local removed, absent = 0, 0
for member in string.gmatch(ARGV[3], '[^\n]+') do
  local listed = redis.call('SISMEMBER', KEYS[1], member) == 1
  local score = redis.call('ZSCORE', KEYS[2], member)
  local timedLive = score and (score == 'inf' or tonumber(score) > now)
  if listed or timedLive then
    removed = removed + 1
  else
    absent = absent + 1
  end
  if not dry then
    local gone = redis.call('SREM', KEYS[1], member) + redis.call('ZREM', KEYS[2], member)
    if gone > 0 then
      redis.call('HDEL', KEYS[3], member)
      add_to_size(KEYS[4], KEYS[1], KEYS[2], -gone)
    end
  end
end
if not dry and removed > 0 then count_bulk_write(KEYS[4]) end
return {removed, absent}
