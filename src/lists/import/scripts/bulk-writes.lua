--[[
  count_bulk_write(info)
    A batch of an import (or of a deletion file), or a replace's swap, changed the
    list's own keys: one more in the info field `bulkWrites` (keys.ts). A replace notes the field when it starts
    and refuses to swap when it moved (swap-7.lua, changes-since.lua), as a recount
    refuses its count (recount-5.lua): such an import writes its audit event only at
    its end, after the swap would have dropped its batches unseen.
    Nothing without info (a removed list: writing would make it look existing).
  Not a script of its own: the loader places this file before the drivers that use it.
]]
local function count_bulk_write(info_key)
  if redis.call('EXISTS', info_key) == 1 then
    redis.call('HINCRBY', info_key, 'bulkWrites', 1)
  end
end
