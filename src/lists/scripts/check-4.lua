--[[
  Checks one number against one list.
  KEYS: info, exact, timed, meta
  ARGV: now (ms), number (E.164)
  Returns -1 when the list does not exist, nil when it is disabled or nothing matches,
  otherwise {member, expiry ('inf' or ms), meta json or nil}.
  The number itself wins over prefixes, and a longer prefix over a shorter one, so the
  match reported is the most specific entry.
  Prefix candidates cost most of a check, so only a list whose info does not say
  prefixes '0' builds them: a list of plain numbers pays one ZSCORE instead. A list
  without the field (created before it existed) takes the full path, so it stays right.
]]
local info = redis.call('HMGET', KEYS[1], 'enabled', 'prefixes')
local enabled = info[1]
if not enabled then
  return -1
end
if enabled ~= '1' then
  return false
end

local number = ARGV[2]

if redis.call('SISMEMBER', KEYS[2], number) == 1 then
  return {number, 'inf', redis.call('HGET', KEYS[4], number)}
end

local now = tonumber(ARGV[1])

if info[2] == '0' then
  local score = redis.call('ZSCORE', KEYS[3], number)
  if score and (score == 'inf' or tonumber(score) > now) then
    return {number, score, redis.call('HGET', KEYS[4], number)}
  end
  return false
end

local candidates = {number}
for length = #number, 2, -1 do
  candidates[#candidates + 1] = string.sub(number, 1, length) .. '*'
end

local scores = redis.call('ZMSCORE', KEYS[3], unpack(candidates))
for i = 1, #candidates do
  local score = scores[i]
  if score and (score == 'inf' or tonumber(score) > now) then
    return {candidates[i], score, redis.call('HGET', KEYS[4], candidates[i])}
  end
end
return false
