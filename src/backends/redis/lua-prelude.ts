/**
 * Lua shared by every script (prepended to each, so each script stands alone for EVALSHA).
 *
 * Key layout under one queue's namespace `base` = `<prefix>:{<queue>}:` (the braces are a hash
 * tag: every key of a queue lives in one cluster slot):
 *
 *   job:<id>        HASH   the job's fields (absent field = null); seq: its last event's
 *                          sequence number; rk: its ready member, read only while the job is
 *                          queued (a claim leaves it behind, every way back to queued drops it);
 *                          watched: until when its events are announced on `notices` (WATCH)
 *   notices         CHANNEL `<seq>:<id>` per event of a watched job (feature push)
 *   ev:<id>         LIST   the job's events, JSON, index n-1 holds sequence n
 *   idem:<key>      STRING id of the job holding an idempotency key
 *   ready           ZSET   the unkeyed lane: runnable queued jobs without a concurrency key,
 *                          score -priority, member `<runAt>:<pos>:<id>` (zero-padded, so equal
 *                          scores order by run time, then insertion)
 *   lane:<ckey>     ZSET   a keyed lane: runnable queued jobs of that concurrency key, as ready
 *   lanes           ZSET   lane index: per open keyed lane `<turn>:<head's member>`, score
 *                          -headPriority (see lua-lanes.ts)
 *   lane-head       HASH   ckey -> its entry in lanes (absent: not indexed)
 *   parked          HASH   ckey -> "full" | "rate": lanes kept out of the index
 *   rated           ZSET   lanes parked by their rate window, score the window's end
 *   turns           HASH   n -> turn counter (+1 per lane served), u -> the unkeyed lane's
 *                          turn when last served, k:<ckey> -> a keyed lane's; keyed -> 1
 *                          once the queue has had a keyed job (until then no turn is kept)
 *   settings        STRING the queue's QueueLimits as JSON (absent: none stored)
 *   key-active      HASH   ckey -> active jobs of the key (absent: 0)
 *   key-queued      HASH   ckey -> queued jobs of the key, ready or delayed (absent: 0)
 *   key-limits      HASH   per-key overrides: c:<ckey> -> concurrency, r:<ckey> -> "limit:ms"
 *   rate:k:<ckey>   STRING starts in a key's current fixed window, "<windowEnd>:<count>"
 *   rate:t:<type>   STRING the same per job type
 *   delayed         ZSET   queued jobs not yet due, score runAt, member id
 *   active          ZSET   active jobs, score leaseUntil, member id
 *   claim:<token>   STRING a claim's note for re-sends: {ids, wake, refill} (see take); a
 *                          claim probes for it with one EXISTS (see probe_queue)
 *   state:<state>   ZSET   every job in that state, score pos (listing and counts)
 *   all             ZSET   every job, score pos
 *   expiry          ZSET   finished jobs, score expiresAt (the core's clock)
 *   pos             STRING insertion counter
 *   sched:<id>      HASH   a schedule: its spec's fields, upcoming (JSON list), lastTickAt,
 *                          version, createdAt, updatedAt, created (see sched-seq)
 *   schedules       ZSET   every schedule id, score 0 (listed by id)
 *   sched-due       ZSET   schedules with upcoming ticks, score the first of them
 *   sched-fired     ZSET   schedules a claim has fired, score the claim's now (refills)
 *   sched-seq       STRING creation counter: a schedule's `created` field (firing order)
 *
 * Finished jobs also get a Redis TTL (retention), so memory is reclaimed even if no client
 * ever cleans up; visibility follows the core's clock via `expiresAt`.
 *
 * Every script takes ARGV[1] = base and ARGV[2] = now, and returns a string starting with "~"
 * (JSON after it) or an integer: a "~" string is never valid JSON, so clients that JSON-parse
 * replies (like @upstash/redis by default) hand it back untouched.
 */
import { LUA_LANES } from "./lua-lanes.js";

