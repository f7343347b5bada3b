#include "services/content/store/postgres/pg_connection.h"

#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/base/log.h"
#include "common/base/text_rules.h"

namespace bulletin::content {
namespace {

std::string Field(const PGresult* result, int field) {
  const char* value = result == nullptr ? nullptr : PQresultErrorField(result, field);
  return value == nullptr ? std::string() : std::string(value);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}

}  // namespace

absl::Status PgRetryable(absl::Status status) {
  status.SetPayload(kPgRetryPayload, absl::Cord("1"));
  return status;
}

// ---- parameters -------------------------------------------------------------------------

PgParams& PgParams::Add(std::string value, bool null, int format) {
  if (format == 0 && value.find('\0') != std::string::npos) has_nul_ = true;
  values_.push_back(std::move(value));
  null_.push_back(null);
  formats_.push_back(format);
  return *this;
}

PgParams& PgParams::Text(absl::string_view value) { return Add(std::string(value), false, 0); }
PgParams& PgParams::Int(int64_t value) { return Add(absl::StrCat(value), false, 0); }
PgParams& PgParams::Bool(bool value) { return Add(value ? "t" : "f", false, 0); }
// %.17g: the value PostgreSQL parses back is the same double (StrCat keeps 6 digits).
PgParams& PgParams::Double(double value) { return Add(absl::StrFormat("%.17g", value), false, 0); }
PgParams& PgParams::Null() { return Add("", true, 0); }
PgParams& PgParams::Bytes(absl::string_view value) { return Add(std::string(value), false, 1); }
PgParams& PgParams::TextOrNull(absl::string_view value) {
  return value.empty() ? Null() : Text(value);
}

PgParams& PgParams::TextArray(const std::vector<std::string>& values) {
  std::string literal = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) literal += ',';
    literal += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') literal += '\\';
      literal += c;
    }
    literal += '"';
  }
  literal += '}';
  return Add(std::move(literal), false, 0);
}

// ---- results ----------------------------------------------------------------------------

std::string PgResult::Text(int row, int column) const {
  return std::string(PQgetvalue(result_.get(), row, column),
                     PQgetlength(result_.get(), row, column));
}

int64_t PgResult::Int(int row, int column) const {
  int64_t value = 0;
  if (!absl::SimpleAtoi(PQgetvalue(result_.get(), row, column), &value)) return 0;
  return value;
}

double PgResult::Double(int row, int column) const {
  double value = 0;
  if (!absl::SimpleAtod(PQgetvalue(result_.get(), row, column), &value)) return 0;
  return value;
}

bool PgResult::Bool(int row, int column) const {
  return PQgetvalue(result_.get(), row, column)[0] == 't';
}

std::string PgResult::Bytes(int row, int column) const {
  const char* text = PQgetvalue(result_.get(), row, column);
  const size_t n = PQgetlength(result_.get(), row, column);
  std::string out;
  if (n < 2 || text[0] != '\\' || text[1] != 'x') return out;
  out.reserve((n - 2) / 2);
  for (size_t i = 2; i + 1 < n; i += 2) {
    out.push_back(static_cast<char>(HexValue(text[i]) * 16 + HexValue(text[i + 1])));
  }
  return out;
}

int64_t PgResult::Affected() const {
  int64_t value = 0;
  if (!absl::SimpleAtoi(PQcmdTuples(result_.get()), &value)) return 0;
  return value;
}

// ---- errors -----------------------------------------------------------------------------

