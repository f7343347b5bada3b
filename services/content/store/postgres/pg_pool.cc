#include "services/content/store/postgres/pg_pool.h"

#include <chrono>
#include <random>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"

namespace bulletin::content {
namespace {

// The status without the retry marker (what callers see once retries are used up).
absl::Status Final(const absl::Status& s) {
  if (!s.GetPayload(kPgRetryPayload).has_value()) return s;
  absl::Status copy = s;
  copy.ErasePayload(kPgRetryPayload);
  return copy;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> PgConnectParams(const std::string& uri) {
  // Keywords are processed in order and the last value wins: the defaults come before the
  // URI (which may override them), client_encoding after it.
  return {
      {"connect_timeout", "5"},
      {"keepalives", "1"},
      {"keepalives_idle", "30"},
      {"keepalives_interval", "10"},
      {"keepalives_count", "3"},
      {"tcp_user_timeout", "60000"},
      {"application_name", "bulletin-content"},
      {"dbname", uri},
      {"client_encoding", "UTF8"},
  };
}

absl::StatusOr<std::unique_ptr<PgPool>> PgPool::Open(const PgPoolOptions& options) {
  if (options.size < 1) return absl::InvalidArgumentError("pool size must be at least 1");
  std::unique_ptr<PgPool> pool(new PgPool(options, PgConnectParams(options.uri)));
  ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> first,
                   PgConnection::Connect(pool->connect_params_));
  absl::MutexLock lock(&pool->mu_);
  pool->idle_.push_back(std::move(first));
  pool->open_ = 1;
  return pool;
}

PgPool::~PgPool() {
  absl::MutexLock lock(&mu_);
  idle_.clear();
}

PgPool::Lease::~Lease() {
  if (conn_ != nullptr) pool_->Return(std::move(conn_));
}

void PgPool::Return(std::unique_ptr<PgConnection> conn) {
  absl::MutexLock lock(&mu_);
  if (conn->ok()) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
  }
}

absl::StatusOr<PgPool::Lease> PgPool::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    auto available = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !idle_.empty() || open_ < options_.size;
    };
    if (!mu_.AwaitWithTimeout(absl::Condition(&available), options_.acquire_timeout)) {
      return absl::UnavailableError(absl::StrCat("all ", options_.size,
                                                 " database connections stayed busy for ",
                                                 absl::FormatDuration(options_.acquire_timeout)));
    }
    if (!idle_.empty()) {
      std::unique_ptr<PgConnection> conn = std::move(idle_.back());
      idle_.pop_back();
      conn->BeginLease();
      return Lease(this, std::move(conn));
    }
    ++open_;  // reserved while connecting outside the lock
  }
  absl::StatusOr<std::unique_ptr<PgConnection>> conn = PgConnection::Connect(connect_params_);
  if (!conn.ok()) {
    absl::MutexLock lock(&mu_);
    --open_;
    return conn.status();
  }
  return Lease(this, *std::move(conn));
}

absl::Status PgPool::Run(const std::function<absl::Status(PgConnection&)>& body) {
  ASSIGN_OR_RETURN(Lease conn, Acquire());
  return Final(body(*conn));
}

absl::Status PgPool::Read(const std::function<absl::Status(PgConnection&)>& body) {
  ASSIGN_OR_RETURN(Lease conn, Acquire());
  RETURN_IF_ERROR(conn->Script("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"));
  absl::Status s = body(*conn);
  if (s.ok()) s = conn->Script("COMMIT");
  if (!s.ok() && conn->ok()) conn->Script("ROLLBACK").IgnoreError();
  return Final(s);
}

absl::Status PgPool::Transaction(const std::function<absl::Status(PgConnection&)>& body) {
  absl::Status s;
  for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
    ASSIGN_OR_RETURN(Lease conn, Acquire());
    RETURN_IF_ERROR(conn->Script("BEGIN"));
    s = body(*conn);
    if (s.ok()) s = conn->Script("COMMIT");
    if (s.ok()) return s;
    if (conn->ok()) conn->Script("ROLLBACK").IgnoreError();
    if (!s.GetPayload(kPgRetryPayload).has_value()) return s;
    // Another transaction won a race: wait a little (jittered) and run again.
    thread_local std::minstd_rand jitter(std::random_device{}());
    std::this_thread::sleep_for(std::chrono::microseconds((jitter() % 2000) * attempt));
  }
  return Final(s);
}

bool PgPool::Ping() {
  absl::MutexLock lock(&probe_mu_);
  if (probe_ == nullptr || !probe_->ok()) {
    probe_.reset();
    absl::StatusOr<std::unique_ptr<PgConnection>> conn = PgConnection::Connect(connect_params_);
    if (!conn.ok()) return false;
    probe_ = *std::move(conn);
  }
  probe_->BeginLease();  // reconnects once when the server came back since the last probe
  return probe_->Script("SELECT 1").ok();
}

}  // namespace bulletin::content
