// The configuration of bulletin-notifications: flags (with BULLETIN_* environment
// equivalents) read once into a validated struct. --help is not an error: the result has
// `help` set and the usage text, for the caller to print. Not thread-safe: parse once, in
// main.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/service/service_flags.h"
#include "services/notifications/secrets/secret_keyring.h"

namespace bulletin::notify {

struct Config {
  ServiceFlags service;  // --listen, --redis, --auth-tokens-file, --worker-threads, ...
  absl::Duration heartbeat_interval = absl::Seconds(15);
  bool allow_private_webhooks = false;
  int64_t stream_queue_limit = 1000;
  std::string token_key;  // signs page tokens; empty: random per process
  // Per-partner quotas (docs/partners.md#quotas).
  int64_t max_subscriptions_per_partner = 100;
  int64_t max_streams_per_partner = 100;  // per replica; 0: unlimited
  std::string redeliver_rate_text = "2";  // per second; 0: unlimited
  double redeliver_rate = 2;              // parsed redeliver_rate_text
  int64_t redeliver_burst = 20;
  // Webhooks.
  std::string replica_id;  // consumer name in the group; default "<hostname>-<pid>"
  std::string consumer_group = "notifications";
  absl::Duration claim_idle = absl::Seconds(30);
  std::string retry_schedule_text = "5s,5m,30m,2h,5h,10h,10h";
  std::vector<absl::Duration> retry_schedule;  // parsed retry_schedule_text
  absl::Duration disable_after = absl::Hours(24 * 5);
  absl::Duration webhook_connect_timeout = absl::Seconds(5);
  absl::Duration webhook_timeout = absl::Seconds(10);
  int64_t webhook_concurrency = 64;
  std::string webhook_endpoint_rate_text = "10";  // attempts per second per URL; 0: unlimited
  double webhook_endpoint_rate = 10;              // parsed
  int64_t webhook_endpoint_burst = 20;
  std::string cloudevents_source = "//bulletin/content";
  // Secrets at rest: the keys file (empty: secrets stored in plaintext) and its keys.
  std::string secrets_key_file;
  std::shared_ptr<const SecretKeyring> secrets_keyring;  // loaded from secrets_key_file
  bool reencrypt_secrets = false;  // re-seal every stored secret with the first key, exit
  bool help = false;
  std::string usage;  // set when help
};

// Parses and validates `args` (without the program name) and `env` (BULLETIN_* variables),
// ValidateServiceFlags included: --redis is parsed and the tokens file and the secrets
// keys file loaded.
// InvalidArgument naming the flag for a bad value.
absl::StatusOr<Config> ParseConfig(const std::vector<std::string>& args,
                                   const std::map<std::string, std::string>& env);

// The same for a process: argv[1..] and the BULLETIN_* variables of its environment.
absl::StatusOr<Config> ParseConfig(int argc, char** argv);

}  // namespace bulletin::notify
