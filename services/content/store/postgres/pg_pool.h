// A fixed-size pool of PostgreSQL connections for the content store: connections open
// lazily up to `size`, a caller waits up to `acquire_timeout` for a free one (then
// UNAVAILABLE), a connection found broken is dropped on return, and transactions that
// fail on a unique or foreign key violation, a serialization failure or a deadlock are
// run again from the start (bounded), so that their own checks then see the committed
// state and answer as on SQLite. Ping() probes the server on a connection of its own.
// Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/content/store/postgres/pg_connection.h"

namespace bulletin::content {

struct PgPoolOptions {
  std::string uri;  // postgres://USER[:PASSWORD]@HOST:PORT/DBNAME[?...] (libpq URI)
  int size = 8;     // connections at most
  absl::Duration acquire_timeout = absl::Seconds(10);
};

class PgPool {
 public:
  // Connects once to check the URI and the server. UNAVAILABLE when it cannot.
  static absl::StatusOr<std::unique_ptr<PgPool>> Open(const PgPoolOptions& options);
  ~PgPool();

  // A connection taken from the pool, returned (or dropped when broken) on destruction.
  class Lease {
   public:
    Lease(PgPool* pool, std::unique_ptr<PgConnection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    PgConnection& operator*() const { return *conn_; }
    PgConnection* operator->() const { return conn_.get(); }

   private:
    PgPool* pool_;
    std::unique_ptr<PgConnection> conn_;
  };

  // UNAVAILABLE when no connection frees up within acquire_timeout or none can be opened.
  absl::StatusOr<Lease> Acquire();

  // Runs `body` on a leased connection, each statement in its own transaction.
  absl::Status Run(const std::function<absl::Status(PgConnection&)>& body);
  // Runs `body` in a read-only REPEATABLE READ transaction: its statements see one
  // snapshot, so a read of several tables never mixes two versions of an article.
  absl::Status Read(const std::function<absl::Status(PgConnection&)>& body);
  // Runs `body` between BEGIN and COMMIT, rolling back when it or COMMIT fails. A failure
  // carrying kPgRetryPayload runs the whole transaction (body included) again, at most
  // kMaxAttempts times in all.
  absl::Status Transaction(const std::function<absl::Status(PgConnection&)>& body);

  // Whether the server answers SELECT 1 (on a connection apart from the pool, so a busy
  // pool does not look like a database outage).
  bool Ping();

  static constexpr int kMaxAttempts = 5;

 private:
  PgPool(const PgPoolOptions& options,
         std::vector<std::pair<std::string, std::string>> connect_params)
      : options_(options), connect_params_(std::move(connect_params)) {}
  void Return(std::unique_ptr<PgConnection> conn);

  const PgPoolOptions options_;
  const std::vector<std::pair<std::string, std::string>> connect_params_;

  absl::Mutex mu_;
  std::vector<std::unique_ptr<PgConnection>> idle_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;  // idle plus leased (plus being opened)

  absl::Mutex probe_mu_;
  std::unique_ptr<PgConnection> probe_ ABSL_GUARDED_BY(probe_mu_);
};

// The libpq connection parameters of `uri`: defaults that bound a connect and notice a
// dead peer (connect_timeout, TCP keepalives, tcp_user_timeout), overridable in the URI,
// and client_encoding UTF8, which is not.
std::vector<std::pair<std::string, std::string>> PgConnectParams(const std::string& uri);

}  // namespace bulletin::content
