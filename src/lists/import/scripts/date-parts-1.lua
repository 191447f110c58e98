--[[
  Dates the parts of a list's data that a finished import brought (source-date.ts: a
  NANP number's area code, `other`, `all`), and keeps the oldest part's date in the info
  fields a campaign's check reads (sourceDate, source, sourceFrom, sourcePart,
  sourcePartsOfDate), in the same step, so no reader sees the parts and the oldest
  disagree and two imports of different area codes do not drop each other's date.
  The dates are kept in the info field sourceParts as JSON, an array of entries, one an
  import: [date, from, file, the parts of that date]; each part is in one entry only.
  KEYS: info
  ARGV: 'replace' (the file is the whole list now: every part before it is forgotten) or
        'parts' (the parts the file covered take its date, the others keep theirs), the
        date (ms), where it came from, the file, then the parts the file covered
  A list dated before parts were (sourceDate without sourceParts) keeps that date as the
  part `all`, which no file covers: only a replace makes such a list newer than it was.
  Returns {oldest date, its part or '', parts of that date}; {} when the list is gone (a
  list removed while the import ran gets no info hash back) or nothing is dated.
]]
if redis.call('HEXISTS', KEYS[1], 'created') == 0 then
  return {}
end
local entries = {}
if ARGV[1] ~= 'replace' then
  local stored = redis.call('HGET', KEYS[1], 'sourceParts')
  if stored then
    entries = cjson.decode(stored)
  else
    local legacy = redis.call('HMGET', KEYS[1], 'sourceDate', 'sourceFrom', 'source')
    if legacy[1] then
      entries = {{tonumber(legacy[1]), legacy[2] or 'import', legacy[3] or '', {'all'}}}
    end
  end
end
local covered = {}
local parts = {}
for i = 5, #ARGV do
  covered[ARGV[i]] = true
  parts[#parts + 1] = ARGV[i]
end
local kept = {}
for _, entry in ipairs(entries) do
  local left = {}
  for _, part in ipairs(entry[4]) do
    if not covered[part] then
      left[#left + 1] = part
    end
  end
  if #left > 0 then
    entry[4] = left
    kept[#kept + 1] = entry
  end
end
if #parts > 0 then
  kept[#kept + 1] = {tonumber(ARGV[2]), ARGV[3], ARGV[4], parts}
end
if #kept == 0 then
  return {}
end
local oldest = kept[1][1]
local first = kept[1]
local total = 0
for _, entry in ipairs(kept) do
  total = total + #entry[4]
  if entry[1] < oldest then
    oldest = entry[1]
    first = entry
  end
end
local of_date = 0
for _, entry in ipairs(kept) do
  if entry[1] == oldest then
    of_date = of_date + #entry[4]
  end
end
redis.call('HSET', KEYS[1], 'sourceParts', cjson.encode(kept), 'sourceDate', string.format('%d', oldest),
  'source', first[3], 'sourceFrom', first[2], 'sourcePartsOfDate', of_date)
-- Named only when other parts are newer: a list loaded whole has one date, nothing to single out.
local part = ''
if total > of_date then
  part = first[4][1]
  redis.call('HSET', KEYS[1], 'sourcePart', part)
else
  redis.call('HDEL', KEYS[1], 'sourcePart')
end
return {string.format('%d', oldest), part, of_date}
