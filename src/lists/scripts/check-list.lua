--[[
  The check of one number against one list, shared by the two check scripts: check-4.lua
  (one list a call, for Redis Cluster) and check-many.lua (every list in one call, for a
  standalone Redis). Not a script of its own: the loader places this file before either
  driver (src/redis/lua-scripts.ts, `uses`), so the two paths run the same lines.

  check_list(info, exact, timed, meta, now, number, candidates)
    info, exact, timed, meta: the list's keys
    now: ms since epoch, a Lua number; number: E.164
    candidates: a function returning {number, its longest prefix pattern, ..., '+N*'};
      called only for a list that may hold prefixes, so a driver checking several lists
      builds them at most once
  Returns -1 when the list does not exist, false when it is disabled or nothing matches,
  otherwise {member, expiry ('inf' or ms), meta json or false}.
  Globals are looked up once (call, sub) and the candidates counted rather than measured
  with #: a check runs these lines for every list, and Redis CPU is what limits checks/s.
  The number itself wins over prefixes, and a longer prefix over a shorter one, so the
  match reported is the most specific entry.
  Prefix candidates cost most of a check, so only a list whose info does not say
  prefixes '0' asks for them: a list of plain numbers pays one ZSCORE instead. A list
  without the field (created before it existed) takes the full path, so it stays right.
]]
local call = redis.call
local sub = string.sub

local function prefix_candidates(number)
  local candidates = {number}
  local count = 1
  for length = #number, 2, -1 do
    count = count + 1
    candidates[count] = sub(number, 1, length) .. '*'
  end
  return candidates
end

local function check_list(info_key, exact_key, timed_key, meta_key, now, number, candidates)
  local info = call('HMGET', info_key, 'enabled', 'prefixes')
  local enabled = info[1]
  if not enabled then
    return -1
  end
  if enabled ~= '1' then
    return false
  end

  if call('SISMEMBER', exact_key, number) == 1 then
    return {number, 'inf', call('HGET', meta_key, number)}
  end

  if info[2] == '0' then
    local score = call('ZSCORE', timed_key, number)
    if score and (score == 'inf' or tonumber(score) > now) then
      return {number, score, call('HGET', meta_key, number)}
    end
    return false
  end

  local members = candidates()
  local scores = call('ZMSCORE', timed_key, unpack(members))
  for i = 1, #members do
    local score = scores[i]
    if score and (score == 'inf' or tonumber(score) > now) then
      return {members[i], score, call('HGET', meta_key, members[i])}
    end
  end
  return false
end
