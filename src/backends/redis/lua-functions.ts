/**
 * Lua functions shared by several scripts (CLAIM and COMPLETE_AND_CLAIM, FINISH and
 * COMPLETE_AND_CLAIM). They rely on the helpers of `lua-prelude.ts`.
 */
import { LIMITS_FN } from "./lua-limits.js";

/**
 * Lua functions of the claim (see CLAIM; rules on `ClaimInput`): `sweep` promotes due delayed
 * jobs and deals with expired leases — dead-lettered when their attempts are spent, else
 * requeued (event `lease-expired`) in their lane; `take` then claims up to `limit` jobs,
 * lane by lane (see lua-lanes.ts; limits in lua-limits.ts). A group of completions sweeps
 * once, then takes for each member. `take` returns the claimed jobs' HGETALL lists, the
 * wake-up time (or false) and the ids of schedules to refill.
 *
 * Safe to re-send: every claim has a fresh token, and a claim that took jobs (or found
 * schedules to refill) leaves a note `claim:<token>` listing them (until the lease ends, or
 * the first job is finished — by then the caller has the reply, so no re-send can follow). A
 * re-sent claim finds the note and answers with the same jobs, those still held under the
 * token, instead of taking more: no start, turn or window is counted twice.
 */
export const CLAIM_FN = `${LIMITS_FN}
-- A claim looks at most this many jobs past a lane's head for one whose type may start, and
-- at most SCAN_BUDGET such skipped jobs in all.
local MAX_SKIP, SCAN_BUDGET = 100, 1000

local function sweep(expired_error, failed_expires_at)
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', base .. 'delayed', '-inf', now, 'LIMIT', 0, 1000)) do
    redis.call('ZREM', base .. 'delayed', id)
    schedule(id)
  end
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', base .. 'active', '-inf', now, 'LIMIT', 0, 1000)) do
    local f = redis.call('HMGET', jkey(id), 'attempts', 'maxAttempts', 'pos', 'concurrencyKey')
    redis.call('ZREM', base .. 'active', id)
    redis.call('HDEL', jkey(id), 'token', 'leaseUntil')
    leave_active(f[4] or nil)
    if tonumber(f[1]) >= tonumber(f[2]) then
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

local function id_of(member) return string.match(member, '^%d+:%d+:(.+)$') end

-- The first job of a lane (name, its set) that may start, skipping at most MAX_SKIP jobs past
-- the head (skipped jobs stay at the lane's front for the rest of the claim). Returns its
-- member, id and type, or nil.
local function pick(ctx, name, set)
  local skip = ctx.skips[name] or 0
  while skip <= MAX_SKIP and ctx.scanned <= SCAN_BUDGET do
    local member = redis.call('ZRANGE', set, skip, skip)[1]
    if not member then return nil end
    local id = id_of(member)
    if not ctx.limits.any_type then return member, id end
    local job_type = redis.call('HGET', jkey(id), 'type')
    if type_open(ctx, job_type) then return member, id, job_type end
    skip = skip + 1
    ctx.skips[name] = skip
    ctx.scanned = ctx.scanned + 1
  end
  return nil
end

-- Whether the unkeyed lane (its head) goes before the index's first keyed lane (claim rule 3).
local function unkeyed_first(ctx, head, keyed)
  if not keyed[1] then return true end
  local score, other = tonumber(head[2]), tonumber(keyed[2])
  if score ~= other then return score < other end
  ctx.unkeyed_turn = ctx.unkeyed_turn or redis.call('HGET', base .. 'turns', 'u') or 0
  return lane_entry(ctx.unkeyed_turn, head[1]) < keyed[1]
end

-- Claim rules 3 and 4: a lane counts by its first job that may start. When that is not the
-- job the lane is indexed under, the lane is re-indexed under it until the claim ends
-- (take_jobs then re-reads every lane it touched).
local function reindex_for_claim(ctx, k, member)
  local turn = redis.call('HGET', base .. 'turns', turn_field(k)) or 0
  index_lane(k, lane_entry(turn, member), redis.call('ZSCORE', lane_set(k), member))
  ctx.touched[k] = true
end

-- Claim rule 3: the next lane to serve and its job: lane name ('' unkeyed, else the key),
-- member, id, type. Each lane is compared by its first job not known to be skipped; a lane
-- with nothing to start is left alone for the rest of the claim (a keyed one out of the
-- index, the unkeyed one flagged).
local function next_job(ctx)
  while ctx.scanned <= SCAN_BUDGET do
    local keyed = redis.call('ZRANGE', base .. 'lanes', 0, 0, 'WITHSCORES')
    local first = ctx.skips[''] or 0
    local head = ctx.unkeyed_done and {}
      or redis.call('ZRANGE', base .. 'ready', first, first, 'WITHSCORES')
    if not head[1] then ctx.unkeyed_done = true end
    if not keyed[1] and not head[1] then return nil end
    if head[1] and unkeyed_first(ctx, head, keyed) then
      local member, id, job_type = pick(ctx, '', base .. 'ready')
      if member == head[1] then return '', member, id, job_type end
      -- Else its first job that may start is further back (compared again), or there is none.
      if not member then ctx.unkeyed_done = true end
    else
      local k = redis.call('HGET', jkey(entry_job(keyed[1])), 'concurrencyKey')
      if not k then
        -- Never expected (queued jobs have no TTL): a stale entry must not wedge every claim.
        redis.call('ZREM', base .. 'lanes', keyed[1])
      elseif lane_open(ctx, k) then
        local member, id, job_type = pick(ctx, k, lane_set(k))
        if member == entry_head(keyed[1]) then return k, member, id, job_type end
        if member then
          reindex_for_claim(ctx, k, member)
        else
          redis.call('ZREM', base .. 'lanes', keyed[1])
          ctx.touched[k] = true
        end
      end
    end
  end
  return nil
end

-- Makes a ready job active under the claim; returns its fields.
local function start_job(set, member, id, token, lease_until)
  local pos = string.match(member, '^%d+:(%d+):')
  redis.call('ZREM', set, member)
  redis.call('HDEL', jkey(id), 'rk')
  move_state(id, 'queued', 'active', pos)
  redis.call('HSET', jkey(id), 'state', 'active', 'token', token, 'leaseUntil', lease_until,
    'updatedAt', ARGV[2])
  redis.call('HINCRBY', jkey(id), 'attempts', 1)
  redis.call('ZADD', base .. 'active', lease_until, id)
  log_event(id, 'active')
  return job_fields(id)
end

-- Marks lane name as served by a job (its turn: the counter after it); returns the turn.
local function serve(name)
  local turn = redis.call('HINCRBY', base .. 'turns', 'n', 1)
  redis.call('HSET', base .. 'turns', turn_field(name ~= '' and name or nil), turn)
  return turn
end

-- The plain path's serve of the unkeyed lane: nothing to write when it already is the lane
-- served last (more turns would change no order).
local function serve_unkeyed()
  local t = redis.call('HMGET', base .. 'turns', 'n', 'u')
  if not t[1] or t[1] ~= t[2] then serve('') end
end

-- Lanes whose rate window has ended are open again; notes when the next one reopens.
local function unpark_due(ctx)
  local first = redis.call('ZRANGE', base .. 'rated', 0, 0, 'WITHSCORES')
  if first[1] and tonumber(first[2]) <= now then
    for _, k in ipairs(redis.call('ZRANGEBYSCORE', base .. 'rated', '-inf', now, 'LIMIT', 0, 1000)) do
      unpark(k)
    end
    ctx.rated = true
    return
  end
  ctx.rated_at = first[2] and tonumber(first[2])
end

-- The claim proper, after the re-send check: returns the jobs, their ids and the wake-up time
-- (or nil). quiet: the caller found no keyed lane indexed or rate-parked.
local function take_jobs(limit, token, lease_until, limits_json, quiet)
  local ctx = {limits = decode_limits(limits_json), keys = {}, skips = {}, touched = {},
    scanned = 0}
  quiet = quiet or redis.call('EXISTS', base .. 'lanes', base .. 'rated') == 0
  if not quiet then unpark_due(ctx) end
  local out, ids = {}, {}
  if not ctx.limits.any_type and (quiet or redis.call('EXISTS', base .. 'lanes') == 0) then
    -- Plain path (no keyed lane open, no type limit): the unkeyed lane's first jobs in order.
    for _, member in ipairs(redis.call('ZRANGE', base .. 'ready', 0, limit - 1)) do
      ids[#ids + 1] = id_of(member)
      out[#out + 1] = start_job(base .. 'ready', member, ids[#ids], token, lease_until)
    end
    if #out > 0 then serve_unkeyed() end
  else
    while #out < limit do
      local k, member, id, job_type = next_job(ctx)
      if not k then break end
      ids[#ids + 1] = id
      out[#out + 1] = start_job(lane_set(k ~= '' and k or nil), member, id, token, lease_until)
      count(ctx, k, job_type)
      local turn = serve(k)
      if k == '' then ctx.unkeyed_turn = turn else refresh_lane(k, turn) end
    end
    for k in pairs(ctx.touched) do refresh_lane(k) end
  end
  if ctx.rated then
    local first = redis.call('ZRANGE', base .. 'rated', 0, 0, 'WITHSCORES')
    ctx.rated_at = first[2] and tonumber(first[2])
  end
  local wake = ctx.wake
  if ctx.rated_at then wake = math.min(wake or ctx.rated_at, ctx.rated_at) end
  return out, ids, wake
end

-- Claim rule 1, with the one probe a plain queue pays: materialises due schedules, if any
-- schedule, keyed lane or rate-parked lane exists. Returns the ids of schedules to refill and
-- whether the queue is quiet (none of those exist) for the take right after.
local function prepare()
  if redis.call('EXISTS', base .. 'sched-due', base .. 'lanes', base .. 'rated') == 0 then
    return {}, true
  end
  return materialise(), false
end

-- A claim: returns the jobs, the wake-up time (or false) and the ids of schedules to refill
-- (the given ones, plus the first run's when re-sent). quiet: as prepare() found just before.
local function take(limit, token, lease_until, limits_json, refill, quiet)
  local note_key = base .. 'claim:' .. token
  local note = redis.call('GET', note_key)
  if note then
    local first = cjson.decode(note)
    local again = {}
    for _, id in ipairs(first.ids) do
      if holds(id, token) then again[#again + 1] = job_fields(id) end
    end
    for _, id in ipairs(first.refill) do refill[#refill + 1] = id end
    return again, first.wake, refill
  end
  local out, ids, wake = take_jobs(limit, token, lease_until, limits_json, quiet)
  if #out > 0 or #refill > 0 then
    -- (An empty list encodes as {}, which decodes to an empty table again: fine for ipairs.)
    local note_value = cjson.encode({ids = ids, wake = wake or false, refill = refill})
    redis.call('SET', note_key, note_value, 'PX', math.max(1, tonumber(lease_until) - now))
  end
  return out, wake or false, refill
end
`;

