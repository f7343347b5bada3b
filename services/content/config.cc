#include "services/content/config.h"

#include <filesystem>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/base/flags.h"
#include "common/base/status_macros.h"

namespace bulletin::content {
namespace {

// The flag set writing into `config`, whose current values are the defaults --help shows.
FlagSet MakeFlags(Config& config) {
  FlagSet flags("bulletin-content",
                "Bulletin content service: articles, translations and categories over gRPC.");
  RegisterServiceFlags(flags, &config.service);
  flags.String("db", &config.db, "database: sqlite:PATH (the parent directory is created)");
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
  return flags;
}

absl::Status Validate(Config& c) {
  absl::string_view db = c.db;
  if (!absl::ConsumePrefix(&db, "sqlite:") || db.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--db: expected sqlite:PATH, got \"", c.db, "\""));
  }
  c.db_path = std::string(db);
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

absl::Status CreateDbDirectory(const Config& config) {
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
