--[[
  Ends an attempt in one step: its result is appended, its lease released, and the
  request either finished (state removed) or due again at ARGV[4] with its new state.
  When the lease is gone (it ran out and the request was taken again) the attempt's
  result is still appended, marked stale, and nothing else changes.
  KEYS: state, due, inflight, results
  ARGV: lease, request id, results max length, next due ('' = finished), state JSON,
        result field/value pairs... (none for an attempt that was not made)
  Returns 1, or 0 when the lease was gone.
]]
local fields = {}
for i = 6, #ARGV do
  fields[#fields + 1] = ARGV[i]
end

if redis.call('ZREM', KEYS[3], ARGV[1]) == 0 then
  if #fields > 0 then
    fields[#fields + 1] = 'stale'
    fields[#fields + 1] = '1'
    redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[3], '*', unpack(fields))
  end
  return 0
end

if #fields > 0 then
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[3], '*', unpack(fields))
end
if ARGV[4] == '' then
  redis.call('HDEL', KEYS[1], ARGV[2])
else
  redis.call('HSET', KEYS[1], ARGV[2], ARGV[5])
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[2])
end
return 1
