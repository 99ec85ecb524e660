/**
 * One Lua script per backend operation. Each runs atomically in Redis and is one round trip.
 * KEYS[1] is the queue's `pos` key, for routing only; every key is derived from ARGV[1] (the
 * queue's hash-tagged namespace), so all keys a script touches share that one cluster slot.
 * ARGV[2] is always the core's `now`.
 * See `lua-prelude.ts` for the key layout and helpers; the claims are in `claim-scripts.ts`,
 * schedules and limits in `config-scripts.ts`.
 */
import { FINISH_FN } from "./lua-functions.js";
import { LUA_PRELUDE } from "./lua-prelude.js";

/** A script: the shared prelude, then its body. */
export const script = (body: string) => LUA_PRELUDE + body;

/**
 * ENQUEUE — ARGV: base, now, count, then per job 9 values:
 *   id, type, payload, priority, runAt, maxAttempts, backoff|"", idempotencyKey|"",
 *   concurrencyKey|""
 * Returns ~[[id, created(0|1)], …]. Jobs are decided in order, each seeing the ones before it,
 * and written only once all are decided (all or none): an id that exists — stored, or to be
 * stored by an earlier job of the call — with the same type and payload is answered as created
 * (a re-send: clients re-send a call whose reply was lost), with other content it fails the
 * whole call; an idempotency key already held (so too by an earlier job of the call) answers
 * its holder and stores nothing. A job past its retention no longer holds its id or key.
 */
export const ENQUEUE = script(
  `
local function opt(value) return value ~= '' and value or nil end
` +
    // staged: the jobs to insert, by id, and their idempotency keys; stale: expired ids to free.
    `local staged, staged_keys, order, stale, out = {}, {}, {}, {}, {}
for i = 0, tonumber(ARGV[3]) - 1 do
  local o = 4 + i * 9
  local id, ikey = ARGV[o], opt(ARGV[o + 7])
  local prior = staged[id]
  if not prior then
    local f = redis.call('HMGET', jkey(id), 'type', 'payload', 'expiresAt')
    if f[3] and tonumber(f[3]) <= now then
      stale[id] = true
    elseif f[1] then
      prior = {type = f[1], payload = f[2]}
    end
  end
  if prior then
    if prior.type ~= ARGV[o + 1] or prior.payload ~= ARGV[o + 2] then
      return redis.error_reply('ERR job id conflict')
    end
    out[#out + 1] = {id, 1}
  else
    local holder = ikey and staged_keys[ikey]
    if ikey and not holder then
      holder = redis.call('GET', base .. 'idem:' .. ikey)
      if holder and not live_state(holder) then holder = nil end
    end
    if holder then
      out[#out + 1] = {holder, 0}
    else
      staged[id] = {id = id, type = ARGV[o + 1], payload = ARGV[o + 2], priority = ARGV[o + 3],
        runAt = ARGV[o + 4], maxAttempts = ARGV[o + 5], backoff = opt(ARGV[o + 6]),
        idempotencyKey = ikey, concurrencyKey = opt(ARGV[o + 8])}
      if ikey then staged_keys[ikey] = id end
      order[#order + 1] = id
      out[#out + 1] = {id, 1}
    end
  end
end
for id in pairs(stale) do remove_job(id) end
cleanup(500)
for _, id in ipairs(order) do insert_job(staged[id]) end
return reply(out)
`,
);

/**
 * UPDATE — ARGV: base, now, id, token, leaseUntil, then three (present, value) pairs for
 * progress, message, data: present is "1" to set, "0" to null, "" to leave unchanged.
 * Extends the lease; with any field present also records a `progress` event.
 * Returns 1 if the caller holds the job, else 0. A re-sent call (same lease, same values)
 * finds nothing to change and writes nothing, so it logs no second event.
 */
export const UPDATE = script(`
local id, token = ARGV[3], ARGV[4]
local f = read_job(id, HELD_FIELDS)
if f.state ~= 'active' or f.token ~= token then return 0 end
local sets, nulls, same = {}, {}, f.leaseUntil == ARGV[5]
for i, name in ipairs({'progress', 'message', 'data'}) do
  local present, value = ARGV[4 + i * 2], ARGV[5 + i * 2]
  if present == '1' then
    same = same and f[name] == value
    push(sets, name, value)
  elseif present == '0' then
    same = same and not f[name]
    nulls[#nulls + 1] = name
  end
end
if same then return 1 end
redis.call('ZADD', base .. 'active', ARGV[5], id)
if not sets[1] and not nulls[1] then
  redis.call('HSET', jkey(id), 'leaseUntil', ARGV[5])
  return 1
end
change_job(id, f, push(sets, 'leaseUntil', ARGV[5], 'updatedAt', ARGV[2]), nulls, 'progress')
return 1
`);

/**
 * FINISH — ARGV: base, now, id, token, outcome, value, at
 *   outcome "completed": value = result, at = expiresAt
 *   outcome "failed":    value = error,  at = expiresAt   (dead letter)
 *   outcome "retry":     value = error,  at = retryAt     (back to queued, delayed)
 *   outcome "released":  (no value)                       (back to queued, attempt uncounted)
 * Returns 1 if the caller held the job (and it changed), else 0.
 */
