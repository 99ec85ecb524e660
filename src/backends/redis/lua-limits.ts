/**
 * Lua for the claim's limits (claim rules 2, 4 and 5 on `ClaimInput`): the claim's
 * `ClaimLimits`, fixed rate windows, a key's limits (stored overrides win), whether a lane is
 * open (a closed one is parked, see lua-lanes.ts), whether a job's type may start, and counting
 * a start. Part of CLAIM_FN; relies on the prelude.
 *
 * A window's starts live in `rate:k:<key>` / `rate:t:<type>` as "<windowEnd>:<count>": a
 * counter of an older window reads as 0, so one small key per key or type is all there is.
 */
export const LIMITS_FN = `
-- Rate counters outlive their window by this much (the core's clock may run behind Redis').
local RATE_SLACK_MS = 3600000

-- The claim's limits (ClaimLimits JSON) as Lua tables; a rate is {limit, ms}.
local function decode_limits(json)
  local l = cjson.decode(json)
  local function rate(r)
    if type(r) == 'table' then return {limit = r.limit, ms = r.windowMs} end
    return nil
  end
  local types, any_type = {}, false
  for _, t in ipairs(l.typeRateLimits) do
    types[t.type] = rate(t)
    any_type = true
  end
  local conc = l.keyConcurrency
  return {conc = type(conc) == 'number' and conc or nil, rate = rate(l.keyRateLimit),
    types = types, any_type = any_type}
end

-- A fixed window (floor(now / ms)) of counter name: its end and the starts counted in it.
local function window(name, r)
  local wend = now - now % r.ms + r.ms
  local e, c = string.match(redis.call('GET', base .. 'rate:' .. name) or '', '^(%d+):(%d+)$')
  return wend, tonumber(e) == wend and tonumber(c) or 0
end

local function count_start(name, r)
  local wend, used = window(name, r)
  redis.call('SET', base .. 'rate:' .. name, string.format('%.0f:%d', wend, used + 1), 'PX',
    string.format('%.0f', wend - now + RATE_SLACK_MS))
end

-- Key k's limits for this claim: its stored overrides, else the claim's defaults.
local function key_limits(ctx, k)
  local c = ctx.keys[k]
  if c then return c end
  local o = redis.call('HMGET', base .. 'key-limits', 'c:' .. k, 'r:' .. k)
  c = {conc = ctx.limits.conc, rate = ctx.limits.rate}
  if o[1] then c.conc = tonumber(o[1]) end
  if o[2] then
    local limit, ms = string.match(o[2], '^(%d+):(%d+)$')
    c.rate = {limit = tonumber(limit), ms = tonumber(ms)}
  end
  ctx.keys[k] = c
  return c
end

-- Claim rule 2: whether keyed lane k is open; a closed lane is parked.
local function lane_open(ctx, k)
  local lim = key_limits(ctx, k)
  if lim.conc and tonumber(redis.call('HGET', base .. 'key-active', k) or 0) >= lim.conc then
    park(k, nil)
    return false
  end
  if lim.rate then
    local wend, used = window('k:' .. k, lim.rate)
    if used >= lim.rate.limit then
      park(k, wend)
      ctx.rated = true
      return false
    end
  end
  return true
end

-- Claim rule 4: whether a job of this type may start; notes the window that holds it back.
local function type_open(ctx, job_type)
  local r = ctx.limits.types[job_type]
  if not r then return true end
  local wend, used = window('t:' .. job_type, r)
  if used < r.limit then return true end
  ctx.wake = math.min(ctx.wake or wend, wend)
  return false
end

-- Claim rule 5: counts a start against its key's and type's windows and the key's slots.
local function count(ctx, k, job_type)
  local r = job_type and ctx.limits.types[job_type]
  if r then count_start('t:' .. job_type, r) end
  if k == '' then return end
  redis.call('HINCRBY', base .. 'key-active', k, 1)
  local lim = key_limits(ctx, k)
  if lim.rate then count_start('k:' .. k, lim.rate) end
end

`;
