#include "services/content/config.h"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/base/flags.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"

namespace bulletin::content {
namespace {

// The flag set writing into `config`, whose current values are the defaults --help shows.
FlagSet MakeFlags(Config& config) {
  FlagSet flags("bulletin-content",
                "Bulletin content service: articles, translations and categories over gRPC.");
  RegisterServiceFlags(flags, &config.service);
  flags.String("db", &config.db,
               "database: sqlite:PATH (one process; the parent directory is created) or "
               "postgres://USER[:PASSWORD]@HOST[:PORT]/DBNAME[?sslmode=...] (also postgresql://; "
               "several replicas may share it)");
  flags.Int("db-pool-size", &config.db_pool_size,
            "PostgreSQL connections per process, 1..256 (not used with sqlite:)");
  flags.String("site-base-url", &config.site_base_url,
               "public site URL for canonical links, e.g. https://news.example.org");
  flags.Int("stream-max-len", &config.stream_max_len, "approximate cap of the event stream");
  flags.Duration("outbox-retention", &config.outbox_retention,
                 "how long sent events stay in the outbox to re-send after a Redis restart");
  flags.String("token-key", &config.token_key,
               "secret (>= 16 characters) signing page and preview tokens; empty: random per "
               "process, so tokens do not survive a restart or work across replicas");
  flags.Int("cache-entries", &config.cache_entries,
            "published articles kept in the in-process cache (0: no cache)");
  flags.Duration("cache-ttl", &config.cache_ttl,
                 "how long a cached article is served before it is read again (bounds staleness "
                 "after writes by another process)");
  flags.Bool("seed-demo", &config.seed_demo,
             "load the demo article (idempotent), print '<article_id> <slug>' and exit");
  flags.String("migrate-from", &config.migrate_from,
               "sqlite:PATH: copy that SQLite content database into the PostgreSQL one --db "
               "names (every row not there yet; safe to re-run), print a summary and exit");
  return flags;
}

constexpr char kDbForms[] =
    "sqlite:PATH or postgres://USER[:PASSWORD]@HOST[:PORT]/DBNAME[?PARAM=VALUE&...]";

// The libpq URI parameters --db may carry (the password belongs in USER:PASSWORD@, and the
// client encoding is always UTF8).
constexpr const char* kUriParams[] = {"sslmode",
                                      "sslrootcert",
                                      "sslcert",
                                      "sslkey",
                                      "sslcrl",
                                      "sslcrldir",
                                      "sslsni",
                                      "ssl_min_protocol_version",
                                      "ssl_max_protocol_version",
                                      "channel_binding",
                                      "gssencmode",
                                      "connect_timeout",
                                      "application_name",
                                      "options",
                                      "keepalives",
                                      "keepalives_idle",
                                      "keepalives_interval",
                                      "keepalives_count",
                                      "tcp_user_timeout",
                                      "target_session_attrs",
                                      "passfile"};

absl::Status BadDb(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("--db: ", why));
}

// RFC 3986 characters of a userinfo, host name or path segment, %XX escapes checked.
bool UriChars(absl::string_view text, absl::string_view extra) {
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size() || !absl::ascii_isxdigit(text[i + 1]) ||
          !absl::ascii_isxdigit(text[i + 2])) {
        return false;
      }
      i += 2;
    } else if (!absl::ascii_isalnum(c) &&
               std::string_view("-._~!$&'()*+,;=").find(c) == std::string_view::npos &&
               extra.find(c) == absl::string_view::npos) {
      return false;
    }
  }
  return true;
}

absl::Status CheckHost(absl::string_view host_port) {
  absl::string_view host = host_port, port;
  if (absl::StartsWith(host_port, "[")) {  // [IPv6]
    const size_t close = host_port.find(']');
    if (close == absl::string_view::npos) return BadDb("an IPv6 host lacks its ']'");
    host = host_port.substr(1, close - 1);
    absl::string_view after = host_port.substr(close + 1);
    if (!after.empty() && !absl::ConsumePrefix(&after, ":")) return BadDb("junk after ']'");
    port = after;
    if (host.empty() || !UriChars(host, ":")) return BadDb("bad IPv6 host");
  } else {
    const size_t colon = host_port.rfind(':');
    if (colon != absl::string_view::npos) {
      host = host_port.substr(0, colon);
      port = host_port.substr(colon + 1);
    }
    if (host.empty()) return BadDb(absl::StrCat("expected ", kDbForms, ": no HOST"));
    if (!UriChars(host, "")) {
      return BadDb(absl::StrCat("bad HOST \"", Excerpt(host), "\""));
    }
  }
  if (host_port.back() == ':') return BadDb("empty PORT");
  int number = 0;
  if (!port.empty() && (!absl::SimpleAtoi(port, &number) || number < 1 || number > 65535 ||
                        port.find_first_not_of("0123456789") != absl::string_view::npos)) {
    return BadDb(absl::StrCat("PORT must be 1..65535, got \"", Excerpt(port), "\""));
  }
  return absl::OkStatus();
}

