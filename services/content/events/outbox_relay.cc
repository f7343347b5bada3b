#include "services/content/events/outbox_relay.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/base/log.h"
#include "common/base/status_macros.h"
#include "common/redis/keys.h"

namespace bulletin::content {
namespace {

// A stream entry id "<ms>-<seq>" as a comparable pair; {0, 0} when malformed.
std::pair<uint64_t, uint64_t> ParseStreamId(absl::string_view id) {
  std::pair<absl::string_view, absl::string_view> parts = absl::StrSplit(id, '-');
  std::pair<uint64_t, uint64_t> out{0, 0};
  if (!absl::SimpleAtoi(parts.first, &out.first) || !absl::SimpleAtoi(parts.second, &out.second)) {
    return {0, 0};
  }
  return out;
}

// The value of `field` in an INFO reply ("" when absent).
std::string InfoField(const std::string& info, absl::string_view field) {
  for (absl::string_view line : absl::StrSplit(info, '\n')) {
    if (absl::ConsumePrefix(&line, field) && absl::ConsumePrefix(&line, ":")) {
      return std::string(absl::StripTrailingAsciiWhitespace(line));
    }
  }
  return "";
}

}  // namespace

OutboxRelay::OutboxRelay(OutboxStore& store, RedisClient& redis, RelayOptions options)
    : store_(store), redis_(redis), options_(std::move(options)) {}

OutboxRelay::~OutboxRelay() { Stop(); }

void OutboxRelay::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void OutboxRelay::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void OutboxRelay::Notify() {
  absl::MutexLock lock(&mu_);
  wake_ = true;
}

void OutboxRelay::Loop() {
  absl::Duration backoff = options_.min_backoff;
  bool failing = false;
  for (;;) {
    absl::StatusOr<int> sent = RunOnce();
    absl::Duration wait = options_.idle_poll;
    bool wake_early = true;
    if (!sent.ok()) {
      if (!failing) Logger()->warn("outbox relay: {}; retrying", sent.status().ToString());
      failing = true;
      wait = backoff;
      backoff = std::min(backoff * 2, options_.max_backoff);
      wake_early = false;  // a commit during an outage must not turn back-off into a spin
    } else {
      if (failing) Logger()->info("outbox relay: recovered");
      failing = false;
      backoff = options_.min_backoff;
    }
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(wake_early ? absl::Condition(this, &OutboxRelay::StoppedOrWoken)
                                    : absl::Condition(this, &OutboxRelay::Stopped),
                         wait);
    if (stop_) return;
    wake_ = false;
  }
}

absl::StatusOr<int> OutboxRelay::RunOnce() {
  // Replicas on one database take turns: only the lease holder sends (and cleans up).
  ASSIGN_OR_RETURN(const bool sender, store_.HoldRelayLease());
  if (!sender) return 0;
  RETURN_IF_ERROR(CheckRedisRestart());
  ASSIGN_OR_RETURN(const int sent, SendPending());
  const absl::Time now = options_.clock();
  if (now - last_cleanup_ >= absl::Minutes(1)) {
    ASSIGN_OR_RETURN(const int64_t deleted,
                     store_.DeleteSentEventsBefore(now - options_.retention));
    if (deleted > 0) Logger()->debug("outbox relay: deleted {} expired events", deleted);
    last_cleanup_ = now;
  }
  return sent;
}

absl::Status OutboxRelay::CheckRedisRestart() {
  if (!run_id_loaded_) {
    ASSIGN_OR_RETURN(run_id_, store_.LoadRelayRunId());
    run_id_loaded_ = true;
  }
  ASSIGN_OR_RETURN(const RedisReply info,
                   redis_.CommandWhere(keys::kEventStream, {"INFO", "server", "replication"}));
  const std::string run_id = InfoField(info.str, "run_id");
  if (run_id.empty()) return absl::UnavailableError("redis INFO server has no run_id");
  if (!absl::SimpleAtoi(InfoField(info.str, "connected_slaves"), &redis_replicas_)) {
    redis_replicas_ = 0;  // a replica itself, or no replication section: nothing to wait for
  }
  if (run_id == run_id_) return absl::OkStatus();
  if (!run_id_.empty()) {
    Logger()->info(
        "outbox relay: Redis restarted (run_id {} -> {}); re-sending the events "
        "of the last {} it no longer has",
        run_id_, run_id, absl::FormatDuration(options_.retention));
    RETURN_IF_ERROR(ResendLost(options_.clock()));
  }
  RETURN_IF_ERROR(store_.SaveRelayRunId(run_id));
  run_id_ = run_id;
  return absl::OkStatus();
}

absl::Status OutboxRelay::ResendLost(absl::Time now) {
  // Entries older than the stream's first one were trimmed (MAXLEN), not lost.
  ASSIGN_OR_RETURN(const RedisReply first,
                   redis_.Command({"XRANGE", keys::kEventStream, "-", "+", "COUNT", "1"}));
  std::pair<uint64_t, uint64_t> first_id{0, 0};
  if (!first.elements.empty() && !first.elements[0].elements.empty()) {
    first_id = ParseStreamId(first.elements[0].elements[0].str);
  }
  int64_t after = 0;
  int resent = 0;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<OutboxEvent> batch,
                     store_.SentEventsSince(now - options_.retention, after, options_.batch_size));
    if (batch.empty()) break;
    std::vector<RedisArgv> probes;
    for (const OutboxEvent& e : batch) {
      probes.push_back({"XRANGE", keys::kEventStream, e.stream_id, e.stream_id});
    }
    ASSIGN_OR_RETURN(std::vector<RedisReply> found, redis_.Pipeline(probes));
    std::vector<OutboxEvent> lost;
    for (size_t i = 0; i < batch.size(); ++i) {
      const OutboxEvent& e = batch[i];
      const RedisReply& r = found[i];
      const bool present = !r.is_error() && !r.elements.empty();
      const bool trimmed = ParseStreamId(e.stream_id) < first_id;
      if (!present && !trimmed) lost.push_back(e);
    }
    RETURN_IF_ERROR(Send(lost));
    resent += static_cast<int>(lost.size());
    after = batch.back().seq;
  }
  Logger()->info("outbox relay: re-sent {} events after the Redis restart", resent);
  return absl::OkStatus();
}

