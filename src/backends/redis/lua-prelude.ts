/**
 * Lua shared by every script (prepended to each, so each script stands alone for EVALSHA).
 *
 * Key layout under one queue's namespace `base` = `<prefix>:{<queue>}:` (the braces are a hash
 * tag: every key of a queue lives in one cluster slot):
 *
 *   job:<id>        HASH   the job's fields (absent field = null)
 *   ev:<id>         LIST   the job's events, JSON, index n-1 holds sequence n
 *   idem:<key>      STRING id of the job holding an idempotency key
 *   ready           ZSET   runnable queued jobs: score -priority, member `<runAt>:<pos>:<id>`
 *                          (zero-padded, so equal scores order by run time, then insertion)
 *   delayed         ZSET   queued jobs not yet due, score runAt, member id
 *   active          ZSET   active jobs, score leaseUntil, member id
 *   state:<state>   ZSET   every job in that state, score pos (listing and counts)
 *   all             ZSET   every job, score pos
 *   expiry          ZSET   finished jobs, score expiresAt (the core's clock)
 *   pos             STRING insertion counter
 *
 * Finished jobs also get a Redis TTL (retention), so memory is reclaimed even if no client
 * ever cleans up; visibility follows the core's clock via `expiresAt`.
 *
 * Every script takes ARGV[1] = base and ARGV[2] = now, and returns a string starting with "~"
 * (JSON after it) or an integer: a "~" string is never valid JSON, so clients that JSON-parse
 * replies (like @upstash/redis by default) hand it back untouched.
 */
export const LUA_PRELUDE = `
local base = ARGV[1]
local now = tonumber(ARGV[2])
local STATES = {'queued', 'active', 'completed', 'failed', 'cancelled'}
local EVENT_FIELDS = {'updatedAt', 'state', 'progress', 'message', 'data', 'attempts', 'runAt',
  'result', 'error'}

local function jkey(id) return base .. 'job:' .. id end
local function ekey(id) return base .. 'ev:' .. id end

local function pad(s) return string.rep('0', 15 - #s) .. s end
local function ready_member(run_at, pos, id) return pad(run_at) .. ':' .. pad(pos) .. ':' .. id end

local function reply(value) return '~' .. cjson.encode(value) end

-- State of a job that exists and has not passed its retention, else nil.
local function live_state(id)
  local f = redis.call('HMGET', jkey(id), 'state', 'expiresAt')
  if not f[1] then return nil end
  if f[2] and tonumber(f[2]) <= now then return nil end
  return f[1]
end

-- Moves a job between the per-state listing indexes (pos: its insertion position, if known).
local function move_state(id, from, to, pos)
  pos = pos or redis.call('HGET', jkey(id), 'pos')
  if from then redis.call('ZREM', base .. 'state:' .. from, id) end
  redis.call('ZADD', base .. 'state:' .. to, pos, id)
end

-- Bumps the sequence number and appends the job's public fields as one event.
local function log_event(id, event_type)
  local key = jkey(id)
  local seq = redis.call('HINCRBY', key, 'seq', 1)
  local f = redis.call('HMGET', key, unpack(EVENT_FIELDS))
  local event = {seq = tostring(seq), type = event_type}
  for i, name in ipairs(EVENT_FIELDS) do
    if f[i] then event[name] = f[i] end
  end
  redis.call('RPUSH', ekey(id), cjson.encode(event))
end

-- Puts a queued job where claims will find it: ready if due, else delayed.
local function schedule(id)
  local f = redis.call('HMGET', jkey(id), 'runAt', 'pos', 'priority')
  if tonumber(f[1]) <= now then
    local member = ready_member(f[1], f[2], id)
    redis.call('HSET', jkey(id), 'rk', member)
    redis.call('ZADD', base .. 'ready', -tonumber(f[3]), member)
  else
    redis.call('ZADD', base .. 'delayed', f[1], id)
  end
end

-- Takes a job out of every claim index.
local function unschedule(id)
  local rk = redis.call('HGET', jkey(id), 'rk')
  if rk then redis.call('ZREM', base .. 'ready', rk) end
  redis.call('HDEL', jkey(id), 'rk')
  redis.call('ZREM', base .. 'delayed', id)
  redis.call('ZREM', base .. 'active', id)
end

-- Retention: the job stays visible until expiresAt (core clock); Redis drops it after ttl.
local function retain(id, expires_at)
  local ttl = math.max(1, tonumber(expires_at) - now)
  redis.call('HSET', jkey(id), 'expiresAt', expires_at)
  redis.call('ZADD', base .. 'expiry', expires_at, id)
  redis.call('PEXPIRE', jkey(id), ttl)
  redis.call('PEXPIRE', ekey(id), ttl)
  local ikey = redis.call('HGET', jkey(id), 'idempotencyKey')
  if ikey then redis.call('PEXPIRE', base .. 'idem:' .. ikey, ttl) end
end

local function unretain(id)
  redis.call('HDEL', jkey(id), 'expiresAt')
  redis.call('ZREM', base .. 'expiry', id)
  redis.call('PERSIST', jkey(id))
  redis.call('PERSIST', ekey(id))
  local ikey = redis.call('HGET', jkey(id), 'idempotencyKey')
  if ikey then redis.call('PERSIST', base .. 'idem:' .. ikey) end
end

-- Deletes a job, its events and every index entry (works even if its hash already expired).
local function remove_job(id)
  local key = jkey(id)
  local ikey = redis.call('HGET', key, 'idempotencyKey')
  if ikey and redis.call('GET', base .. 'idem:' .. ikey) == id then
    redis.call('DEL', base .. 'idem:' .. ikey)
  end
  unschedule(id)
  for _, s in ipairs(STATES) do redis.call('ZREM', base .. 'state:' .. s, id) end
  redis.call('ZREM', base .. 'all', id)
  redis.call('ZREM', base .. 'expiry', id)
  redis.call('DEL', key, ekey(id))
end

-- Drops up to max jobs whose retention has passed.
local function cleanup(max)
  local ids = redis.call('ZRANGEBYSCORE', base .. 'expiry', '-inf', now, 'LIMIT', 0, max)
  for _, id in ipairs(ids) do remove_job(id) end
end

-- The job's insertion position if it is active under this claim token, else nil: the fence
-- of every worker write.
local function holds(id, token)
  local f = redis.call('HMGET', jkey(id), 'state', 'token', 'pos')
  if f[1] == 'active' and f[2] == token then return f[3] end
  return nil
end

local function job_fields(id) return redis.call('HGETALL', jkey(id)) end
`;
