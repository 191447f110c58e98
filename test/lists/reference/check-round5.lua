--[[
  The check of a number as the fifth round's scripts made it (check_list and check_lists
  from check-list.lua and check-lists.lua at that time, with dense.lua's plans and block
  keys), kept unchanged as the reference that the leaner scripts must answer like, reply
  for reply (test/lists/check-reference.test.ts). Never loaded by callguard itself.
]]
local DENSE_CALLING_CODES = {nanp = '1', uk = '44'}

local function dense_slot(plan, number)
  if not plan then
    return nil
  end
  local code = DENSE_CALLING_CODES[plan]
  if not code or #number ~= #code + 11 or string.byte(number, -1) == 42 or string.sub(number, 2, #code + 1) ~= code then
    return nil
  end
  return string.sub(number, 2, -5), tonumber(string.sub(number, -4))
end

local function dense_index_key(root, gen)
  return root .. ':' .. gen
end

local function dense_block_key(root, gen, block)
  return root .. ':' .. gen .. ':' .. block
end

local call = redis.call
local sub = string.sub
local gmatch = string.gmatch

--[[
  The number, then its prefix members longest first: those whose length (#member,
  keys.ts) the field names. A member of length n is the number's first n - 1 characters
  and '*', so n runs up to #number + 1.
]]
local function prefix_candidates(number, field)
  local candidates = {number}
  local count = 1
  local listed = {}
  for length in gmatch(field, '%d+') do
    listed[tonumber(length)] = true
  end
  for length = #number, 2, -1 do
    if listed[length + 1] then
      count = count + 1
      candidates[count] = sub(number, 1, length) .. '*'
    end
  end
  return candidates, count
end

-- A miss: false, or -2 when the keys hold fewer members than the list's size says.
-- `timed` is counted only when `exact` alone holds fewer: a list loaded in bulk, all in
-- `exact`, pays one O(1) call. The bits of a dense list are not in those keys (its
-- size less denseSize is what they should hold); the number's own block is asked instead.
local function miss(info, exact_key, timed_key, dense_root, block)
  local size = info[3]
  if not size then
    return false
  end
  local expected = tonumber(size) - (tonumber(info[6]) or 0)
  local held = call('SCARD', exact_key)
  if held < expected and held + call('ZCARD', timed_key) < expected then
    return -2
  end
  if block and call('EXISTS', dense_block_key(dense_root, info[5], block)) == 0 then
    local index = dense_index_key(dense_root, info[5])
    if call('ZSCORE', index, block) or call('ZCARD', index) < (tonumber(info[7]) or 0) then
      return -2
    end
  end
  return false
end

local function check_list(info_key, exact_key, timed_key, meta_key, dense_root, now, number, candidates)
  local info = call('HMGET', info_key, 'enabled', 'prefixes', 'size', 'dense')
  local enabled = info[1]
  if not enabled then
    return -1
  end
  if enabled ~= '1' then
    return false
  end
  -- Only a dense list reads its bitmaps' fields: three fields fewer in every other list's
  -- HMGET were 8 % of a 3-list check's Redis instructions (bench:check-cost).
  if info[4] then
    local bitmaps = call('HMGET', info_key, 'gen', 'denseSize', 'blocks')
    info[5], info[6], info[7] = bitmaps[1], bitmaps[2], bitmaps[3]
  end

  local block, bit = dense_slot(info[4], number)
  if block then
    if call('GETBIT', dense_block_key(dense_root, info[5], block), bit) == 1 then
      return {number, 'inf', call('HGET', meta_key, number)}
    end
  elseif call('SISMEMBER', exact_key, number) == 1 then
    return {number, 'inf', call('HGET', meta_key, number)}
  end

  -- '' (no prefix) skips even building the candidates.
  local field = info[2]
  local members, count
  if field == '' then
    count = 1
  elseif not field or field == '1' then
    -- '1' is the old "has prefixes" flag, never a length list (lengths start at 3): read
    -- as one, it would skip the list's prefixes and answer "not listed".
    error(redis.error_reply('CALLGUARD list without its prefixes field: start serve or api once to migrate it (' .. info_key .. ')'))
  else
    members, count = candidates(field)
  end
  if count == 1 then
    local score = call('ZSCORE', timed_key, number)
    if score and (score == 'inf' or tonumber(score) > now) then
      return {number, score, call('HGET', meta_key, number)}
    end
    return miss(info, exact_key, timed_key, dense_root, block)
  end

  local scores = call('ZMSCORE', timed_key, unpack(members, 1, count))
  for i = 1, count do
    local score = scores[i]
    if score and (score == 'inf' or tonumber(score) > now) then
      return {members[i], score, call('HGET', meta_key, members[i])}
    end
  end
  return miss(info, exact_key, timed_key, dense_root, block)
end

local function check_lists(k0, a0)
  local counters = tonumber(ARGV[a0 + 3] or '0')
  local list_keys = #KEYS - k0 - counters
  if list_keys % 5 ~= 0 then
    return redis.error_reply('check-many: 5 keys a list (info, exact, timed, meta, dense) and 1 a counter, got ' .. (#KEYS - k0) .. ' for ' .. counters .. ' counters')
  end
  local now = tonumber(ARGV[a0 + 1])
  local number = ARGV[a0 + 2]
  -- Per value of the prefixes field (false, when missing, is a valid table key).
  local built, counts = {}, {}
  local function candidates(field)
    local members = built[field]
    if not members then
      members, counts[field] = prefix_candidates(number, field)
      built[field] = members
    end
    return members, counts[field]
  end
  local replies = {}
  for list = 1, list_keys / 5 do
    local first = k0 + list * 5 - 4
    replies[list] = check_list(KEYS[first], KEYS[first + 1], KEYS[first + 2], KEYS[first + 3], KEYS[first + 4], now, number, candidates)
  end
  if counters == 0 then
    return replies
  end
  local calls = {}
  local at = a0 + 4
  for counter = 1, counters do
    local member, keep, windows = ARGV[at], tonumber(ARGV[at + 1]), {}
    for i = 1, tonumber(ARGV[at + 2]) do
      windows[i] = tonumber(ARGV[at + 2 + i])
    end
    at = at + 3 + #windows
    calls[counter] = count_calls(KEYS[k0 + list_keys + counter], now, member, keep, windows)
  end
  return {replies, calls}
end
