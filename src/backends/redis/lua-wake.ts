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

export const WAKE_FN = `
-- wakeAt after a claim (by the full path) that took fewer than its limit. open: the keyed
-- lanes the claim read and left open, by key (others are looked up).
local function wake_at(ctx, open)
  local first = redis.call('ZRANGE', base .. 'rated', 0, 0, 'WITHSCORES')
  local wake = first[2] and tonumber(first[2])
  local pending, any = {}, false
  -- The types whose window could still make wake earlier; false when there is none.
  local function prune()
    any = false
    for job_type, wend in pairs(pending) do
      if wake and wend >= wake then pending[job_type] = nil else any = true end
    end
    return any
  end
  for job_type, left in pairs(ctx.left) do
    if left <= 0 then pending[job_type] = ctx.type_end[job_type] end
  end
  if not prune() then return wake end
  local depth = ctx.limit + ${TYPE_SKIP_DEPTH}
  -- Looks through a lane's front for pending types; false once nothing is pending.
  local function scan(set)
    for _, member in ipairs(redis.call('ZRANGE', set, 0, depth - 1)) do
      local wend = pending[redis.call('HGET', jkey(id_of(member)), 'type')]
      ctx.scanned = ctx.scanned + 1
      if wend then
        wake = math.min(wake or wend, wend)
        if not prune() then return false end
      end
    end
    return ctx.scanned < 2 * ctx.scan_budget
  end
  if not scan(base .. 'ready') then return wake end
  local offset = 0
  while true do
    local entries = redis.call('ZRANGE', base .. 'lanes', offset, offset + depth - 1)
    if not entries[1] then return wake end
    offset = offset + #entries
    for _, entry in ipairs(entries) do
      local k = redis.call('HGET', jkey(entry_job(entry)), 'concurrencyKey')
      local is_open = k and open[k]
      if k and not is_open then
        -- Not read by the claim: indexed lanes are open but for a change of settings.
        local room, left, wend = lane_room(ctx, k)
        is_open = room > 0 and left > 0
        if room > 0 and left <= 0 then
          wake = math.min(wake or wend, wend)
          if not prune() then return wake end
        end
      end
      if is_open and not scan(lane_set(k)) then return wake end
    end
  end
end
`;
