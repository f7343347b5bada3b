// The connections to one Redis node (internal to common/redis): a pool of hiredis
// contexts, each used by one thread at a time, authenticated (AUTH user password) and on
// the configured database when opened. A connection error discards the context, so the
// next call connects afresh (how a client survives a restart); an idle connection the
// server closed is dropped before use. Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/redis/redis_client.h"

struct redisContext;
struct redisReply;

namespace bulletin {

class RedisNodePool {
 public:
  RedisNodePool(std::string host, int port, const RedisOptions& options);
  ~RedisNodePool();
  RedisNodePool(const RedisNodePool&) = delete;
  RedisNodePool& operator=(const RedisNodePool&) = delete;

  // Sends `commands` in one round trip on one connection and reads every reply; error
  // replies stay in place. UNAVAILABLE on a connection failure or timeout; then
  // `*not_sent` (when given) tells whether the commands certainly never reached the
  // server (the connection could not be opened), so that a retry cannot run them twice.
  absl::StatusOr<std::vector<RedisReply>> Run(const std::vector<RedisArgv>& commands,
                                              absl::Duration timeout, bool* not_sent = nullptr);

  const std::string& host() const { return host_; }
  int port() const { return port_; }
  const std::string& name() const { return name_; }  // "host:port"

 private:
  struct ContextDeleter {
    void operator()(redisContext* c) const;
  };
  using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;

  absl::StatusOr<ContextPtr> Acquire();
  absl::Status Setup(redisContext* c);
  void Release(ContextPtr c);

  const std::string host_;
  const int port_;
  const std::string name_;
  const RedisOptions options_;
  absl::Mutex mu_;
  std::vector<ContextPtr> idle_ ABSL_GUARDED_BY(mu_);
};

// A hiredis reply, copied into an owned value.
RedisReply CopyReply(const redisReply* r);

}  // namespace bulletin
