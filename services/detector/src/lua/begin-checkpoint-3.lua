--[[
  Starts checkpoint ARGV[2] of one partition of the detector: records the input position after the
  Kafka batch it absorbs, where the input must be read again from to rebuild the reorder buffer,
  and the watermark the checkpoint applies; copies the buffer entries held too long into Redis
  (spilled), atomically. Compare-and-set on the previous checkpoint: only the writer that saw the
  latest finished checkpoint may start the next one, so a stale owner (after a rebalance) fails
  instead of forking the partition's history. No detection rule runs here.

  Input:
    KEYS[1] checkpoint  hash: seq, done, next, wm, wmPrev, max, from, low, size
    KEYS[2] buffer      hash: <offset> or <first>-<last> (a run of messages) -> '<seq>:' then the
                        entry's JSON (its events), absorbed by checkpoint <seq> (or, written by
                        earlier detectors, one NormalizedEvent's JSON)
    KEYS[3] order       sorted set: the buffer's fields scored by their latest event time (epoch ms)

    ARGV[1] expected seq: the last checkpoint the caller knows ('0' = none), which must be done
    ARGV[2] new seq (ARGV[1] + 1)
    ARGV[3] next: the next Kafka offset to absorb after this batch ('' = unchanged)
    ARGV[4] wm: watermark applied by this checkpoint (epoch ms, or '-inf')
    ARGV[5] wmPrev: watermark of the previous checkpoint
    ARGV[6] max: latest event time absorbed so far (or '-inf')
    ARGV[7] from: first offset this checkpoint absorbs ('' = none yet)
    ARGV[8] low: offset the input must be read again from to rebuild the buffer ('' = nowhere)
    ARGV[9] size: events buffered once this checkpoint's messages are absorbed
    ARGV[10] n: number of spilled entries
    ARGV[11..] n triples (field, latest event time, buffer entry)

  Output:
     0  started
    -1  conflict: the stored seq or done is not ARGV[1]; nothing written
    -2  malformed arguments; nothing written
]]
local rcall = redis.call
local HEADER = 10
local CHUNK = 3000

local n = tonumber(ARGV[10])
if n == nil or #ARGV ~= HEADER + 3 * n or ARGV[2] == nil then
  return -2
end

local seq = rcall('HGET', KEYS[1], 'seq') or '0'
local done = rcall('HGET', KEYS[1], 'done') or '0'
if seq ~= ARGV[1] or done ~= ARGV[1] then
  return -1
end

local i = HEADER + 1
local last = HEADER + 3 * n
while i <= last do
  local stop = math.min(i + CHUNK - 1, last)
  local fields, scores = {}, {}
  for j = i, stop, 3 do
    fields[#fields + 1] = ARGV[j]
    fields[#fields + 1] = ARGV[j + 2]
    scores[#scores + 1] = ARGV[j + 1]
    scores[#scores + 1] = ARGV[j]
  end
  rcall('HSET', KEYS[2], unpack(fields))
  rcall('ZADD', KEYS[3], unpack(scores))
  i = stop + 1
end

rcall('HSET', KEYS[1], 'seq', ARGV[2], 'wm', ARGV[4], 'wmPrev', ARGV[5], 'max', ARGV[6],
  'from', ARGV[7], 'low', ARGV[8], 'size', ARGV[9])
if ARGV[3] ~= '' then
  rcall('HSET', KEYS[1], 'next', ARGV[3])
end
return 0
