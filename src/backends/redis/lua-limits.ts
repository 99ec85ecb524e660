/**
 * Lua for the claim's limits (claim rules 1, 2, 5 and 6 on `ClaimInput`): the queue's stored
 * settings (`settings`, QueueLimits as JSON, written by SET_QUEUE_LIMITS), fixed rate windows,
 * a key's limits (stored overrides win), a keyed lane's cap, the starts left per type, and
 * counting a start. Part of CLAIM_FN; relies on the prelude.
 *
 * A window's starts live in `rate:k:<key>` / `rate:t:<type>` as "<windowEnd>:<count>": a
 * counter of an older window reads as 0, so one small key per key or type is all there is.
 */
/** Lua functions of the claim's limits (see the module comment). */
export const LIMITS_FN =
  // Rate counters outlive their window by this much (the core's clock may run behind Redis').
  `
local RATE_SLACK_MS = 3600000

` +
  // The queue's settings (QueueLimits JSON, or false: none stored) as Lua tables; a rate is
  // {limit, ms}. JSON nulls decode to cjson.null, hence the type checks.
  `local NO_SETTINGS = {types = {}, any_type = false}
local function decode_settings(json)
` +
  // A queue without settings (most of them) shares one read-only answer: no table per claim.
  `  if not json then return NO_SETTINGS end
  local l = cjson.decode(json)
  local function rate(r)
    if type(r) == 'table' then return {limit = r.limit, ms = r.windowMs} end
    return nil
  end
  local types, any_type = {}, false
  for _, t in ipairs(type(l.typeRateLimits) == 'table' and l.typeRateLimits or {}) do
    types[t.type] = rate(t)
    any_type = true
  end
  local conc = l.keyConcurrency
  return {conc = type(conc) == 'number' and conc or nil, rate = rate(l.keyRateLimit),
    types = types, any_type = any_type}
end

` +
  // A fixed window (floor(now / ms)) of counter name: its end and the starts counted in it.
  `local function window(name, r)
  local wend = now - now % r.ms + r.ms
  local e, c = string.match(redis.call('GET', base .. 'rate:' .. name) or '', '^(%d+):(%d+)$')
  return wend, tonumber(e) == wend and tonumber(c) or 0
end

local function count_start(name, r)
  local wend, used = window(name, r)
  redis.call('SET', base .. 'rate:' .. name, string.format('%.0f:%d', wend, used + 1), 'PX',
    string.format('%.0f', wend - now + RATE_SLACK_MS))
end

` +
  // Key k's limits for this claim: its stored overrides, else the queue's settings.
  `local function key_limits(ctx, k)
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

` +
  // Claim rule 2: keyed lane k's room and starts left in its key window (math.huge: no such
  // limit), and that window's end. Its cap is the smaller of the two.
  `local function lane_room(ctx, k)
  local lim = key_limits(ctx, k)
  local room, left, wend = math.huge, math.huge, nil
  if lim.conc then room = lim.conc - tonumber(redis.call('HGET', base .. 'key-active', k) or 0) end
  if lim.rate and room > 0 then
    local used
    wend, used = window('k:' .. k, lim.rate)
    left = lim.rate.limit - used
  end
  return room, left, wend
end

` +
  // Claim rule 1: the starts left per rate-limited type as the claim begins (a type at 0 is
  // spent), and its window's end. Rule 5 counts the claim's starts down in the same table.
  `local function type_starts(ctx)
  ctx.left, ctx.type_end = {}, {}
  for name, r in pairs(ctx.limits.types) do
    local wend, used = window('t:' .. name, r)
    ctx.left[name], ctx.type_end[name] = r.limit - used, wend
  end
end

` +
  // Claim rule 6: counts a start against its type's and key's windows and the key's slots.
  `local function count(ctx, k, job_type)
  local r = job_type and ctx.limits.types[job_type]
  if r then count_start('t:' .. job_type, r) end
  if not k then return end
  redis.call('HINCRBY', base .. 'key-active', k, 1)
  local lim = key_limits(ctx, k)
  if lim.rate then count_start('k:' .. k, lim.rate) end
end
`;
