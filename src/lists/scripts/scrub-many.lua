--[[
  Checks a batch of numbers against lists, in one call: `callguard scrub` of a lead file,
  for the batches the client's own read (src/lists/bulk-read.ts, the same rules without
  a script) leaves to it: a list with prefix entries, or one whose generation or timed
  entries changed since the batch before. It is the reference those rules follow.
  A check a row would cost a script call and a round trip a row; a batch costs one, and
  the commands inside are batched too: one SMISMEMBER for the numbers asked of a SET,
  one ZMSCORE of the timed entries, and for a dense list's plan one GETRANGE a run of
  numbers of the same block (the scrub sends a batch sorted by block, so a block is met
  once a batch), their bits read from those bytes here; the missing blocks are then
  looked up in the index in one ZMSCORE, so a lost block is seen.
  The name carries no key count because it varies: 5 keys a list (as check-many.lua),
  the caller passes the count first. On Redis Cluster the store calls it once a list.
  KEYS: info, exact, timed, meta, dense of the first list, then the same of the next, ...
  ARGV: now (ms), the numbers (E.164) joined by newlines, in any order (grouped by block,
  each block is read once)
  Returns the matches only, most numbers of a lead file being on no list: for each
  number that matched, in order, its position in the batch (1-based), then the list's
  position (1-based) and the member that matched, joined by a tab. A number is asked of
  a list only while no earlier list matched it. A list that does not exist is an error
  ('CALLGUARD no such list <position>'), so is a list that lost entries outside
  callguard while a number is on none of the lists ('CALLGUARD entries lost <position>'),
  as "not listed" cannot be told (check-list.lua); a disabled list matches nothing.
  Helpers: the plans and key builders from dense-slot.lua, prefix_candidates from
  check-list.lua, which the loader places before this file.
]]
local call = redis.call
local byte, sub = string.byte, string.sub
local floor = math.floor
local band, rshift = bit.band, bit.rshift
local CHUNK = 1000
local now = tonumber(ARGV[1])
local numbers = {}
for number in string.gmatch(ARGV[2], '[^\n]+') do
  numbers[#numbers + 1] = number
end
local matched = {}
local pending = {}
for i = 1, #numbers do
  pending[i] = i
end

local function live(score)
  return score and (score == 'inf' or tonumber(score) > now)
end

-- Asks `command` (SMISMEMBER, ZMSCORE) of `key` for the numbers at `indices`, CHUNK at a
-- time; a reply `hit` accepts is a match of list `list`. Returns the indices not matched.
local function ask_each(command, key, indices, hit, list)
  local missed = {}
  for from = 1, #indices, CHUNK do
    local to = math.min(from + CHUNK - 1, #indices)
    local asked = {}
    for j = from, to do
      asked[#asked + 1] = numbers[indices[j]]
    end
    local replies = call(command, key, unpack(asked))
    for j = from, to do
      local i = indices[j]
      if hit(replies[j - from + 1]) then
        matched[i] = list .. '\t' .. numbers[i]
      else
        missed[#missed + 1] = i
      end
    end
  end
  return missed
end

for list = 1, #KEYS / 5 do
  if #pending == 0 then
    break
  end
  local first = list * 5 - 4
  local info_key, exact_key, timed_key, dense_root = KEYS[first], KEYS[first + 1], KEYS[first + 2], KEYS[first + 4]
  local info = call('HMGET', info_key, 'enabled', 'prefixes', 'size', 'dense', 'gen', 'denseSize', 'blocks')
  if not info[1] then
    return redis.error_reply('CALLGUARD no such list ' .. list)
  end
  if info[1] == '1' then
    if not info[2] or info[2] == '1' then
      -- An old format (check-list.lua): its prefixes would be skipped or break the read.
      error(redis.error_reply('CALLGUARD list without its prefixes field: start serve or api once to migrate it (' .. info_key .. ')'))
    end
    local plan, gen = info[4], info[5]
    local lost = false
    local left, ordinary = {}, {}
    -- A number of the plan: its block's key is the generation's prefix and the number's
    -- digits without the last 4, its bit the last 4 digits read as bytes. The scrub sends
    -- a block's numbers one after the other, so a run of them costs one GETRANGE of the
    -- bytes the run needs (one byte for a lone number), not a Redis command a number.
    local code = plan and DENSE_CALLING_CODES[plan]
    local fits = code and #code + 11
    local prefix = code and dense_block_key(dense_root, gen, '')
    local at, blocks, offsets = {}, {}, {}
    for _, i in ipairs(pending) do
      local number = numbers[i]
      if fits and #number == fits and sub(number, 2, #code + 1) == code then
        local d1, d2, d3, d4 = byte(number, -4, -1)
        local n = #at + 1
        at[n] = i
        blocks[n] = sub(number, 2, -5)
        -- The last 4 digits as a number: 53328 is '0000' in bytes (48 * 1111).
        offsets[n] = d1 * 1000 + d2 * 100 + d3 * 10 + d4 - 53328
      else
        ordinary[#ordinary + 1] = i
      end
    end
    local missed = {}
    local run = 1
    while run <= #at do
      local block, last = blocks[run], run
      local low, high = offsets[run], offsets[run]
      while blocks[last + 1] == block do
        last = last + 1
        low, high = math.min(low, offsets[last]), math.max(high, offsets[last])
      end
      local from = floor(low / 8)
      -- A block is stored whole (dense_set), so '' says it is missing.
      local bytes = call('GETRANGE', prefix .. block, from, floor(high / 8))
      if bytes == '' then
        missed[#missed + 1] = block
      end
      for n = run, last do
        local offset = offsets[n]
        local found = byte(bytes, floor(offset / 8) - from + 1)
        if found and band(found, rshift(128, offset % 8)) ~= 0 then
          matched[at[n]] = list .. '\t' .. numbers[at[n]]
        else
          left[#left + 1] = at[n]
        end
      end
      run = last + 1
    end
    -- A missing block is new to the list, or lost when its index names it: one ZMSCORE.
    for from = 1, #missed, CHUNK do
      for _, score in ipairs(call('ZMSCORE', dense_index_key(dense_root, gen), unpack(missed, from, math.min(from + CHUNK - 1, #missed)))) do
        lost = lost or score ~= false
      end
    end
    for _, i in ipairs(ask_each('SMISMEMBER', exact_key, ordinary, function(flag) return flag == 1 end, list)) do
      left[#left + 1] = i
    end
    local timed = call('ZCARD', timed_key)
    local still = left
    if timed > 0 and #left > 0 then
      still = {}
      local field = info[2]
      if field == '' then
        still = ask_each('ZMSCORE', timed_key, left, live, list)
      else
        for _, i in ipairs(left) do
          local members, count = prefix_candidates(numbers[i], field)
          local scores = call('ZMSCORE', timed_key, unpack(members, 1, count))
          local hit = false
          for k = 1, count do
            if live(scores[k]) then
              matched[i] = list .. '\t' .. members[k]
              hit = true
              break
            end
          end
          if not hit then
            still[#still + 1] = i
          end
        end
      end
    end
    if #still > 0 and info[3] then
      local expected = tonumber(info[3]) - (tonumber(info[6]) or 0)
      local held = call('SCARD', exact_key)
      if held < expected and held + timed < expected then
        lost = true
      end
      if plan and call('ZCARD', dense_index_key(dense_root, gen)) < (tonumber(info[7]) or 0) then
        lost = true
      end
      if lost then
        return redis.error_reply('CALLGUARD entries lost ' .. list)
      end
    end
    pending = still
  end
end

local replies = {}
for i = 1, #numbers do
  if matched[i] then
    replies[#replies + 1] = i
    replies[#replies + 1] = matched[i]
  end
end
return replies
