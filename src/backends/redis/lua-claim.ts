/**
 * Lua for the claim proper (claim rules 1-6 on `ClaimInput`, after the sweep): `take_jobs`
 * picks jobs by the static order of lua-claim-order.ts, starts them, moves the served lanes'
 * turns and computes `wakeAt` (lua-wake.ts). Part of CLAIM_FN; relies on the prelude,
 * lua-limits.ts, lua-claim-order.ts and lua-wake.ts.
 *
 * A queue with no keyed lane open and no type limit takes the plain path: the unkeyed lane's
 * first jobs in lane order, which is what the rules give there, at no extra reads.
 */
import { TYPE_SKIP_DEPTH } from "../../backend.js";

/** Lua functions `take_jobs` (the claim after the re-send check) and its helpers. */
export const TAKE_FN =
  // Makes a ready job active under the claim; returns its fields, read once (HGETALL: in a
  // script cheaper than an HMGET of the record's fields), less pos, rk and watched. Its rk
  // (ready member) is left behind: only a queued job's rk is read (unschedule), and every way
  // back to queued deletes it.
  `
local function start_job(set, member, id, token, lease_until)
  redis.call('ZREM', set, member)
  local list = redis.call('HGETALL', jkey(id))
  local f = {}
  for i = 1, #list, 2 do f[list[i]] = list[i + 1] end
  change_job(id, f, {'state', 'active', 'token', token, 'leaseUntil', lease_until,
    'updatedAt', ARGV[2], 'attempts', tonumber(f.attempts) + 1}, {}, 'active')
  move_state(id, 'queued', 'active', f.pos)
  redis.call('ZADD', base .. 'active', lease_until, id)
  f.pos, f.rk, f.watched = nil, nil, nil
  local n = 0
  list = {}
  for name, value in pairs(f) do
    list[n + 1], list[n + 2] = name, value
    n = n + 2
  end
  return list
end

` +
  // Claim rule 6: lane k (nil: unkeyed) gets a turn above every earlier one; returns it.
  `local function serve(k)
  local turn = redis.call('HINCRBY', base .. 'turns', 'n', 1)
  redis.call('HSET', base .. 'turns', turn_field(k), turn)
  return turn
end

` +
  // Claim rule 6 for the served lanes, in the order of their last job in the claim: their
  // turns (once the queue has had a keyed job), then each keyed lane re-indexed under its new
  // head and turn, or parked when the claim closed it (it keeps its turn in turns).
  `local function settle(ctx, lanes)
  local served = {}
  for _, lane in ipairs(lanes) do
    if lane.last then served[#served + 1] = lane end
  end
  table.sort(served, function(a, b) return a.last < b.last end)
  local keyed = false
  for _, lane in ipairs(served) do keyed = keyed or lane.k ~= nil end
` +
  // A queue with keyed lanes has the flag already; setting it here too heals older data.
  `  if keyed and not ctx.keeps_turns then redis.call('HSET', base .. 'turns', 'keyed', 1) end
  for _, lane in ipairs(served) do
    local turn = (keyed or ctx.keeps_turns) and serve(lane.k)
    if lane.k then
      local room, left = lane.room - lane.started, lane.left - lane.started
      if (room <= 0 or left <= 0) and redis.call('EXISTS', lane.set) == 1 then
        park(lane.k, room > 0 and lane.wend or nil)
        lane.closed = true
      else
        refresh_lane(lane.k, turn)
      end
    end
  end
end

` +
  // The plain path: the unkeyed lane's first limit jobs. The unkeyed lane's turn is recorded
  // only once the queue has had a keyed job, and only when it is not the last served already
  // (another turn would change no order). keyed: false when the caller knows the queue never
  // had a keyed job (then turns is not read).
  `local function take_plain(limit, token, lease_until, out, ids, keyed)
  for _, member in ipairs(redis.call('ZRANGE', base .. 'ready', 0, limit - 1)) do
    ids[#ids + 1] = id_of(member)
    out[#out + 1] = start_job(base .. 'ready', member, ids[#ids], token, lease_until)
  end
  if #out == 0 or keyed == false then return end
  local t = redis.call('HMGET', base .. 'turns', 'n', 'u', 'keyed')
  if t[3] and (not t[1] or t[1] ~= t[2]) then serve(nil) end
end

` +
  // The full path (claim rules 1-6); returns the keyed lanes it read and left open, by key.
  `local function take_ranked(ctx, token, lease_until, out, ids)
  ctx.left, ctx.type_end = {}, {}
  if ctx.limits.any_type then type_starts(ctx) end
  local t = redis.call('HMGET', base .. 'turns', 'u', 'keyed')
  ctx.keeps_turns = t[2] ~= false
  local unkeyed = {set = base .. 'ready', turn = tonumber(t[1] or 0), room = math.huge,
    left = math.huge}
  read_candidates(ctx, unkeyed, ctx.limit)
  local best, read, closed = read_keyed_lanes(ctx)
  for _, c in ipairs(closed) do
    if c.stale then redis.call('ZREM', base .. 'lanes', c.stale) else park(c.k, c.reopen_at) end
  end
  local lanes = {unkeyed}
  for _, lane in ipairs(best) do lanes[#lanes + 1] = lane end
  local ranked = rank(lanes)
` +
  // Rule 5: the first limit candidates, less those whose type ran out of starts before them.
  `  for i = 1, math.min(ctx.limit, #ranked) do
    local c = ranked[i]
    local left = c.type and ctx.left[c.type]
    if not left or left > 0 then
      if left then ctx.left[c.type] = left - 1 end
      ids[#ids + 1] = c.id
      out[#out + 1] = start_job(c.lane.set, c.member, c.id, token, lease_until)
      count(ctx, c.lane.k, c.type)
      count_queued(c.lane.k, -1)
      c.lane.started, c.lane.last = (c.lane.started or 0) + 1, #out
    end
  end
  settle(ctx, lanes)
  for k, lane in pairs(read) do
    if lane.closed then read[k] = nil end
  end
  return read
end

` +
  // Lanes whose rate window has ended are open again.
  `local function unpark_due()
  for _, k in ipairs(redis.call('ZRANGEBYSCORE', base .. 'rated', '-inf', now, 'LIMIT', 0, 1000)) do
    unpark(k)
  end
end

` +
  // The claim proper, after the re-send check: returns the jobs, their ids and the wake-up time
  // (or nil). settings: the stored QueueLimits JSON (or false); probe: what prepare() found
  // just before (nil: unknown, looked up here).
  `local function take_jobs(limit, token, lease_until, settings, probe)
  local ctx = {limits = decode_settings(settings), limit = limit, keys = {}, scanned = 0,
    scan_budget = SCAN_PER_JOB * (limit + ${TYPE_SKIP_DEPTH})}
  local quiet = probe and probe.quiet
  quiet = quiet or redis.call('EXISTS', base .. 'lanes', base .. 'rated') == 0
  if not quiet then unpark_due() end
  local out, ids = {}, {}
  if not ctx.limits.any_type and (quiet or redis.call('EXISTS', base .. 'lanes') == 0) then
    take_plain(limit, token, lease_until, out, ids, probe and probe.keyed)
    if #out >= limit or quiet then return out, ids, nil end
` +
  // No type limit: only rate-parked lanes can hold a job back.
  `    local first = redis.call('ZRANGE', base .. 'rated', 0, 0, 'WITHSCORES')
    return out, ids, first[2] and tonumber(first[2])
  end
  local open = take_ranked(ctx, token, lease_until, out, ids)
  if #out >= limit then return out, ids, nil end
  return out, ids, wake_at(ctx, open)
end
`;
