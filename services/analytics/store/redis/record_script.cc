#include "services/analytics/store/redis/record_script.h"

namespace bulletin::analytics {
namespace {

// Counts a batch of views in one atomic step, and journals its deferred side in the same
// step. The views come in groups, one per article:
//   KEYS: the journal hash and its sorted set of times; then per group: views, visitors,
//         not counted, imported (all "{a:<id>}:..."; the script builds the article's other
//         keys from that prefix, so every key it touches shares the article's slot).
//   ARGV: the count window (ms; 0: none), the request-id retention (ms), the number of
//         groups, the batch's journal id ('': not journalled), its journal payload
//         (view_journal.h), '1' to also read the markers of the layout before 2026-12
//         (an upgrade's first day); then per group: n, count (1: answer the visitors'
//         PFCOUNT), then per view: visitor, its DedupHash, the request id's DedupHash
//         ('': none), the request id (only with the old markers: '' otherwise), the reason
//         it was filtered before (0: none).
// Dedupe is at Redis' clock (TIME): a visitor's view within `window` ms after its last
// counted view of the article is a repeat; a request id seen within `retention` ms is a
// duplicate. Both remember 63-bit hashes in dedupe tables, not a key per view: per article
// and per period (the window, or the retention) a table of the hashes that arrived in it,
// each with its offset in the period (ms; request ids: offset * 2 + counted). A view looks
// in the current period's table and the previous one (where the offset tells whether it
// is still within reach), so the window is exact. A table is a set of small Redis hashes
// grown by linear hashing (bucket i = hash mod 2^L, or mod 2^(L+1) below the split
// pointer p; one add in 32 -- chosen by bits of its hash above those that pick buckets --
// splits bucket p, L at most 14), so each bucket stays in Redis' listpack encoding (about
// 15 bytes a hash; buckets hold 32 on average, far below the default 128 of
// hash-max-listpack-entries). A table's state "L p" is a field of the article's "dd" hash,
// written only by splits (absent: L = p = 0); buckets expire with the period after next.
// Per view, in order: a view filtered before (bot, excluded address) is only tallied;
// then a retried request id, then a repeat within the count window is tallied as not
// counted. A request id is recorded as counted, and marked not counted on a repeat (the
// script is atomic). A counted view joins the all-time visitors' HyperLogLog; whether that
// changed it is returned, so the caller can keep an estimate of unique visitors without a
// PFCOUNT per view. Per group: one INCRBY of the total, one HINCRBY per reason tallied.
// Returns per group {views, uniques, imported views, imported uniques (the last three -1,
// 0, 0 unless asked), then per view reason * 4 + counted_before * 2 + visitors changed}.
// The day, hour and minute buckets are not touched here: what they need is journalled --
// the payload plus every view's code, under the batch id, at Redis' time -- and folded by
// SiteUpdates.
constexpr char kRecordScript[] = R"lua(
local window, retention = tonumber(ARGV[1]), tonumber(ARGV[2])
local journal_id, legacy = ARGV[4], ARGV[6] == '1'
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local LOAD, MAX_LEVEL = 32, 14
local touched = {}
-- hash mod 10^15, exact as a Lua number: hash mod 2^k for k <= 15 follows from it.
-- (Integers below 10^14, as all in key names here, concatenate as plain digits.)
local function low15(h) return tonumber(string.sub(h, -15)) end
local function open(prefix, name, period, epoch, state)
  local tb = {name = name, base = prefix .. name .. ':', start = epoch * period,
              expire = (epoch + 2) * period, L = 0, p = 0, dirty = false}
  if state then
    local L, p = string.match(state, '^(%d+) (%d+)$')
    tb.L, tb.p = tonumber(L), tonumber(p)
  end
  return tb
end
local function bucket(tb, low)
  local size = 2 ^ tb.L
  local i = low % size
  if i < tb.p then i = low % (2 * size) end
  return tb.base .. i
end
-- Keeps a bucket that a split leaves empty (or does not fill) as a key with its expiry:
-- field '0' is never looked up there (hash 0 belongs to bucket 0 and is never moved).
local function hold(key, tb)
  redis.call('HSET', key, '0', '0')
  redis.call('PEXPIREAT', key, string.format('%d', tb.expire))
end
local function split(tb)
  local size = 2 ^ tb.L
  local from = tb.base .. string.format('%d', tb.p)
  local to = tb.base .. string.format('%d', tb.p + size)
  local all, moved, fields = redis.call('HGETALL', from), {}, {}
  for j = 1, #all, 2 do
    if low15(all[j]) % (2 * size) >= size then
      moved[#moved + 1] = all[j]
      moved[#moved + 1] = all[j + 1]
      fields[#fields + 1] = all[j]
    end
  end
  if #fields > 0 then
    redis.call('HSET', to, unpack(moved))
    redis.call('PEXPIREAT', to, string.format('%d', tb.expire))
    redis.call('HDEL', from, unpack(fields))
    if #fields * 2 == #all then hold(from, tb) end
  else
    hold(to, tb)
  end
  tb.p, tb.dirty = tb.p + 1, true
  if tb.p == size then tb.L, tb.p = tb.L + 1, 0 end
end
-- Adds hash h with value v unless the table holds it: true when added. One add in LOAD
-- (by bits of the hash above those that pick buckets) splits the next bucket.
local function add(tb, h, low, v)
  local key = bucket(tb, low)
  if redis.call('HSETNX', key, h, v .. '') == 0 then return false end
  -- Until its first split a table is bucket 0 only, which may be new: give it its expiry.
  if tb.L == 0 and tb.p == 0 then touched[key] = tb.expire end
  if tb.L < MAX_LEVEL and math.floor(low / 32768) % LOAD == 0 then split(tb) end
  return true
end
local function get(tb, h, low)
  local v = redis.call('HGET', bucket(tb, low), h)
  if v then return tonumber(v) end
  return nil
end

local out, all_codes, a, k = {}, {}, 7, 3
local re = math.floor(now / retention)
local we = 0
if window > 0 then we = math.floor(now / window) end
for g = 1, tonumber(ARGV[3]) do
  local n, count = tonumber(ARGV[a]), ARGV[a + 1] == '1'
  a = a + 2
  local views_key, visitors_key = KEYS[k], KEYS[k + 1]
  local not_counted_key, imported_key = KEYS[k + 2], KEYS[k + 3]
  k = k + 4
  local prefix = string.sub(views_key, 1, -6)
  local state_key = prefix .. 'dd'
  local names = {'r' .. re, 'r' .. (re - 1)}
  if window > 0 then
    local w = 'w' .. window .. '.'
    names[3] = w .. we
    names[4] = w .. (we - 1)
  end
  local s = redis.call('HMGET', state_key, unpack(names))
  local rcur = open(prefix, names[1], retention, re, s[1])
  local rprev = open(prefix, names[2], retention, re - 1, s[2])
  local tables = {rcur, rprev}
  local wcur, wprev = nil, nil
  if window > 0 then
    wcur = open(prefix, names[3], window, we, s[3])
    wprev = open(prefix, names[4], window, we - 1, s[4])
    tables[3], tables[4] = wcur, wprev
  end
  local c, tallies, codes = 0, {}, {}
  for i = 1, n do
    local visitor, vh, rh, rid = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3]
    local reason = tonumber(ARGV[a + 4])
    a = a + 5
    local code, rlow, req_value = 0, nil, nil
    if reason == 0 and rh ~= '' then
      rlow = low15(rh)
      local first = nil  -- the recorded request: 1 if it counted, 0 if not
      local v = get(rprev, rh, rlow)
      if v and now - rprev.start - math.floor(v / 2) < retention then first = v % 2 end
      if not first and legacy and rid ~= '' then
        local old = redis.call('GET', prefix .. 'req:' .. rid)
        if old then
          if old == '1' then first = 1 else first = 0 end
        end
      end
      if not first then
        local value = (now - rcur.start) * 2 + 1
        if add(rcur, rh, rlow, value) then
          req_value = value
        else
          first = tonumber(redis.call('HGET', bucket(rcur, rlow), rh)) % 2
        end
      end
      if first then
        reason = 4
        if first == 1 then code = 2 end
      end
    end
    if reason == 0 and window > 0 then
      local vlow = low15(vh)
      local v = get(wprev, vh, vlow)
      local seen = v ~= nil and now - wprev.start - v < window
      if not seen and legacy then
        seen = redis.call('EXISTS', prefix .. 'seen:' .. visitor) == 1
      end
      if seen or not add(wcur, vh, vlow, now - wcur.start) then
        reason = 2
        if req_value then
          redis.call('HSET', bucket(rcur, rlow), rh, string.format('%d', req_value - 1))
        end
      end
    end
    if reason == 0 then
      c = c + 1
      code = redis.call('PFADD', visitors_key, visitor)
    else
      tallies[reason] = (tallies[reason] or 0) + 1
    end
    codes[i] = reason * 4 + code
    all_codes[#all_codes + 1] = codes[i]
  end
  local changed = {}
  for _, tb in ipairs(tables) do
    if tb.dirty then
      changed[#changed + 1] = tb.name
      changed[#changed + 1] = string.format('%d %d', tb.L, tb.p)
    end
  end
  if #changed > 0 then
    -- A split: the state lives as long as the longest table; a new period's first split
    -- also forgets the states of older periods.
    local expire = 0
    for _, tb in ipairs(tables) do
      if tb.expire > expire then expire = tb.expire end
    end
    if redis.call('HSET', state_key, unpack(changed)) > 0 then
      local keep, stale = {}, {}
      for _, tb in ipairs(tables) do keep[tb.name] = true end
      for _, f in ipairs(redis.call('HKEYS', state_key)) do
        if not keep[f] then stale[#stale + 1] = f end
      end
      if #stale > 0 then redis.call('HDEL', state_key, unpack(stale)) end
    end
    redis.call('PEXPIREAT', state_key, string.format('%d', expire))
  end
  if c > 0 then
    out[#out + 1] = redis.call('INCRBY', views_key, c)
  else
    out[#out + 1] = tonumber(redis.call('GET', views_key) or '0')
  end
  for reason, tally in pairs(tallies) do
    redis.call('HINCRBY', not_counted_key, reason, tally)
  end
  if count then
    local imported = redis.call('HMGET', imported_key, 'views', 'uniques')
    out[#out + 1] = redis.call('PFCOUNT', visitors_key)
    out[#out + 1] = tonumber(imported[1] or '0')
    out[#out + 1] = tonumber(imported[2] or '0')
  else
    out[#out + 1] = -1
    out[#out + 1] = 0
    out[#out + 1] = 0
  end
  for i = 1, n do out[#out + 1] = codes[i] end
end
for key, expire in pairs(touched) do
  redis.call('PEXPIREAT', key, string.format('%d', expire))
end
if journal_id ~= '' then
  redis.call('HSET', KEYS[1], journal_id, ARGV[5] .. 'c ' .. table.concat(all_codes, ','))
  redis.call('ZADD', KEYS[2], now, journal_id)
end
return out
)lua";

}  // namespace

const char* RecordScriptText() { return kRecordScript; }

}  // namespace bulletin::analytics
