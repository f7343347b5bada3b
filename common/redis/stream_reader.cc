#include "common/redis/stream_reader.h"

#include <unistd.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base/log.h"
#include "common/base/status_macros.h"
#include "common/redis/keys.h"

namespace bulletin {
namespace {

constexpr absl::Duration kFirstBackoff = absl::Milliseconds(200);
constexpr absl::Duration kMaxBackoff = absl::Seconds(5);

bool IsNoGroup(const absl::Status& s) { return absl::StrContains(s.message(), "NOGROUP"); }

std::string DefaultConsumer() {
  char host[256] = "bulletin";
  gethostname(host, sizeof(host) - 1);
  host[sizeof(host) - 1] = '\0';
  return absl::StrCat(host, "-", getpid());
}

}  // namespace

absl::StatusOr<std::vector<StreamEntry>> DecodeStreamEntries(const RedisReply& list) {
  if (list.type != RedisReply::Type::kArray && !list.is_nil()) {
    return absl::InternalError("stream entries: unexpected reply shape");
  }
  std::vector<StreamEntry> out;
  out.reserve(list.elements.size());
  for (const RedisReply& e : list.elements) {
    if (e.elements.size() != 2) return absl::InternalError("stream entry: unexpected reply shape");
    std::optional<StreamId> id = StreamId::Parse(e.elements[0].str);
    if (!id) return absl::InternalError("stream entry: malformed id " + e.elements[0].str);
    StreamEntry entry{*id, nullptr};
    const std::vector<RedisReply>& fields = e.elements[1].elements;  // nil when deleted
    for (size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i].str != keys::kFieldEvent) continue;
      auto event = std::make_shared<events::v1::ArticleEvent>();
      if (event->ParseFromString(fields[i + 1].str)) entry.event = std::move(event);
    }
    if (!entry.event) {
      Logger()->warn("stream entry {} has no decodable event; skipped", id->ToString());
    }
    out.push_back(std::move(entry));
  }
  return out;
}

ConsumerGroupReader::ConsumerGroupReader(RedisClient& redis, ConsumerGroupOptions options,
                                         Handler handler)
    : redis_(redis), options_(std::move(options)), handler_(std::move(handler)) {
  if (options_.stream.empty()) options_.stream = keys::kEventStream;
  if (options_.consumer.empty()) options_.consumer = DefaultConsumer();
  options_.batch = std::max(1, options_.batch);
}

ConsumerGroupReader::~ConsumerGroupReader() { Stop(); }

void ConsumerGroupReader::Start() {
  thread_ = std::thread([this] { Run(); });
}

void ConsumerGroupReader::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

bool ConsumerGroupReader::Stopping() {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

absl::Status ConsumerGroupReader::EnsureGroup() {
  // From "0": a new group hands out what the stream still holds; handlers are idempotent.
  absl::StatusOr<RedisReply> r =
      redis_.Command({"XGROUP", "CREATE", options_.stream, options_.group, "0", "MKSTREAM"});
  if (!r.ok() && !absl::StrContains(r.status().message(), "BUSYGROUP")) return r.status();
  return absl::OkStatus();
}

absl::Status ConsumerGroupReader::HandleAndAck(const std::vector<StreamEntry>& batch) {
  if (batch.empty()) return absl::OkStatus();
  RETURN_IF_ERROR(handler_(batch));
  RedisArgv ack = {"XACK", options_.stream, options_.group};
  for (const StreamEntry& entry : batch) ack.push_back(entry.id.ToString());
  return redis_.Command(ack).status();
}

absl::StatusOr<int> ConsumerGroupReader::Read(const std::string& id, bool wait) {
  RedisArgv argv = {"XREADGROUP",      "GROUP", options_.group,
                    options_.consumer, "COUNT", absl::StrCat(options_.batch)};
  if (wait) {
    argv.insert(argv.end(), {"BLOCK", absl::StrCat(absl::ToInt64Milliseconds(options_.block))});
  }
  argv.insert(argv.end(), {"STREAMS", options_.stream, id});
  ASSIGN_OR_RETURN(RedisReply r, redis_.BlockingCommand(argv, options_.block + absl::Seconds(2)));
  if (r.is_nil() || r.elements.empty()) return 0;
  const RedisReply& stream = r.elements[0];  // [[key, [entries...]]]
  if (stream.elements.size() != 2) return absl::InternalError("XREADGROUP: unexpected reply");
  ASSIGN_OR_RETURN(std::vector<StreamEntry> batch, DecodeStreamEntries(stream.elements[1]));
  RETURN_IF_ERROR(HandleAndAck(batch));
  return static_cast<int>(batch.size());
}

absl::StatusOr<int> ConsumerGroupReader::ClaimStale() {
  int total = 0;
  std::string cursor = "0-0";
  for (int round = 0; round < 100; ++round) {
    ASSIGN_OR_RETURN(
        RedisReply r,
        redis_.Command({"XAUTOCLAIM", options_.stream, options_.group, options_.consumer,
                        absl::StrCat(absl::ToInt64Milliseconds(options_.claim_idle)), cursor,
                        "COUNT", absl::StrCat(options_.batch)}));
    if (r.elements.size() < 2) return absl::InternalError("XAUTOCLAIM: unexpected reply");
    ASSIGN_OR_RETURN(std::vector<StreamEntry> batch, DecodeStreamEntries(r.elements[1]));
    if (!batch.empty()) {
      Logger()->info("consumer {} claimed {} entries another consumer left pending",
                     options_.consumer, batch.size());
      RETURN_IF_ERROR(HandleAndAck(batch));
      total += static_cast<int>(batch.size());
    }
    cursor = r.elements[0].str;
    if (cursor == "0-0") break;
  }
  return total;
}

absl::StatusOr<int> ConsumerGroupReader::ProcessAvailable() {
  RETURN_IF_ERROR(EnsureGroup());
  ASSIGN_OR_RETURN(int total, ClaimStale());
  for (const char* id : {"0", ">"}) {
    for (;;) {
      ASSIGN_OR_RETURN(int n, Read(id, /*wait=*/false));
      total += n;
      if (n < options_.batch) break;
    }
  }
  return total;
}

void ConsumerGroupReader::Run() {
  bool have_group = false;
  bool pending_first = true;
  absl::Time next_claim = absl::InfinitePast();
  absl::Duration backoff = kFirstBackoff;
  absl::Status last = absl::OkStatus();
  while (!Stopping()) {
    absl::Status status;
    if (!have_group) {
      status = EnsureGroup();
      have_group = status.ok();
      pending_first = true;
    } else if (absl::Now() >= next_claim) {
      status = ClaimStale().status();
      if (status.ok()) {
        next_claim = absl::Now() + std::max(options_.claim_idle / 2, absl::Seconds(1));
      }
    } else {
      absl::StatusOr<int> n = Read(pending_first ? "0" : ">", /*wait=*/!pending_first);
      status = n.status();
      if (n.ok() && pending_first && *n < options_.batch) pending_first = false;
    }
    if (status.ok()) {
      if (!last.ok()) Logger()->info("consumer {}: reading the stream again", options_.consumer);
      last = status;
      backoff = kFirstBackoff;
      continue;
    }
    if (IsNoGroup(status)) {
      Logger()->warn("consumer group {} is gone (Redis restarted empty?): recreating it",
                     options_.group);
      have_group = false;
      continue;
    }
    if (last.ok()) Logger()->warn("consumer {}: {}", options_.consumer, status.ToString());
    last = status;
    pending_first = true;  // what the handler refused is pending: read it again first
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), backoff);
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

}  // namespace bulletin