absl::Status PgStatus(PGconn* conn, const PGresult* result, absl::string_view what) {
  const std::string state = Field(result, PG_DIAG_SQLSTATE);
  const std::string constraint = Field(result, PG_DIAG_CONSTRAINT_NAME);
  const bool lost = conn == nullptr || PQstatus(conn) == CONNECTION_BAD;
  // The server's own words may quote values: they go to the log, never into the status.
  std::string detail = Field(result, PG_DIAG_MESSAGE_PRIMARY);
  if (detail.empty() && conn != nullptr) {
    std::vector<std::string> lines = absl::StrSplit(PQerrorMessage(conn), '\n');
    detail = lines.empty() ? "" : lines[0];
  }
  const std::string label =
      absl::StrCat("database ", what, state.empty() ? "" : absl::StrCat(" (SQLSTATE ", state),
                   constraint.empty() ? "" : absl::StrCat(", constraint ", constraint),
                   state.empty() ? "" : ")");
  if (lost || absl::StartsWith(state, "08") || state == "57P01" || state == "57P02" ||
      state == "57P03" || absl::StartsWith(state, "53")) {
    return absl::UnavailableError(absl::StrCat(label, ": the database is unreachable"));
  }
  if (state == "57014") return absl::UnavailableError(absl::StrCat(label, ": timed out"));
  if (state == "23505") {
    return PgRetryable(absl::AlreadyExistsError(absl::StrCat(label, ": already exists")));
  }
  if (state == "23503") {
    return PgRetryable(
        absl::FailedPreconditionError(absl::StrCat(label, ": a referenced row is missing")));
  }
  if (state == "40001" || state == "40P01") {
    return PgRetryable(absl::AbortedError(absl::StrCat(label, ": a concurrent change conflicted")));
  }
  Logger()->warn("{} failed: {}", label, Excerpt(detail, 300));
  return absl::InternalError(absl::StrCat(label, ": failed"));
}

// ---- connection -------------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<PgConnection>> PgConnection::Connect(
    const std::vector<std::pair<std::string, std::string>>& params) {
  std::vector<const char*> keys, values;
  for (const auto& [key, value] : params) {
    keys.push_back(key.c_str());
    values.push_back(value.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
  if (conn == nullptr) return absl::UnavailableError("cannot connect to the database: no memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    // libpq's message names the host and the reason, never the password.
    std::vector<std::string> lines = absl::StrSplit(PQerrorMessage(conn), '\n');
    std::string reason = lines.empty() ? "" : std::string(absl::StripAsciiWhitespace(lines[0]));
    PQfinish(conn);
    return absl::UnavailableError(
        absl::StrCat("cannot connect to the database: ", Excerpt(reason, 200)));
  }
  // Server notices ("relation ... already exists, skipping") are not errors: keep them
  // off stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char* message) { Logger()->debug("database notice: {}", message); },
      nullptr);
  return std::unique_ptr<PgConnection>(new PgConnection(conn));
}

PgConnection::~PgConnection() { PQfinish(conn_); }

bool PgConnection::Reconnect() {
  prepared_.clear();
  PQreset(conn_);
  return ok();
}

absl::StatusOr<PgResult> PgConnection::Exec(const std::string& sql, const PgParams& params) {
  if (params.has_nul()) {
    return absl::InvalidArgumentError("text with a NUL byte cannot be stored");
  }
  const bool fresh = fresh_;
  fresh_ = false;
  absl::StatusOr<PgResult> result = ExecOnce(sql, params);
  if (!result.ok() && fresh && !ok() && Reconnect()) result = ExecOnce(sql, params);
  return result;
}

absl::StatusOr<PgResult> PgConnection::ExecOnce(const std::string& sql, const PgParams& params) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    const std::string name = absl::StrCat("b", prepared_.size() + 1);
    PgResult prepared(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr));
    if (prepared.raw() == nullptr || PQresultStatus(prepared.raw()) != PGRES_COMMAND_OK) {
      return PgStatus(conn_, prepared.raw(), "prepare");
    }
    it = prepared_.emplace(sql, name).first;
  }
  std::vector<const char*> values(params.values_.size());
  std::vector<int> lengths(params.values_.size());
  for (size_t i = 0; i < values.size(); ++i) {
    values[i] = params.null_[i] ? nullptr : params.values_[i].c_str();
    lengths[i] = static_cast<int>(params.values_[i].size());
  }
  PGresult* raw = PQexecPrepared(conn_, it->second.c_str(), params.size(), values.data(),
                                 lengths.data(), params.formats_.data(), /*resultFormat=*/0);
  PgResult result(raw);
  const ExecStatusType status = raw == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(raw);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return PgStatus(conn_, raw, "statement");
  }
  return result;
}

absl::Status PgConnection::Script(const std::string& sql) {
  const bool fresh = fresh_;
  fresh_ = false;
  for (int attempt = 0;; ++attempt) {
    PGresult* raw = PQexec(conn_, sql.c_str());
    PgResult result(raw);
    const ExecStatusType status = raw == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(raw);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return absl::OkStatus();
    if (attempt == 0 && fresh && !ok() && Reconnect()) continue;
    return PgStatus(conn_, raw, "command");
  }
}

}  // namespace bulletin::content
