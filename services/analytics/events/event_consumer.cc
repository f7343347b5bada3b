#include "services/analytics/events/event_consumer.h"

#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "bulletin/events/v1/events.pb.h"
#include "common/base/log.h"
#include "common/redis/keys.h"

namespace bulletin::analytics {
namespace {

namespace events = ::bulletin::events::v1;

constexpr absl::Duration kClaimEvery = absl::Seconds(30);

std::string DefaultConsumer() {
  char host[256] = "analytics";
  gethostname(host, sizeof(host) - 1);
  return absl::StrCat(host, "-", getpid());
}

// The metadata of a parsed event; nullopt for an event analytics ignores.
std::optional<ArticleMeta> MetaOf(const events::ArticleEvent& e) {
  ArticleMeta m;
  switch (e.type()) {
    case events::ARTICLE_EVENT_TYPE_PUBLISHED:
    case events::ARTICLE_EVENT_TYPE_UPDATED:
      m.published = true;
      break;
    case events::ARTICLE_EVENT_TYPE_UNPUBLISHED:
    case events::ARTICLE_EVENT_TYPE_DELETED:
      m.published = false;
      break;
    default:
      return std::nullopt;
  }
  const events::ArticleSnapshot& a = e.article();
  if (a.id().empty()) return std::nullopt;
  m.article_id = a.id();
  m.revision = a.revision();
  if (!a.category_id().empty()) m.categories.push_back(a.category_id());
  m.categories.insert(m.categories.end(), a.category_ancestor_ids().begin(),
                      a.category_ancestor_ids().end());
  m.default_locale = a.default_locale();
  for (const events::LocalizedSummary& t : a.translations()) {
    m.translations.push_back({t.locale(), t.title(), t.slug().empty() ? a.slug() : t.slug()});
  }
  if (m.default_locale.empty() && !m.translations.empty()) {
    m.default_locale = m.translations[0].locale;
  }
  return m;
}

}  // namespace

EventConsumer::EventConsumer(RedisClient& redis, ViewStore& store, ConsumerOptions options)
    : redis_(redis), store_(store), options_(std::move(options)) {
  if (options_.consumer.empty()) options_.consumer = DefaultConsumer();
}

EventConsumer::~EventConsumer() { Stop(); }

void EventConsumer::Start() {
  thread_ = std::thread([this] { Run(); });
}

void EventConsumer::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

absl::Status EventConsumer::EnsureGroup() {
  // From "0": a new deployment learns every article still in the stream.
  absl::StatusOr<RedisReply> r =
      redis_.Command({"XGROUP", "CREATE", keys::kEventStream, kConsumerGroup, "0", "MKSTREAM"});
  if (r.ok() || absl::StrContains(r.status().message(), "BUSYGROUP")) return absl::OkStatus();
  return r.status();
}

absl::StatusOr<int> EventConsumer::Apply(const RedisReply& entries) {
  int applied = 0;
  for (const RedisReply& entry : entries.elements) {
    if (entry.type != RedisReply::Type::kArray || entry.elements.size() != 2) continue;
    const std::string& id = entry.elements[0].str;
    const RedisReply& fields = entry.elements[1];
    std::optional<ArticleMeta> meta;
    for (size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
      if (fields.elements[i].str != keys::kFieldEvent) continue;
      events::ArticleEvent event;
      if (event.ParseFromString(fields.elements[i + 1].str)) meta = MetaOf(event);
    }
    if (meta) {
      absl::StatusOr<bool> stored = store_.ApplyArticle(*meta);
      if (!stored.ok()) return stored.status();  // not acknowledged: delivered again
    } else {
      Logger()->warn("event stream entry {}: no article event analytics can use; skipped", id);
    }
    absl::StatusOr<RedisReply> ack =
        redis_.Command({"XACK", keys::kEventStream, kConsumerGroup, id});
    if (!ack.ok()) return ack.status();
    ++applied;
  }
  return applied;
}

absl::StatusOr<int> EventConsumer::ReadNew(bool wait) {
  RedisArgv argv = {"XREADGROUP",      "GROUP", kConsumerGroup,
                    options_.consumer, "COUNT", absl::StrCat(options_.batch)};
  if (wait)
    argv.insert(argv.end(), {"BLOCK", absl::StrCat(absl::ToInt64Milliseconds(options_.block))});
  argv.insert(argv.end(), {"STREAMS", keys::kEventStream, ">"});
  absl::StatusOr<RedisReply> r = redis_.BlockingCommand(argv, options_.block + absl::Seconds(2));
  if (!r.ok() && absl::StrContains(r.status().message(), "NOGROUP")) {
    Logger()->warn("event stream or consumer group missing: creating it again");
    if (absl::Status s = EnsureGroup(); !s.ok()) return s;
    r = redis_.BlockingCommand(argv, options_.block + absl::Seconds(2));
  }
  if (!r.ok()) return r.status();
  if (r->is_nil() || r->elements.empty()) return 0;
  const RedisReply& stream = r->elements[0];
  if (stream.elements.size() != 2) return 0;
  return Apply(stream.elements[1]);
}

absl::StatusOr<int> EventConsumer::ClaimStale() {
  int total = 0;
  std::string cursor = "0-0";
  for (int round = 0; round < 100; ++round) {
    absl::StatusOr<RedisReply> r =
        redis_.Command({"XAUTOCLAIM", keys::kEventStream, kConsumerGroup, options_.consumer,
                        absl::StrCat(absl::ToInt64Milliseconds(options_.claim_idle)), cursor,
                        "COUNT", absl::StrCat(options_.batch)});
    if (!r.ok() && absl::StrContains(r.status().message(), "NOGROUP")) {
      return EnsureGroup().ok() ? total : 0;
    }
    if (!r.ok()) return r.status();
    if (r->elements.size() < 2) break;
    absl::StatusOr<int> applied = Apply(r->elements[1]);
    if (!applied.ok()) return applied.status();
    total += *applied;
    cursor = r->elements[0].str;
    if (cursor == "0-0") break;
  }
  return total;
}

absl::StatusOr<int> EventConsumer::ProcessAvailable() {
  if (absl::Status s = EnsureGroup(); !s.ok()) return s;
  absl::StatusOr<int> total = ClaimStale();
  while (total.ok()) {
    absl::StatusOr<int> n = ReadNew(/*wait=*/false);
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    *total += *n;
  }
  return total;
}

void EventConsumer::Run() {
  absl::Time next_claim = absl::InfinitePast();
  absl::Status last = absl::OkStatus();
  bool group_ready = false;
  while (!stop_) {
    absl::Status s = absl::OkStatus();
    if (!group_ready) {
      s = EnsureGroup();
      group_ready = s.ok();
    }
    if (s.ok() && absl::Now() >= next_claim) {
      s = ClaimStale().status();
      next_claim = absl::Now() + kClaimEvery;
    }
    if (s.ok()) s = ReadNew(/*wait=*/true).status();
    if (!s.ok()) {
      if (last.ok()) Logger()->warn("event consumer: {}", s.ToString());
      for (int i = 0; i < 10 && !stop_; ++i) usleep(100 * 1000);  // back off ~1 s
    } else if (!last.ok()) {
      Logger()->info("event consumer: reading the stream again");
    }
    last = s;
  }
}

}  // namespace bulletin::analytics
