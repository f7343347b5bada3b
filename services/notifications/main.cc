// bulletin-notifications: configuration (config.h) and wiring; the shared ServiceRunner
// serves, keeps health (NOT_SERVING while the event stream cannot be read) and drains.
// Everything it wires is tested in services/notifications/tests/.
#include <cstdio>
#include <memory>

#include "common/base/log.h"
#include "common/grpc/server.h"
#include "common/service/runner.h"
#include "common/service/service_flags.h"
#include "services/notifications/config.h"
#include "services/notifications/core/deliveries/delivery_scheduler.h"
#include "services/notifications/core/deliveries/delivery_worker.h"
#include "services/notifications/events/redis_event_log.h"
#include "services/notifications/events/webhook_consumer.h"
#include "services/notifications/grpc/notification_service.h"
#include "services/notifications/store/redis/redis_delivery_store.h"
#include "services/notifications/store/redis/redis_subscription_store.h"
#include "services/notifications/webhook/http_client.h"

namespace {

// --reencrypt-secrets: one pass over every subscription, then exit.
int ReencryptSecrets(bulletin::notify::RedisSubscriptionStore& store) {
  absl::StatusOr<int> changed = store.ReencryptSecrets();
  if (!changed.ok()) return bulletin::StartupError("bulletin-notifications", changed.status());
  std::printf("re-encrypted the signing secrets of %d subscriptions\n", *changed);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace bulletin;
  using namespace bulletin::notify;
  BlockShutdownSignals();
  absl::StatusOr<Config> config = ParseConfig(argc, argv);
  if (!config.ok()) return StartupError("bulletin-notifications", config.status());
  if (config->help) {
    std::fputs(config->usage.c_str(), stdout);
    return 0;
  }
  ServiceRunner runner("notifications", config->service);
  if (absl::Status s = runner.Init(); !s.ok()) {
    return StartupError("bulletin-notifications", s);
  }

  RedisClient redis(config->service.redis_options);
  RedisSubscriptionStore store(redis, config->secrets_keyring.get());
  if (config->reencrypt_secrets) return ReencryptSecrets(store);
  if (!config->secrets_keyring) {
    Logger()->warn(
        "webhook signing secrets are stored in Redis in plaintext: set "
        "--secrets-key-file to encrypt them (docs/operations.md)");
  }
  SubscriptionCoreOptions core_options(config->allow_private_webhooks);
  core_options.token_key = config->token_key;
  core_options.max_subscriptions_per_owner =
      static_cast<int>(config->max_subscriptions_per_partner);
  SubscriptionCore core(store, core_options);
  StreamOptions stream_options;
  stream_options.heartbeat_interval = config->heartbeat_interval;
  stream_options.queue_limit = static_cast<size_t>(config->stream_queue_limit);
  stream_options.max_streams_per_partner = static_cast<int>(config->max_streams_per_partner);
  RedisEventLog log(redis);
  StreamManager streams(core, store, log, stream_options);
  core.SetDeleteListener([&streams](const std::string& id) { streams.EndSubscription(id); });

  RedisDeliveryStore deliveries(redis);
  DeliveryWorkerOptions worker_options;
  worker_options.retry_schedule = config->retry_schedule;
  worker_options.disable_after = config->disable_after;
  worker_options.concurrency = static_cast<int>(config->webhook_concurrency);
  worker_options.source = config->cloudevents_source;
  worker_options.endpoint_rate_per_second = config->webhook_endpoint_rate;
  worker_options.endpoint_burst = static_cast<double>(config->webhook_endpoint_burst);
  HttpClient http(
      {config->webhook_connect_timeout, config->webhook_timeout, config->allow_private_webhooks});
  DeliveryWorker worker(deliveries, store, core, http, worker_options);
  core.SetResumeListener([&deliveries, &worker](const std::string& id) {
    if (absl::Status s = deliveries.ReleaseHeld(id, absl::Now()); !s.ok()) {
      Logger()->warn("releasing held deliveries of {}: {}", id, s.ToString());
    }
    worker.Nudge();
  });
  ConsumerOptions consumer_options;
  consumer_options.group = config->consumer_group;
  consumer_options.consumer = config->replica_id;
  consumer_options.claim_idle = config->claim_idle;
  DeliveryScheduler scheduler(store, deliveries);
  WebhookConsumer consumer(redis, scheduler, consumer_options, [&worker] { worker.Nudge(); });
  DeliveryCore delivery_core(
      core, deliveries, worker,
      {config->redeliver_rate, static_cast<double>(config->redeliver_burst)});

  WorkerPool pool(static_cast<int>(config->service.worker_threads), 1024);
  NotificationService service(core, delivery_core, streams, config->service.tokens, pool);

  // Stopped after the drain in reverse order: the consumer first (unacknowledged events
  // stay pending for the next start), then the worker (attempts in flight finish, bounded
  // by the webhook timeout), then the streams (last cursors, threads joined).
  streams.Start([&runner](bool healthy) { runner.ReportHealth("redis", healthy); });
  runner.AtShutdown([&streams] { streams.Stop(); });
  worker.Start();
  runner.AtShutdown([&worker] { worker.Stop(); });
  consumer.Start();
  runner.AtShutdown([&consumer] { consumer.Stop(); });
  runner.BeforeDrain([&streams] { streams.Shutdown(); });  // final heartbeats, UNAVAILABLE
  return runner.Serve({&service});
}
