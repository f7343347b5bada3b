// The relay lease of content replicas that share one PostgreSQL: a session-level advisory
// lock, held on a connection of its own, that names the one replica whose outbox relay
// sends events. One sender keeps the stream in commit order per article and sends each
// event once; when that replica dies, its session ends, the lock is released, and the next
// replica to ask takes it over (within the relays' poll interval). A lease whose session
// was lost is given up before it is asked for again, so two replicas hold it at the same
// time only while the database has not yet noticed a dead session: that can re-send an
// event, which consumers dedupe by event_id. Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/content/store/postgres/pg_connection.h"

namespace bulletin::content {

class PgRelayLease {
 public:
  // `uri` as PostgresStoreOptions::uri. Connects on first use.
  explicit PgRelayLease(std::string uri) : uri_(std::move(uri)) {}

  // Whether this process holds the lease now: keeps it while its session is alive, else
  // tries to take it on a new session. UNAVAILABLE while the database cannot be reached.
  absl::StatusOr<bool> Hold() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  const std::string uri_;
  absl::Mutex mu_;
  std::unique_ptr<PgConnection> session_ ABSL_GUARDED_BY(mu_);
  bool held_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace bulletin::content
