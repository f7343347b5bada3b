#include "services/notifications/store/redis/redis_delivery_store.h"

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/base/ids.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"
#include "services/notifications/store/redis/codes.h"
#include "services/notifications/store/redis/delivery_scripts.h"
#include "services/notifications/store/redis/keys.h"

namespace bulletin::notify {
namespace {

using delivery_scripts::kClaimScript;
using delivery_scripts::kExtendScript;
using delivery_scripts::kHoldScript;
using delivery_scripts::kPostponeScript;
using delivery_scripts::kRecordScript;
using delivery_scripts::kRedeliverScript;
using delivery_scripts::kReleaseScript;
using delivery_scripts::kRemoveScript;
using delivery_scripts::kScheduleScript;

using Hash = std::map<std::string, std::string>;

std::string Us(absl::Time t) { return absl::StrCat(absl::ToUnixMicros(t)); }

int64_t ParseInt(const std::string& s) {
  int64_t v = 0;
  (void)absl::SimpleAtoi(s, &v);
  return v;
}

std::string IndexMember(absl::Time create, const std::string& event_id) {
  return absl::StrFormat("%016d:%s", absl::ToUnixMicros(create), event_id);
}

bool IsMember(absl::string_view m) {
  if (m.size() < 18 || m[16] != ':') return false;
  for (size_t i = 0; i < 16; ++i) {
    if (m[i] < '0' || m[i] > '9') return false;
  }
  return true;
}

std::string EncodeAttempt(const DeliveryAttempt& a) {
  return absl::StrCat(absl::ToUnixMicros(a.time), "|", a.http_status, "|",
                      absl::ToInt64Microseconds(a.latency), "|",
                      a.error.substr(0, kMaxAttemptError));
}

DeliveryAttempt DecodeAttempt(const std::string& s) {
  std::vector<std::string> parts = absl::StrSplit(s, absl::MaxSplits('|', 3));
  DeliveryAttempt a;
  if (parts.size() != 4) return a;
  a.time = absl::FromUnixMicros(ParseInt(parts[0]));
  a.http_status = static_cast<int>(ParseInt(parts[1]));
  a.latency = absl::Microseconds(ParseInt(parts[2]));
  a.error = parts[3];
  return a;
}

std::optional<Delivery> FromReplies(const RedisReply& hash, const RedisReply& attempts) {
  if (hash.elements.empty()) return std::nullopt;
  Hash h;
  for (size_t i = 0; i + 1 < hash.elements.size(); i += 2) {
    h[hash.elements[i].str] = hash.elements[i + 1].str;
  }
  Delivery d;
  d.id = h["id"];
  d.subscription_id = h["sub"];
  d.event_id = h["event_id"];
  d.event_type = static_cast<EventType>(ParseInt(h["type"]));
  d.article_id = h["article_id"];
  d.payload = h["payload"];
  d.state = codes::DeliveryStateOf(static_cast<int>(ParseInt(h["state"])));
  d.webhook_url = h["url"];
  d.attempt_count = static_cast<int>(ParseInt(h["count"]));
  d.create_time = absl::FromUnixMicros(ParseInt(h["create_us"]));
  if (!h["next_us"].empty()) d.next_attempt_time = absl::FromUnixMicros(ParseInt(h["next_us"]));
  d.test = h["test"] == "1";
  for (const RedisReply& a : attempts.elements) d.attempts.push_back(DecodeAttempt(a.str));
  return d;
}

absl::Status NotFound(const DeliveryKey& key) {
  return absl::NotFoundError(absl::StrCat("no delivery of event \"", Excerpt(key.event_id),
                                          "\" to subscription \"", Excerpt(key.subscription_id),
                                          "\""));
}

}  // namespace

absl::StatusOr<int> RedisDeliveryStore::Schedule(const ScheduledEvent& event,
                                                 const std::vector<std::string>& subscription_ids,
                                                 absl::Time now) {
  if (subscription_ids.empty()) return 0;
  std::vector<std::string> keys = {keys::kDueDeliveries};
  std::vector<std::string> args = {Us(now), event.payload, event.event_id,
                                   absl::StrCat(static_cast<int>(event.type)), event.article_id};
  for (const std::string& sub : subscription_ids) {
    keys.push_back(keys::Delivery(DeliveryKey{sub, event.event_id}.ToString()));
    keys.push_back(keys::DeliveryIndex(sub));
    args.push_back(sub);
    args.push_back(NewId());
    args.push_back(IndexMember(now, event.event_id));
  }
  ASSIGN_OR_RETURN(RedisReply r, redis_.Eval(kScheduleScript, keys, args));
  return static_cast<int>(r.integer);
}

absl::StatusOr<std::vector<LeasedDelivery>> RedisDeliveryStore::Claim(absl::Time now,
                                                                      absl::Duration lease,
                                                                      int max) {
  ASSIGN_OR_RETURN(RedisReply r, redis_.Eval(kClaimScript, {keys::kDueDeliveries},
                                             {Us(now), Us(now + lease), absl::StrCat(max),
                                              RandomHex(8) + ".", keys::Delivery("")}));
  std::vector<LeasedDelivery> out;
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    const std::string& ref = r.elements[i].str;
    size_t colon = ref.find(':');
    if (colon == std::string::npos) continue;
    out.push_back({{ref.substr(0, colon), ref.substr(colon + 1)}, r.elements[i + 1].str});
  }
  return out;
}

