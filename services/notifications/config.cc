#include "services/notifications/config.h"

#include <unistd.h>

#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/base/flags.h"
#include "common/base/status_macros.h"
#include "services/notifications/core/deliveries/retry_policy.h"

namespace bulletin::notify {

absl::StatusOr<Config> ParseConfig(const std::vector<std::string>& args,
                                   const std::map<std::string, std::string>& env) {
  Config c;
  c.service.server.listen = "127.0.0.1:50053";
  c.service.worker_threads = 4;
  FlagSet flags("bulletin-notifications",
                "Partner subscriptions, Subscribe streams and signed webhooks of article "
                "events.");
  RegisterServiceFlags(flags, &c.service);
  flags.Duration("heartbeat-interval", &c.heartbeat_interval,
                 "how often a Subscribe stream gets a heartbeat");
  flags.Bool("allow-private-webhooks", &c.allow_private_webhooks,
             "accept webhook URLs on loopback/private addresses (and plain http to them)");
  flags.Int("stream-queue-limit", &c.stream_queue_limit,
            "events buffered per Subscribe stream before a slow client gets RESOURCE_EXHAUSTED");
  flags.String("token-key", &c.token_key,
               "secret (>= 16 characters) signing page tokens; empty: random per process, so "
               "tokens do not survive a restart or work across replicas");
  flags.Int("max-subscriptions-per-partner", &c.max_subscriptions_per_partner,
            "quota: subscriptions one partner (owner) may have (1-100000)");
  flags.Int("max-streams-per-partner", &c.max_streams_per_partner,
            "quota: Subscribe streams one partner may have open on this replica (0: no limit)");
  flags.String("redeliver-rate", &c.redeliver_rate_text,
               "SendTestEvent and RedeliverEvent calls per second per partner, e.g. 2 or 0.5 "
               "(0: no limit)");
  flags.Int("redeliver-burst", &c.redeliver_burst,
            "SendTestEvent and RedeliverEvent calls a partner may make at once (1-10000)");
  flags.String("replica-id", &c.replica_id,
               "this replica's consumer name in the webhook consumer group (stable across "
               "restarts, unique per replica); default <hostname>-<pid>");
  flags.String("consumer-group", &c.consumer_group, "Redis consumer group of the webhook senders");
  flags.Duration("claim-idle", &c.claim_idle,
                 "take over events pending this long on a replica that is gone");
  flags.String("retry-schedule", &c.retry_schedule_text,
               "delays between webhook attempts; dead-lettered after the last");
  flags.Duration("disable-after", &c.disable_after,
                 "disable a subscription whose endpoint has failed this long");
  flags.Duration("webhook-connect-timeout", &c.webhook_connect_timeout,
                 "connect timeout of a webhook attempt");
  flags.Duration("webhook-timeout", &c.webhook_timeout, "total timeout of a webhook attempt");
  flags.Int("webhook-concurrency", &c.webhook_concurrency, "webhook attempts in flight at once");
  flags.String("webhook-endpoint-rate", &c.webhook_endpoint_rate_text,
               "webhook attempts per second to one endpoint URL from this replica, e.g. 10 or "
               "0.5; the rest wait in the queue (0: no limit)");
  flags.Int("webhook-endpoint-burst", &c.webhook_endpoint_burst,
            "webhook attempts to one endpoint URL that may go at once (1-10000)");
  flags.String("secrets-key-file", &c.secrets_key_file,
               "keys that encrypt webhook signing secrets in Redis (AES-256-GCM): one key of "
               "64 hex digits per line, the first encrypts, all decrypt (or 32 raw bytes); "
               "empty: secrets are stored in plaintext");
  flags.Bool("reencrypt-secrets", &c.reencrypt_secrets,
             "re-encrypt every stored signing secret with the first key of --secrets-key-file "
             "(after a rotation, or to encrypt plaintext ones), print how many, and exit");
  flags.String("cloudevents-source", &c.cloudevents_source, "CloudEvents `source` of webhooks");
  RETURN_IF_ERROR(flags.Parse(args, env));
  if (flags.help_requested()) {
    c.help = true;
    c.usage = flags.Usage();
    return c;
  }
  RETURN_IF_ERROR(ValidateServiceFlags(c.service));
  if (c.heartbeat_interval < absl::Milliseconds(10) || c.heartbeat_interval > absl::Hours(1)) {
    return absl::InvalidArgumentError("--heartbeat-interval: must be between 10ms and 1h");
  }
  if (c.stream_queue_limit < 1 || c.stream_queue_limit > 1000000) {
    return absl::InvalidArgumentError("--stream-queue-limit: must be between 1 and 1000000");
  }
  if (!c.token_key.empty() && c.token_key.size() < 16) {
    return absl::InvalidArgumentError("--token-key: at least 16 characters");
  }
  if (c.max_subscriptions_per_partner < 1 || c.max_subscriptions_per_partner > 100000) {
    return absl::InvalidArgumentError(
        "--max-subscriptions-per-partner: must be between 1 and 100000");
  }
  if (c.max_streams_per_partner < 0 || c.max_streams_per_partner > 1000000) {
    return absl::InvalidArgumentError("--max-streams-per-partner: must be between 0 and 1000000");
  }
  if (!absl::SimpleAtod(c.redeliver_rate_text, &c.redeliver_rate) || !(c.redeliver_rate >= 0) ||
      c.redeliver_rate > 1e6) {
    return absl::InvalidArgumentError(
        "--redeliver-rate: expected calls per second between 0 and 1000000, e.g. 2 or 0.5");
  }
  if (c.redeliver_burst < 1 || c.redeliver_burst > 10000) {
    return absl::InvalidArgumentError("--redeliver-burst: must be between 1 and 10000");
  }
  ASSIGN_OR_RETURN(c.retry_schedule, ParseRetrySchedule(c.retry_schedule_text));
  if (c.replica_id.empty()) {
    char host[256] = {};
    gethostname(host, sizeof(host) - 1);
    c.replica_id = absl::StrCat(host[0] ? host : "replica", "-", getpid());
  }
  if (c.replica_id.size() > 128 || c.replica_id.find(' ') != std::string::npos) {
    return absl::InvalidArgumentError("--replica-id: at most 128 characters, no spaces");
  }
  if (c.consumer_group.empty()) return absl::InvalidArgumentError("--consumer-group: required");
  if (c.claim_idle < absl::Seconds(1)) {
    return absl::InvalidArgumentError("--claim-idle: must be at least 1s");
  }
  if (c.disable_after <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--disable-after: must be positive");
  }
  if (c.webhook_connect_timeout < absl::Milliseconds(100) ||
      c.webhook_timeout < absl::Milliseconds(100) || c.webhook_timeout > absl::Minutes(5)) {
    return absl::InvalidArgumentError(
        "--webhook-connect-timeout/--webhook-timeout: must be between 100ms and 5m");
  }
  if (c.webhook_concurrency < 1 || c.webhook_concurrency > 10000) {
    return absl::InvalidArgumentError("--webhook-concurrency: must be between 1 and 10000");
  }
  if (!absl::SimpleAtod(c.webhook_endpoint_rate_text, &c.webhook_endpoint_rate) ||
      !(c.webhook_endpoint_rate >= 0) || c.webhook_endpoint_rate > 1e6) {
    return absl::InvalidArgumentError(
        "--webhook-endpoint-rate: expected attempts per second between 0 and 1000000, e.g. 10");
  }
  if (c.webhook_endpoint_burst < 1 || c.webhook_endpoint_burst > 10000) {
    return absl::InvalidArgumentError("--webhook-endpoint-burst: must be between 1 and 10000");
  }
  if (!c.secrets_key_file.empty()) {
    ASSIGN_OR_RETURN(SecretKeyring keyring, SecretKeyring::Load(c.secrets_key_file));
    c.secrets_keyring = std::make_shared<const SecretKeyring>(std::move(keyring));
  } else if (c.reencrypt_secrets) {
    return absl::InvalidArgumentError("--reencrypt-secrets: needs --secrets-key-file");
  }
  if (c.cloudevents_source.empty()) {
    return absl::InvalidArgumentError("--cloudevents-source: must not be empty");
  }
  return c;
}

absl::StatusOr<Config> ParseConfig(int argc, char** argv) {
  return ParseConfig(FlagSet::MainArgs(argc, argv), FlagSet::BulletinEnvironment());
}

}  // namespace bulletin::notify
