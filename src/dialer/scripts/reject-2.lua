--[[
  Refuses a stream entry that cannot become a request (no such campaign, bad fields): its
  REJECTED result is written and the entry acknowledged in one step.
  KEYS: requests, results
  ARGV: group, stream entry id, results max length, result field/value pairs...
]]
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', unpack(ARGV, 4))
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
return 1
