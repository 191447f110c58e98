--[[
  Merges prefix lengths into a list's info field `prefixes` (keys.ts): the importer sends
  it ahead of a batch holding prefixes, on the same connection, so Redis knows the
  lengths before any of the batch's prefixes can be seen; during a replace, into the
  live list's info, which the staging keys are swapped into.
  The merge is merge_prefix_lengths, from prefix-lengths.lua, which the loader places
  before this file.
  KEYS: info
  ARGV: the lengths (prefixLength() of each prefix member), in any order
  Returns 0.
]]
local lengths = {}
for i = 1, #ARGV do
  lengths[tonumber(ARGV[i])] = true
end
merge_prefix_lengths(KEYS[1], lengths)
return 0
