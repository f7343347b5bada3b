#include "services/notifications/store/redis/redis_subscription_store.h"

#include <algorithm>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/base/etag.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"
#include "common/redis/keys.h"
#include "services/notifications/store/redis/codes.h"
#include "services/notifications/store/redis/keys.h"

namespace bulletin::notify {
namespace {

// KEYS: sub, owner index, all index, event stream, change counter[, request key]
// ARGV: id, max per owner, sub key prefix, index member, field/value pairs...
// The cursor is read from the stream in the same script, so no event can fall between
// "created" and "starts after".
constexpr char kCreateScript[] = R"lua(
if KEYS[6] then
  local prev = redis.call('GET', KEYS[6])
  if prev and redis.call('EXISTS', ARGV[3] .. prev) == 1 then return {'replay', prev} end
end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[2]) then return {'full'} end
local cursor = '0-0'
if redis.call('EXISTS', KEYS[4]) == 1 then
  local info = redis.call('XINFO', 'STREAM', KEYS[4])
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then cursor = info[i + 1] end
  end
end
local fields = {}
for i = 5, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], 'cursor', cursor, 'start', cursor, unpack(fields))
redis.call('ZADD', KEYS[2], 0, ARGV[4])
redis.call('ZADD', KEYS[3], 0, ARGV[4])
if KEYS[6] then redis.call('SET', KEYS[6], ARGV[1], 'EX', 86400) end
redis.call('INCR', KEYS[5])
return {'created', cursor}
)lua";

// KEYS: sub, owner index, all index, change counter. ARGV: index member, expected etag or "".
constexpr char kDeleteScript[] = R"lua(
local cur = redis.call('HGET', KEYS[1], 'etag')
if not cur then return {'missing'} end
if ARGV[2] ~= '' and ARGV[2] ~= cur then return {'stale', cur} end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('INCR', KEYS[4])
return {'deleted'}
)lua";

// KEYS: sub, change counter. ARGV: expected etag, new secret or "", field/value pairs.
constexpr char kReplaceScript[] = R"lua(
local cur = redis.call('HGET', KEYS[1], 'etag')
if not cur then return {'missing'} end
if ARGV[1] ~= cur then return {'stale', cur} end
if ARGV[2] ~= '' then
  local old = redis.call('HGET', KEYS[1], 'secret') or ''
  redis.call('HSET', KEYS[1], 'prev_secret', old, 'secret', ARGV[2])
end
local fields = {}
for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('INCR', KEYS[2])
return {'ok'}
)lua";

// KEYS: sub. ARGV: now (Unix us). Returns failing_since_us, or false when absent.
constexpr char kFailureScript[] = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('HSETNX', KEYS[1], 'failing_since_us', ARGV[1])
return redis.call('HGET', KEYS[1], 'failing_since_us')
)lua";

// KEYS: sub. ARGV: new cursor "<ms>-<seq>". Only ever moves forward.
// KEYS: subscription hashes; ARGV: the new cursor of each, in the same order. Moves each
// existing cursor forward only (never creates a hash a deletion removed). One call for
// every open stream's cursor: the ticker writes hundreds at once.
constexpr char kAdvanceScript[] = R"lua(
local function parse(s)
  local d = string.find(s, '-', 1, true)
  return tonumber(string.sub(s, 1, d - 1)), tonumber(string.sub(s, d + 1))
end
local moved = {}
for i = 1, #KEYS do
  moved[i] = 0
  local cur = redis.call('HGET', KEYS[i], 'cursor')
  if cur then
    local cm, cs = parse(cur)
    local nm, ns = parse(ARGV[i])
    if nm > cm or (nm == cm and ns > cs) then
      redis.call('HSET', KEYS[i], 'cursor', ARGV[i])
      moved[i] = 1
    end
  end
end
return moved
)lua";

// Cursors per script call: bounds how long one call holds Redis (about a microsecond each).
constexpr size_t kCursorsPerCall = 256;

using Hash = std::map<std::string, std::string>;

Hash ToHash(const RedisReply& r) {
  Hash h;
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2)
    h[r.elements[i].str] = r.elements[i + 1].str;
  return h;
}

std::vector<std::string> SplitList(const std::string& s) {
  if (s.empty()) return {};
  return absl::StrSplit(s, ',');
}

