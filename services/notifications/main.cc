// bulletin-notifications: flags, wiring, server start and a clean shutdown. The only
// untested file; everything it wires is tested in services/notifications/tests/.
#include <cstdio>
#include <memory>

#include "common/base/log.h"
#include "common/grpc/server.h"
#include "services/notifications/config.h"
#include "services/notifications/notification_service.h"
#include "services/notifications/redis_subscription_store.h"

int main(int argc, char** argv) {
  using namespace bulletin;
  using namespace bulletin::notify;
  BlockShutdownSignals();
  absl::StatusOr<Config> config = ParseCommandLine(argc, argv);
  if (!config.ok()) {
    std::fprintf(stderr, "bulletin-notifications: %s\n", std::string(config.status().message()).c_str());
    return 2;
  }
  if (config->help) {
    std::fputs(config->usage.c_str(), stdout);
    return 0;
  }
  if (absl::Status s = InitLogging("notifications", config->log_format, config->log_level);
      !s.ok()) {
    std::fprintf(stderr, "bulletin-notifications: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  TokenStore tokens;
  if (!config->auth_tokens_file.empty()) {
    absl::StatusOr<TokenStore> loaded = TokenStore::LoadFile(config->auth_tokens_file);
    if (!loaded.ok()) {
      std::fprintf(stderr, "bulletin-notifications: %s\n",
                   std::string(loaded.status().message()).c_str());
      return 2;
    }
    tokens = std::move(*loaded);
  } else {
    Logger()->warn("no --auth-tokens-file: every call will be UNAUTHENTICATED");
  }

  RedisClient redis(config->redis);
  RedisSubscriptionStore store(&redis);
  SubscriptionCore core(&store, {config->allow_private_webhooks});
  StreamOptions stream_options;
  stream_options.heartbeat_interval = config->heartbeat_interval;
  stream_options.queue_limit = static_cast<size_t>(config->stream_queue_limit);
  StreamManager streams(&core, &store, &redis, stream_options);
  core.SetDeleteListener([&streams](const std::string& id) { streams.EndSubscription(id); });
  WorkerPool pool(static_cast<int>(config->worker_threads), 1024);
  NotificationService service(&core, &streams, &tokens, &pool);

  absl::StatusOr<std::unique_ptr<GrpcServer>> server = GrpcServer::Start(
      config->server, {{"bulletin.notify.v1.NotificationService", &service}});
  if (!server.ok()) {
    std::fprintf(stderr, "bulletin-notifications: %s\n",
                 std::string(server.status().message()).c_str());
    return 2;
  }
  // Health follows Redis: NOT_SERVING while the event stream cannot be read.
  absl::Mutex health_mu;
  bool stopping = false;
  streams.Start([&](bool healthy) {
    absl::MutexLock lock(&health_mu);
    if (!stopping) (*server)->SetServing(healthy);
  });

  int sig = WaitForShutdownSignal();
  Logger()->info("signal {}: shutting down", sig);
  {
    absl::MutexLock lock(&health_mu);
    stopping = true;
    (*server)->SetServing(false);
  }
  streams.Shutdown();    // final heartbeats; streams end with UNAVAILABLE
  (*server)->Shutdown();  // drain
  streams.Stop();        // last cursors, threads joined
  Logger()->info("stopped");
  return 0;
}
