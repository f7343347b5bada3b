#include "services/content/store/postgres/pg_relay_lease.h"

#include "common/base/log.h"
#include "common/base/status_macros.h"
#include "services/content/store/postgres/pg_pool.h"

namespace bulletin::content {
namespace {

// The advisory lock key: one per database, whatever its name.
constexpr char kTakeLease[] =
    "SELECT pg_try_advisory_lock(hashtextextended('bulletin content outbox relay', 0))";

}  // namespace

absl::StatusOr<bool> PgRelayLease::Hold() {
  absl::MutexLock lock(&mu_);
  if (session_ != nullptr && held_) {
    // The lock lives as long as the session: a session that still answers still holds it.
    if (session_->ok() && session_->Script("SELECT 1").ok()) return true;
    Logger()->warn("outbox relay: lost the database session that held the relay lease");
    session_.reset();
    held_ = false;
  }
  if (session_ == nullptr || !session_->ok()) {
    session_.reset();
    ASSIGN_OR_RETURN(session_, PgConnection::Connect(PgConnectParams(uri_)));
  }
  absl::StatusOr<PgResult> taken = session_->Exec(kTakeLease);
  if (!taken.ok()) {
    session_.reset();
    return taken.status();
  }
  held_ = taken->rows() == 1 && taken->Bool(0, 0);
  if (held_) Logger()->info("outbox relay: this replica now sends the outbox events");
  return held_;
}

}  // namespace bulletin::content