absl::StatusOr<Delivery> RedisDeliveryStore::Get(const DeliveryKey& key) {
  const std::string ref = key.ToString();
  ASSIGN_OR_RETURN(std::vector<RedisReply> r,
                   redis_.Pipeline({{"HGETALL", keys::Delivery(ref)},
                                    {"LRANGE", keys::DeliveryAttempts(ref), "0", "-1"}}));
  for (const RedisReply& x : r) {
    if (x.is_error()) return x.ToStatus();
  }
  std::optional<Delivery> d = FromReplies(r[0], r[1]);
  if (!d) return NotFound(key);
  return *d;
}

absl::StatusOr<bool> RedisDeliveryStore::RecordAttempt(const DeliveryKey& key,
                                                       const std::string& token,
                                                       const DeliveryAttempt& attempt,
                                                       const AttemptOutcome& outcome) {
  const std::string ref = key.ToString();
  std::string next = outcome.state == DeliveryState::kPending && outcome.next_attempt_time
                         ? Us(*outcome.next_attempt_time)
                         : std::string();
  ASSIGN_OR_RETURN(
      RedisReply r,
      redis_.Eval(
          kRecordScript, {keys::Delivery(ref), keys::DeliveryAttempts(ref), keys::kDueDeliveries},
          {token, ref, EncodeAttempt(attempt), absl::StrCat(codes::Of(outcome.state)), next,
           outcome.webhook_url, absl::StrCat(outcome.attempt_count),
           absl::StrCat(absl::ToInt64Seconds(retention_)), absl::StrCat(kMaxAttemptsKept)}));
  return r.integer == 1;
}

absl::Status RedisDeliveryStore::Hold(const DeliveryKey& key, const std::string& token,
                                      absl::Time now) {
  const std::string ref = key.ToString();
  return redis_
      .Eval(kHoldScript,
            {keys::Delivery(ref), keys::kDueDeliveries, keys::HeldDeliveries(key.subscription_id),
             keys::Subscription(key.subscription_id)},
            {token, ref, Us(now)})
      .status();
}

absl::StatusOr<bool> RedisDeliveryStore::Extend(const DeliveryKey& key, const std::string& token,
                                                absl::Time until) {
  const std::string ref = key.ToString();
  ASSIGN_OR_RETURN(RedisReply r,
                   redis_.Eval(kExtendScript, {keys::Delivery(ref), keys::kDueDeliveries},
                               {token, ref, Us(until)}));
  return r.integer == 1;
}

absl::StatusOr<bool> RedisDeliveryStore::Postpone(const DeliveryKey& key, const std::string& token,
                                                  absl::Time until) {
  const std::string ref = key.ToString();
  ASSIGN_OR_RETURN(RedisReply r,
                   redis_.Eval(kPostponeScript, {keys::Delivery(ref), keys::kDueDeliveries},
                               {token, ref, Us(until)}));
  return r.integer == 1;
}

absl::Status RedisDeliveryStore::ReleaseHeld(const std::string& subscription_id, absl::Time now) {
  return redis_
      .Eval(kReleaseScript, {keys::HeldDeliveries(subscription_id), keys::kDueDeliveries},
            {Us(now), keys::Delivery("")})
      .status();
}

