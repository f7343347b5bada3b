#include "services/notifications/events/event_consumer.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/log.h"
#include "common/redis/keys.h"
#include "services/notifications/core/subscriptions/event_filter.h"

namespace bulletin::notify {
namespace {

using ::bulletin::keys::kEventStream;

constexpr absl::Duration kRetry = absl::Milliseconds(500);
constexpr int kListPage = 200;

bool IsNoGroup(const absl::Status& s) { return absl::StrContains(s.message(), "NOGROUP"); }

absl::Time Now() { return absl::FromUnixMicros(absl::ToUnixMicros(absl::Now())); }

}  // namespace

EventConsumer::EventConsumer(RedisClient* redis, SubscriptionStore* subscriptions,
                             DeliveryStore* deliveries, ConsumerOptions options,
                             std::function<void()> on_scheduled)
    : redis_(redis),
      subscriptions_(subscriptions),
      deliveries_(deliveries),
      options_(std::move(options)),
      on_scheduled_(std::move(on_scheduled)) {}

EventConsumer::~EventConsumer() { Stop(); }

void EventConsumer::Start() { thread_ = std::thread([this] { Run(); }); }

void EventConsumer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

bool EventConsumer::Stopping() {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

void EventConsumer::Run() {
  bool have_group = false;
  bool pending_first = true;  // re-read our own unacknowledged entries before new ones
  absl::Time next_claim = absl::Now();
  absl::Time warned = absl::InfinitePast();
  while (!Stopping()) {
    absl::Status status;
    if (!have_group) {
      status = EnsureGroup();
      if (status.ok()) {
        have_group = true;
        pending_first = true;
      }
    } else if (absl::Now() >= next_claim) {
      status = AutoClaim();
      if (status.ok()) next_claim = absl::Now() + std::max(options_.claim_idle / 2, absl::Seconds(1));
    } else {
      absl::StatusOr<size_t> n = ReadGroup(pending_first ? "0" : ">");
      status = n.status();
      if (n.ok() && *n == 0) pending_first = false;
    }
    if (status.ok()) continue;
    if (IsNoGroup(status)) {
      Logger()->warn("consumer group {} is gone (Redis restarted empty?): recreating it",
                     options_.group);
      have_group = false;
      continue;
    }
    if (absl::Now() - warned > absl::Seconds(10)) {
      Logger()->warn("webhook consumer: {}", status.ToString());
      warned = absl::Now();
    }
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), kRetry);
  }
}

absl::Status EventConsumer::EnsureGroup() {
  // From "0": a new group hands out what the stream holds; each subscription still gets
  // only entries after its creation, and scheduling is idempotent.
  absl::StatusOr<RedisReply> r =
      redis_->Command({"XGROUP", "CREATE", kEventStream, options_.group, "0", "MKSTREAM"});
  if (!r.ok() && !absl::StrContains(r.status().message(), "BUSYGROUP")) return r.status();
  Logger()->info("webhook consumer {} in group {}", options_.consumer, options_.group);
  return absl::OkStatus();
}

absl::StatusOr<size_t> EventConsumer::ReadGroup(const std::string& id) {
  RedisArgv argv = {"XREADGROUP", "GROUP", options_.group, options_.consumer, "COUNT",
                    absl::StrCat(options_.batch)};
  if (id == ">") {
    argv.push_back("BLOCK");
    argv.push_back(absl::StrCat(absl::ToInt64Milliseconds(options_.block)));
  }
  argv.insert(argv.end(), {"STREAMS", kEventStream, id});
  absl::StatusOr<RedisReply> r = redis_->BlockingCommand(argv, options_.block + absl::Seconds(2));
  if (!r.ok()) return r.status();
  if (r->is_nil() || r->elements.empty()) return 0;
  const RedisReply& stream = r->elements[0];
  if (stream.elements.size() != 2) return absl::InternalError("XREADGROUP: unexpected reply shape");
  absl::StatusOr<std::vector<StreamEntry>> entries = DecodeEntries(stream.elements[1]);
  if (!entries.ok()) return entries.status();
  if (absl::Status s = Handle(*entries); !s.ok()) return s;
  return entries->size();
}

absl::Status EventConsumer::AutoClaim() {
  std::string start = "0-0";
  for (int round = 0; round < 100 && !Stopping(); ++round) {
    absl::StatusOr<RedisReply> r = redis_->Command(
        {"XAUTOCLAIM", kEventStream, options_.group, options_.consumer,
         absl::StrCat(absl::ToInt64Milliseconds(options_.claim_idle)), start, "COUNT",
         absl::StrCat(options_.batch)});
    if (!r.ok()) return r.status();
    if (r->elements.size() < 2) return absl::InternalError("XAUTOCLAIM: unexpected reply shape");
    absl::StatusOr<std::vector<StreamEntry>> entries = DecodeEntries(r->elements[1]);
    if (!entries.ok()) return entries.status();
    if (!entries->empty()) {
      Logger()->info("claimed {} pending events of a consumer that is gone", entries->size());
      if (absl::Status s = Handle(*entries); !s.ok()) return s;
    }
    start = r->elements[0].str;
    if (start == "0-0") break;
  }
  return absl::OkStatus();
}

absl::Status EventConsumer::Handle(const std::vector<StreamEntry>& entries) {
  if (entries.empty()) return absl::OkStatus();
  // The webhook subscriptions as they are now: filter changes apply to later events.
  std::vector<Subscription> targets;
  for (std::string after;;) {
    absl::StatusOr<SubscriptionPage> page = subscriptions_->List("", after, kListPage);
    if (!page.ok()) return page.status();
    for (Subscription& s : page->subscriptions) {
      if (!s.webhook_url.empty() && s.state != SubscriptionState::kDisabled) {
        targets.push_back(std::move(s));
      }
    }
    if (page->next.empty()) break;
    after = page->next;
  }
  int created = 0;
  RedisArgv ack = {"XACK", kEventStream, options_.group};
  for (const StreamEntry& entry : entries) {
    ack.push_back(entry.id.ToString());
    if (!entry.event) continue;  // undecodable (logged by DecodeEntries) or deleted
    std::vector<std::string> ids;
    for (const Subscription& s : targets) {
      if (entry.id > s.start && Matches(s.filter, *entry.event)) ids.push_back(s.id);
    }
    if (ids.empty()) continue;
    ScheduledEvent event{entry.event->event_id(), entry.event->type(), entry.event->article().id(),
                         entry.event->SerializeAsString()};
    absl::StatusOr<int> n = deliveries_->Schedule(event, ids, Now());
    if (!n.ok()) return n.status();
    created += *n;
  }
  // Acknowledged only now that every delivery is durably scheduled.
  absl::StatusOr<RedisReply> r = redis_->Command(ack);
  if (!r.ok()) return r.status();
  if (created > 0 && on_scheduled_) on_scheduled_();
  return absl::OkStatus();
}

}  // namespace bulletin::notify
