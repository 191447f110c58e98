--[[
  Appends an import's (or a replace's) audit event and keeps its time in the list's info
  field `lastImport`, so the lists page shows the age of the last import without reading
  audit streams back. A list removed while the import ran gets no info hash back (that
  would make it look existing to create and check).
  KEYS: info, audit
  ARGV: now (ms), then the audit event's fields and values
  Returns the audit event's id.
]]
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'lastImport', ARGV[1])
end
return redis.call('XADD', KEYS[2], '*', unpack(ARGV, 2))
