--[[
  Finishes checkpoint ARGV[1] of one partition: every account it touched is persisted and its
  insights are produced, so the messages whose events it applied all (latest event older than its
  watermark) leave the reorder buffer and the checkpoint is marked done; the applied events of a
  message that stays are skipped when the buffer is loaded (event time below 'wm'). Idempotent.

  Input:
    KEYS[1] checkpoint  hash: seq, done, next, wm, wmPrev, max
    KEYS[2] buffer      hash: <offset> -> '<seq>:' then the message's JSON (see begin-checkpoint-3)
    KEYS[3] order       sorted set: <offset> scored by the message's latest event time (epoch ms)

    ARGV[1] seq of the checkpoint
    ARGV[2] its watermark as an exclusive score bound, '(<epoch ms>' ('-inf' = nothing applied):
            messages whose latest event is strictly older than the watermark were applied
    ARGV[3] the watermark to store as 'wm' (epoch ms or '-inf'): the checkpoint's own, or lower
            when it applied only part of what its recorded watermark released

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
rcall('HSET', KEYS[1], 'done', ARGV[1], 'wm', ARGV[3])
return 0
