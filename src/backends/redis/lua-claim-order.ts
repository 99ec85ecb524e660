/**
 * Lua for the claim's static order (claim rules 2-4 on `ClaimInput`): which lanes are read,
 * their candidates, and the candidates ranked. Reads only; the claim (lua-claim.ts) starts
 * what it picks. Part of CLAIM_FN; relies on the prelude and lua-limits.ts.
 *
 * Bounded by the lane index (lua-lanes.ts), ordered by (head priority desc, turn, head): a
 * lane's first candidate ranks after every earlier lane's first candidate, so once `limit`
 * lanes with candidates are known, a lane whose index entry ranks after the `limit`-th of
 * them cannot place a job in the claim's first `limit`. An entry is a lower bound on its
 * lane's rank (a head whose type is spent hides a later, lower first candidate), so the walk
 * stops at the first entry ranked after the `limit`-th lane found: with no type limits, that
 * is after exactly `limit` open lanes.
 */
import { TYPE_SKIP_DEPTH } from "../../backend.js";

/** Lua functions `read_candidates`, `read_keyed_lanes` and `rank` (see the module comment). */
export const ORDER_FN =
  // Jobs whose type a claim looks up, at most, per job it may take: a claim of many lanes whose
  // first jobs are all of spent types stops reading there (the rules' order is kept for what it
  // read; only a queue with over this many such jobs in front can see a shorter claim).
  `
local SCAN_PER_JOB = 10

local function id_of(member) return string.match(member, '^%d+:%d+:(.+)$') end

` +
  // Whether rank key (score s1, string e1) comes before (s2, e2): -priority, then
  // '<turn>:<member>' (zero-padded, so string order is numeric order).
  `local function before(s1, e1, s2, e2)
  if s1 ~= s2 then return s1 < s2 end
  return e1 < e2
end

` +
  // Claim rule 3: lane.cands = the first n eligible jobs of lane.set (in lane order), among its
  // first limit + TYPE_SKIP_DEPTH runnable jobs; each {member, id, priority, type, lane}.
  `local function read_candidates(ctx, lane, n)
  local out = {}
  lane.cands = out
  if not ctx.limits.any_type then
    local got = redis.call('ZRANGE', lane.set, 0, n - 1, 'WITHSCORES')
    for i = 1, #got, 2 do
      out[#out + 1] = {member = got[i], id = id_of(got[i]), priority = -tonumber(got[i + 1]),
        lane = lane}
    end
    return
  end
  local depth, offset = ctx.limit + ${TYPE_SKIP_DEPTH}, 0
  while #out < n and offset < depth and ctx.scanned < ctx.scan_budget do
    local got = redis.call('ZRANGE', lane.set, offset, math.min(offset + n - #out, depth) - 1,
      'WITHSCORES')
    if not got[1] then break end
    offset = offset + #got / 2
    for i = 1, #got, 2 do
      local id = id_of(got[i])
      local job_type = redis.call('HGET', jkey(id), 'type')
      local left = ctx.left[job_type]
      ctx.scanned = ctx.scanned + 1
      if not left or left > 0 then
        out[#out + 1] = {member = got[i], id = id, priority = -tonumber(got[i + 1]),
          type = job_type, lane = lane}
      end
    end
  end
end

` +
  // A lane with candidates: its rank key (its first candidate's -priority, '<turn>:<member>').
  `local function keyed_lane(lane)
  local first = lane.cands[1]
  lane.score, lane.rank = -first.priority, lane.turn_text .. ':' .. first.member
  return lane
end

` +
  // Claim rules 2-3 for keyed lanes. Returns the lanes that may place a job among the claim's
  // first limit (by rank key), every open lane read (by key), and the lanes found closed
  // ({k, reopen_at|nil}: the caller parks them; the index is not changed while it is read).
  `local function read_keyed_lanes(ctx)
  local limit, best, read, closed = ctx.limit, {}, {}, {}
  local offset = 0
` +
  // Without type limits an entry is its lane's rank key: limit lanes found are the ones.
  `  local exact = not ctx.limits.any_type
  while ctx.scanned < ctx.scan_budget and not (exact and best[limit]) do
    local entries = redis.call('ZRANGE', base .. 'lanes', offset, offset + limit - 1,
      'WITHSCORES')
    if not entries[1] then break end
    offset = offset + #entries / 2
    for i = 1, #entries, 2 do
      local entry, score = entries[i], tonumber(entries[i + 1])
      local last = best[limit]
      if last and (exact or before(last.score, last.rank, score, entry)) then
        ctx.stopped = true
        return best, read, closed
      end
      local k = redis.call('HGET', jkey(entry_job(entry)), 'concurrencyKey')
      if not k then
` +
  // Never expected (queued jobs have no TTL): a stale entry must not wedge every claim.
  `        closed[#closed + 1] = {stale = entry}
      else
        local room, left, wend = lane_room(ctx, k)
        if room <= 0 or left <= 0 then
          closed[#closed + 1] = {k = k, reopen_at = room > 0 and wend or nil}
        else
          local turn_text = string.match(entry, '^(%d+):')
          local lane = {k = k, set = lane_set(k), turn = tonumber(turn_text),
            turn_text = turn_text, room = room, left = left, wend = wend}
          read[k] = lane
          read_candidates(ctx, lane, math.min(room, left, limit))
          if lane.cands[1] then
` +
  // Insert by rank key, keeping the first limit lanes.
  `            keyed_lane(lane)
            local at = #best + 1
            while at > 1 and before(lane.score, lane.rank, best[at - 1].score, best[at - 1].rank) do
              at = at - 1
            end
            if at <= limit then
              table.insert(best, at, lane)
              best[limit + 1] = nil
            end
          end
        end
      end
    end
  end
` +
  // Out of budget with lanes left unread: they are looked at again for wakeAt.
  `  ctx.stopped = ctx.scanned >= ctx.scan_budget
  return best, read, closed
end

` +
  // Claim rule 4: every candidate of these lanes in claim order: priority desc, round, the
  // lane's turn before the claim, its first candidate's run time and insertion.
  `local function rank(lanes)
  local all = {}
  for _, lane in ipairs(lanes) do
    local round, prev = 0, nil
    for _, c in ipairs(lane.cands) do
      if c.priority ~= prev then round, prev = 0, c.priority end
      round = round + 1
      c.round = round
      all[#all + 1] = c
    end
    lane.first = lane.cands[1] and lane.cands[1].member
  end
  table.sort(all, function(a, b)
    if a.priority ~= b.priority then return a.priority > b.priority end
    if a.round ~= b.round then return a.round < b.round end
    if a.lane.turn ~= b.lane.turn then return a.lane.turn < b.lane.turn end
    return a.lane.first < b.lane.first
  end)
  return all
end
`;
