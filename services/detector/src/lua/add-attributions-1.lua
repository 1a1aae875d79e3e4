--[[
  Adds one checkpoint's attribution counts to one open window (an insight in the making), at most
  once per checkpoint: the hash remembers the last checkpoint it counted, so a checkpoint
  re-executed after a crash does not count its events twice. No detection rule runs here.

  Input:
    KEYS[1] attributions  hash: '#q' (last checkpoint counted), '#p' (trail provider),
                          <attribute> NUL <value> -> operations of the window with that value

    ARGV[1] checkpoint seq (decimal, no leading zeros)
    ARGV[2] provider to set if none is set yet ('' = none)
    ARGV[3] seconds to live from now ('' = keep): set when the window closed in this checkpoint
    ARGV[4] most value fields the hash may hold (new values beyond it are not counted)
    ARGV[5] n: number of (field, increment) pairs
    ARGV[6..] n pairs

  Output:
     0  counted
     1  this checkpoint was already counted (only the time to live was applied)
    -2  malformed arguments; nothing written
]]
local rcall = redis.call
local HEADER = 5

local n = tonumber(ARGV[5])
local maxFields = tonumber(ARGV[4])
if n == nil or maxFields == nil or #ARGV ~= HEADER + 2 * n or not string.match(ARGV[1], '^[1-9]%d*$') then
  return -2
end

local function below(a, b)
  if #a ~= #b then
    return #a < #b
  end
  return a < b
end

local result = 1
local counted = rcall('HGET', KEYS[1], '#q')
if counted == false or below(counted, ARGV[1]) then
  local size = rcall('HLEN', KEYS[1])
  for i = HEADER + 1, HEADER + 2 * n, 2 do
    if size < maxFields + 2 or rcall('HEXISTS', KEYS[1], ARGV[i]) == 1 then
      if rcall('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) == tonumber(ARGV[i + 1]) then
        size = size + 1
      end
    end
  end
  if ARGV[2] ~= '' then
    rcall('HSETNX', KEYS[1], '#p', ARGV[2])
  end
  rcall('HSET', KEYS[1], '#q', ARGV[1])
  result = 0
end
if ARGV[3] ~= '' then
  rcall('EXPIRE', KEYS[1], ARGV[3])
end
return result
