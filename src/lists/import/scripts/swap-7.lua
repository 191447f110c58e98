--[[
  Puts a replace's staging keys in place of a list's entries, in one atomic step: a
  check runs wholly before (old list) or wholly after (new list).
  KEYS: staging exact, staging timed, exact, timed, info, dense (the root of a dense
        list's bitmaps), audit
  ARGV: expected size of staging exact, expected size of staging timed, now (ms),
        the largest share (percent) of the live entries the swap may take away, or
        'any' (forced), then for a dense list the replace's new generation of bitmaps,
        the numbers it holds and its blocks ('' and 0 and 0 for an ordinary list),
        then, as the replace noted them when it started, the id of the list's last
        audit event ('0-0': none) and the info field `bulkWrites` ('0': none)
  Returns {'swapped', live entries before, live entries after}, or, with the list
  untouched:
  - {'shrinks', before, after} when the new list would be smaller than the limit
    allows. Sizes count live entries (timed ones still ahead of now), counted here,
    atomically with the swap, so entries that expired while the file was read count as
    gone (a change by anyone else refuses the swap first, below);
  - {'changed', how many (counted up to 1000), bulk, then action and by of the first
    few} when the list's entries were changed since the replace started (an add, a
    cancel, an import... changes_since, changes-since.lua, placed before this file):
    the new list was built from the file alone, so swapping it in would drop those
    changes unseen. No 'any' overrides it.
  An error when the staging keys are not what this run built (another replace of the
  same list cleaned them, or they expired).
  The old entries are UNLINKed, so freeing millions of members does not block Redis.
  Meta, cancellations, audit and info stay: they are history, not entries; the info
  field `size` becomes the size of what was swapped in (keys.ts), which also ends an
  alarm about entries lost before. A dense list's new generation is swapped in by
  pointing the info field `gen` at it (its bits count as live entries: they never
  expire); the old generation is left for the importer to remove, bit by bit, after.
]]
local newGen, newDense, newBlocks = ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7])
local changed = redis.call('SCARD', KEYS[1]) ~= tonumber(ARGV[1]) or redis.call('ZCARD', KEYS[2]) ~= tonumber(ARGV[2])
if newGen ~= '' and redis.call('ZCARD', dense_index_key(KEYS[6], newGen)) ~= newBlocks then
  changed = true
end
if changed then
  return redis.error_reply('CALLGUARD staging keys changed during the replace; the list was left as it was')
end
local changes, bulk, first = changes_since(KEYS[7], KEYS[5], ARGV[8], ARGV[9])
if changes > 0 or bulk then
  local reply = {'changed', changes, bulk and 1 or 0}
  for _, value in ipairs(first) do reply[#reply + 1] = value end
  return reply
end
local ahead = '(' .. ARGV[3]
local function live(exact, timed)
  return redis.call('SCARD', exact) + redis.call('ZCOUNT', timed, ahead, '+inf')
end
local oldDense = 0
if newGen ~= '' then
  oldDense = tonumber(redis.call('HGET', KEYS[5], 'denseSize') or '0')
end
local before, after = live(KEYS[3], KEYS[4]) + oldDense, live(KEYS[1], KEYS[2]) + newDense
if ARGV[4] ~= 'any' and before > 0 and (before - after) * 100 > tonumber(ARGV[4]) * before then
  return {'shrinks', before, after}
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
-- The swap moves the list's change mark itself (count_bulk_write): its audit event comes
-- after, and a scrub holding the list's SET (held-lists.ts) must not confirm it unchanged
-- in between, when the new SET has as many members as the old one.
count_bulk_write(KEYS[5])
if redis.call('EXISTS', KEYS[5]) == 1 then
  redis.call('HSET', KEYS[5], 'size', tonumber(ARGV[1]) + tonumber(ARGV[2]) + newDense)
  if newGen ~= '' then
    redis.call('HSET', KEYS[5], 'gen', newGen, 'denseSize', newDense, 'blocks', newBlocks)
  end
end
return {'swapped', before, after}
