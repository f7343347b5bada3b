// ReplyCache: encoded replies of content's public reads, kept by (method, request bytes),
// so that a repeated read is answered on gRPC's callback thread from shared bytes (no
// decode, no core, no copy, no hand-off to the worker pool). Only callers that are not
// editors or admins are served or stored, and only OK replies whose request the method's
// predicate accepts (e.g. no preview token). An entry is valid while the data generation
// (content's: every article write, article event and category write made here bumps it)
// is the one read before the reply was computed, and for at most its method's TTL; so an
// article reply is exactly as fresh as the article cache, and a category reply (categories
// have no events) as fresh as its short TTL. Bounded in entries and bytes (oldest out
// first). Thread-safe.
#pragma once

#include <grpcpp/support/byte_buffer.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/base/auth.h"
#include "common/grpc/decoded_service.h"
#include "google/protobuf/message.h"

namespace bulletin::content {

struct ReplyCacheOptions {
  size_t max_entries = 10000;
  size_t max_bytes = 32 << 20;
  absl::Duration ttl = absl::Seconds(60);
  // The generation of the data the replies are made of; any change bumps it.
  std::function<uint64_t()> generation;
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

class ReplyCache {
 public:
  // Whether a reply to `request` (the method's request message) may be kept.
  using Cacheable = std::function<bool(const google::protobuf::Message& request)>;

  explicit ReplyCache(ReplyCacheOptions options);
  ~ReplyCache();

  // The ReplyReuse of one method (at most 255); it lives as long as the cache. Its replies
  // live at most `ttl` when given, else the options' ttl.
  ReplyReuse* ForMethod(Cacheable cacheable, std::optional<absl::Duration> ttl = std::nullopt);

  size_t size() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  class Method;
  struct Entry {
    grpc::ByteBuffer reply;
    uint64_t generation = 0;
    absl::Time expire;
    uint64_t seq = 0;  // matches the key's place in order_
    size_t bytes = 0;
  };

  static bool PublicCaller(const Caller& caller);
  static std::string Key(char method, const grpc::ByteBuffer& in);
  bool Lookup(char method, const Caller& caller, const grpc::ByteBuffer& in, grpc::ByteBuffer* out)
      ABSL_LOCKS_EXCLUDED(mu_);
  void Store(char method, uint64_t generation, absl::Duration ttl, const Caller& caller,
             const grpc::ByteBuffer& in, const grpc::ByteBuffer& out) ABSL_LOCKS_EXCLUDED(mu_);
  void EvictLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const ReplyCacheOptions options_;
  std::vector<std::unique_ptr<Method>> methods_;
  absl::Mutex mu_;
  std::unordered_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
  std::deque<std::pair<std::string, uint64_t>> order_ ABSL_GUARDED_BY(mu_);  // oldest first
  uint64_t next_seq_ ABSL_GUARDED_BY(mu_) = 0;
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace bulletin::content
