// One libpq connection of the PostgreSQL store: statements prepared once per connection
// (cached by SQL text), bound parameters only (text, or binary for BYTEA), results read in
// text form, and libpq/server errors mapped to absl::Status without the SQL or the server's
// text (connection loss, shutdown, too many connections -> UNAVAILABLE; unique violation ->
// ALREADY_EXISTS; foreign key violation -> FAILED_PRECONDITION; serialization failure and
// deadlock -> ABORTED; the last three carry kPgRetryPayload so a transaction can be run
// again). Not thread-safe: one thread uses a connection at a time (the pool leases it).
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace bulletin::content {

// The payload type URL on statuses whose transaction may succeed when run again.
inline constexpr char kPgRetryPayload[] = "bulletin.content.postgres/retry";

// `status` marked with kPgRetryPayload: the transaction may succeed when run again.
absl::Status PgRetryable(absl::Status status);

// The parameters of one statement, $1 first.
class PgParams {
 public:
  PgParams& Text(absl::string_view value);
  PgParams& Int(int64_t value);
  PgParams& Bool(bool value);
  PgParams& Double(double value);
  PgParams& Null();
  // A BYTEA value, sent in binary form (any bytes).
  PgParams& Bytes(absl::string_view value);
  // A text[] value (array literal; elements quoted).
  PgParams& TextArray(const std::vector<std::string>& values);
  // Adds Text(value), or Null() when `value` is empty.
  PgParams& TextOrNull(absl::string_view value);

  int size() const { return static_cast<int>(values_.size()); }
  // Text values travel as C strings: one holding a NUL byte cannot be sent as it is.
  bool has_nul() const { return has_nul_; }

 private:
  friend class PgConnection;
  PgParams& Add(std::string value, bool null, int format);

  std::vector<std::string> values_;
  std::vector<bool> null_;
  std::vector<int> formats_;
  bool has_nul_ = false;
};

// The rows of a finished statement. Columns and rows count from 0.
class PgResult {
 public:
  explicit PgResult(PGresult* result) : result_(result, &PQclear) {}

  int rows() const { return PQntuples(result_.get()); }
  bool IsNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string Text(int row, int column) const;
  int64_t Int(int row, int column) const;
  double Double(int row, int column) const;
  bool Bool(int row, int column) const;
  // A BYTEA column (hex output form) as its bytes.
  std::string Bytes(int row, int column) const;
  // Rows changed by an INSERT/UPDATE/DELETE.
  int64_t Affected() const;
  const PGresult* raw() const { return result_.get(); }

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> result_;
};

// Maps a failed statement (`result` may be null) on `conn` to a Status saying `what` failed.
absl::Status PgStatus(PGconn* conn, const PGresult* result, absl::string_view what);

class PgConnection {
 public:
  // Connects with libpq keyword/value pairs (see PgPool). UNAVAILABLE when it cannot.
  static absl::StatusOr<std::unique_ptr<PgConnection>> Connect(
      const std::vector<std::pair<std::string, std::string>>& params);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs `sql` with `params`, preparing it on this connection the first time.
  absl::StatusOr<PgResult> Exec(const std::string& sql, const PgParams& params = PgParams());
  // Runs SQL text without parameters (transaction control, schema scripts); may hold
  // several statements.
  absl::Status Script(const std::string& sql);

  // Whether the connection is still usable (false once the server is gone).
  bool ok() const { return PQstatus(conn_) == CONNECTION_OK; }
  // Marks the start of a lease: when its first statement finds the connection broken (the
  // server restarted while it sat idle in the pool), the connection is re-established and
  // that statement sent once more. The store starts a lease only with BEGIN, a read or an
  // idempotent write, so a statement that did reach the server before the loss does no harm.
  void BeginLease() { fresh_ = true; }

 private:
  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  // Re-establishes a broken connection; prepared statements are gone with it.
  bool Reconnect();
  absl::StatusOr<PgResult> ExecOnce(const std::string& sql, const PgParams& params);

  PGconn* conn_;
  bool fresh_ = false;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
};

}  // namespace bulletin::content
