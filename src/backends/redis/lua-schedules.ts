/**
 * Lua functions for stored schedules (see {@link ScheduleRecord} for the rule they follow).
 * Tick lists are stored as JSON arrays of integers and handled as their digit strings, so no
 * tick ever goes through Lua's number formatting.
 */
import { SCHEDULE_REFILL_BELOW, SCHEDULES_PER_CLAIM } from "../../backend.js";

/**
 * Lua functions of schedules: `materialise` (claim rule 1, run by every claim script),
 * `fire` and `advance` (also REFILL_SCHEDULE), the due index and reading records back.
 */
export const SCHEDULE_FN =
  `
local function skey(id) return base .. 'sched:' .. id end

` +
  // A JSON list of integer ticks as a list of digit strings.
  `local function ticks_of(json)
  local out = {}
  for t in string.gmatch(json or '', '%-?%d+') do out[#out + 1] = t end
  return out
end

local function ticks_json(list) return '[' .. table.concat(list, ',') .. ']' end

` +
  // Keeps the due index right: a schedule is due from its first upcoming tick on.
  `local function index_due(id, upcoming)
  if upcoming[1] then
    redis.call('ZADD', base .. 'sched-due', upcoming[1], id)
  else
    redis.call('ZREM', base .. 'sched-due', id)
  end
end

` +
  // The queue's name, from its namespace <prefix>:{<queue>}: (for scheduled job ids).
  `local queue_name = string.match(base, '{([^{}]*)}:$')

` +
  // Turns ticks of schedule id into jobs (queue@id@tick, runAt = tick), skipping ids that exist.
  `local function fire(id, ticks)
  if #ticks == 0 then return end
  local f = redis.call('HMGET', skey(id), 'type', 'payload', 'priority', 'maxAttempts',
    'backoff', 'concurrencyKey')
  for _, tick in ipairs(ticks) do
    local job_id = queue_name .. '@' .. id .. '@' .. tick
    if redis.call('EXISTS', jkey(job_id)) == 0 then
      insert_job({id = job_id, type = f[1], payload = f[2], priority = f[3], runAt = tick,
        maxAttempts = f[4], backoff = f[5] or nil, concurrencyKey = f[6] or nil})
    end
  end
end

` +
  // Stores a schedule's new tick state; version moves on.
  `local function advance(id, upcoming, last_tick)
  local key = skey(id)
  redis.call('HSET', key, 'upcoming', ticks_json(upcoming), 'updatedAt', ARGV[2])
  if last_tick then
    redis.call('HSET', key, 'lastTickAt', last_tick)
  else
    redis.call('HDEL', key, 'lastTickAt')
  end
  redis.call('HINCRBY', key, 'version', 1)
  index_due(id, upcoming)
end

` +
  // Claim rule 0: materialises up to SCHEDULES_PER_CLAIM due schedules, in the order they were
  // created (as libSQL does: it orders their jobs' insertion). Returns the ids to refill (see
  // ClaimOutcome.refill): those still due (their list ran out: nothing fired) and those any
  // claim fired at this very now (so a re-sent or second claim at now answers the same), with
  // fewer than SCHEDULE_REFILL_BELOW ticks ahead.
  `local function materialise()
  local due = {}
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', base .. 'sched-due', '-inf', now, 'LIMIT', 0,
    ${SCHEDULES_PER_CLAIM})) do
    local f = redis.call('HMGET', skey(id), 'upcoming', 'catchUp', 'created')
    due[#due + 1] = {id = id, upcoming = f[1], catch_up = f[2], created = tonumber(f[3] or 0)}
  end
  table.sort(due, function(a, b)
    if a.created ~= b.created then return a.created < b.created end
    return a.id < b.id
  end)
  local refill = {}
  for _, s in ipairs(due) do
    local fired, rest = {}, {}
    for _, t in ipairs(ticks_of(s.upcoming)) do
      if tonumber(t) <= now then fired[#fired + 1] = t else rest[#rest + 1] = t end
    end
    if #rest > 0 then
      local last = fired[#fired]
      fire(s.id, s.catch_up == 'all' and fired or {last})
      advance(s.id, rest, last)
      redis.call('ZADD', base .. 'sched-fired', now, s.id)
    else
      refill[#refill + 1] = s.id
    end
  end
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', base .. 'sched-fired', now, now)) do
    local ahead = 0
    for _, t in ipairs(ticks_of(redis.call('HGET', skey(id), 'upcoming'))) do
      if tonumber(t) > now then ahead = ahead + 1 end
    end
    if ahead < ${SCHEDULE_REFILL_BELOW} then refill[#refill + 1] = id end
  end
  return refill
end

` +
  // Schedule records (HGETALL lists) of these ids, skipping deleted ones.
  `local function schedule_records(ids)
  local out, seen = {}, {}
  for _, id in ipairs(ids) do
    if not seen[id] then
      seen[id] = true
      local fields = redis.call('HGETALL', skey(id))
      if fields[1] then out[#out + 1] = fields end
    end
  end
  return out
end
`;