// postgres://USER[:PASSWORD]@HOST[:PORT][,HOST[:PORT]...]/DBNAME[?PARAM=VALUE&...].
// Messages never quote the user information.
absl::Status CheckPostgresUri(absl::string_view uri) {
  if (!absl::ConsumePrefix(&uri, "postgresql://")) absl::ConsumePrefix(&uri, "postgres://");
  const size_t at = uri.rfind('@');
  if (at == absl::string_view::npos || at == 0 || uri[0] == ':') {
    return BadDb(absl::StrCat("expected ", kDbForms, ": no USER@"));
  }
  if (!UriChars(uri.substr(0, at), ":")) {
    return BadDb(
        "USER and PASSWORD must be percent-encoded: one holds a character such as '/', '?', "
        "'#', '@', '%' without two hex digits, a space or a control character");
  }
  absl::string_view rest = uri.substr(at + 1);
  const size_t slash = rest.find('/');
  if (slash == absl::string_view::npos) {
    return BadDb(absl::StrCat("expected ", kDbForms, ": no /DBNAME"));
  }
  for (absl::string_view host : absl::StrSplit(rest.substr(0, slash), ',')) {
    RETURN_IF_ERROR(CheckHost(host));
  }
  rest = rest.substr(slash + 1);
  const size_t question = rest.find('?');
  const absl::string_view dbname = rest.substr(0, question);
  if (dbname.empty()) return BadDb(absl::StrCat("expected ", kDbForms, ": no DBNAME"));
  if (!UriChars(dbname, ":@")) {
    return BadDb(absl::StrCat("bad DBNAME \"", Excerpt(dbname), "\" (percent-encode it)"));
  }
  if (question == absl::string_view::npos) return absl::OkStatus();
  for (absl::string_view param : absl::StrSplit(rest.substr(question + 1), '&')) {
    const size_t eq = param.find('=');
    const absl::string_view key = param.substr(0, eq);
    const absl::string_view value =
        eq == absl::string_view::npos ? absl::string_view() : param.substr(eq + 1);
    if (std::find(std::begin(kUriParams), std::end(kUriParams), key) == std::end(kUriParams)) {
      return BadDb(absl::StrCat("unsupported parameter \"", Excerpt(key),
                                "\" (supported: ", absl::StrJoin(kUriParams, ", "), ")"));
    }
    if (value.empty() || !UriChars(value, ":@/?")) {
      return BadDb(absl::StrCat("parameter ", key, " needs a percent-encoded value"));
    }
    if (key == "sslmode" && value != "disable" && value != "allow" && value != "prefer" &&
        value != "require" && value != "verify-ca" && value != "verify-full") {
      return BadDb(
          absl::StrCat("sslmode must be disable, allow, prefer, require, verify-ca or "
                       "verify-full, got \"",
                       Excerpt(value), "\""));
    }
  }
  return absl::OkStatus();
}

