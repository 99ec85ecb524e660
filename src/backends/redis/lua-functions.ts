/**
 * Lua functions shared by several scripts (CLAIM and COMPLETE_AND_CLAIM, FINISH and
 * COMPLETE_AND_CLAIM). They rely on the helpers of `lua-prelude.ts`.
 */

/**
 * Lua functions of the claim (see CLAIM): `sweep` promotes due delayed jobs and deals with
 * expired leases — dead-lettered when their attempts are spent, else requeued (event
 * `lease-expired`) in the ready set under their priority and run time; `take` then claims the
 * first `limit` ready jobs, already in claim order. `claim_jobs` is both. A group of
 * completions sweeps once, then takes for each member. Each returns the claimed jobs' HGETALL
 * lists.
 *
 * Safe to re-send: every claim has a fresh token, and a claim that took jobs leaves a note
 * `claim:<token>` listing them (until the lease ends, or the first of them is finished — by
 * then the caller has the reply, so no re-send can follow). A re-sent claim finds the note and
 * answers with the same jobs, those still held under the token, instead of taking more.
 */
export const CLAIM_FN = `
local function sweep(expired_error, failed_expires_at)
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', base .. 'delayed', '-inf', now, 'LIMIT', 0, 1000)) do
    redis.call('ZREM', base .. 'delayed', id)
    schedule(id)
  end
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', base .. 'active', '-inf', now, 'LIMIT', 0, 1000)) do
    local f = redis.call('HMGET', jkey(id), 'attempts', 'maxAttempts', 'pos')
    redis.call('ZREM', base .. 'active', id)
    redis.call('HDEL', jkey(id), 'token', 'leaseUntil')
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

local function take(limit, token, lease_until)
  local note = redis.call('GET', base .. 'claim:' .. token)
  if note then
    local again = {}
    for _, id in ipairs(cjson.decode(note)) do
      if holds(id, token) then again[#again + 1] = job_fields(id) end
    end
    return again
  end
  local out, ids = {}, {}
  for _, member in ipairs(redis.call('ZRANGE', base .. 'ready', 0, limit - 1)) do
    local pos, id = string.match(member, '^%d+:(%d+):(.+)$')
    local attempts = tonumber(redis.call('HGET', jkey(id), 'attempts'))
    redis.call('ZREM', base .. 'ready', member)
    redis.call('HDEL', jkey(id), 'rk')
    move_state(id, 'queued', 'active', pos)
    redis.call('HSET', jkey(id), 'state', 'active', 'token', token, 'leaseUntil', lease_until,
      'updatedAt', ARGV[2], 'attempts', attempts + 1)
    redis.call('ZADD', base .. 'active', lease_until, id)
    log_event(id, 'active')
    out[#out + 1] = job_fields(id)
    ids[#ids + 1] = id
  end
  if #ids > 0 then
    redis.call('SET', base .. 'claim:' .. token, cjson.encode(ids), 'PX',
      math.max(1, tonumber(lease_until) - now))
  end
  return out
end

local function claim_jobs(limit, token, lease_until, expired_error, failed_expires_at)
  sweep(expired_error, failed_expires_at)
  return take(limit, token, lease_until)
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
  local pos = holds(id, token)
  if not pos then
    local f = redis.call('HMGET', key, 'done', 'updatedAt')
    if f[1] == token and f[2] == ARGV[2] then return 1 end
    return 0
  end
  redis.call('DEL', base .. 'claim:' .. token)
  redis.call('HSET', key, 'done', token)
  redis.call('ZREM', base .. 'active', id)
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
