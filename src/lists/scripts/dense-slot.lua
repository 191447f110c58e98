--[[
  A dense list's plans and the keys of its bitmaps (src/lists/dense.ts, keys.ts): what a
  check of a number reads, kept apart from the writers (dense.lua) because a script runs
  every top-level line of its files at every call, and each function defined there costs
  Redis about 1,200 instructions a call (bench:check-cost): the check scripts load this
  file alone. Not a script of its own: the loader places it before the drivers that use
  it (src/redis/lua-scripts.ts, `uses`), and before dense.lua.

  A plan is a calling code and exactly 10 national digits; a number of it lives in the
  block of its digits without the last 4, at the bit its last 4 digits give.
  dense_slot(plan, number) -> block id (string), bit (number); nil when the list has no
    plan (plan false) or the number does not fit it (another code, length, or a prefix)
  dense_block_key(root, gen, block), dense_index_key(root, gen): the generation's keys
]]
local DENSE_CALLING_CODES = {nanp = '1', uk = '44'}

local function dense_slot(plan, number)
  if not plan then
    return nil
  end
  local code = DENSE_CALLING_CODES[plan]
  if not code or #number ~= #code + 11 or string.byte(number, -1) == 42 or string.sub(number, 2, #code + 1) ~= code then
    return nil
  end
  return string.sub(number, 2, -5), tonumber(string.sub(number, -4))
end

local function dense_index_key(root, gen)
  return root .. ':' .. gen
end

local function dense_block_key(root, gen, block)
  return root .. ':' .. gen .. ':' .. block
end