absl::Status Validate(Config& c) {
  absl::string_view db = c.db;
  if (absl::ConsumePrefix(&db, "sqlite:")) {
    if (db.empty()) return BadDb("expected sqlite:PATH, got an empty PATH");
    c.db_kind = DbKind::kSqlite;
    c.db_path = std::string(db);
  } else if (absl::StartsWith(db, "postgres://") || absl::StartsWith(db, "postgresql://")) {
    RETURN_IF_ERROR(CheckPostgresUri(db));
    c.db_kind = DbKind::kPostgres;
    c.db_uri = c.db;
  } else {
    return BadDb(
        absl::StrCat("expected ", kDbForms, ", got \"", Excerpt(RedactedDb(c.db), 60), "\""));
  }
  if (!c.migrate_from.empty()) {
    absl::string_view from = c.migrate_from;
    if (!absl::ConsumePrefix(&from, "sqlite:") || from.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("--migrate-from: expected sqlite:PATH, got \"",
                                                     Excerpt(RedactedDb(c.migrate_from), 60),
                                                     "\""));
    }
    if (c.db_kind != DbKind::kPostgres) {
      return absl::InvalidArgumentError(
          "--migrate-from: --db must name the PostgreSQL database to copy into");
    }
    c.migrate_from_path = std::string(from);
  }
  if (c.db_pool_size < 1 || c.db_pool_size > 256) {
    return absl::InvalidArgumentError("--db-pool-size: must be 1..256");
  }
  RETURN_IF_ERROR(ValidateServiceFlags(c.service));
  while (absl::EndsWith(c.site_base_url, "/")) c.site_base_url.pop_back();
  if (!c.site_base_url.empty() && !absl::StartsWith(c.site_base_url, "https://") &&
      !absl::StartsWith(c.site_base_url, "http://")) {
    return absl::InvalidArgumentError("--site-base-url: expected an http(s):// URL");
  }
  if (c.stream_max_len < 1) return absl::InvalidArgumentError("--stream-max-len: must be >= 1");
  if (c.outbox_retention < absl::Seconds(1)) {
    return absl::InvalidArgumentError("--outbox-retention: must be at least 1s");
  }
  if (!c.token_key.empty() && c.token_key.size() < 16) {
    return absl::InvalidArgumentError("--token-key: at least 16 characters");
  }
  if (c.cache_entries < 0) return absl::InvalidArgumentError("--cache-entries: must be >= 0");
  if (c.cache_ttl < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--cache-ttl: must not be negative");
  }
  return absl::OkStatus();
}

absl::StatusOr<Config> Finish(Config config, FlagSet& flags, const absl::Status& parsed) {
  if (flags.help_requested()) {
    config.help = true;
    config.usage = flags.Usage();
    return config;
  }
  RETURN_IF_ERROR(parsed);
  RETURN_IF_ERROR(Validate(config));
  return config;
}

}  // namespace

absl::StatusOr<Config> ParseConfig(int argc, char** argv) {
  Config config;
  config.service.server.listen = kDefaultListen;
  FlagSet flags = MakeFlags(config);
  const absl::Status parsed = flags.Parse(argc, argv);
  return Finish(std::move(config), flags, parsed);
}

absl::StatusOr<Config> ParseConfig(const std::vector<std::string>& args,
                                   const std::map<std::string, std::string>& env) {
  Config config;
  config.service.server.listen = kDefaultListen;
  FlagSet flags = MakeFlags(config);
  const absl::Status parsed = flags.Parse(args, env);
  return Finish(std::move(config), flags, parsed);
}

std::string RedactedDb(const std::string& db) {
  if (absl::StartsWith(db, "sqlite:")) return db;
  std::string out = db;
  const size_t at = out.rfind('@');
  if (at != std::string::npos) {
    const size_t scheme = out.find("://");
    const size_t start = scheme != std::string::npos && scheme < at ? scheme + 3 : 0;
    const size_t colon = out.find(':', start);
    if (start == 0) {
      out = "***" + out.substr(at);  // not a URI: hide all that may be user information
    } else if (colon != std::string::npos && colon < at) {
      out = out.substr(0, colon + 1) + "***" + out.substr(at);
    }
  }
  // A password given as a parameter (refused by the checks, but never shown either).
  const size_t question = out.find('?');
  if (question == std::string::npos) return out;
  std::vector<std::string> params = absl::StrSplit(out.substr(question + 1), '&');
  for (std::string& p : params) {
    if (absl::StartsWith(p, "password=") || absl::StartsWith(p, "sslpassword=")) {
      p = p.substr(0, p.find('=') + 1) + "***";
    }
  }
  return absl::StrCat(out.substr(0, question + 1), absl::StrJoin(params, "&"));
}

absl::Status CreateDbDirectory(const Config& config) {
  if (config.db_kind != DbKind::kSqlite) return absl::OkStatus();
  const std::filesystem::path parent = std::filesystem::path(config.db_path).parent_path();
  if (parent.empty()) return absl::OkStatus();
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("--db: cannot create ", parent.string(), ": ", ec.message()));
  }
  return absl::OkStatus();
}

}  // namespace bulletin::content
