/**
 * Lua for `ClaimOutcome.wakeAt` (feature `limits`), computed after the claim's starts: the
 * earliest end of a current rate window that holds back an eligible-but-for-the-window job.
 * Part of CLAIM_FN; relies on the prelude, lua-limits.ts and lua-claim-order.ts.
 *
 * Key windows: a keyed lane with room, no starts left and a runnable job is parked in `rated`
 * (lua-lanes.ts) with its window's end as score, so the first entry is that part. Type
 * windows: a type with no starts left counts if one of its jobs is among the first
 * limit + TYPE_SKIP_DEPTH runnable jobs of the unkeyed lane or of an open keyed lane. Only
 * types whose window ends before the best found so far are looked for, and the search stops
 * once none is left, so a queue with no such job pays one read of each open lane's front.
 */
import { TYPE_SKIP_DEPTH } from "../../backend.js";

/** Lua function `wake_at(ctx, open)` (see the module comment). */
export const WAKE_FN =
  // wakeAt after a claim (by the full path) that took fewer than its limit. open: the keyed
  // lanes the claim read and left open, by key. Lanes the claim did not read (it stopped
  // early: ctx.stopped) are looked up here: an indexed lane may be closed (a change of settings
  // reopened it, or its first job came after the key ran out), so unread lanes are walked for
  // the key windows too.
  `
local function wake_at(ctx, open)
  local first = redis.call('ZRANGE', base .. 'rated', 0, 0, 'WITHSCORES')
  local wake = first[2] and tonumber(first[2])
  local pending, any = {}, false
` +
  // Keeps the types whose window could still make wake earlier; false when none is left.
  `  local function prune()
    any = false
    for job_type, wend in pairs(pending) do
      if wake and wend >= wake then pending[job_type] = nil else any = true end
    end
    return any
  end
  local function earlier(wend)
    wake = math.min(wake or wend, wend)
    prune()
  end
  for job_type, left in pairs(ctx.left) do
    if left <= 0 then pending[job_type] = ctx.type_end[job_type] end
  end
  prune()
  local depth, budget = ctx.limit + ${TYPE_SKIP_DEPTH}, 2 * ctx.scan_budget
` +
  // Looks through a lane's front for pending types.
  `  local function scan(set)
    for _, member in ipairs(redis.call('ZRANGE', set, 0, depth - 1)) do
      if not any or ctx.scanned >= budget then return end
      local wend = pending[redis.call('HGET', jkey(id_of(member)), 'type')]
      ctx.scanned = ctx.scanned + 1
      if wend then earlier(wend) end
    end
  end
  scan(base .. 'ready')
  local offset = 0
  while (any or ctx.stopped) and ctx.scanned < budget do
    local entries = redis.call('ZRANGE', base .. 'lanes', offset, offset + depth - 1)
    if not entries[1] then break end
    offset = offset + #entries
    for _, entry in ipairs(entries) do
      if not (any or ctx.stopped) or ctx.scanned >= budget then break end
      local k = redis.call('HGET', jkey(entry_job(entry)), 'concurrencyKey')
      local is_open = k and open[k]
      ctx.scanned = ctx.scanned + 1
      if k and not is_open then
        local room, left, wend = lane_room(ctx, k)
        is_open = room > 0 and left > 0
        if room > 0 and left <= 0 then earlier(wend) end
      end
      if is_open then scan(lane_set(k)) end
    end
  end
  return wake
end
`;
