/**
 * Lua functions shared by several scripts (CLAIM and COMPLETE_AND_CLAIM, FINISH and
 * COMPLETE_AND_CLAIM). They rely on the helpers of `lua-prelude.ts`.
 */
import { TAKE_FN } from "./lua-claim.js";
import { ORDER_FN } from "./lua-claim-order.js";
import { LIMITS_FN } from "./lua-limits.js";
import { WAKE_FN } from "./lua-wake.js";

/**
 * Lua functions of the claim (see CLAIM; rules on `ClaimInput`): `sweep` promotes due delayed
 * jobs and deals with expired leases — dead-lettered when their attempts are spent, else
 * requeued (event `lease-expired`) in their lane; `take` then claims up to `limit` jobs in
 * the static order of lua-claim-order.ts (lanes in lua-lanes.ts, limits read from the store
 * in lua-limits.ts, the claim itself in lua-claim.ts). A group of completions sweeps
 * once, then takes for each member. `take` returns the claimed jobs' HGETALL lists, the
 * wake-up time (or false) and the ids of schedules to refill.
 *
 * Safe to re-send: every claim has a fresh token, and a claim that took jobs (or found
 * schedules to refill) leaves a note `claim:<token>` listing them (until the lease ends, or
 * the first job is finished — by then the caller has the reply, so no re-send can follow). A
 * re-sent claim finds the note and answers with the same jobs, those still held under the
 * token, instead of taking more: no start, turn or window is counted twice.
 */
export const CLAIM_FN =
  `${LIMITS_FN}${ORDER_FN}${WAKE_FN}${TAKE_FN}
local function sweep(expired_error, failed_expires_at)
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', base .. 'delayed', '-inf', now, 'LIMIT', 0, 1000)) do
    redis.call('ZREM', base .. 'delayed', id)
    schedule(id)
  end
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', base .. 'active', '-inf', now, 'LIMIT', 0, 1000)) do
    local f = redis.call('HMGET', jkey(id), 'attempts', 'maxAttempts', 'pos', 'concurrencyKey')
    redis.call('ZREM', base .. 'active', id)
    redis.call('HDEL', jkey(id), 'token', 'leaseUntil', 'rk')
    local k, spent = f[4] or nil, tonumber(f[1]) >= tonumber(f[2])
    if not spent then count_queued(k, 1) end
    leave_active(k)
    if spent then
      redis.call('HSET', jkey(id), 'state', 'failed', 'error', expired_error, 'updatedAt', ARGV[2])
      move_state(id, 'active', 'failed', f[3])
      retain(id, failed_expires_at)
      log_event(id, 'failed')
    else
      redis.call('HSET', jkey(id), 'state', 'queued', 'updatedAt', ARGV[2])
      move_state(id, 'active', 'queued', f[3])
      schedule(id)
      log_event(id, 'lease-expired')
    end
  end
end

` +
  // The one probe a plain queue pays, for what it does not have. EXISTS counts a key once per
  // mention, so keys named several times pick its answer n apart: the keys of due schedules,
  // indexed lanes and rate-parked lanes once each (n % 4 counts them), turns four times (the
  // queue has had a keyed job), the claim's re-send note and the queue's settings eight times
  // each. Returns {quiet = none of the first three, keyed = turns exists, plain = neither,
  // token, stored = the note or the settings exist (so a take by token must read them)}.
  `local function probe_queue(token)
  local keys = {base .. 'sched-due', base .. 'lanes', base .. 'rated'}
  for _ = 1, 4 do push(keys, base .. 'turns') end
  for _ = 1, 8 do push(keys, note_key(token), base .. 'settings') end
  local n = redis.call('EXISTS', unpack(keys))
  return {quiet = n % 4 == 0, keyed = n % 8 >= 4, plain = n % 8 == 0, token = token,
    stored = n >= 8}
end

` +
  // Claim rule 0 (schedules): probes the queue for the claim by token and materialises due
  // schedules, if any schedule, keyed lane or rate-parked lane exists. Returns the ids of
  // schedules to refill and the probe for the take (what materialising may have changed is left
  // unknown).
  `local function prepare(token)
  local probe = probe_queue(token)
  if probe.quiet then return {}, probe end
  return materialise(), {quiet = false, token = token, stored = probe.stored}
end

` +
  // A claim: returns the jobs, the wake-up time (or false) and the ids of schedules to refill
  // (the given ones, plus the first run's when re-sent). probe: as prepare() found just before
  // (nil: unknown; another claim's: its note says nothing of this one).
  `local function take(limit, token, lease_until, refill, probe)
  local note, settings = false, false
  if not (probe and probe.token == token and not probe.stored) then
` +
  // One read for the re-send note and the queue's settings (claim rules 1-2).
  `    local got = redis.call('MGET', note_key(token), base .. 'settings')
    note, settings = got[1], got[2]
  end
  if note then
    local first = cjson.decode(note)
    local again = {}
    for _, id in ipairs(first.ids) do
      if holds(id, token) then again[#again + 1] = job_fields(id) end
    end
    for _, id in ipairs(first.refill) do refill[#refill + 1] = id end
    return again, first.wake, refill
  end
  local out, ids, wake = take_jobs(limit, token, lease_until, settings, probe)
  if #out > 0 or #refill > 0 then
` +
  // (An empty list encodes as {}, which decodes to an empty table again: fine for ipairs.)
  `    local note_value = cjson.encode({ids = ids, wake = wake or false, refill = refill})
    local ttl = math.max(1, tonumber(lease_until) - now)
    redis.call('SET', note_key(token), note_value, 'PX', ttl)
  end
  return out, wake or false, refill
end
`;

