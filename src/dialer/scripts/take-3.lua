--[[
  Takes one request from the requests stream into work: its state is stored, it becomes
  due at ARGV[5], and the stream entry is acknowledged in the same step, so a request is
  never acked without being kept. A request id already in work is not taken twice: its
  entry is only acknowledged.
  KEYS: requests, state, due
  ARGV: group, stream entry id, request id, state JSON, due (ms)
  Returns 1 when taken, 0 when the id was already in work.
]]
local taken = 0
if redis.call('HSETNX', KEYS[2], ARGV[3], ARGV[4]) == 1 then
  redis.call('ZADD', KEYS[3], ARGV[5], ARGV[3])
  taken = 1
end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return taken
