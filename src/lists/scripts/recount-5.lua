--[[
  Accepts what a list's keys hold as its size: after entries were lost outside
  callguard (eviction, a DEL, a failover) and the operator chose to go on with what is
  left rather than load the list again. Until then checks that find no match answer
  "entries lost" instead of "not listed" (check-list.lua).
  KEYS: info, exact, timed, audit, dense (the root of a dense list's bitmaps)
  ARGV: now (ms), by, reason, then what the caller counted of a dense list's bitmaps
        (countGeneration in dense-store.ts, outside this call, which would hold Redis
        for every block: a second or two on a national registry): its generation ('' an
        ordinary list), the numbers they hold and the blocks that exist, then where the
        list's changes stood before the count (changeMark: its last audit event's id and
        `bulkWrites`), then the ids of blocks counted gone (the first GONE_A_CALL of
        them, recount.ts; the caller takes the others out after, forget-gone-2.lua)
  Returns -1 when the list does not exist; -2, nothing written, when the count is not
  of the list as it is (it is dense and another generation, or its entries changed
  since the mark: changes_since, changes-since.lua): the caller counts again; otherwise
  {size before (-1 when it had none), size now}. The audit stream records both.
  The blocks counted gone are taken out of the index, each whose key is still gone
  (dense_forget_gone, dense.lua): a check of a number in one then answers "not listed",
  as the operator accepted.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
local list = redis.call('HMGET', KEYS[1], 'dense', 'gen')
if (list[1] and list[2] or '') ~= ARGV[4] then
  return -2
end
if ARGV[4] ~= '' then
  local changes, bulk = changes_since(KEYS[4], KEYS[1], ARGV[7], ARGV[8])
  if changes > 0 or bulk then
    return -2
  end
end
local before = redis.call('HGET', KEYS[1], 'size')
local now = redis.call('SCARD', KEYS[2]) + redis.call('ZCARD', KEYS[3])
if ARGV[4] ~= '' then
  dense_forget_gone(KEYS[5], ARGV[4], 9)
  redis.call('HSET', KEYS[1], 'denseSize', ARGV[5], 'blocks', ARGV[6])
  now = now + tonumber(ARGV[5])
end
redis.call('HSET', KEYS[1], 'size', now)
local fields = {'action', 'recount', 'at', ARGV[1], 'by', ARGV[2],
  'd.sizeBefore', before or 'none', 'd.sizeAfter', tostring(now)}
if ARGV[3] ~= '' then
  fields[#fields + 1] = 'reason'
  fields[#fields + 1] = ARGV[3]
end
redis.call('XADD', KEYS[4], '*', unpack(fields))
return {before and tonumber(before) or -1, now}