absl::Time FromMicros(const std::string& s) {
  int64_t us = 0;
  (void)absl::SimpleAtoi(s, &us);
  return absl::FromUnixMicros(us);
}

absl::StatusOr<Subscription> FromHash(const Hash& h) {
  auto get = [&h](const char* k) {
    auto it = h.find(k);
    return it == h.end() ? std::string() : it->second;
  };
  Subscription s;
  s.id = get("id");
  if (s.id.empty()) return absl::InternalError("subscription hash without id");
  s.owner = get("owner");
  s.display_name = get("display_name");
  for (const std::string& t : SplitList(get("event_types"))) {
    int v = 0;
    if (absl::SimpleAtoi(t, &v)) s.filter.event_types.push_back(static_cast<EventType>(v));
  }
  s.filter.category_ids = SplitList(get("category_ids"));
  s.filter.include_subcategories = get("include_subcategories") == "1";
  s.filter.locales = SplitList(get("locales"));
  s.webhook_url = get("webhook_url");
  int state = 0;
  (void)absl::SimpleAtoi(get("state"), &state);
  s.state = codes::SubscriptionStateOf(state);
  s.state_reason = get("state_reason");
  s.create_time = FromMicros(get("create_us"));
  s.update_time = FromMicros(get("update_us"));
  s.etag = get("etag");
  if (!get("prev_secret").empty())
    s.previous_secret_expire_time = FromMicros(get("prev_expire_us"));
  s.start = StreamId::Parse(get("start")).value_or(StreamId{});
  return s;
}

// The fields Create and Replace write (never the secrets, cursor or start).
std::vector<std::string> ToFields(const Subscription& s) {
  std::vector<std::string> types;
  for (EventType t : s.filter.event_types) types.push_back(absl::StrCat(static_cast<int>(t)));
  return {"id",
          s.id,
          "owner",
          s.owner,
          "display_name",
          s.display_name,
          "event_types",
          absl::StrJoin(types, ","),
          "category_ids",
          absl::StrJoin(s.filter.category_ids, ","),
          "include_subcategories",
          s.filter.include_subcategories ? "1" : "0",
          "locales",
          absl::StrJoin(s.filter.locales, ","),
          "webhook_url",
          s.webhook_url,
          "state",
          absl::StrCat(codes::Of(s.state)),
          "state_reason",
          s.state_reason,
          "create_us",
          absl::StrCat(absl::ToUnixMicros(s.create_time)),
          "update_us",
          absl::StrCat(absl::ToUnixMicros(s.update_time)),
          "etag",
          s.etag,
          "prev_expire_us",
          s.previous_secret_expire_time == absl::InfinitePast()
              ? std::string()
              : absl::StrCat(absl::ToUnixMicros(s.previous_secret_expire_time))};
}

// Index members sort by creation: 16-digit Unix microseconds, ':', id.
std::string IndexMember(const Subscription& s) {
  return absl::StrFormat("%016d:%s", absl::ToUnixMicros(s.create_time), s.id);
}

bool IsMember(absl::string_view m) {
  if (m.size() < 18 || m[16] != ':') return false;
  for (size_t i = 0; i < 16; ++i) {
    if (m[i] < '0' || m[i] > '9') return false;
  }
  return true;
}

absl::Status NotFound(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("subscription \"", Excerpt(id), "\" not found"));
}

absl::Status Stale(const std::string& etag, const std::string& current) {
  return StaleEtag("etag", etag, current);
}

}  // namespace