absl::StatusOr<int> OutboxRelay::SendPending() {
  int total = 0;
  for (;;) {
    ASSIGN_OR_RETURN(std::vector<OutboxEvent> batch, store_.PendingEvents(options_.batch_size));
    RETURN_IF_ERROR(Send(batch));
    total += static_cast<int>(batch.size());
    if (static_cast<int>(batch.size()) < options_.batch_size) return total;
  }
}

absl::Status OutboxRelay::Send(const std::vector<OutboxEvent>& events) {
  if (events.empty()) return absl::OkStatus();
  std::vector<RedisArgv> commands;
  for (const OutboxEvent& e : events) {
    commands.push_back({"XADD", keys::kEventStream, "MAXLEN", "~",
                        absl::StrCat(options_.stream_max_len), "*", keys::kFieldEvent, e.payload,
                        keys::kFieldEventId, e.event_id, keys::kFieldType, e.type,
                        keys::kFieldArticleId, e.article_id});
  }
  const bool wait_for_replica = redis_replicas_ > 0;
  if (wait_for_replica) {
    commands.push_back(
        {"WAIT", "1", absl::StrCat(absl::ToInt64Milliseconds(options_.replica_timeout))});
  }
  ASSIGN_OR_RETURN(const std::vector<RedisReply> replies, redis_.Pipeline(commands));
  if (wait_for_replica) {
    const RedisReply& acked = replies.back();
    if (acked.is_error() || acked.integer < 1) {
      return absl::UnavailableError(
          absl::StrCat("no Redis replica acknowledged ", events.size(), " events within ",
                       absl::FormatDuration(options_.replica_timeout), "; they go again"));
    }
  }
  const absl::Time now = options_.clock();
  for (size_t i = 0; i < events.size(); ++i) {
    const RedisReply& r = replies[i];
    if (r.is_error()) return r.ToStatus();  // later entries of this batch go again, in order
    if (r.type != RedisReply::Type::kString) {
      return absl::InternalError(absl::StrCat("XADD returned ", DebugString(r)));
    }
    RETURN_IF_ERROR(store_.MarkEventSent(events[i].seq, r.str, now));
  }
  return absl::OkStatus();
}

}  // namespace bulletin::content
