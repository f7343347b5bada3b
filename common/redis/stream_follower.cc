#include "common/redis/stream_follower.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/base/log.h"
#include "common/base/status_macros.h"
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

absl::StatusOr<int> StreamFollower::Poll() {
  if (last_id_.empty()) {
    ASSIGN_OR_RETURN(last_id_, Tail());
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
    absl::Status status;
    if (last_id_.empty()) {
      absl::StatusOr<std::string> tail = Tail();
      status = tail.status();
      if (tail.ok()) {
        last_id_ = *tail;
        if (failing) {
          // Entries may have passed while reading failed: the owner forgets what it holds.
          Logger()->info("stream follower: reading {} again from its tail", options_.stream);
          on_gap_();
        }
      }
    } else {
      status = Read(/*wait=*/true).status();
    }
    if (status.ok()) {
      failing = false;
      backoff = kFirstBackoff;
      continue;
    }
    if (!failing) Logger()->warn("stream follower: {}", status.ToString());
    failing = true;
    last_id_.clear();  // a restarted Redis may hold a new stream: start from its tail
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), backoff);
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

}  // namespace bulletin
