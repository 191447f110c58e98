--[[
  What `callguard lists` shows of each list, and what serve's list watch compares, read
  in one call for many lists, so either costs one round trip however many lists there
  are (store.ts lists() and sizes()). Uses dense_index_key, dense_block_key (dense-slot.lua).
  KEYS: info, exact, timed, dense root of each list, and its audit stream when ARGV[1] is
        'audit' (5 keys a list, else 4); on Redis Cluster the caller sends one list a
        call, as the lists' keys are in slots of their own
  ARGV: 'audit' to read each list's newest audit entry too; 'blocks' to look for blocks
        of a dense list's bitmaps that are gone
  Returns, for each list in turn: its info hash as HGETALL gives it (empty: no such
  list), SCARD exact, ZCARD timed, and ZCARD of the index of its dense generation (-1:
  not a dense list), from which store.ts tells how many numbers the bitmaps hold; then
  with 'audit' its newest audit entry as XREVRANGE gives it (empty: no entry), with
  'blocks' how many of the blocks looked at are gone (blocks_gone; -1: not a dense list).
]]
-- Every block of a list's index up to this many, else this many in a row from a random
-- place: an EXISTS of all of a full registry's 264,000 blocks held Redis 0.6 s, this
-- many about 1 ms; eviction takes blocks at random, so a window finds it as a sample would.
local DENSE_BLOCKS_LOOKED_AT = 1000

-- Blocks the index names whose key is gone (eviction, a DEL): a check of a number in
-- one of them answers "entries lost", and the info's counts cannot show it.
local function blocks_gone(root, gen, indexed)
  if indexed == 0 then
    return 0
  end
  local index = dense_index_key(root, gen)
  local from, to = 0, indexed - 1
  if indexed > DENSE_BLOCKS_LOOKED_AT then
    from = math.random(0, indexed - 1)
    to = from + DENSE_BLOCKS_LOOKED_AT - 1
  end
  local blocks = redis.call('ZRANGE', index, from, to)
  if to >= indexed then
    for _, block in ipairs(redis.call('ZRANGE', index, 0, to - indexed)) do
      blocks[#blocks + 1] = block
    end
  end
  local keys = {}
  for i, block in ipairs(blocks) do
    keys[i] = dense_block_key(root, gen, block)
  end
  return #keys - redis.call('EXISTS', unpack(keys))
end

local with_audit = ARGV[1] == 'audit'
local with_blocks = ARGV[1] == 'blocks'
local per_list = with_audit and 5 or 4
local out = {}
for i = 1, #KEYS, per_list do
  local info = redis.call('HGETALL', KEYS[i])
  out[#out + 1] = info
  out[#out + 1] = redis.call('SCARD', KEYS[i + 1])
  out[#out + 1] = redis.call('ZCARD', KEYS[i + 2])
  local gen
  for f = 1, #info, 2 do
    if info[f] == 'gen' then
      gen = info[f + 1]
    end
  end
  local indexed = gen and redis.call('ZCARD', dense_index_key(KEYS[i + 3], gen)) or -1
  out[#out + 1] = indexed
  if with_audit then
    out[#out + 1] = redis.call('XREVRANGE', KEYS[i + 4], '+', '-', 'COUNT', 1)
  elseif with_blocks then
    out[#out + 1] = gen and blocks_gone(KEYS[i + 3], gen, indexed) or -1
  end
end
return out
