--[[
  Checks a batch of numbers against lists, in one call: `callguard scrub` of a lead file.
  A check a row would cost a script call and a round trip a row; a batch costs one, and
  the commands inside are batched too: one SMISMEMBER for the numbers asked of a SET,
  one ZMSCORE of the timed entries, a GETRANGE a number of a dense list's plan (its
  byte of the bitmap, and '' when the block is missing, so a lost block is seen at no
  extra call).
  The name carries no key count because it varies: 5 keys a list (as check-many.lua),
  the caller passes the count first. On Redis Cluster the store calls it once a list.
  KEYS: info, exact, timed, meta, dense of the first list, then the same of the next, ...
  ARGV: now (ms), the numbers (E.164) joined by newlines
  Returns one entry per number, in order: '' (on no list), or the list's position
  (1-based) and the member that matched, joined by a tab. A number is asked of a list
  only while no earlier list matched it. A list that does not exist is an error
  ('CALLGUARD no such list <position>'), so is a list that lost entries outside
  callguard while a number is on none of the lists ('CALLGUARD entries lost <position>'),
  as "not listed" cannot be told (check-list.lua); a disabled list matches nothing.
  Helpers: dense_slot and the key builders from dense.lua, prefix_candidates from
  check-list.lua, which the loader places before this file.
]]
local call = redis.call
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
    local plan, gen = info[4], info[5]
    local lost = false
    local left, ordinary = {}, {}
    local blocks = {}
    for _, i in ipairs(pending) do
      local number = numbers[i]
      local block, bit = dense_slot(plan, number)
      if block then
        -- One GETRANGE gives the number's byte and whether the block exists ('' when not).
        local byte = call('GETRANGE', dense_block_key(dense_root, gen, block), floor(bit / 8), floor(bit / 8))
        if byte ~= '' and band(string.byte(byte), rshift(128, bit % 8)) ~= 0 then
          matched[i] = list .. '\t' .. number
        else
          if byte == '' and blocks[block] == nil then
            blocks[block] = not call('ZSCORE', dense_index_key(dense_root, gen), block)
            lost = lost or not blocks[block]
          end
          left[#left + 1] = i
        end
      else
        ordinary[#ordinary + 1] = i
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
      if field == '' or field == '0' then
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
  replies[i] = matched[i] or ''
end
return replies
