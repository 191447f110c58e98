--[[
  The check of one number against one list, shared by the two check scripts: check-5.lua
  (one list a call, for Redis Cluster) and check-many.lua (every list in one call, for a
  standalone Redis). Not a script of its own: the loader places this file before either
  driver (src/redis/lua-scripts.ts, `uses`), so the two paths run the same lines.

  check_list(info, exact, timed, meta, dense, now, number, built)
    info, exact, timed, meta: the list's keys; dense: the root of its bitmaps (keys.ts)
    now: ms since epoch as its decimal text, made a number only when a score is found:
      tonumber is strtod, ~800 Redis instructions, and most checks find no score
    number: E.164
    built: a table of the prefix candidates built so far for this number, by the value
      of the list's info field `prefixes` (prefix_candidates): a driver checking several
      lists passes the same table to each, so lists that may hold the same lengths share
      one; a table rather than a function, which would be made again at every call
  Returns -1 when the list does not exist, false when it is disabled or nothing matches,
  -2 instead of false when the list's keys hold fewer members than its info field `size`
  (size.lua): entries were lost outside callguard (eviction, a DEL, a failover), so "not
  listed" cannot be told; otherwise {member, expiry ('inf' or ms), meta json or false}.
  Only a miss pays for that count (SCARD, and ZCARD when the list has timed entries,
  both O(1)): a match is a match.
  Globals are looked up once (call, sub, find) and the candidates counted rather than
  measured with #: a check runs these lines for every list, and Redis CPU is what limits
  checks/s. For the same reason the miss lives inside check_list: each function a
  script's files define is made again at every call, about 1,200 Redis instructions
  (bench:check-cost). The number itself wins over prefixes, and a longer prefix over a
  shorter one, so the match reported is the most specific entry.
  A dense list (info field `dense`, dense-slot.lua) holds the never-expiring numbers of its
  plan as bits: such a number is looked up with one GETBIT in the generation `gen`
  names, instead of SISMEMBER (it is never in `exact`); its timed entries and prefixes
  are in `timed` as in any list. A miss then also asks whether the number's block was
  lost (it exists, or the index does not name it and names as many blocks as `blocks`).
  Prefix candidates cost most of a check, so a list asks only for prefixes of the lengths
  its info field `prefixes` names (keys.ts), and when none fits the number it pays one
  ZSCORE instead of a ZMSCORE. The field's old forms (none, '1', '0') are migrated when
  serve or api starts (migrate-prefixes-2.lua); a list still without the field is an
  error, never a check that silently skips its prefixes.
]]
local call = redis.call
local sub = string.sub
local find = string.find

--[[
  The number, then its prefix members longest first, each once: those whose length
  (#member, keys.ts) the field names. A member of length n is the number's first n - 1
  characters and '*', so n runs from 3 up to #number + 1. Every writer keeps the field
  sorted, but a member is placed by its length rather than by its place in the field, so
  that the match reported is the most specific one whatever the field's order. The field
  is read with plain finds of its commas: a pattern (gmatch) cost about 2,000 Redis
  instructions more a check; a set of the lengths walked down from #number, 5,500 more
  than these few moves (bench:check-cost). The table has room for the number and three
  lengths from the start: grown a member at a time, it was made again at its 2nd and 3rd.
]]
local function prefix_candidates(number, field)
  local candidates = {number, nil, nil, nil}
  local count = 1
  local longest = #number + 1
  local at = 1
  repeat
    local comma = find(field, ',', at, true)
    local length = tonumber(sub(field, at, comma and comma - 1))
    if length and length >= 3 and length <= longest and length % 1 == 0 then
      local i = count
      while i > 1 and #candidates[i] < length do
        i = i - 1
      end
      if i == 1 or #candidates[i] ~= length then
        for j = count, i + 1, -1 do
          candidates[j + 1] = candidates[j]
        end
        candidates[i + 1] = sub(number, 1, length - 1) .. '*'
        count = count + 1
      end
    end
    at = comma and comma + 1
  until not at
  return candidates, count
end

local function check_list(info_key, exact_key, timed_key, meta_key, dense_root, now, number, built)
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
  local plan = info[4]
  local gen, dense_size, blocks, block, bit
  if plan then
    local bitmaps = call('HMGET', info_key, 'gen', 'denseSize', 'blocks')
    gen, dense_size, blocks = bitmaps[1], bitmaps[2], bitmaps[3]
    block, bit = dense_slot(plan, number)
  end
  if block then
    if call('GETBIT', dense_block_key(dense_root, gen, block), bit) == 1 then
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
    members = built[field]
    if members then
      -- Its nils, if any, all come after its members: # is their count.
      count = #members
    else
      members, count = prefix_candidates(number, field)
      built[field] = members
    end
  end
  if count == 1 then
    local score = call('ZSCORE', timed_key, number)
    if score and (score == 'inf' or tonumber(score) > tonumber(now)) then
      return {number, score, call('HGET', meta_key, number)}
    end
  else
    local scores = call('ZMSCORE', timed_key, unpack(members, 1, count))
    for i = 1, count do
      local score = scores[i]
      if score and (score == 'inf' or tonumber(score) > tonumber(now)) then
        return {members[i], score, call('HGET', meta_key, members[i])}
      end
    end
  end

  -- A miss: false, or -2 when the keys hold fewer members than the list's size says.
  -- `timed` is counted only when `exact` alone holds fewer: a list loaded in bulk, all in
  -- `exact`, pays one O(1) call. The bits of a dense list are not in those keys (its
  -- size less denseSize is what they should hold); the number's own block is asked instead.
  local size = info[3]
  if not size then
    return false
  end
  local expected = tonumber(size)
  if dense_size then
    expected = expected - tonumber(dense_size)
  end
  local held = call('SCARD', exact_key)
  if held < expected and held + call('ZCARD', timed_key) < expected then
    return -2
  end
  if block and call('EXISTS', dense_block_key(dense_root, gen, block)) == 0 then
    local index = dense_index_key(dense_root, gen)
    if call('ZSCORE', index, block) or call('ZCARD', index) < (tonumber(blocks) or 0) then
      return -2
    end
  end
  return false
end