const BASICS =
  `
local base = ARGV[1]
local now = tonumber(ARGV[2])
local STATES = {'queued', 'active', 'completed', 'failed', 'cancelled'}
local EVENT_FIELDS = {'updatedAt', 'state', 'progress', 'message', 'data', 'attempts', 'runAt',
  'result', 'error'}

local function jkey(id) return base .. 'job:' .. id end
local function ekey(id) return base .. 'ev:' .. id end
` +
  // A claim's re-send note (see CLAIM_FN).
  `local function note_key(token) return base .. 'claim:' .. token end

local function pad(s) return string.rep('0', 15 - #s) .. s end
local function ready_member(run_at, pos, id) return pad(run_at) .. ':' .. pad(pos) .. ':' .. id end

` +
  // Appends the values after list to it; returns list. (No table for the values: this runs
  // several times per job.)
  `local function push(list, ...)
  for _, v in ipairs({...}) do list[#list + 1] = v end
  return list
end

local function reply(value) return '~' .. cjson.encode(value) end

` +
  // State of a job that exists and has not passed its retention, else nil.
  `local function live_state(id)
  local f = redis.call('HMGET', jkey(id), 'state', 'expiresAt')
  if not f[1] then return nil end
  if f[2] and tonumber(f[2]) <= now then return nil end
  return f[1]
end

` +
  // Moves a job between the per-state listing indexes (pos: its insertion position, if known).
  `local function move_state(id, from, to, pos)
  pos = pos or redis.call('HGET', jkey(id), 'pos')
  if from then redis.call('ZREM', base .. 'state:' .. from, id) end
  redis.call('ZADD', base .. 'state:' .. to, pos, id)
end

` +
  // Appends an event of the given type to job id's log: f holds the job's fields after the
  // change, by name (seq, already stored, and whichever of EVENT_FIELDS are set, as strings).
  `local function append_event(id, f, event_type)
  local event = {seq = f.seq, type = event_type}
  for _, name in ipairs(EVENT_FIELDS) do event[name] = f[name] end
  redis.call('RPUSH', ekey(id), cjson.encode(event))
  if f.watched and tonumber(f.watched) > now then
    redis.call('PUBLISH', base .. 'notices', f.seq .. ':' .. id)
  end
end

` +
  // Bumps the sequence number and appends the job's public fields (read back) as one event;
  // returns the event's sequence number. For changes whose fields the script has not read.
  `local function log_event(id, event_type)
  local key = jkey(id)
  local seq = redis.call('HINCRBY', key, 'seq', 1)
  local got = redis.call('HMGET', key, 'watched', unpack(EVENT_FIELDS))
  local f = {seq = tostring(seq), watched = got[1] or nil}
  for i, name in ipairs(EVENT_FIELDS) do f[name] = got[i + 1] or nil end
  append_event(id, f, event_type)
  return seq
end

` +
  // The named fields of job id, by name (one HMGET; absent fields are nil).
  `local function read_job(id, names)
  local got = redis.call('HMGET', jkey(id), unpack(names))
  local f = {}
  for i, name in ipairs(names) do f[name] = got[i] or nil end
  return f
end

` +
  // What a fenced write reads of its job, in one HMGET: the fence, what it updates and every
  // event field, so the write needs no second read.
  `local HELD_FIELDS = {'token', 'leaseUntil', 'pos', 'concurrencyKey', 'idempotencyKey', 'seq',
  'watched', unpack(EVENT_FIELDS)}

` +
  // The sequence number of job fields f's next event.
  `local function next_seq(f) return tostring(tonumber(f.seq or 0) + 1) end

` +
  // Writes a change to job id whose fields f (by name: seq and every event field) the script has
  // read: sets (a list name, value, …) and dels (names), with the next sequence number, and
  // appends the event; f then holds the fields after the change. Returns the sequence number.
  `local function change_job(id, f, sets, dels, event_type)
  f.seq = next_seq(f)
  local n = #sets
  sets[n + 1], sets[n + 2] = 'seq', f.seq
  for i = 1, n + 2, 2 do f[sets[i]] = tostring(sets[i + 1]) end
  redis.call('HSET', jkey(id), unpack(sets))
  if dels[1] then
    for _, name in ipairs(dels) do f[name] = nil end
    redis.call('HDEL', jkey(id), unpack(dels))
  end
  append_event(id, f, event_type)
  return f.seq
end

`;

