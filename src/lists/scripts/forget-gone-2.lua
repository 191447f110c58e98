--[[
  Takes out of a dense list's index the blocks a recount counted gone beyond those its
  apply took out (recount-5.lua, recount.ts), a page a call, each whose key is still
  gone (dense_forget_gone, dense.lua): Redis is held about 7 us a block, so the page
  stays short where 100,000 gone blocks in one call would hold it most of a second.
  Until then a check of a number in one answers "entries lost", as before the recount,
  never "not listed" (check-list.lua), and a write into one is refused (dense.lua).
  KEYS: info, dense (the root of the list's bitmaps)
  ARGV: the generation recounted, then the ids of the blocks
  Returns 0, nothing done, when the list no longer reads that generation (a replace
  swapped in another, or the list is gone), else 1.
]]
if redis.call('HGET', KEYS[1], 'gen') ~= ARGV[1] then
  return 0
end
dense_forget_gone(KEYS[2], ARGV[1], 2)
return 1
