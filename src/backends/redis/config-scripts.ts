/**
 * Scripts for what a queue stores besides jobs: schedules and per-key limit overrides. Same
 * conventions as `scripts.ts` (ARGV[1] = base, ARGV[2] = now; see `lua-prelude.ts`).
 */
import { SCHEDULE_FN } from "./lua-schedules.js";
import { script } from "./scripts.js";

/**
 * PUT_SCHEDULE — ARGV: base, now, id, upcoming (JSON list), then field, value pairs of the
 * rest of the spec (null fields left out). Creates or replaces the schedule, keeping `lastTickAt` and
 * `createdAt`, and its upcoming ticks while the cron and time zone stay the same (so a tick
 * already due is still fired); `version` moves on. A call that would store what is stored
 * already (a re-sent call) changes nothing. Returns ~[the record's fields, as stored].
 */
export const PUT_SCHEDULE = script(
  `${SCHEDULE_FN}
local id = ARGV[3]
local key = skey(id)
local upcoming = ticks_of(ARGV[4])
local stored = redis.call('HGETALL', key)
local old, new = {}, {}
for i = 1, #stored, 2 do old[stored[i]] = stored[i + 1] end
for i = 5, #ARGV, 2 do new[ARGV[i]] = ARGV[i + 1] end
if old.upcoming and old.cron == new.cron and old.timezone == new.timezone then
  upcoming = ticks_of(old.upcoming)
end
local META = {lastTickAt = true, version = true, createdAt = true, updatedAt = true,
  created = true}
` +
    // Unchanged: the same upcoming list and exactly the same spec fields (id, upcoming, pairs).
    `local same, old_fields = old.upcoming == ticks_json(upcoming), 0
for name in pairs(old) do
  if not META[name] then old_fields = old_fields + 1 end
end
for i = 5, #ARGV, 2 do
  if old[ARGV[i]] ~= ARGV[i + 1] then same = false end
end
if same and old_fields == 2 + (#ARGV - 4) / 2 then return reply(schedule_records({id})) end
` +
    // created: the schedule's place in creation order (claims materialise due ones in it).
    `local created = old.created or redis.call('INCR', base .. 'sched-seq')
redis.call('DEL', key)
redis.call('HSET', key, 'id', id, 'upcoming', ticks_json(upcoming),
  'version', tonumber(old.version or 0) + 1, 'createdAt', old.createdAt or ARGV[2],
  'updatedAt', ARGV[2], 'created', created, unpack(ARGV, 5))
if old.lastTickAt then redis.call('HSET', key, 'lastTickAt', old.lastTickAt) end
redis.call('ZADD', base .. 'schedules', 0, id)
index_due(id, upcoming)
return reply(schedule_records({id}))
`,
);

/** DELETE_SCHEDULE — ARGV: base, now, id. Its jobs stay. Returns 1 if it existed, else 0. */
export const DELETE_SCHEDULE = script(`
local id = ARGV[3]
redis.call('ZREM', base .. 'sched-due', id)
redis.call('ZREM', base .. 'sched-fired', id)
redis.call('ZREM', base .. 'schedules', id)
return redis.call('DEL', base .. 'sched:' .. id)
`);

/** LIST_SCHEDULES — ARGV: base, now. Returns ~[[field, value, …] per schedule] by id. */
export const LIST_SCHEDULES = script(`${SCHEDULE_FN}
return reply(schedule_records(redis.call('ZRANGE', base .. 'schedules', 0, -1)))
`);

/**
 * REFILL_SCHEDULE — ARGV: base, now, id, version, fire (JSON list), upcoming (JSON list),
 * lastTickAt|"". Applies only while the schedule has that version: fires the ticks (a job per
 * tick whose id does not exist yet), stores the new upcoming list and lastTickAt. Returns 1 if
 * it applied, else 0 — a re-sent call too, as the version has moved on (the contract's fence;
 * the core drops a refill that lost, and a fired tick never makes a second job).
 */
export const REFILL_SCHEDULE = script(`${SCHEDULE_FN}
local id, version = ARGV[3], ARGV[4]
if redis.call('HGET', skey(id), 'version') ~= version then return 0 end
fire(id, ticks_of(ARGV[5]))
advance(id, ticks_of(ARGV[6]), ARGV[7] ~= '' and ARGV[7] or nil)
return 1
`);

/**
 * SET_KEY_LIMITS — ARGV: base, now, key, concurrency, rateLimit ("limit:windowMs"); each is
 * "" to leave as is, "-" to remove the override, else the value. A parked lane of the key is
 * reopened, so the next claim applies the new limits. Returns 1.
 */
export const SET_KEY_LIMITS = script(`
local k = ARGV[3]
for i, field in ipairs({'c:' .. k, 'r:' .. k}) do
  local value = ARGV[3 + i]
  if value == '-' then
    redis.call('HDEL', base .. 'key-limits', field)
  elseif value ~= '' then
    redis.call('HSET', base .. 'key-limits', field, value)
  end
end
if redis.call('HEXISTS', base .. 'parked', k) == 1 then unpark(k) end
return 1
`);

/** GET_KEY_LIMITS — ARGV: base, now, key. Returns ~[concurrency|false, "limit:ms"|false]. */
export const GET_KEY_LIMITS = script(`
return reply(redis.call('HMGET', base .. 'key-limits', 'c:' .. ARGV[3], 'r:' .. ARGV[3]))
`);

/**
 * SET_QUEUE_LIMITS — ARGV: base, now, limits (QueueLimits as canonical JSON), onlyIfAbsent
 * ("1" or ""). Stores the queue's settings, read by every claim; with onlyIfAbsent, only where
 * none are stored. Lanes parked under the old settings are reopened, so the next claim applies
 * the new ones. A re-sent call stores the same thing again. Returns ~(the settings as stored).
 */
export const SET_QUEUE_LIMITS = script(
  `
local key = base .. 'settings'
local stored = redis.call('GET', key)
if stored and (ARGV[4] == '1' or stored == ARGV[3]) then return '~' .. stored end
redis.call('SET', key, ARGV[3])
` +
    // A rare admin call: reopening every parked lane is what keeps claims from seeing stale caps.
    `for _, k in ipairs(redis.call('HKEYS', base .. 'parked')) do unpark(k) end
return '~' .. ARGV[3]
`,
);

/** GET_QUEUE_LIMITS — ARGV: base, now. Returns ~(the stored settings) or ~false. */
export const GET_QUEUE_LIMITS = script(`
local stored = redis.call('GET', base .. 'settings')
if stored then return '~' .. stored end
return reply(false)
`);
