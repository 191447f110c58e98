--[[
  What `callguard lists` shows of each list, and what serve's list watch compares, read
  in one call for many lists, so either costs one round trip however many lists there
  are (store.ts lists() and sizes()). Uses dense_index_key (dense-slot.lua).
  KEYS: info, exact, timed, dense root of each list (4 a list), and its audit stream
        when ARGV[1] is 'audit' (5 a list); on Redis Cluster the caller sends one list a
        call, as the lists' keys are in slots of their own
  ARGV: 'audit' to read each list's newest audit entry too, else nothing
  Returns, for each list in turn: its info hash as HGETALL gives it (empty: no such
  list), SCARD exact, ZCARD timed, and ZCARD of the index of its dense generation (-1:
  not a dense list), from which store.ts tells how many numbers the bitmaps hold; with
  'audit', then its newest audit entry as XREVRANGE gives it (empty: no entry).
]]
local with_audit = ARGV[1] == 'audit'
local per_list = with_audit and 5 or 4
local out = {}
for i = 1, #KEYS, per_list do
  local info = redis.call('HGETALL', KEYS[i])
  out[#out + 1] = info
  out[#out + 1] = redis.call('SCARD', KEYS[i + 1])
  out[#out + 1] = redis.call('ZCARD', KEYS[i + 2])
  local indexed = -1
  for f = 1, #info, 2 do
    if info[f] == 'gen' then
      indexed = redis.call('ZCARD', dense_index_key(KEYS[i + 3], info[f + 1]))
    end
  end
  out[#out + 1] = indexed
  if with_audit then
    out[#out + 1] = redis.call('XREVRANGE', KEYS[i + 4], '+', '-', 'COUNT', 1)
  end
end
return out