const JOBS =
  // Retention: the job stays visible until expiresAt (core clock); Redis drops it, its events
  // and its idempotency key ikey (nil: none) after ttl. The caller stores expiresAt.
  `
local function expire_job(id, expires_at, ikey)
  local ttl = math.max(1, tonumber(expires_at) - now)
  redis.call('ZADD', base .. 'expiry', expires_at, id)
  redis.call('PEXPIRE', jkey(id), ttl)
  redis.call('PEXPIRE', ekey(id), ttl)
  if ikey then redis.call('PEXPIRE', base .. 'idem:' .. ikey, ttl) end
end

` +
  // Retention of a job whose fields the script has not read (see expire_job).
  `local function retain(id, expires_at)
  redis.call('HSET', jkey(id), 'expiresAt', expires_at)
  expire_job(id, expires_at, redis.call('HGET', jkey(id), 'idempotencyKey') or nil)
end

local function unretain(id)
  redis.call('HDEL', jkey(id), 'expiresAt')
  redis.call('ZREM', base .. 'expiry', id)
  redis.call('PERSIST', jkey(id))
  redis.call('PERSIST', ekey(id))
  local ikey = redis.call('HGET', jkey(id), 'idempotencyKey')
  if ikey then redis.call('PERSIST', base .. 'idem:' .. ikey) end
end

` +
  // Deletes a job, its events and every index entry (works even if its hash already expired).
  `local function remove_job(id)
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

` +
  // Drops up to max jobs whose retention has passed.
  `local function cleanup(max)
  local ids = redis.call('ZRANGEBYSCORE', base .. 'expiry', '-inf', now, 'LIMIT', 0, max)
  for _, id in ipairs(ids) do remove_job(id) end
end

` +
  // The job's insertion position (and concurrency key) if it is active under this claim token,
  // else nil: the fence of every worker write.
  `local function holds(id, token)
  local f = redis.call('HMGET', jkey(id), 'state', 'token', 'pos', 'concurrencyKey')
  if f[1] == 'active' and f[2] == token then return f[3], f[4] or nil end
  return nil
end

local function job_fields(id) return redis.call('HGETALL', jkey(id)) end

` +
  // Inserts a new queued job (event enqueued). j: id, type, payload, priority, runAt,
  // maxAttempts, and optional backoff, idempotencyKey, concurrencyKey (nil: none).
  `local function insert_job(j)
  local pos = redis.call('INCR', base .. 'pos')
  local key = jkey(j.id)
  local member = place(j.id, j.runAt, tostring(pos), j.priority, j.concurrencyKey)
  local fields = {'id', j.id, 'type', j.type, 'payload', j.payload, 'state', 'queued',
    'priority', j.priority, 'attempts', 0, 'maxAttempts', j.maxAttempts, 'runAt', j.runAt,
    'createdAt', ARGV[2], 'updatedAt', ARGV[2], 'progress', 0, 'seq', 1, 'pos', pos}
  for _, name in ipairs({'backoff', 'idempotencyKey', 'concurrencyKey'}) do
    if j[name] then
      fields[#fields + 1] = name
      fields[#fields + 1] = j[name]
    end
  end
  if member then
    fields[#fields + 1] = 'rk'
    fields[#fields + 1] = member
  end
  redis.call('HSET', key, unpack(fields))
  if j.idempotencyKey then redis.call('SET', base .. 'idem:' .. j.idempotencyKey, j.id) end
` +
  // Claim rule 6: from the first keyed job on, claims keep the lanes' turns.
  `  if j.concurrencyKey then
    redis.call('HSET', base .. 'turns', 'keyed', 1)
    count_queued(j.concurrencyKey, 1)
  end
  redis.call('ZADD', base .. 'all', pos, j.id)
  redis.call('ZADD', base .. 'state:queued', pos, j.id)
  append_event(j.id, {seq = '1', updatedAt = ARGV[2], state = 'queued', progress = '0',
    attempts = '0', runAt = j.runAt}, 'enqueued')
end
`;

export const LUA_PRELUDE = BASICS + LUA_LANES + JOBS;
