/**
 * Lua for lanes (part of the prelude; relies on its basics). A lane holds the ready jobs of
 * one concurrency key (`lane:<key>`); jobs without a key wait in `ready`, the unkeyed lane.
 *
 * Keyed lanes that may be served sit in the lane index `lanes`, one entry per lane: scored by
 * its head's -priority, member `<turn>:<head>` — `turn` (zero-padded) is the turn counter's
 * value when the lane was last served (0: never; see `turns`), `head` the lane's first ready
 * member (`<runAt>:<pos>:<id>`). Equal scores order by member, so the index's first entry is the
 * lane to serve next: highest head priority, then least recently served (never-served first),
 * then the head's run time and insertion — exactly, with no bound on the counter. The unkeyed
 * lane stays out of the index (so unkeyed jobs pay no index upkeep); a claim compares its head
 * with the index's first entry.
 *
 * A lane that is full (its key's active jobs at the limit) or out of starts in its key's rate
 * window is *parked*: out of the index, so no claim looks at it again until a job of the key
 * leaves `active` (full) or the window ends (rate, timed in `rated`).
 *
 * Claim rule 6 lets a keyed lane with no queued and no active job keep no turn (the next job
 * enqueued into it finds it never served), so an idle key leaves nothing behind:
 * `forget_if_idle` drops its turn when one of its two counts (`key-queued`: queued jobs, ready
 * or delayed; `key-active`) reaches 0 while the other is 0 too. A job going back from active
 * to queued counts in before it leaves active, so it keeps the turn.
 */
export const LUA_LANES =
  // The lane's field in turns: 'u' (unkeyed) or 'k:<key>'; 'n' holds the turn counter.
  `
local function turn_field(k)
  if k then return 'k:' .. k end
  return 'u'
end

` +
  // A lane's entry in the index: its turn, then its head (see above).
  `local function lane_entry(turn, head)
  return pad(string.format('%.0f', tonumber(turn))) .. ':' .. head
end

` +
  // The head member of an index entry, and the id of its job.
  `local function entry_head(entry) return string.match(entry, '^%d+:(.+)$') end
local function entry_job(entry) return string.match(entry, '^%d+:%d+:%d+:(.+)$') end

local function lane_set(k)
  if k then return base .. 'lane:' .. k end
  return base .. 'ready'
end

` +
  // Sets lane k's entry in the lane index (member nil: takes it out); score: -priority.
  `local function index_lane(k, member, score)
  local old = redis.call('HGET', base .. 'lane-head', k)
  if old and old ~= member then redis.call('ZREM', base .. 'lanes', old) end
  if member then
    if old ~= member then redis.call('HSET', base .. 'lane-head', k, member) end
    redis.call('ZADD', base .. 'lanes', score, member)
  elseif old then
    redis.call('HDEL', base .. 'lane-head', k)
  end
end

` +
  // Re-reads lane k's head after a change: an empty lane leaves the index and its parking, a
  // parked one stays out, any other is (re)indexed under its head. served_turn: the lane was
  // just served (so is not parked) at that turn.
  `local function refresh_lane(k, served_turn)
  local head = redis.call('ZRANGE', lane_set(k), 0, 0, 'WITHSCORES')
  if not head[1] then
    redis.call('HDEL', base .. 'parked', k)
    redis.call('ZREM', base .. 'rated', k)
    return index_lane(k, nil)
  end
  if not served_turn and redis.call('HEXISTS', base .. 'parked', k) == 1 then return end
  local turn = served_turn or redis.call('HGET', base .. 'turns', turn_field(k)) or 0
  index_lane(k, lane_entry(turn, head[1]), head[2])
end

` +
  // Parks lane k: until a job of k leaves active (reopen_at nil), or until its rate window ends.
  `local function park(k, reopen_at)
  redis.call('HSET', base .. 'parked', k, reopen_at and 'rate' or 'full')
  if reopen_at then redis.call('ZADD', base .. 'rated', reopen_at, k) end
  index_lane(k, nil)
end

local function unpark(k)
  redis.call('HDEL', base .. 'parked', k)
  redis.call('ZREM', base .. 'rated', k)
  refresh_lane(k)
end

local function forget_if_idle(k, other)
  if redis.call('HEXISTS', base .. other, k) == 0 then
    redis.call('HDEL', base .. 'turns', 'k:' .. k)
  end
end

local function count_queued(k, delta)
  if not k then return end
  if redis.call('HINCRBY', base .. 'key-queued', k, delta) <= 0 then
    redis.call('HDEL', base .. 'key-queued', k)
    forget_if_idle(k, 'key-active')
  end
end

` +
  // A job of key k (nil: unkeyed) left active: frees its slot and reopens the lane if full.
  `local function leave_active(k)
  if not k then return end
  if redis.call('HINCRBY', base .. 'key-active', k, -1) <= 0 then
    redis.call('HDEL', base .. 'key-active', k)
    forget_if_idle(k, 'key-queued')
  end
  if redis.call('HGET', base .. 'parked', k) == 'full' then unpark(k) end
end

` +
  // Puts a queued job where claims find it: its lane if due (returns its ready member), else
  // delayed (returns nil). The lane is re-indexed only if the job became its head.
  `local function place(id, run_at, pos, priority, k)
  if tonumber(run_at) > now then
    redis.call('ZADD', base .. 'delayed', run_at, id)
    return nil
  end
  local member = ready_member(run_at, pos, id)
  local set = lane_set(k)
  redis.call('ZADD', set, -tonumber(priority), member)
  if k and redis.call('ZRANK', set, member) == 0 then refresh_lane(k) end
  return member
end

` +
  // Places a queued job from its stored fields.
  `local function schedule(id)
  local f = redis.call('HMGET', jkey(id), 'runAt', 'pos', 'priority', 'concurrencyKey')
  local member = place(id, f[1], f[2], f[3], f[4] or nil)
  if member then redis.call('HSET', jkey(id), 'rk', member) end
end

` +
  // Takes a job out of every claim index (an active one frees its key's slot). A job's rk counts
  // only while it is queued (a claim leaves it behind).
  `local function unschedule(id)
  local f = redis.call('HMGET', jkey(id), 'rk', 'concurrencyKey', 'state')
  local k = f[2] or nil
  if f[3] == 'queued' then count_queued(k, -1) end
  if f[1] and f[3] == 'queued' then
    redis.call('ZREM', lane_set(k), f[1])
    redis.call('HDEL', jkey(id), 'rk')
    if k then refresh_lane(k) end
  end
  redis.call('ZREM', base .. 'delayed', id)
  if redis.call('ZREM', base .. 'active', id) == 1 then leave_active(k) end
end
`;
