--[[
  The check of a number in one list as the fifth round's check-list.lua made it, kept
  unchanged as the reference that the leaner scripts must answer like, reply for reply
  (test/lists/check-reference.test.ts, which places dense-slot.lua before it: the plans
  and block keys did not change). Never loaded by callguard itself.
]]
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