/**
 * Lua function: a fenced final write (see FINISH). Returns 1 if it applied, else 0.
 * Safe to re-send: the job remembers which token finished it (`done`) and when, so a re-sent
 * call (same token, same `now`) answers 1 again and writes nothing.
 */
export const FINISH_FN = `
local function finish_job(id, token, outcome, value, at)
  local key = jkey(id)
  local pos, k = holds(id, token)
  if not pos then
    local f = redis.call('HMGET', key, 'done', 'updatedAt')
    if f[1] == token and f[2] == ARGV[2] then return 1 end
    return 0
  end
  redis.call('DEL', base .. 'claim:' .. token)
  redis.call('HSET', key, 'done', token)
  redis.call('ZREM', base .. 'active', id)
  leave_active(k)
  if outcome == 'completed' then
    redis.call('HSET', key, 'state', 'completed', 'result', value, 'progress', 1,
      'updatedAt', ARGV[2])
    redis.call('HDEL', key, 'token', 'leaseUntil', 'error')
    move_state(id, 'active', 'completed', pos)
    retain(id, at)
    log_event(id, 'completed')
  elseif outcome == 'failed' then
    redis.call('HSET', key, 'state', 'failed', 'error', value, 'updatedAt', ARGV[2])
    redis.call('HDEL', key, 'token', 'leaseUntil')
    move_state(id, 'active', 'failed', pos)
    retain(id, at)
    log_event(id, 'failed')
  elseif outcome == 'retry' then
    redis.call('HSET', key, 'state', 'queued', 'error', value, 'runAt', at, 'updatedAt', ARGV[2])
    redis.call('HDEL', key, 'token', 'leaseUntil')
    move_state(id, 'active', 'queued', pos)
    redis.call('ZADD', base .. 'delayed', at, id)
    log_event(id, 'retry-scheduled')
  else
    redis.call('HSET', key, 'state', 'queued', 'updatedAt', ARGV[2])
    redis.call('HDEL', key, 'token', 'leaseUntil')
    redis.call('HINCRBY', key, 'attempts', -1)
    move_state(id, 'active', 'queued', pos)
    schedule(id)
    log_event(id, 'released')
  end
  return 1
end
`;