export const FINISH = script(`${FINISH_FN}
return finish_job(ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7])
`);

/**
 * CANCEL — ARGV: base, now, id, expiresAt, callId
 * Returns ~"cancelled" | ~"not-found" | ~"already-finished". A re-sent call finds the job
 * cancelled under its own callId (`done`) and answers "cancelled" again.
 */
export const CANCEL = script(`
local id = ARGV[3]
local state = live_state(id)
if not state then return reply('not-found') end
if state == 'cancelled' and redis.call('HGET', jkey(id), 'done') == ARGV[5] then
  return reply('cancelled')
end
if state ~= 'queued' and state ~= 'active' then return reply('already-finished') end
unschedule(id)
redis.call('HDEL', jkey(id), 'token', 'leaseUntil', 'rk')
redis.call('HSET', jkey(id), 'state', 'cancelled', 'updatedAt', ARGV[2], 'done', ARGV[5])
move_state(id, state, 'cancelled')
retain(id, ARGV[4])
log_event(id, 'cancelled')
return reply('cancelled')
`);

/**
 * REDRIVE — ARGV: base, now, id, callId
 * Returns ~"redriven" | ~"not-found" | ~"not-failed". A re-sent call finds the job redriven
 * under its own callId and answers "redriven" again.
 */
export const REDRIVE = script(`
local id = ARGV[3]
local state = live_state(id)
if not state then return reply('not-found') end
if state ~= 'failed' then
  if redis.call('HGET', jkey(id), 'redrivenBy') == ARGV[4] then return reply('redriven') end
  return reply('not-failed')
end
unretain(id)
redis.call('HSET', jkey(id), 'state', 'queued', 'attempts', 0, 'runAt', ARGV[2],
  'updatedAt', ARGV[2], 'redrivenBy', ARGV[4])
redis.call('HDEL', jkey(id), 'result')
move_state(id, 'failed', 'queued')
count_queued(redis.call('HGET', jkey(id), 'concurrencyKey') or nil, 1)
schedule(id)
log_event(id, 'redriven')
return reply('redriven')
`);

/**
 * WATCH — ARGV: base, now, id, until. Until `until`, the job's events are announced on the
 * queue's `notices` channel (feature push); a job nobody watches announces nothing. Returns 1,
 * or 0 for a job that does not exist. A re-send sets the same again.
 */
export const WATCH = script(`
if redis.call('EXISTS', jkey(ARGV[3])) == 0 then return 0 end
redis.call('HSET', jkey(ARGV[3]), 'watched', ARGV[4])
return 1
`);

/** GET — ARGV: base, now, id. Returns ~[field, value, …] or ~false. */
export const GET = script(`
if not live_state(ARGV[3]) then return reply(false) end
return reply(job_fields(ARGV[3]))
`);

/** EVENTS — ARGV: base, now, id, after, limit. Returns ~[eventJson, …]. */
export const EVENTS = script(`
if not live_state(ARGV[3]) then return reply({}) end
local after, limit = tonumber(ARGV[4]), tonumber(ARGV[5])
return reply(redis.call('LRANGE', ekey(ARGV[3]), after, after + limit - 1))
`);

/**
 * LIST — ARGV: base, now, state|"", afterPos, limit
 * Returns ~[[field, value, …] per job] in insertion order, at most limit + 1 (to detect more).
 */
export const LIST = script(`
cleanup(1000)
local index = ARGV[3] == '' and 'all' or ('state:' .. ARGV[3])
local ids = redis.call('ZRANGEBYSCORE', base .. index, '(' .. ARGV[4], '+inf', 'LIMIT', 0,
  tonumber(ARGV[5]) + 1)
local out = {}
for _, id in ipairs(ids) do out[#out + 1] = job_fields(id) end
return reply(out)
`);

/** STATS — ARGV: base, now. Returns ~{state: count}. */
export const STATS = script(`
cleanup(1000)
local out = {}
for _, s in ipairs(STATES) do out[s] = redis.call('ZCARD', base .. 'state:' .. s) end
return reply(out)
`);

/**
 * PURGE — ARGV: base, now, chunk, state… . Deletes up to `chunk` jobs in those states.
 * When no job is left at all, also deletes the insertion counter, so a purged queue leaves no
 * job keys behind but the notes of claims still in flight (`claim:<token>`, gone when their
 * lease would have ended) and rate counters (gone an hour after their window). Schedules, the
 * queue's settings, key overrides and the lanes' turns (with the flag that the queue has had
 * a keyed job) are not jobs: they stay, as in libSQL. Returns ~[jobs deleted that were still
 * visible (a job past its retention is gone already for every caller, so it is not counted),
 * jobs deleted in all (the caller calls again while that is `chunk`)].
 */
export const PURGE = script(`
local budget = tonumber(ARGV[3])
local removed, visible = 0, 0
for i = 4, #ARGV do
  if removed >= budget then break end
  local ids = redis.call('ZRANGE', base .. 'state:' .. ARGV[i], 0, budget - removed - 1)
  for _, id in ipairs(ids) do
    if live_state(id) then visible = visible + 1 end
    remove_job(id)
    removed = removed + 1
  end
end
if redis.call('ZCARD', base .. 'all') == 0 then redis.call('DEL', base .. 'pos') end
return reply({visible, removed})
`);