absl::StatusOr<CreatedSubscription> RedisSubscriptionStore::Create(const Subscription& sub,
                                                                   const std::string& secret,
                                                                   const std::string& request_id,
                                                                   int max_per_owner) {
  std::vector<std::string> keys = {keys::Subscription(sub.id), keys::OwnerIndex(sub.owner),
                                   keys::kAllIndex, bulletin::keys::kEventStream, keys::kChanges};
  if (!request_id.empty()) keys.push_back(keys::CreateRequest(sub.owner, request_id));
  std::vector<std::string> args = {sub.id, absl::StrCat(max_per_owner), keys::Subscription(""),
                                   IndexMember(sub)};
  for (std::string& f : ToFields(sub)) args.push_back(std::move(f));
  args.push_back("secret");
  args.push_back(Conceal(sub.id, secret));
  ASSIGN_OR_RETURN(RedisReply r, redis_.Eval(kCreateScript, keys, args));
  if (r.elements.empty()) return absl::InternalError("create script: unexpected reply");
  const std::string& outcome = r.elements[0].str;
  if (outcome == "full") {
    return absl::ResourceExhaustedError(
        absl::StrCat("owner \"", Excerpt(sub.owner), "\" already has ", max_per_owner,
                     " subscriptions, its quota: delete one first"));
  }
  if (outcome == "created") {
    CreatedSubscription created{sub, secret, false};
    if (r.elements.size() > 1) {
      created.subscription.start = StreamId::Parse(r.elements[1].str).value_or(StreamId{});
    }
    return created;
  }
  // A retry of an earlier request: the first result, secret included.
  ASSIGN_OR_RETURN(RedisReply h,
                   redis_.Command({"HGETALL", keys::Subscription(r.elements[1].str)}));
  Hash hash = ToHash(h);
  absl::StatusOr<Subscription> first = FromHash(hash);
  if (!first.ok()) return NotFound(r.elements[1].str);
  ASSIGN_OR_RETURN(std::string first_secret, Reveal(first->id, hash["secret"]));
  return CreatedSubscription{*first, first_secret, true};
}

absl::StatusOr<Subscription> RedisSubscriptionStore::Get(const std::string& id) {
  ASSIGN_OR_RETURN(RedisReply r, redis_.Command({"HGETALL", keys::Subscription(id)}));
  if (r.elements.empty()) return NotFound(id);
  return FromHash(ToHash(r));
}

absl::StatusOr<SubscriptionPage> RedisSubscriptionStore::List(const std::string& owner,
                                                              const std::string& after, int limit) {
  if (!after.empty() && !IsMember(after)) {
    return absl::InvalidArgumentError("page_token: malformed (use next_page_token as given)");
  }
  std::string index = owner.empty() ? std::string(keys::kAllIndex) : keys::OwnerIndex(owner);
  std::string max = after.empty() ? "+" : "(" + after;
  ASSIGN_OR_RETURN(RedisReply members, redis_.Command({"ZREVRANGEBYLEX", index, max, "-", "LIMIT",
                                                       "0", absl::StrCat(limit + 1)}));
  SubscriptionPage page;
  std::vector<RedisArgv> gets;
  for (size_t i = 0; i < members.elements.size() && static_cast<int>(i) < limit; ++i) {
    gets.push_back({"HGETALL", keys::Subscription(keys::IdOfIndexMember(members.elements[i].str))});
  }
  ASSIGN_OR_RETURN(std::vector<RedisReply> hashes, redis_.Pipeline(gets));
  for (const RedisReply& h : hashes) {
    if (h.is_error()) return h.ToStatus();
    if (h.elements.empty()) continue;  // deleted between the two reads
    absl::StatusOr<Subscription> s = FromHash(ToHash(h));
    if (s.ok()) page.subscriptions.push_back(std::move(*s));
  }
  if (static_cast<int>(members.elements.size()) > limit) {
    page.next = members.elements[limit - 1].str;
  }
  return page;
}

absl::Status RedisSubscriptionStore::Delete(const std::string& id, const std::string& etag) {
  ASSIGN_OR_RETURN(Subscription sub, Get(id));
  ASSIGN_OR_RETURN(RedisReply r, redis_.Eval(kDeleteScript,
                                             {keys::Subscription(id), keys::OwnerIndex(sub.owner),
                                              keys::kAllIndex, keys::kChanges},
                                             {IndexMember(sub), etag}));
  const std::string outcome = r.elements.empty() ? "" : r.elements[0].str;
  if (outcome == "missing") return NotFound(id);
  if (outcome == "stale") return Stale(etag, r.elements[1].str);
  return absl::OkStatus();
}

absl::Status RedisSubscriptionStore::Replace(const Subscription& sub,
                                             const std::string& expected_etag,
                                             const std::string& new_secret) {
  std::vector<std::string> args = {expected_etag,
                                   new_secret.empty() ? "" : Conceal(sub.id, new_secret)};
  for (std::string& f : ToFields(sub)) args.push_back(std::move(f));
  ASSIGN_OR_RETURN(RedisReply r,
                   redis_.Eval(kReplaceScript, {keys::Subscription(sub.id), keys::kChanges}, args));
  const std::string outcome = r.elements.empty() ? "" : r.elements[0].str;
  if (outcome == "missing") return NotFound(sub.id);
  if (outcome == "stale") return Stale(expected_etag, r.elements[1].str);
  return absl::OkStatus();
}

