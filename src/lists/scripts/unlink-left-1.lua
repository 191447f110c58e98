--[[
  Removes keys a list left behind under its dense root, while its info is still absent.
  KEYS: info
  ARGV: the keys to remove, all in the list's hash tag (its bitmaps, their indexes,
        `<dense>:gens`: keys.ts), so in the info's cluster slot
  Returns -2, nothing removed, when the info exists: a list of that name was created
  since the removal began, and the keys under its root are its own (a create adopts
  what it reads, an import writes new bitmaps); otherwise the count of keys removed.
]]
if redis.call('EXISTS', KEYS[1]) == 1 then
  return -2
end
if #ARGV == 0 then
  return 0
end
return redis.call('UNLINK', unpack(ARGV))
