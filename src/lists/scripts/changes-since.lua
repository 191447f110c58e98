--[[
  changes_since(audit, info, mark, bulk_mark) -> changes, bulk, first
    Whether a list's entries were changed since a caller noted where they stood
    (changeMark in change-mark.ts: `mark` the id of its last audit event, '0-0' none, and
    `bulk_mark` the info field `bulkWrites`, '0' none): what a replace's swap
    (swap-7.lua) and a recount's apply (recount-5.lua) ask before they write what was
    built or counted meanwhile. changes: the audit events after the mark that change
    entries (an add, a cancel, an import...), counted up to CHANGES_COUNTED; bulk:
    whether `bulkWrites` moved; first: the action and by of the first few, in turn.
    The scripts that change entries one by one append their audit event in the same
    call, so the stream tells; an import writes its event only when it ends, so its
    batches count in `bulkWrites` (bulk-writes.lua). Not counted: expire (the janitor
    takes out timed members already expired, which both callers count as gone), and
    events that change no entry (create, enable, disable, configure, recount).
  Not a script of its own: the loader places this file before the drivers that use it.
]]
local CHANGES_ENTRIES = {add = true, cancel = true, import = true, replace = true, delete = true, changes = true, remove = true}
local CHANGES_FIRST = 3
-- Counting stops at this many: the caller refuses all the same, and a busy list's
-- stream is not walked whole while the script holds Redis (checks wait for it).
local CHANGES_COUNTED = 1000
local CHANGES_PAGE = 100

local function changes_since(audit_key, info_key, mark, bulk_mark)
  local changes, first = 0, {}
  local from = mark
  repeat
    local page = redis.call('XRANGE', audit_key, from, '+', 'COUNT', CHANGES_PAGE)
    for _, entry in ipairs(page) do
      -- XRANGE includes its start: the mark itself, and the last entry of the page before.
      if entry[1] ~= from and changes < CHANGES_COUNTED then
        local fields, action, by = entry[2], nil, ''
        for i = 1, #fields, 2 do
          if fields[i] == 'action' then action = fields[i + 1] elseif fields[i] == 'by' then by = fields[i + 1] end
        end
        if CHANGES_ENTRIES[action] then
          changes = changes + 1
          if changes <= CHANGES_FIRST then
            first[#first + 1] = action
            first[#first + 1] = by
          end
        end
      end
    end
    if #page > 0 then from = page[#page][1] end
  until #page < CHANGES_PAGE or changes >= CHANGES_COUNTED
  local bulk = (redis.call('HGET', info_key, 'bulkWrites') or '0') ~= bulk_mark
  return changes, bulk, first
end
