--[[
  Writes numbers of a dense list's plan into its bitmaps, one batch of blocks a call
  (src/lists/import/dense-writer.ts): an import, a deletion change list, or a replace's
  new generation.
  KEYS: info (the list's own), dense (the root of its bitmaps, keys.ts)
  ARGV: operation ('add' | 'delete' | 'dry-add' | 'dry-delete'), generation ('' for the
        one checks read now, else a replace's new one), then per block: its id, 'm' and
        its whole bitmap (1250 bytes), or 'o' and the offsets of its numbers, 2 bytes
        each, big-endian (read as numbers: splitting text costs a Lua string each)
  Returns {bits changed, blocks created, blocks removed}, or the error 'CALLGUARD
  entries lost' when a block of the batch, or the index, was lost outside callguard
  (dense_presence): then nothing is written, as a block written anew would hide the
  numbers it lost.

  A sparse block is written with one BITFIELD of all its bits. A whole bitmap is merged
  in C: BITOP OR to add, AND with its NOT to delete, through a scratch key deleted
  before the script ends; BITCOUNT before and after counts what changed. A new block is written with SET at its full size, as Redis then allocates no
  room to spare. A block a delete empties is removed with its index entry. Into the
  generation checks read, the changes are counted into the info fields size, denseSize
  and blocks (keys.ts), in this same atomic call, and one write into `bulkWrites`
  (count_bulk_write) when a bit changed; a replace's new generation is counted by its
  swap. The helpers are from dense.lua and bulk-writes.lua, which the loader places
  before this file.
]]
local operation = ARGV[1]
local live = ARGV[2] == ''
local gen = ARGV[2]
if live then
  gen = redis.call('HGET', KEYS[1], 'gen')
  if not gen then
    return redis.error_reply('CALLGUARD list is not dense or does not exist')
  end
end
local root = KEYS[2]
local index = dense_index_key(root, gen)
local scratch = root .. ':scratch'
local adding = operation == 'add' or operation == 'dry-add'
local dry = operation == 'dry-add' or operation == 'dry-delete'
local changed, created, removed = 0, 0, 0

-- Bit ops of one BITFIELD call: SET u1 <bit> <value> (GET u1 <bit> when dry), whose
-- replies are the bits before. One call a block instead of one SETBIT a number: a
-- change list touches some 200,000 blocks a few numbers each, and Redis spends more on
-- each redis.call (its argv, lookup, reply) than on the bit itself.
local field_ops = {}
local byte = string.byte
local function bitfield(key, offsets, value)
  local ops = field_ops
  local n = 0
  for j = 1, #offsets, 2 do
    local high, low = byte(offsets, j, j + 1)
    if dry then
      ops[n + 1], ops[n + 2], ops[n + 3] = 'GET', 'u1', high * 256 + low
      n = n + 3
    else
      ops[n + 1], ops[n + 2], ops[n + 3], ops[n + 4] = 'SET', 'u1', high * 256 + low, value
      n = n + 4
    end
  end
  return redis.call('BITFIELD', key, unpack(ops, 1, n))
end

local blocks = {}
for i = 3, #ARGV, 3 do
  blocks[#blocks + 1] = ARGV[i]
end
local present, keys = dense_presence(KEYS[1], root, gen, live, blocks)
if not present then
  return redis.error_reply('CALLGUARD entries lost')
end

for b, block in ipairs(blocks) do
  local shape, data = ARGV[3 * b + 1], ARGV[3 * b + 2]
  local key = keys[b]
  local exists = present[b]
  if shape == 'o' then
    if dry then
      local seen = {}
      local before = exists and bitfield(key, data) or nil
      for k = 1, #data / 2 do
        local high, low = byte(data, 2 * k - 1, 2 * k)
        local offset = high * 256 + low
        local set = seen[offset]
        if set == nil then
          set = before ~= nil and before[k] == 1
        end
        if set ~= adding then
          changed = changed + 1
        end
        seen[offset] = adding
      end
    elseif adding then
      if not exists then
        redis.call('SET', key, string.rep('\0', DENSE_BLOCK_BYTES))
        redis.call('ZADD', index, tonumber(block), block)
        created = created + 1
        exists = true
      end
      for _, was in ipairs(bitfield(key, data, 1)) do
        changed = changed + 1 - was
      end
    elseif exists then
      for _, was in ipairs(bitfield(key, data, 0)) do
        changed = changed + was
      end
    end
  elseif dry then
    redis.call('SET', scratch, data)
    local given = redis.call('BITCOUNT', scratch)
    local overlap = 0
    if exists then
      redis.call('BITOP', 'AND', scratch, scratch, key)
      overlap = redis.call('BITCOUNT', scratch)
    end
    changed = changed + (adding and given - overlap or overlap)
  elseif adding then
    if exists then
      local before = redis.call('BITCOUNT', key)
      redis.call('SET', scratch, data)
      redis.call('BITOP', 'OR', key, key, scratch)
      changed = changed + redis.call('BITCOUNT', key) - before
    else
      redis.call('SET', key, data)
      redis.call('ZADD', index, tonumber(block), block)
      created = created + 1
      changed = changed + redis.call('BITCOUNT', key)
    end
  elseif exists then
    local before = redis.call('BITCOUNT', key)
    redis.call('SET', scratch, data)
    redis.call('BITOP', 'NOT', scratch, scratch)
    redis.call('BITOP', 'AND', key, key, scratch)
    changed = changed + before - redis.call('BITCOUNT', key)
  end
  if not adding and not dry and exists and redis.call('BITCOUNT', key) == 0 then
    redis.call('DEL', key)
    redis.call('ZREM', index, block)
    removed = removed + 1
  end
end
redis.call('DEL', scratch)

-- 0 - changed, not -changed: Redis sends a Lua -0 as '-0', which HINCRBY refuses.
if live and not dry then
  local delta = adding and changed or 0 - changed
  redis.call('HINCRBY', KEYS[1], 'denseSize', delta)
  redis.call('HINCRBY', KEYS[1], 'size', delta)
  redis.call('HINCRBY', KEYS[1], 'blocks', created - removed)
  if changed > 0 then count_bulk_write(KEYS[1]) end
end
return {changed, created, removed}
