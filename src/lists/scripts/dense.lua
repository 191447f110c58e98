--[[
  A dense list's bitmaps (src/lists/dense.ts, keys.ts): the writers and the checks of
  a list's blocks, shared by the scripts that write them. Not a script of its own: the
  loader places this file, after dense-slot.lua (the plans and the keys), before the
  drivers that use it (src/redis/lua-scripts.ts, `uses`).

  dense_set(info, root, gen, block, bit, counted) -> 1 when the bit was clear: sets it,
    creating the block at its full size first (SETBIT would let Redis grow the string
    with room to spare, twice its size) and naming it in the index; counted: also adds
    it to the info fields denseSize and blocks (the live generation)
  dense_clear(info, root, gen, block, bit) -> 1 when the bit was set: clears it, and
    counts it out of denseSize
  dense_header(info) -> whether the list exists, its plan (false: an ordinary list) and
    its generation: what a script that writes members reads first
  dense_presence(info, root, gen, counted, blocks) -> for each of the blocks (ids) in
    order, whether its key exists, and the keys; nil when the bitmaps lost a block
    outside callguard (eviction, a DEL): a block the index names whose key is gone, or
    (counted: the live generation) an index naming fewer blocks than the info field
    `blocks`. A writer asks it before it writes anything and refuses a damaged list:
    recreating a lost block would make its lost numbers read as "not listed", where a
    check now answers "entries lost" (check-list.lua). When every block exists, one
    EXISTS of them all is the whole cost.
  dense_forget_gone(root, gen, from) -> takes out of the generation's index each block
    ARGV names from `from` on whose key is gone: what a recount counted gone, asked
    again here, so a block whose key is back meanwhile stays named
  dense_members_whole(info, root, plan, gen, from, step) -> false when a block of the
    members in ARGV (from `from`, every `step`th) that fit the plan, or the index, was
    lost (dense_presence on the live generation): what add and cancel ask first
]]
local DENSE_BLOCK_BYTES = 1250

local function dense_set(info_key, root, gen, block, bit, counted)
  local key = dense_block_key(root, gen, block)
  if redis.call('EXISTS', key) == 0 then
    redis.call('SET', key, string.rep('\0', DENSE_BLOCK_BYTES))
    redis.call('ZADD', dense_index_key(root, gen), tonumber(block), block)
    if counted then
      redis.call('HINCRBY', info_key, 'blocks', 1)
    end
  end
  if redis.call('SETBIT', key, bit, 1) == 1 then
    return 0
  end
  if counted then
    redis.call('HINCRBY', info_key, 'denseSize', 1)
  end
  return 1
end

local function dense_clear(info_key, root, gen, block, bit)
  local key = dense_block_key(root, gen, block)
  if redis.call('EXISTS', key) == 0 or redis.call('SETBIT', key, bit, 0) == 0 then
    return 0
  end
  redis.call('HINCRBY', info_key, 'denseSize', -1)
  return 1
end

local function dense_header(info_key)
  local fields = redis.call('HMGET', info_key, 'created', 'dense', 'gen')
  return fields[1] ~= false, fields[2], fields[3]
end

local function dense_presence(info_key, root, gen, counted, blocks)
  local index = dense_index_key(root, gen)
  if counted and redis.call('ZCARD', index) < (tonumber(redis.call('HGET', info_key, 'blocks')) or 0) then
    return nil
  end
  local present, keys = {}, {}
  if #blocks == 0 then
    return present, keys
  end
  for i, block in ipairs(blocks) do
    keys[i] = dense_block_key(root, gen, block)
    present[i] = true
  end
  -- Most blocks a writer touches exist (a change list's): then one call tells it all.
  if redis.call('EXISTS', unpack(keys)) == #keys then
    return present, keys
  end
  for i, block in ipairs(blocks) do
    if redis.call('EXISTS', keys[i]) == 0 then
      if redis.call('ZSCORE', index, block) then
        return nil
      end
      present[i] = false
    end
  end
  return present, keys
end

local function dense_forget_gone(root, gen, from)
  local index = dense_index_key(root, gen)
  for i = from, #ARGV do
    if redis.call('EXISTS', dense_block_key(root, gen, ARGV[i])) == 0 then
      redis.call('ZREM', index, ARGV[i])
    end
  end
end

-- dense_presence for the members of a call (ARGV from `from`, every `step`th) that fit the
-- plan: whether the list's live bitmaps are whole where those members would be written.
local function dense_members_whole(info_key, root, plan, gen, from, step)
  if not plan then
    return true
  end
  local blocks = {}
  for i = from, #ARGV, step do
    local block = dense_slot(plan, ARGV[i])
    if block then
      blocks[#blocks + 1] = block
    end
  end
  return dense_presence(info_key, root, gen, true, blocks) ~= nil
end
