// The webhook sender of this replica: one thread that leases due deliveries from the
// DeliveryStore, POSTs them through a WebhookTransport and records each attempt with its
// outcome. Leases keep two replicas from sending the same attempt at once; a replica that
// dies mid-attempt leaves a lease that runs out, and the attempt is made again
// (at-least-once). Thread-safe.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/base/token_bucket.h"
#include "services/notifications/core/deliveries/delivery_store.h"
#include "services/notifications/core/deliveries/retry_policy.h"
#include "services/notifications/core/deliveries/webhook_transport.h"
#include "services/notifications/core/subscriptions/subscription_core.h"

namespace bulletin::notify {

struct DeliveryWorkerOptions {
  std::vector<absl::Duration> retry_schedule;          // --retry-schedule
  absl::Duration disable_after = absl::Hours(24 * 5);  // --disable-after
  int concurrency = 64;                                // --webhook-concurrency
  std::string source = "//bulletin/content";           // --cloudevents-source
  absl::Duration poll_interval = absl::Milliseconds(100);
  // --webhook-endpoint-rate / --webhook-endpoint-burst: attempts per second to one webhook
  // URL from this replica, and how many may go at once; rate 0: unlimited.
  double endpoint_rate_per_second = 10;
  double endpoint_burst = 20;
  // How long a claimed delivery stays this sender's without a renewal. The worker renews
  // the leases of its attempts in flight every quarter of it, so a slow endpoint keeps its
  // sender while a sender that died gives its deliveries up within `lease`. Keep it above
  // the 5 s a finished attempt's record is retried (tests shorten it).
  absl::Duration lease = absl::Seconds(7);
};

// Outcomes: 2xx succeeded; 410 Gone dead-letters the delivery and disables the
// subscription; anything else is retried on the RetryPolicy (429/503 honour Retry-After)
// and dead-lettered after the last attempt; an endpoint failing for longer than
// `disable_after` disables its subscription. Deliveries of a PAUSED subscription are held,
// of a DISABLED one dead-lettered, of a deleted one removed. An endpoint (webhook URL) gets
// at most endpoint_rate_per_second attempts: the others wait in the queue (Postpone), not
// dropped and not counted as failures. Test pings are not queued, so not limited here.
class DeliveryWorker {
 public:
  // The collaborators must outlive the worker; `transport` is used by the worker's thread
  // only (and Wakeup from others).
  DeliveryWorker(DeliveryStore& deliveries, SubscriptionStore& subscriptions,
                 SubscriptionCore& core, WebhookTransport& transport,
                 DeliveryWorkerOptions options);
  ~DeliveryWorker();

  void Start();
  // Stops claiming, lets the attempts in flight finish (up to the webhook timeouts),
  // joins the thread.
  void Stop();

  // New deliveries were scheduled: look now instead of at the next poll.
  void Nudge();

  // Sends the stored test delivery `key` (leased with `token`) to `sub`'s webhook once
  // and waits for the attempt. UNAVAILABLE when the worker is not running.
  absl::Status SendTest(const Subscription& sub, const DeliveryKey& key, const std::string& token);

  // The longest a test attempt can take.
  absl::Duration max_attempt_time() const;

 private:
  struct InFlight {
    DeliveryKey key;
    std::string token;
    std::string url;
    absl::Time start;
    int attempt_count = 0;
    std::shared_ptr<absl::Notification> done;  // test deliveries
  };
  struct Job {
    InFlight flight;
    HttpRequest request;
  };

  void Run();
  void Begin(const LeasedDelivery& leased);
  // Records an outcome without an HTTP attempt (why in `error`).
  void Skip(const LeasedDelivery& leased, const Delivery& d, DeliveryState state,
            const std::string& error);
  void Finish(InFlight flight, const HttpResponse& response);
  void Post(InFlight flight, HttpRequest request);
  // Keeps the leases of the attempts in flight for another options_.lease.
  void RenewLeases();
  // Zero when an attempt to `url` may go now (a token is taken), else how long the delivery
  // waits: later ones of the same claim pass are spread one token interval apart.
  absl::Duration EndpointWait(const std::string& url, absl::Time now);

  DeliveryStore& deliveries_;
  SubscriptionStore& subscriptions_;
  SubscriptionCore& core_;
  WebhookTransport& transport_;
  const DeliveryWorkerOptions options_;
  const RetryPolicy policy_;
  std::thread thread_;
  TokenBucketSet endpoint_rate_;            // per webhook URL
  std::map<std::string, int> waiting_;      // per URL, in this claim pass; worker thread only
  std::map<uint64_t, InFlight> in_flight_;  // worker thread only
  absl::Time secrets_warned_ = absl::InfinitePast();  // worker thread only
  uint64_t next_tag_ = 1;                             // worker thread only
  std::atomic<bool> nudged_{false};

  absl::Mutex mu_;
  std::vector<Job> jobs_ ABSL_GUARDED_BY(mu_);  // test sends from other threads
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace bulletin::notify
