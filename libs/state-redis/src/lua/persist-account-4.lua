--[[
  Persists the dirty part of one account's detection state together with the Kafka position it
  reflects, atomically. The detection rules run in TypeScript (libs/detection); this script only
  checks the position and writes what it is given.

  Input:
    KEYS[1] meta     hash: v, baseline, clock, nextVerdict, home, offset:<topic>:<partition>
    KEYS[2] usual    hash: <region> NUL <ip> -> last seen (epoch ms)
    KEYS[3] windows  hash: <region> NUL <ip> -> encoded observation window
    KEYS[4] ids      sorted set: event id scored by event time (epoch ms)

    ARGV[1]  schema version
    ARGV[2]  mode: 'batch'   write when the stored offset is below ARGV[4], and store ARGV[4]
                   'advance' write when the stored offset equals ARGV[4] ('' = none stored);
                             the offset is left as is
    ARGV[3]  meta field of the partition's offset: 'offset:<topic>:<partition>'
    ARGV[4]  offset: decimal, no leading zeros (or '' in advance mode)
    ARGV[5]  home: '<topic>:<partition>', stored in batch mode
    ARGV[6]  baseline
    ARGV[7]  clock ('-inf' before any event)
    ARGV[8]  nextVerdict ('inf' when no window is open)
    ARGV[9]  de-duplication cutoff: ids scored below it are removed ('' = none)
    ARGV[10] U  usual entries to set       ARGV[11] u  usual fields to delete
    ARGV[12] W  windows to set             ARGV[13] w  window fields to delete
    ARGV[14] I  ids to add                 ARGV[15] i  ids to remove
    ARGV[16..] U pairs (field, lastSeen), u fields, W pairs (field, window), w fields,
               I pairs (time, id), i ids

  Output:
     0  applied
    -1  already applied (batch mode): stored offset >= ARGV[4]; nothing written
    -2  malformed arguments; nothing written
    -3  stored schema version differs from ARGV[1]; nothing written
    -4  offset conflict (advance mode): stored offset is not ARGV[4]; nothing written
]]
local rcall = redis.call

local HEADER = 15
-- Arguments per command: unpack() is bounded by Lua's C stack (8000 slots). Even, so pairs
-- never straddle two commands.
local CHUNK = 4000

local function isCount(value)
  return value ~= nil and string.match(value, '^%d+$') ~= nil
end

local function isOffset(value)
  return string.match(value, '^0$') ~= nil or string.match(value, '^[1-9]%d*$') ~= nil
end

-- Offsets are int64: compared as decimal text, since Lua numbers are doubles.
local function offsetBelow(a, b)
  if #a ~= #b then
    return #a < #b
  end
  return a < b
end

local function sendChunks(command, key, first, count)
  local last = first + count - 1
  for i = first, last, CHUNK do
    rcall(command, key, unpack(ARGV, i, math.min(i + CHUNK - 1, last)))
  end
end

local mode = ARGV[2]
local offset = ARGV[4]
if mode ~= 'batch' and mode ~= 'advance' then
  return -2
end
if offset == nil or (offset ~= '' and not isOffset(offset)) or (mode == 'batch' and offset == '') then
  return -2
end
for i = 10, HEADER do
  if not isCount(ARGV[i]) then
    return -2
  end
end
local usualSet, usualDel = tonumber(ARGV[10]) * 2, tonumber(ARGV[11])
local windowSet, windowDel = tonumber(ARGV[12]) * 2, tonumber(ARGV[13])
local idAdd, idDel = tonumber(ARGV[14]) * 2, tonumber(ARGV[15])
if #ARGV ~= HEADER + usualSet + usualDel + windowSet + windowDel + idAdd + idDel then
  return -2
end

local version = rcall('HGET', KEYS[1], 'v')
if version and version ~= ARGV[1] then
  return -3
end

local stored = rcall('HGET', KEYS[1], ARGV[3])
if mode == 'batch' then
  if stored and not offsetBelow(stored, offset) then
    return -1
  end
elseif (stored or '') ~= offset then
  return -4
end

local cursor = HEADER + 1
sendChunks('HSET', KEYS[2], cursor, usualSet)
cursor = cursor + usualSet
sendChunks('HDEL', KEYS[2], cursor, usualDel)
cursor = cursor + usualDel
sendChunks('HSET', KEYS[3], cursor, windowSet)
cursor = cursor + windowSet
sendChunks('HDEL', KEYS[3], cursor, windowDel)
cursor = cursor + windowDel
sendChunks('ZADD', KEYS[4], cursor, idAdd)
cursor = cursor + idAdd
sendChunks('ZREM', KEYS[4], cursor, idDel)
if ARGV[9] ~= '' then
  rcall('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. ARGV[9])
end

rcall('HSET', KEYS[1], 'v', ARGV[1], 'baseline', ARGV[6], 'clock', ARGV[7], 'nextVerdict', ARGV[8])
if mode == 'batch' then
  rcall('HSET', KEYS[1], ARGV[3], offset, 'home', ARGV[5])
end
return 0
