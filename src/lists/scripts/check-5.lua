--[[
  Checks one number against one list: the store sends one call per list when the lists'
  keys may live in different Redis Cluster slots (a hash tag per list).
  The check itself is check_list, from check-list.lua (with dense-slot.lua), which the loader
  places before this file.
  KEYS: info, exact, timed, meta, dense (the root of its bitmaps)
  ARGV: now (ms), number (E.164)
  Returns check_list's reply: -1 (no such list), nil (disabled, or no match), -2 (no
  match, but the list lost entries outside callguard), or
  {member, expiry, meta json or nil}.
]]
return check_list(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[1], ARGV[2], {})
