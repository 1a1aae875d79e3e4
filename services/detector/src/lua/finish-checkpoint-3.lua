--[[
  Finishes checkpoint ARGV[1] of one partition: every account it touched is persisted and its
  insights are produced, so the spilled entries whose events it applied all (latest event older
  than its watermark) leave Redis, the checkpoint is marked done, and where the input must be read
  again from moves on; the applied events of an entry that stays are skipped when the buffer is
  rebuilt (event time below 'wm'). Idempotent.

  Input:
    KEYS[1] checkpoint  hash: seq, done, next, wm, wmPrev, max, from, low, size
    KEYS[2] buffer      hash: spilled entries (see begin-checkpoint-3)
    KEYS[3] order       sorted set: the buffer's fields scored by their latest event time (epoch ms)

    ARGV[1] seq of the checkpoint
    ARGV[2] its watermark as an exclusive score bound, '(<epoch ms>' ('-inf' = nothing applied):
            messages whose latest event is strictly older than the watermark were applied
    ARGV[3] the watermark to store as 'wm' (epoch ms or '-inf'): the checkpoint's own, or lower
            when it applied only part of what its recorded watermark released
    ARGV[4] low: offset the input must be read again from to rebuild the buffer ('' = nowhere)
    ARGV[5] size: events left in the buffer

  Output:
     0  finished now
     1  already finished
    -1  conflict: the stored seq is not ARGV[1]; nothing written
]]
local rcall = redis.call
local CHUNK = 4000

local seq = rcall('HGET', KEYS[1], 'seq') or '0'
if seq ~= ARGV[1] then
  return -1
end
if (rcall('HGET', KEYS[1], 'done') or '0') == ARGV[1] then
  return 1
end

local released = rcall('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[2])
for i = 1, #released, CHUNK do
  rcall('HDEL', KEYS[2], unpack(released, i, math.min(i + CHUNK - 1, #released)))
end
rcall('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[2])
rcall('HSET', KEYS[1], 'done', ARGV[1], 'wm', ARGV[3], 'low', ARGV[4], 'size', ARGV[5])
return 0