absl::Status RedisDeliveryStore::Remove(const DeliveryKey& key) {
  const std::string ref = key.ToString();
  return redis_
      .Eval(kRemoveScript,
            {keys::Delivery(ref), keys::DeliveryAttempts(ref), keys::kDueDeliveries,
             keys::DeliveryIndex(key.subscription_id)},
            {ref})
      .status();
}

absl::StatusOr<Delivery> RedisDeliveryStore::Redeliver(const DeliveryKey& key, absl::Time now) {
  const std::string ref = key.ToString();
  ASSIGN_OR_RETURN(RedisReply r, redis_.Eval(kRedeliverScript,
                                             {keys::Delivery(ref), keys::DeliveryAttempts(ref),
                                              keys::kDueDeliveries},
                                             {Us(now), ref}));
  if (r.integer != 1) return NotFound(key);
  return Get(key);
}

absl::StatusOr<std::string> RedisDeliveryStore::CreateTest(const DeliveryKey& key,
                                                           const std::string& webhook_url,
                                                           absl::Time now) {
  const std::string ref = key.ToString();
  std::string token = RandomHex(8);
  std::string member = IndexMember(now, key.event_id);
  ASSIGN_OR_RETURN(
      std::vector<RedisReply> r,
      redis_.Pipeline({{"HSET",       keys::Delivery(ref),
                        "id",         NewId(),
                        "sub",        key.subscription_id,
                        "event_id",   key.event_id,
                        "type",       "0",
                        "article_id", "",
                        "payload",    "",
                        "state",      absl::StrCat(codes::Of(DeliveryState::kPending)),
                        "url",        webhook_url,
                        "count",      "0",
                        "create_us",  Us(now),
                        "next_us",    "",
                        "test",       "1",
                        "member",     member,
                        "lease",      token},
                       {"ZADD", keys::DeliveryIndex(key.subscription_id), "0", member}}));
  for (const RedisReply& x : r) {
    if (x.is_error()) return x.ToStatus();
  }
  return token;
}

absl::StatusOr<DeliveryPage> RedisDeliveryStore::List(const std::string& subscription_id,
                                                      const std::string& after, int limit,
                                                      std::optional<DeliveryState> state) {
  constexpr int kChunk = 200;
  constexpr int kMaxScanned = 5000;  // a state filter may leave a page short, with a token
  if (!after.empty() && !IsMember(after)) {
    return absl::InvalidArgumentError("page_token: malformed (use next_page_token as given)");
  }
  DeliveryPage page;
  std::string cursor = after;
  int scanned = 0;
  for (;;) {
    ASSIGN_OR_RETURN(RedisReply members,
                     redis_.Command({"ZREVRANGEBYLEX", keys::DeliveryIndex(subscription_id),
                                     cursor.empty() ? "+" : "(" + cursor, "-", "LIMIT", "0",
                                     absl::StrCat(kChunk)}));
    if (members.elements.empty()) return page;
    std::vector<RedisArgv> reads;
    for (const RedisReply& m : members.elements) {
      std::string ref = DeliveryKey{subscription_id, m.str.substr(17)}.ToString();
      reads.push_back({"HGETALL", keys::Delivery(ref)});
      reads.push_back({"LRANGE", keys::DeliveryAttempts(ref), "0", "-1"});
    }
    ASSIGN_OR_RETURN(std::vector<RedisReply> replies, redis_.Pipeline(reads));
    for (size_t i = 0; i < members.elements.size(); ++i) {
      const RedisReply& h = replies[2 * i];
      if (h.is_error()) return h.ToStatus();
      std::optional<Delivery> d = FromReplies(h, replies[2 * i + 1]);
      bool wanted = d && (!state || d->state == *state);  // not expired, not filtered out
      if (wanted && static_cast<int>(page.deliveries.size()) == limit) {
        page.next = cursor;  // the page is full and another one follows
        return page;
      }
      cursor = members.elements[i].str;
      ++scanned;
      if (wanted) page.deliveries.push_back(std::move(*d));
    }
    if (static_cast<int>(members.elements.size()) < kChunk) return page;
    if (scanned >= kMaxScanned) {
      page.next = cursor;
      return page;
    }
  }
}

}  // namespace bulletin::notify
