/**
 * The claiming scripts: CLAIM, and the completions that claim right after (one round trip for
 * a worker's steady state). Same conventions as `scripts.ts` (ARGV[1] = base, ARGV[2] = now;
 * see `lua-prelude.ts`); the claim's Lua is CLAIM_FN (`lua-functions.ts` and the files it
 * names).
 */
import { CLAIM_FN, FINISH_FN } from "./lua-functions.js";
import { SCHEDULE_FN } from "./lua-schedules.js";
import { script } from "./scripts.js";

/**
 * CLAIM — ARGV: base, now, limit, token, leaseUntil, expiredError, failedExpiresAt.
 * Promotes due delayed jobs, deals with expired leases, materialises due schedules, then
 * claims up to `limit` jobs by the rules on ClaimInput (under the queue's stored settings),
 * in claim order.
 * Returns ~[[[field, value, …] per claimed job], wakeAt|false, [[field, value, …] per
 * schedule to refill]].
 */
export const CLAIM = script(`${SCHEDULE_FN}${CLAIM_FN}
sweep(ARGV[6], ARGV[7])
local refill, probe = prepare(ARGV[4])
local jobs, wake, again = take(tonumber(ARGV[3]), ARGV[4], ARGV[5], refill, probe)
return reply({jobs, wake, schedule_records(again)})
`);

/**
 * COMPLETE_AND_CLAIM — ARGV: base, now, id, token, result, expiresAt,
 *   limit, claimToken, leaseUntil, expiredError, failedExpiresAt
 * A worker's steady state in one round trip: deals with expired leases, completes its job
 * (fenced; a lease that ran out completes nothing), materialises due schedules, then claims.
 * Returns ~[completed (0|1), [jobs as for CLAIM], wakeAt|false, [schedules to refill]].
 */
export const COMPLETE_AND_CLAIM = script(
  `${FINISH_FN}${SCHEDULE_FN}${CLAIM_FN}
` +
    // Expired leases first, as in a group: a completion whose lease ran out completes nothing.
    `sweep(ARGV[10], ARGV[11])
local completed = finish_job(ARGV[3], ARGV[4], 'completed', ARGV[5], ARGV[6])
local refill, probe = prepare(ARGV[8])
local jobs, wake, again = take(tonumber(ARGV[7]), ARGV[8], ARGV[9], refill, probe)
return reply({completed, jobs, wake, schedule_records(again)})
`,
);

/**
 * COMPLETE_AND_CLAIM_MANY — ARGV: base, now, count, then per item 9 values:
 *   id, token, result, expiresAt, limit, claimToken, leaseUntil, expiredError, failedExpiresAt
 * Several workers' steady state in one round trip: expired leases are swept once (with the
 * first item's expiredError and failedExpiresAt), then per item, in order, its fenced
 * completion and its claim; due schedules are materialised once, before the first claim. Returns ~[[completed (0|1), [jobs], wakeAt|
 * false, [schedules to refill]] per item]; schedules to refill are reported on the first item.
 */
export const COMPLETE_AND_CLAIM_MANY = script(
  `${FINISH_FN}${SCHEDULE_FN}${CLAIM_FN}
local out = {}
` +
    // Expired leases are dealt with once, first: a member whose lease ran out completes nothing.
    `sweep(ARGV[11], ARGV[12])
` +
    // A plain queue stays plain through the group (it has no keyed job to open a lane, and
    // nothing here adds a schedule): its probe holds for every member.
    `local plain
for i = 0, tonumber(ARGV[3]) - 1 do
  local o = 4 + i * 9
  local completed = finish_job(ARGV[o], ARGV[o + 1], 'completed', ARGV[o + 2], ARGV[o + 3])
  local refill, probe = {}, plain
  if i == 0 then
    refill, probe = prepare(ARGV[o + 5])
    if probe.plain then plain = probe end
  end
  local jobs, wake, again = take(tonumber(ARGV[o + 4]), ARGV[o + 5], ARGV[o + 6], refill, probe)
  out[#out + 1] = {completed, jobs, wake, schedule_records(again)}
end
return reply(out)
`,
);
