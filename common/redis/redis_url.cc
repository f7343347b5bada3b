// ParseRedisUrl (redis_client.h): the --redis flag, one node or a cluster's seed nodes,
// with optional ACL credentials. Errors name --redis and quote at most an excerpt of the
// address part, never the credentials.
#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/base/text_rules.h"
#include "common/redis/redis_client.h"

namespace bulletin {
namespace {

constexpr absl::string_view kSingle = "redis://";
constexpr absl::string_view kCluster = "redis-cluster://";

// "HOST[:PORT]" (IPv6 as "[::1]:PORT").
absl::StatusOr<RedisEndpoint> ParseEndpoint(absl::string_view text) {
  RedisEndpoint e;
  absl::string_view host = text;
  absl::string_view port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("--redis: unclosed [ in \"", Excerpt(text), "\""));
    }
    host = text.substr(1, close - 1);
    absl::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return absl::InvalidArgumentError(
            absl::StrCat("--redis: expected :PORT after ] in \"", Excerpt(text), "\""));
      }
      port = rest.substr(1);
      if (port.empty()) port = "x";  // "[::1]:" has no port
    }
  } else if (size_t colon = text.rfind(':'); colon != absl::string_view::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (port.empty()) port = "x";
  }
  if (host.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--redis: missing host in \"", Excerpt(text), "\""));
  }
  e.host = std::string(host);
  if (!port.empty() && (!absl::SimpleAtoi(port, &e.port) || e.port <= 0 || e.port > 65535)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--redis: bad port in \"", Excerpt(text), "\" (expected 1-65535)"));
  }
  return e;
}

}  // namespace

absl::StatusOr<RedisOptions> ParseRedisUrl(absl::string_view url) {
  RedisOptions o;
  absl::string_view rest;
  if (url.substr(0, kCluster.size()) == kCluster) {
    o.cluster = true;
    rest = url.substr(kCluster.size());
  } else if (url.substr(0, kSingle.size()) == kSingle) {
    rest = url.substr(kSingle.size());
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--redis: expected redis://[USER:PASSWORD@]HOST:PORT[/DB] or "
                     "redis-cluster://[USER:PASSWORD@]HOST:PORT[,HOST:PORT...], got \"",
                     Excerpt(url.substr(0, std::min(url.find("://"), url.find('@')))), "\""));
  }
  // Credentials: everything before the last '@' (a password may hold '@' or ':').
  if (size_t at = rest.rfind('@'); at != absl::string_view::npos) {
    absl::string_view credentials = rest.substr(0, at);
    rest = rest.substr(at + 1);
    size_t colon = credentials.find(':');
    if (colon == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          "--redis: credentials must be USER:PASSWORD@ (or :PASSWORD@ for the default user)");
    }
    o.user = std::string(credentials.substr(0, colon));
    o.password = std::string(credentials.substr(colon + 1));
    if (o.password.empty()) {
      return absl::InvalidArgumentError("--redis: empty password in USER:PASSWORD@");
    }
  }
  if (size_t slash = rest.find('/'); slash != absl::string_view::npos) {
    absl::string_view db = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    if (o.cluster && !db.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--redis: a Redis Cluster has only database 0, got /", Excerpt(db)));
    }
    if (!db.empty() && (!absl::SimpleAtoi(db, &o.db) || o.db < 0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--redis: bad database \"", Excerpt(db), "\" (expected 0 or more)"));
    }
  }
  if (!o.cluster) {
    if (rest.find(',') != absl::string_view::npos) {
      return absl::InvalidArgumentError(
          "--redis: several nodes need redis-cluster://HOST:PORT,HOST:PORT...");
    }
    absl::StatusOr<RedisEndpoint> e = ParseEndpoint(rest);
    if (!e.ok()) return e.status();
    o.host = e->host;
    o.port = e->port;
    return o;
  }
  for (absl::string_view part : absl::StrSplit(rest, ',')) {
    if (part.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--redis: empty seed node in \"", Excerpt(rest), "\""));
    }
    absl::StatusOr<RedisEndpoint> e = ParseEndpoint(part);
    if (!e.ok()) return e.status();
    o.seeds.push_back(*e);
  }
  o.host = o.seeds.front().host;
  o.port = o.seeds.front().port;
  return o;
}

}  // namespace bulletin