absl::StatusOr<SigningSecrets> RedisSubscriptionStore::GetSecrets(const std::string& id) {
  ASSIGN_OR_RETURN(RedisReply r, redis_.Command({"HMGET", keys::Subscription(id), "secret",
                                                 "prev_secret", "prev_expire_us"}));
  if (r.elements.size() != 3 || r.elements[0].is_nil()) return NotFound(id);
  SigningSecrets s;
  ASSIGN_OR_RETURN(s.current, Reveal(id, r.elements[0].str));
  ASSIGN_OR_RETURN(s.previous, Reveal(id, r.elements[1].str));
  if (!s.previous.empty()) s.previous_expire_time = FromMicros(r.elements[2].str);
  // Migration and rotation on read: what was plaintext or sealed with an older key is
  // sealed with the current one. Best effort: the read has succeeded either way.
  (void)Reseal(id, {{"secret", r.elements[0].str}, {"prev_secret", r.elements[1].str}});
  return s;
}

absl::StatusOr<absl::Time> RedisSubscriptionStore::RecordEndpointFailure(const std::string& id,
                                                                         absl::Time now) {
  ASSIGN_OR_RETURN(RedisReply r, redis_.Eval(kFailureScript, {keys::Subscription(id)},
                                             {absl::StrCat(absl::ToUnixMicros(now))}));
  if (r.is_nil()) return NotFound(id);
  return FromMicros(r.str);
}

absl::Status RedisSubscriptionStore::RecordEndpointSuccess(const std::string& id) {
  return redis_.Command({"HDEL", keys::Subscription(id), "failing_since_us"}).status();
}

absl::StatusOr<StreamId> RedisSubscriptionStore::GetCursor(const std::string& id) {
  ASSIGN_OR_RETURN(RedisReply r, redis_.Command({"HGET", keys::Subscription(id), "cursor"}));
  if (r.is_nil()) return NotFound(id);
  std::optional<StreamId> pos = StreamId::Parse(r.str);
  if (!pos) return absl::InternalError(absl::StrCat("subscription \"", id, "\": bad cursor"));
  return *pos;
}

absl::StatusOr<std::optional<uint64_t>> RedisSubscriptionStore::ChangeCount() {
  ASSIGN_OR_RETURN(RedisReply r, redis_.Command({"GET", keys::kChanges}));
  uint64_t n = 0;
  if (!r.is_nil() && !absl::SimpleAtoi(r.str, &n)) {
    return absl::InternalError("subscription change counter is not a number");
  }
  return n;
}

absl::Status RedisSubscriptionStore::AdvanceCursor(const std::string& id, const StreamId& pos) {
  return redis_.Eval(kAdvanceScript, {keys::Subscription(id)}, {pos.ToString()}).status();
}

std::vector<absl::Status> RedisSubscriptionStore::AdvanceCursors(
    const std::vector<std::pair<std::string, StreamId>>& cursors) {
  // One script call per kCursorsPerCall cursors, not one command each: with 500 open
  // streams the ticker's pipeline of one EVAL per cursor was 5,000 commands a second,
  // about a fifth of notifications' CPU in the 500-stream benchmark. Every key shares the
  // {bulletin} slot, so this holds on a cluster too.
  std::vector<absl::Status> out;
  out.reserve(cursors.size());
  for (size_t begin = 0; begin < cursors.size(); begin += kCursorsPerCall) {
    const size_t end = std::min(cursors.size(), begin + kCursorsPerCall);
    std::vector<std::string> keys, args;
    keys.reserve(end - begin);
    args.reserve(end - begin);
    for (size_t i = begin; i < end; ++i) {
      keys.push_back(keys::Subscription(cursors[i].first));
      args.push_back(cursors[i].second.ToString());
    }
    const absl::Status status = redis_.Eval(kAdvanceScript, keys, args).status();
    out.insert(out.end(), end - begin, status);
  }
  return out;
}

}  // namespace bulletin::notify
