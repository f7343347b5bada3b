#include "common/redis/stream_follower.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/base/log.h"
#include "common/base/status_macros.h"
#include "common/base/stream_id.h"
#include "common/redis/keys.h"
#include "common/redis/stream_reader.h"

namespace bulletin {
namespace {

constexpr absl::Duration kFirstBackoff = absl::Milliseconds(100);
constexpr absl::Duration kMaxBackoff = absl::Seconds(5);

}  // namespace

StreamFollower::StreamFollower(RedisClient& redis, StreamFollowerOptions options,
                               EntriesHandler on_entries, GapHandler on_gap)
    : redis_(redis),
      options_(std::move(options)),
      on_entries_(std::move(on_entries)),
      on_gap_(std::move(on_gap)) {
  if (options_.stream.empty()) options_.stream = keys::kEventStream;
}

StreamFollower::~StreamFollower() { Stop(); }

void StreamFollower::Start() {
  thread_ = std::thread([this] { Run(); });
}

void StreamFollower::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

bool StreamFollower::Stopping() {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

absl::StatusOr<std::string> StreamFollower::Tail() {
  ASSIGN_OR_RETURN(const RedisReply r,
                   redis_.Command({"XREVRANGE", options_.stream, "+", "-", "COUNT", "1"}));
  if (r.is_error()) return r.ToStatus();
  if (r.elements.empty() || r.elements[0].elements.empty()) return std::string("0-0");
  return r.elements[0].elements[0].str;
}

absl::StatusOr<int> StreamFollower::Read(bool wait) {
  RedisArgv argv = {"XREAD", "COUNT", absl::StrCat(options_.batch)};
  if (wait) {
    argv.insert(argv.end(), {"BLOCK", absl::StrCat(absl::ToInt64Milliseconds(options_.block))});
  }
  argv.insert(argv.end(), {"STREAMS", options_.stream, last_id_});
  ASSIGN_OR_RETURN(const RedisReply r,
                   redis_.BlockingCommand(argv, options_.block + absl::Seconds(2)));
  if (r.is_error()) return r.ToStatus();
  if (r.is_nil() || r.elements.empty()) return 0;
  const RedisReply& stream = r.elements[0];  // [[key, [entries...]]]
  if (stream.elements.size() != 2) return absl::InternalError("XREAD: unexpected reply");
  ASSIGN_OR_RETURN(std::vector<StreamEntry> batch, DecodeStreamEntries(stream.elements[1]));
  if (batch.empty()) return 0;
  last_id_ = batch.back().id.ToString();
  on_entries_(batch);
  return static_cast<int>(batch.size());
}

absl::Status StreamFollower::Position(bool after_outage) {
  if (!after_outage) {
    if (options_.from_start) {
      last_id_ = "0-0";
    } else {
      ASSIGN_OR_RETURN(last_id_, Tail());
    }
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(std::string tail, Tail());
  const std::optional<StreamId> newest = StreamId::Parse(tail);
  const std::optional<StreamId> mine = StreamId::Parse(last_id_);
  const bool go_on = options_.resume && newest && mine && *newest >= *mine;
  if (!go_on) last_id_ = std::move(tail);
  // Entries may have passed while reading failed: the owner forgets what it holds.
  Logger()->info("stream follower: reading {} again from {}", options_.stream,
                 go_on ? "the last entry read" : "its tail");
  on_gap_();
  return absl::OkStatus();
}

absl::StatusOr<int> StreamFollower::Poll() {
  if (last_id_.empty()) {
    RETURN_IF_ERROR(Position(/*after_outage=*/false));
    return 0;
  }
  int total = 0;
  for (;;) {
    ASSIGN_OR_RETURN(const int n, Read(/*wait=*/false));
    total += n;
    if (n < options_.batch) return total;
  }
}

void StreamFollower::Run() {
  absl::Duration backoff = kFirstBackoff;
  bool failing = false;
  while (!Stopping()) {
    const absl::Status status = last_id_.empty() || failing ? Position(/*after_outage=*/failing)
                                                            : Read(/*wait=*/true).status();
    if (status.ok()) {
      failing = false;
      backoff = kFirstBackoff;
      continue;
    }
    if (!failing) Logger()->warn("stream follower: {}", status.ToString());
    failing = true;
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), backoff);
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

}  // namespace bulletin