/**
 * Lua function: a fenced final write (see FINISH). Returns 1 if it applied, else 0.
 * Safe to re-send: the job remembers which token finished it, how, and with which event
 * (`done` = "<token>:<seq>:<outcome>"), so a re-sent call — the same token and outcome at the
 * same `now`, while that event is still the job's latest — answers 1 again and writes nothing.
 * Any later change (a new claim, a cancel) moves the sequence on, and a stale call is fenced.
 */
export const FINISH_FN =
  // What a completion reads: the fence and every event field it does not set.
  `
local COMPLETE_FIELDS = {'state', 'token', 'pos', 'concurrencyKey', 'idempotencyKey', 'seq',
  'message', 'data', 'attempts', 'runAt', 'watched'}

local function finish_job(id, token, outcome, value, at)
  local f = read_job(id, outcome == 'completed' and COMPLETE_FIELDS or HELD_FIELDS)
  if f.state ~= 'active' or f.token ~= token then
    local d = redis.call('HMGET', jkey(id), 'done', 'updatedAt', 'seq')
    if d[1] == token .. ':' .. tostring(d[3]) .. ':' .. outcome and d[2] == ARGV[2] then
      return 1
    end
    return 0
  end
  local k = f.concurrencyKey
  redis.call('DEL', note_key(token))
  redis.call('ZREM', base .. 'active', id)
  if outcome == 'retry' or outcome == 'released' then count_queued(k, 1) end
  leave_active(k)
` +
  // The job leaves active for state to, remembering who finished it (see above).
  `  local function change(to, sets, dels, event_type)
    local done = token .. ':' .. next_seq(f) .. ':' .. outcome
    push(sets, 'state', to, 'updatedAt', ARGV[2], 'done', done)
    change_job(id, f, sets, push(dels, 'token', 'leaseUntil', 'rk'), event_type)
    move_state(id, 'active', to, f.pos)
  end
  if outcome == 'completed' then
    change('completed', {'result', value, 'progress', 1, 'expiresAt', at}, {'error'}, 'completed')
    expire_job(id, at, f.idempotencyKey)
  elseif outcome == 'failed' then
    change('failed', {'error', value, 'expiresAt', at}, {}, 'failed')
    expire_job(id, at, f.idempotencyKey)
  elseif outcome == 'retry' then
    change('queued', {'error', value, 'runAt', at}, {}, 'retry-scheduled')
    redis.call('ZADD', base .. 'delayed', at, id)
  else
    change('queued', {'attempts', tonumber(f.attempts) - 1}, {}, 'released')
    schedule(id)
  end
  return 1
end
`;
