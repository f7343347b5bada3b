#include "services/web/events/event_follower.h"

#include "absl/time/clock.h"
#include "common/base/log.h"
#include "common/redis/keys.h"
#include "common/redis/stream_reader.h"

namespace bulletin::web {

EventFollower::EventFollower(RedisClient& redis, Handler handler, GapHandler on_gap,
                             std::string stream)
    : redis_(redis),
      handler_(std::move(handler)),
      on_gap_(std::move(on_gap)),
      stream_(stream.empty() ? std::string(keys::kEventStream) : std::move(stream)) {}

EventFollower::~EventFollower() { Stop(); }

void EventFollower::Start() {
  thread_ = std::thread([this] { Run(); });
}

void EventFollower::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void EventFollower::Run() {
  std::string last = "0";
  bool warned = false;
  while (!stopping_) {
    absl::StatusOr<RedisReply> reply = redis_.BlockingCommand(
        {"XREAD", "COUNT", "500", "BLOCK", "1000", "STREAMS", stream_, last}, absl::Seconds(3));
    if (!reply.ok()) {
      if (!warned) {
        Logger()->warn("event stream unreadable, retrying: {}", reply.status().ToString());
      }
      warned = true;
      absl::SleepFor(absl::Milliseconds(500));
      continue;
    }
    if (warned) {
      // Events may have passed unseen: the owner drops what it holds.
      warned = false;
      last = Resume(last);
      Logger()->info("event stream readable again; cached responses dropped");
      on_gap_();
    }
    // XREAD answers [[stream, [entries...]]] or nil on timeout.
    if (reply->type != RedisReply::Type::kArray || reply->elements.empty()) continue;
    const RedisReply& stream = reply->elements[0];
    if (stream.elements.size() != 2) continue;
    absl::StatusOr<std::vector<StreamEntry>> entries = DecodeStreamEntries(stream.elements[1]);
    if (!entries.ok()) {
      Logger()->warn("event stream: {}", entries.status().ToString());
      absl::SleepFor(absl::Milliseconds(500));
      continue;
    }
    for (const StreamEntry& entry : *entries) {
      last = entry.id.ToString();
      if (entry.event) handler_(*entry.event);
      ++handled_;
    }
  }
}

std::string EventFollower::Resume(const std::string& last) {
  absl::StatusOr<RedisReply> newest =
      redis_.Command({"XREVRANGE", stream_, "+", "-", "COUNT", "1"});
  if (!newest.ok() || newest->type != RedisReply::Type::kArray) return last;
  if (newest->elements.empty()) return "0";
  const RedisReply& entry = newest->elements[0];
  if (entry.type != RedisReply::Type::kArray || entry.elements.empty()) return last;
  std::optional<StreamId> tail = StreamId::Parse(entry.elements[0].str);
  std::optional<StreamId> mine = StreamId::Parse(last);
  if (!tail) return last;
  if (!mine || *tail < *mine) return tail->ToString();
  return last;
}

std::vector<std::string> SlugsOf(const events::v1::ArticleEvent& event) {
  std::vector<std::string> slugs;
  if (!event.article().slug().empty()) slugs.push_back(event.article().slug());
  for (const events::v1::LocalizedSummary& t : event.article().translations()) {
    if (!t.slug().empty()) slugs.push_back(t.slug());
  }
  return slugs;
}

std::vector<std::string> KeysOf(const events::v1::ArticleEvent& event) {
  const events::v1::ArticleSnapshot& a = event.article();
  std::vector<std::string> keys = {"lists", "stats", "a:" + a.id()};
  if (!a.category_id().empty()) keys.push_back("c:" + a.category_id());
  for (const std::string& c : a.category_ancestor_ids()) keys.push_back("c:" + c);
  for (const std::string& s : SlugsOf(event)) keys.push_back("slug:" + s);
  return keys;
}

}  // namespace bulletin::web
