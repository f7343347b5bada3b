// A real redis-server for tests: started on a free loopback port in a temporary
// directory, stopped by its PID. Restart() brings it back on the same port and data
// directory, with its append-only file, the way an operator's Redis comes back.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/redis/redis_client.h"
#include "common/testing/process.h"

namespace bulletin::testing {

class RedisServer {
 public:
  // Starts redis-server ($BULLETIN_REDIS_SERVER, else /usr/bin/redis-server) and waits
  // until it answers PING. Unavailable if it does not come up within 10 s.
  static absl::StatusOr<std::unique_ptr<RedisServer>> Start();
  ~RedisServer();

  int port() const { return port_; }
  pid_t pid() const { return process_.pid(); }
  std::string url() const;  // redis://127.0.0.1:PORT
  RedisOptions options() const;

  // SIGKILL: no goodbye, like a crash (of the process: what Redis acknowledged is kept).
  void Kill();
  // Starts again on the same port and directory; waits for PING.
  absl::Status Restart();

 private:
  RedisServer() = default;
  absl::Status Launch();

  TempDir dir_;
  int port_ = 0;
  ChildProcess process_;
};

}  // namespace bulletin::testing
