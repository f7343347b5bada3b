#include "common/testing/redis_server.h"

#include <signal.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace bulletin::testing {

absl::StatusOr<std::unique_ptr<RedisServer>> RedisServer::Start() {
  std::unique_ptr<RedisServer> server(new RedisServer());
  if (server->dir_.path().empty()) return absl::InternalError("cannot create a temp dir");
  server->port_ = FreePort();
  if (absl::Status s = server->Launch(); !s.ok()) return s;
  return server;
}

RedisServer::~RedisServer() { process_.Stop(SIGTERM, absl::Seconds(5)); }

std::string RedisServer::url() const { return absl::StrCat("redis://127.0.0.1:", port_); }

RedisOptions RedisServer::options() const {
  RedisOptions o;
  o.host = "127.0.0.1";
  o.port = port_;
  return o;
}

absl::Status RedisServer::Launch() {
  const char* bin = std::getenv("BULLETIN_REDIS_SERVER");
  std::string path = bin ? bin : "/usr/bin/redis-server";
  absl::Status s = process_.Start(
      path, {"--port", absl::StrCat(port_), "--bind", "127.0.0.1", "--dir", dir_.path(),
             "--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--daemonize", "no",
             "--logfile", dir_.path() + "/redis.log"});
  if (!s.ok()) return s;
  RedisClient client(options());
  bool up = WaitUntil(
      [&] {
        auto r = client.Command({"PING"});
        return r.ok();
      },
      absl::Seconds(10));
  if (!up) {
    return absl::UnavailableError(absl::StrCat("redis-server (", path,
                                               ") did not answer PING on port ", port_, "; see ",
                                               dir_.path(), "/redis.log"));
  }
  return absl::OkStatus();
}

void RedisServer::Kill() {
  // Acknowledged writes reach the append-only file first, as when a process dies on a
  // healthy machine. With appendfsync everysec and a busy disk, Redis holds its writes
  // back for up to 2 s while an earlier fsync runs, and a kill then loses writes it had
  // acknowledged: tests that check exact counts after a restart failed under load. The
  // answer to this CONFIG SET comes after the event loop wrote (and, with `always`,
  // fsynced) everything before it. Restart() starts with everysec again.
  RedisClient client(options());
  (void)client.Command({"CONFIG", "SET", "appendfsync", "always"});
  process_.Stop(SIGKILL);
}

absl::Status RedisServer::Restart() {
  process_.Stop(SIGTERM);
  return Launch();
}

}  // namespace bulletin::testing
