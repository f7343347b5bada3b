// bulletin-notifications: flags, wiring, server start and a clean shutdown. The only
// untested file; everything it wires is tested in services/notifications/tests/.
#include <cstdio>
#include <memory>

#include "common/base/log.h"
#include "common/grpc/server.h"
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
  absl::StatusOr<std::unique_ptr<metrics::HttpEndpoint>> metrics =
      StartService("notifications", config->service);
  if (!metrics.ok()) return StartupError("bulletin-notifications", metrics.status());

  RedisClient redis(config->service.redis_options);
  RedisSubscriptionStore store(redis);
  SubscriptionCore core(store, {config->allow_private_webhooks});
  StreamOptions stream_options;
  stream_options.heartbeat_interval = config->heartbeat_interval;
  stream_options.queue_limit = static_cast<size_t>(config->stream_queue_limit);
  RedisEventLog log(redis);
  StreamManager streams(core, store, log, stream_options);
  core.SetDeleteListener([&streams](const std::string& id) { streams.EndSubscription(id); });

  RedisDeliveryStore deliveries(redis);
  DeliveryWorkerOptions worker_options;
  worker_options.retry_schedule = config->retry_schedule;
  worker_options.disable_after = config->disable_after;
  worker_options.concurrency = static_cast<int>(config->webhook_concurrency);
  worker_options.source = config->cloudevents_source;
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
  DeliveryCore delivery_core(core, deliveries, worker);

  WorkerPool pool(static_cast<int>(config->service.worker_threads), 1024);
  NotificationService service(core, delivery_core, streams, config->service.tokens, pool);

  absl::StatusOr<std::unique_ptr<GrpcServer>> server = GrpcServer::Start(
      config->service.server, {{"bulletin.notify.v1.NotificationService", &service}});
  if (!server.ok()) return StartupError("bulletin-notifications", server.status());
  // Health follows Redis: NOT_SERVING while the event stream cannot be read.
  absl::Mutex health_mu;
  bool stopping = false;
  metrics::Gauge& redis_up =
      metrics::Registry::Default()
          .AddGauge("bulletin_redis_up", "1 while the event stream in Redis can be read, else 0.")
          .Get();
  streams.Start([&](bool healthy) {
    redis_up.Set(healthy ? 1 : 0);
    absl::MutexLock lock(&health_mu);
    if (!stopping) (*server)->SetServing(healthy);
  });

  worker.Start();
  consumer.Start();

  int sig = WaitForShutdownSignal();
  Logger()->info("signal {}: shutting down", sig);
  {
    absl::MutexLock lock(&health_mu);
    stopping = true;
    (*server)->SetServing(false);
  }
  streams.Shutdown();     // final heartbeats; streams end with UNAVAILABLE
  (*server)->Shutdown();  // drain
  consumer.Stop();        // unacknowledged events stay pending for the next start
  worker.Stop();          // attempts in flight finish (bounded by the webhook timeout)
  streams.Stop();         // last cursors, threads joined
  Logger()->info("stopped");
  return 0;
}
