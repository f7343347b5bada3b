// A real PostgreSQL 15 for tests (Debian's postgresql-15): a cluster made by initdb in a
// temporary directory, served by `postgres` on a free loopback port with its unix socket
// in that directory, stopped by its PID. initdb refuses to run as root, so under root the
// directory is given to the `postgres` OS user and both programs run as that user. Trust
// authentication on loopback only; fsync off (a test cluster need not survive a machine
// crash, only a process kill). The server dies with the thread that started it, so a
// crashed test leaves none behind. Not thread-safe: one test thread drives it.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/testing/process.h"

namespace bulletin::testing {

class PostgresServer {
 public:
  // Runs initdb, starts the server and waits until it accepts connections.
  // FAILED_PRECONDITION naming the missing program and the package when PostgreSQL 15 is
  // not installed ($BULLETIN_POSTGRES_BIN overrides /usr/lib/postgresql/15/bin);
  // UNAVAILABLE naming the log when it does not come up within 30 s.
  static absl::StatusOr<std::unique_ptr<PostgresServer>> Start();
  // Stop(), then the directory goes.
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int port() const { return port_; }
  // The superuser the tests connect as.
  static constexpr char kUser[] = "postgres";
  // postgres://postgres@127.0.0.1:PORT/DATABASE
  std::string Uri(const std::string& database) const;
  // Creates an empty database `name` ([a-z0-9_]) and returns its URI.
  absl::StatusOr<std::string> CreateDatabase(const std::string& name);

  // Stops the server: SIGINT (PostgreSQL's fast shutdown: clients are disconnected, the
  // cluster is left clean), SIGKILL if it has not exited after 10 s. Until Restart(),
  // connections are refused.
  void Stop();
  // Starts it again on the same port and data directory; waits as Start() does.
  absl::Status Restart();
  // The server's log (stdout and stderr).
  std::string log_path() const { return dir_.path() + "/postgres.log"; }

 private:
  PostgresServer() = default;
  absl::Status Launch();

  TempDir dir_;
  std::string bin_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace bulletin::testing
