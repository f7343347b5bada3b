// The configuration of bulletin-web: its flags (with BULLETIN_* environment equivalents)
// read once into a validated Config. --listen is the HTTP address here; the runner's gRPC
// server (health, reflection) listens on --grpc-listen. The frontend token used for calls
// to content and analytics is the first `frontend` line of --auth-tokens-file (in clear).
// Every bad value is an InvalidArgument naming the flag. Not thread-safe: parse once.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/service/service_flags.h"
#include "services/web/http/server.h"

namespace bulletin::web {

struct Config {
  ServiceFlags service;  // service.server.listen: the gRPC health server (--grpc-listen)
  std::string http_listen = "127.0.0.1:8080";
  std::string grpc_listen = "127.0.0.1:50054";
  std::string content = "127.0.0.1:50051";
  std::string analytics = "127.0.0.1:50052";
  std::string public_url = "http://127.0.0.1:8080";
  std::string view_token_key;
  std::string view_token_key_file;
  absl::Duration view_token_ttl = absl::Hours(6);
  std::vector<std::string> cors_origins;
  std::vector<std::string> trusted_proxies;
  int64_t cache_bytes = 48 << 20;  // full: ~78 MB RSS (docs/web.md)
  absl::Duration cache_ttl = absl::Seconds(60);
  absl::Duration stale = absl::Minutes(10);
  int64_t http_threads = 2;
  HttpLimits limits;
  absl::Duration upstream_deadline = absl::Seconds(2);
  std::string media_dir;       // served at /media/ when set
  std::string frontend_token;  // from --auth-tokens-file

  bool help = false;
  std::string usage;
};

absl::StatusOr<Config> ParseConfig(const std::vector<std::string>& args,
                                   const std::map<std::string, std::string>& env);
absl::StatusOr<Config> ParseConfig(int argc, char** argv);

// The first `frontend` token written in clear in a tokens file's text ("" when none).
std::string FrontendTokenOf(const std::string& tokens_file_text);

}  // namespace bulletin::web
