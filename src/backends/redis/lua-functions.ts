/**
 * Lua functions shared by several scripts (CLAIM and COMPLETE_AND_CLAIM, FINISH and
 * COMPLETE_AND_CLAIM). They rely on the helpers of `lua-prelude.ts`.
 */

/** Lua function: the claim (see CLAIM). Returns the claimed jobs' HGETALL lists. */
export const CLAIM_FN = `
local function claim_jobs(limit, token, lease_until, expired_error, failed_expires_at)
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', base .. 'delayed', '-inf', now, 'LIMIT', 0, 1000)) do
    redis.call('ZREM', base .. 'delayed', id)
    schedule(id)
  end
  local candidates = {}
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', base .. 'active', '-inf', now, 'LIMIT', 0, 1000)) do
    local f = redis.call('HMGET', jkey(id), 'attempts', 'maxAttempts', 'priority', 'runAt', 'pos')
    if tonumber(f[1]) >= tonumber(f[2]) then
      redis.call('ZREM', base .. 'active', id)
      redis.call('HSET', jkey(id), 'state', 'failed', 'error', expired_error, 'updatedAt', ARGV[2])
      redis.call('HDEL', jkey(id), 'token', 'leaseUntil')
      move_state(id, 'active', 'failed')
      retain(id, failed_expires_at)
      log_event(id, 'failed')
    else
      candidates[#candidates + 1] = {id = id, priority = tonumber(f[3]), runAt = tonumber(f[4]),
        pos = tonumber(f[5]), attempts = tonumber(f[1])}
    end
  end
  for _, member in ipairs(redis.call('ZRANGE', base .. 'ready', 0, limit - 1)) do
    local run_at, pos, id = string.match(member, '^(%d+):(%d+):(.+)$')
    local f = redis.call('HMGET', jkey(id), 'priority', 'attempts')
    candidates[#candidates + 1] = {id = id, priority = tonumber(f[1]), runAt = tonumber(run_at),
      pos = tonumber(pos), attempts = tonumber(f[2]), member = member}
  end
  table.sort(candidates, function(a, b)
    if a.priority ~= b.priority then return a.priority > b.priority end
    if a.runAt ~= b.runAt then return a.runAt < b.runAt end
    return a.pos < b.pos
  end)
  local out = {}
  for i = 1, math.min(limit, #candidates) do
    local c = candidates[i]
    if c.member then
      redis.call('ZREM', base .. 'ready', c.member)
      redis.call('HDEL', jkey(c.id), 'rk')
      move_state(c.id, 'queued', 'active', c.pos)
    end
    redis.call('HSET', jkey(c.id), 'state', 'active', 'token', token, 'leaseUntil', lease_until,
      'updatedAt', ARGV[2], 'attempts', c.attempts + 1)
    redis.call('ZADD', base .. 'active', lease_until, c.id)
    log_event(c.id, 'active')
    out[#out + 1] = job_fields(c.id)
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
