/**
 * Lua functions shared by several scripts (CLAIM and COMPLETE_AND_CLAIM, FINISH and
 * COMPLETE_AND_CLAIM). They rely on the helpers of `lua-prelude.ts`.
 */

/**
 * Lua function: the claim (see CLAIM). Promotes due delayed jobs; expired leases are
 * dead-lettered when their attempts are spent, else requeued (event `lease-expired`) in the
 * ready set under their priority and run time; then the first `limit` ready jobs, already in
 * claim order, are claimed. Returns the claimed jobs' HGETALL lists.
 */
export const CLAIM_FN = `
local function claim_jobs(limit, token, lease_until, expired_error, failed_expires_at)
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
  local out = {}
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
  end
  return out
end
`;

/** Lua function: a fenced final write (see FINISH). Returns 1 if it applied, else 0. */
export const FINISH_FN = `
local function finish_job(id, token, outcome, value, at)
  local pos = holds(id, token)
  if not pos then return 0 end
  local key = jkey(id)
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
