--[[
  Writes numbers of a dense list's plan into its bitmaps, one batch of blocks a call
  (src/lists/import/dense-writer.ts): an import, a deletion change list, or a replace's
  new generation.
  KEYS: info (the list's own), dense (the root of its bitmaps, keys.ts)
  ARGV: operation ('add' | 'delete' | 'dry-add' | 'dry-delete'), generation ('' for the
        one checks read now, else a replace's new one), then per block: its id, 'm' and
        its whole bitmap (1250 bytes), or 'o' and the offsets of its numbers, comma-separated
  Returns {bits changed, blocks created, blocks removed}.

  A whole bitmap is merged in C: BITOP OR to add, AND with its NOT to delete, through a
  scratch key deleted before the script ends; BITCOUNT before and after counts what
  changed. A new block is written with SET at its full size, as Redis then allocates no
  room to spare. A block a delete empties is removed with its index entry. Into the
  generation checks read, the changes are counted into the info fields size, denseSize
  and blocks (keys.ts), in this same atomic call; a replace's new generation is counted
  by its swap. The helpers are from dense.lua, which the loader places before this file.
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

for i = 3, #ARGV, 3 do
  local block, shape, data = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local key = dense_block_key(root, gen, block)
  local exists = redis.call('EXISTS', key) == 1
  if shape == 'o' then
    local seen = {}
    for offset in string.gmatch(data, '%d+') do
      local bit = tonumber(offset)
      if dry then
        local set = seen[bit] or (exists and redis.call('GETBIT', key, bit) == 1)
        if set ~= adding then
          changed = changed + 1
        end
        seen[bit] = adding
      elseif adding then
        if not exists then
          redis.call('SET', key, string.rep('\0', DENSE_BLOCK_BYTES))
          redis.call('ZADD', index, tonumber(block), block)
          created = created + 1
          exists = true
        end
        changed = changed + 1 - redis.call('SETBIT', key, bit, 1)
      elseif exists then
        changed = changed + redis.call('SETBIT', key, bit, 0)
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

if live and not dry then
  local delta = adding and changed or -changed
  redis.call('HINCRBY', KEYS[1], 'denseSize', delta)
  redis.call('HINCRBY', KEYS[1], 'size', delta)
  redis.call('HINCRBY', KEYS[1], 'blocks', created - removed)
end
return {changed, created, removed}
