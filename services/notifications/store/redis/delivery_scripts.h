// The Lua scripts of RedisDeliveryStore (redis_delivery_store.cc): each one change to a
// delivery made atomically in Redis -- schedule, claim (lease), record an attempt, hold,
// extend or give back a lease, release held ones, remove, redeliver. Every key of one
// call shares the `{bulletin}` slot. Constants only.
#pragma once

namespace bulletin::notify::delivery_scripts {

// The scripts spell states as codes.h does: a delivery's '1' is PENDING, a subscription's
// '2' is PAUSED.

// KEYS: due, then per subscription: delivery hash, subscription's index.
// ARGV: now us, payload, event id, type, article id, then per subscription: id,
// delivery id, index member.
constexpr char kScheduleScript[] = R"lua(
local created = 0
for i = 0, (#KEYS - 1) / 2 - 1 do
  local hk, ik = KEYS[2 + 2 * i], KEYS[3 + 2 * i]
  local sub, id, member = ARGV[6 + 3 * i], ARGV[7 + 3 * i], ARGV[8 + 3 * i]
  if redis.call('EXISTS', hk) == 0 then
    redis.call('HSET', hk, 'id', id, 'sub', sub, 'event_id', ARGV[3], 'type', ARGV[4],
      'article_id', ARGV[5], 'payload', ARGV[2], 'state', '1', 'url', '', 'count', '0',
      'create_us', ARGV[1], 'next_us', ARGV[1], 'test', '0', 'member', member, 'lease', '')
    redis.call('ZADD', ik, 0, member)
    redis.call('ZADD', KEYS[1], ARGV[1], sub .. ':' .. ARGV[3])
    created = created + 1
  end
end
return created
)lua";

// KEYS: due. ARGV: now us, lease end us, max, token prefix, delivery key prefix.
// The delivery hashes share the `{bulletin}` slot with the due set.
constexpr char kClaimScript[] = R"lua(
local refs = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for i, ref in ipairs(refs) do
  local hk = ARGV[5] .. ref
  if redis.call('EXISTS', hk) == 0 then
    redis.call('ZREM', KEYS[1], ref)
  else
    local token = ARGV[4] .. i
    redis.call('ZADD', KEYS[1], ARGV[2], ref)
    redis.call('HSET', hk, 'lease', token)
    out[#out + 1] = ref
    out[#out + 1] = token
  end
end
return out
)lua";

// KEYS: delivery, attempts, due. ARGV: token, ref, attempt, state, next us or "", url,
// count, retention seconds, attempts kept.
constexpr char kRecordScript[] = R"lua(
if redis.call('HGET', KEYS[1], 'lease') ~= ARGV[1] then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[3])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[9]), -1)
redis.call('HSET', KEYS[1], 'state', ARGV[4], 'next_us', ARGV[5], 'url', ARGV[6],
  'count', ARGV[7], 'lease', '')
if ARGV[5] ~= '' then
  redis.call('ZADD', KEYS[3], ARGV[5], ARGV[2])
else
  redis.call('ZREM', KEYS[3], ARGV[2])
end
if ARGV[4] == '1' then
  redis.call('PERSIST', KEYS[1])
  redis.call('PERSIST', KEYS[2])
else
  redis.call('EXPIRE', KEYS[1], ARGV[8])
  redis.call('EXPIRE', KEYS[2], ARGV[8])
end
return 1
)lua";

// KEYS: delivery, due, held, subscription. ARGV: token, ref, now us.
// Decided against the subscription's state in the same script, so a concurrent Resume
// (state first, then ReleaseHeld) can never strand a held delivery.
constexpr char kHoldScript[] = R"lua(
if redis.call('HGET', KEYS[1], 'lease') ~= ARGV[1] then return 0 end
if redis.call('HGET', KEYS[4], 'state') == '2' then
  redis.call('ZREM', KEYS[2], ARGV[2])
  redis.call('SADD', KEYS[3], ARGV[2])
  redis.call('HSET', KEYS[1], 'next_us', '', 'lease', '')
else
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
  redis.call('HSET', KEYS[1], 'next_us', ARGV[3], 'lease', '')
end
return 1
)lua";

// KEYS: delivery, due. ARGV: token, ref, until us. XX: a test delivery is never due.
constexpr char kExtendScript[] = R"lua(
if redis.call('HGET', KEYS[1], 'lease') ~= ARGV[1] then return 0 end
redis.call('ZADD', KEYS[2], 'XX', ARGV[3], ARGV[2])
return 1
)lua";

// KEYS: delivery, due. ARGV: token, ref, until us.
constexpr char kPostponeScript[] = R"lua(
if redis.call('HGET', KEYS[1], 'lease') ~= ARGV[1] then return 0 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
redis.call('HSET', KEYS[1], 'next_us', ARGV[3], 'lease', '')
return 1
)lua";

// KEYS: held, due. ARGV: now us, delivery key prefix.
constexpr char kReleaseScript[] = R"lua(
for _, ref in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[2] .. ref) == 1 then
    redis.call('ZADD', KEYS[2], ARGV[1], ref)
    redis.call('HSET', ARGV[2] .. ref, 'next_us', ARGV[1])
  end
end
redis.call('DEL', KEYS[1])
return 1
)lua";

// KEYS: delivery, attempts, due, index. ARGV: ref.
constexpr char kRemoveScript[] = R"lua(
local m = redis.call('HGET', KEYS[1], 'member')
if m then redis.call('ZREM', KEYS[4], m) end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[1])
return 1
)lua";

// KEYS: delivery, attempts, due. ARGV: now us, ref.
constexpr char kRedeliverScript[] = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'state', '1', 'count', '0', 'next_us', ARGV[1], 'lease', '')
redis.call('ZADD', KEYS[3], ARGV[1], ARGV[2])
redis.call('PERSIST', KEYS[1])
redis.call('PERSIST', KEYS[2])
return 1
)lua";

}  // namespace bulletin::notify::delivery_scripts
