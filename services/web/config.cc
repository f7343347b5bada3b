#include "services/web/config.h"

#include <fstream>
#include <sstream>

#include "absl/functional/function_ref.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/base/flags.h"
#include "common/base/status_macros.h"

namespace bulletin::web {
namespace {

absl::Status Invalid(const char* message) { return absl::InvalidArgumentError(message); }

absl::StatusOr<std::string> ReadFile(const std::string& path, const char* flag) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(std::string(flag) + ": cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

absl::Status Check(Config& c, const std::string& cors, const std::string& proxies, int64_t max_url,
                   int64_t max_headers, int64_t max_body) {
  for (absl::string_view p : absl::StrSplit(proxies, ',', absl::SkipWhitespace())) {
    c.trusted_proxies.emplace_back(absl::StripAsciiWhitespace(p));
  }
  if (c.cache_bytes < (1 << 20) || c.cache_bytes > (int64_t{4} << 30)) {
    return Invalid("--cache-bytes: must be between 1 MiB and 4 GiB");
  }
  if (c.http_threads < 1 || c.http_threads > 64) return Invalid("--http-threads: must be 1..64");
  if (!absl::StartsWith(c.public_url, "http://") && !absl::StartsWith(c.public_url, "https://")) {
    return Invalid("--public-url: must start with http:// or https://");
  }
  while (!c.public_url.empty() && c.public_url.back() == '/') c.public_url.pop_back();
  if (c.view_token_ttl < absl::Minutes(1) || c.view_token_ttl > absl::Hours(48)) {
    return Invalid("--view-token-ttl: must be between 1m and 48h");
  }
  if (c.cache_ttl < absl::ZeroDuration() || c.cache_ttl > absl::Hours(1)) {
    return Invalid("--cache-ttl: must be between 0 and 1h");
  }
  if (c.stale < absl::ZeroDuration() || c.stale > absl::Hours(24)) {
    return Invalid("--stale: must be between 0 and 24h");
  }
  if (c.cache_ttl + c.stale >= c.view_token_ttl) {
    return Invalid(
        "--view-token-ttl: must exceed --cache-ttl plus --stale (cached pages carry tokens)");
  }
  if (max_url < 256 || max_url > 65536) return Invalid("--max-url-bytes: must be 256..65536");
  if (max_headers < 1024 || max_headers > 65536)
    return Invalid("--max-header-bytes: must be 1024..65536");
  if (max_body < 1024 || max_body > (1 << 20))
    return Invalid("--max-body-bytes: must be 1024..1048576");
  c.limits.max_target = static_cast<size_t>(max_url);
  c.limits.max_headers = static_cast<size_t>(max_headers);
  c.limits.max_body = static_cast<size_t>(max_body);
  for (absl::string_view o : absl::StrSplit(cors, ',', absl::SkipWhitespace())) {
    c.cors_origins.emplace_back(absl::StripAsciiWhitespace(o));
  }
  if (!c.view_token_key_file.empty()) {
    ASSIGN_OR_RETURN(std::string key, ReadFile(c.view_token_key_file, "--view-token-key-file"));
    c.view_token_key = std::string(absl::StripAsciiWhitespace(key));
  }
  if (!c.view_token_key.empty() && c.view_token_key.size() < 16) {
    return Invalid("--view-token-key: must be at least 16 characters");
  }
  if (!c.service.auth_tokens_file.empty()) {
    ASSIGN_OR_RETURN(std::string text, ReadFile(c.service.auth_tokens_file, "--auth-tokens-file"));
    c.frontend_token = FrontendTokenOf(text);
  }
  return absl::OkStatus();
}

absl::StatusOr<Config> Parse(absl::FunctionRef<absl::Status(FlagSet&)> parse) {
  Config c;
  c.service.server.listen = c.http_listen;
  std::string cors;
  std::string proxies;
  int64_t max_url = 8192, max_headers = 16384, max_body = 16384;
  FlagSet flags(
      "bulletin-web",
      "Serves the site over HTTP: pages, feeds, sitemap, the JSON API and the view beacon.\n"
      "--listen is the HTTP address; --grpc-listen the gRPC health/reflection server.");
  RegisterServiceFlags(flags, &c.service);
  flags.String("grpc-listen", &c.grpc_listen, "HOST:PORT of the gRPC health and reflection server");
  flags.String("content", &c.content, "bulletin-content's gRPC address (or dns:///name:port)");
  flags.String("analytics", &c.analytics, "bulletin-analytics' gRPC address (or dns:///name:port)");
  flags.String("public-url", &c.public_url,
               "the site's origin as readers see it (canonical links)");
  flags.String("view-token-key", &c.view_token_key,
               "HMAC key of the view tokens (same on every replica; empty: random per process)");
  flags.String("view-token-key-file", &c.view_token_key_file, "file holding --view-token-key");
  flags.Duration("view-token-ttl", &c.view_token_ttl, "how long a page's view token counts");
  flags.String("cors-origins", &cors, "comma-separated origins allowed to call /api/ (or *)");
  flags.String("trusted-proxies", &proxies,
               "comma-separated proxy addresses whose X-Forwarded-For names the client");
  flags.Int("cache-bytes", &c.cache_bytes, "bound of the in-process response cache, bytes");
  flags.Duration("cache-ttl", &c.cache_ttl, "how long a cached response is fresh (max-age)");
  flags.Duration("stale", &c.stale,
                 "stale-while-revalidate; a stale copy is also served while upstream is down");
  flags.Int("http-threads", &c.http_threads, "HTTP I/O threads");
  flags.Int("max-url-bytes", &max_url, "longest request-target (414 beyond)");
  flags.Int("max-header-bytes", &max_headers, "largest request head (431 beyond)");
  flags.Int("max-body-bytes", &max_body, "largest request body (413 beyond)");
  flags.String("media-dir", &c.media_dir,
               "directory served at /media/ (images: jpg, png, gif, webp, avif, svg); empty: none");
  flags.Duration("upstream-deadline", &c.upstream_deadline, "deadline of each gRPC call");
  RETURN_IF_ERROR(parse(flags));
  if (flags.help_requested()) {
    c.help = true;
    c.usage = flags.Usage();
    return c;
  }
  c.http_listen = c.service.server.listen;
  c.service.server.listen = c.grpc_listen;
  c.service.server.listen_flag = "grpc-listen";
  RETURN_IF_ERROR(Check(c, cors, proxies, max_url, max_headers, max_body));
  RETURN_IF_ERROR(ValidateServiceFlags(c.service));
  return c;
}

}  // namespace

std::string FrontendTokenOf(const std::string& text) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::vector<absl::string_view> words =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (words.size() >= 2 && words[0] == "frontend" && !absl::StartsWith(words[1], "sha256:")) {
      return std::string(words[1]);
    }
  }
  return "";
}

absl::StatusOr<Config> ParseConfig(const std::vector<std::string>& args,
                                   const std::map<std::string, std::string>& env) {
  return Parse([&](FlagSet& flags) { return flags.Parse(args, env); });
}

absl::StatusOr<Config> ParseConfig(int argc, char** argv) {
  return ParseConfig(FlagSet::MainArgs(argc, argv), FlagSet::BulletinEnvironment());
}

}  // namespace bulletin::web
