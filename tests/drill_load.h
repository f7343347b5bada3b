// The load and the checks of the kill drills (fault_test, cluster_drill_test): an editor
// creating and publishing articles and a frontend recording views with request ids, every
// write retried with its request id (rotating over a service's replicas) until answered;
// a partner subscribed by a webhook (a local HTTP receiver, each arrival logged with its
// time) and by a Subscribe stream that resumes with its last resume token on the next
// notifications replica whenever it breaks; and the post-drill checks (no acknowledged
// write lost, every publish on the webhook and the stream, view totals within a stated
// loss). The load runs on its own threads; a fixture is driven by one test thread.
#pragma once

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/notifications/tests/http_receiver.h"
#include "tests/system.h"

namespace bulletin::testing {

// A channel that reconnects within a few hundred milliseconds of a server coming back
// (gRPC's default backoff waits 1 s, then longer), so the load resumes promptly.
std::shared_ptr<grpc::Channel> DrillChannel(const std::string& addr);

// One ArticleEvent as a partner received it, when, and (on the stream) its resume token.
struct Received {
  std::string event_id;
  std::string article_id;
  events::v1::ArticleEventType type = events::v1::ARTICLE_EVENT_TYPE_UNSPECIFIED;
  absl::Time at;
  std::string resume_token;
};

// The ArticleEvent inside a webhook's CloudEvents envelope, or nullopt. An event id that
// differs from the webhook-id header is marked, so the checks see two ids.
std::optional<Received> ParseWebhook(const notify::testing::ReceivedRequest& request);

// A partner's Subscribe stream that reconnects with the newest resume token it was given
// (by an event or a heartbeat) whenever the stream ends, on the next of `channels` (one
// per notifications replica), until Stop().
class ResumingSubscriber {
 public:
  ResumingSubscriber(std::vector<std::shared_ptr<grpc::Channel>> channels,
                     std::string subscription_id);
  ~ResumingSubscriber() { Stop(); }

  void Stop() ABSL_LOCKS_EXCLUDED(mu_);
  std::vector<Received> events() ABSL_LOCKS_EXCLUDED(mu_);
  // The newest resume token (empty before the first event or heartbeat).
  std::string resume_token() ABSL_LOCKS_EXCLUDED(mu_);
  // How many events were received so far and the newest resume token, read together: a
  // resume from that token must replay every event received after that many.
  std::pair<size_t, std::string> Position() ABSL_LOCKS_EXCLUDED(mu_);
  // How many streams broke, and how the first few ended (code and message).
  int break_count() ABSL_LOCKS_EXCLUDED(mu_);
  std::vector<std::string> first_breaks() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);

  std::vector<std::unique_ptr<notify::v1::NotificationService::Stub>> stubs_;
  const std::string subscription_id_;
  std::thread thread_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::string resume_token_ ABSL_GUARDED_BY(mu_);
  std::vector<Received> events_ ABSL_GUARDED_BY(mu_);
  int break_count_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::string> first_breaks_ ABSL_GUARDED_BY(mu_);
};

// What the load was told. "Acknowledged" means the call answered OK.
struct Acknowledged {
  std::set<std::string> created;                   // CreateArticle OK
  std::set<std::string> published;                 // PublishArticle OK
  std::set<std::string> published_earlier;         // FAILED_PRECONDITION after a failed attempt
  std::set<std::string> publish_unresolved;        // created, publish never answered
  std::map<std::string, absl::Time> published_at;  // when each publish was answered
  std::map<std::string, int64_t> views;            // RecordView OK and counted, per article
  std::vector<absl::Time> view_acks;               // when each counted view was answered
  int64_t views_not_counted = 0;                   // OK with counted = false, another reason
  int64_t views_queued = 0;                        // OK with queued = true (Redis was down)
  int64_t views_by_failed_attempt = 0;             // DUPLICATE_REQUEST: an earlier try counted
  int64_t views_unresolved = 0;                    // no OK within the resolve deadline
  int64_t creates_unresolved = 0;

  // Adds another load's acknowledgements (the drills of one test run several loads).
  void Merge(const Acknowledged& other);
  int64_t TotalViews() const;
  // Publish answer times, sorted.
  std::vector<absl::Time> PublishAcks() const;
};

// Bounds of one load: at most this many writes of each kind, paced.
struct LoadLimits {
  int max_articles = 60;
  int max_views = 3000;
  absl::Duration article_pace = absl::Milliseconds(150);
  absl::Duration view_pace = absl::Milliseconds(4);
};

// Creates and publishes articles on one thread and records views (of `view_targets` in
// turn; repeat an id to weight it) on another, each write retried with its request_id
// until it is answered, so that every write ends acknowledged (or counted as
// unresolved). Calls go to the services' replicas in turn; a retry goes to the next one.
class Load {
 public:
  Load(System& system, std::vector<std::string> view_targets, std::string prefix,
       LoadLimits limits = {});
  ~Load() { Stop(); }

  void Start();
  void Stop();
  Acknowledged acknowledged() ABSL_LOCKS_EXCLUDED(mu_);
  int failed_attempts() const { return failed_attempts_.load(); }
  // Publishes answered OK so far.
  int published_count() const { return published_count_.load(); }

 private:
  void Publish() ABSL_LOCKS_EXCLUDED(mu_);
  void View() ABSL_LOCKS_EXCLUDED(mu_);

  std::vector<std::unique_ptr<content::v1::ContentService::Stub>> content_;
  std::vector<std::unique_ptr<analytics::v1::AnalyticsService::Stub>> analytics_;
  const std::vector<std::string> view_targets_;
  const std::string prefix_;
  const LoadLimits limits_;
  std::atomic<bool> stop_{false};
  std::atomic<int> failed_attempts_{0};
  std::atomic<int> published_count_{0};
  std::thread publisher_;
  std::thread viewer_;
  absl::Mutex mu_;
  Acknowledged acked_ ABSL_GUARDED_BY(mu_);
};

// Webhook arrivals, logged by the receiver's handler as they come.
class WebhookLog {
 public:
  void Add(const notify::testing::ReceivedRequest& request) ABSL_LOCKS_EXCLUDED(mu_);
  std::vector<Received> events() ABSL_LOCKS_EXCLUDED(mu_);
  int unparsable() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  absl::Mutex mu_;
  std::vector<Received> events_ ABSL_GUARDED_BY(mu_);
  int unparsable_ ABSL_GUARDED_BY(mu_) = 0;
};

// A fixture with a System, the partner (webhook and stream) and the checks; a drill test
// starts the System, calls StartPartner, creates view targets, runs loads and checks.
class DrillTest : public ::testing::Test {
 protected:
  void TearDown() override;

  // Subscribes the partner by webhook and by a Subscribe stream (on notifications replica
  // 0 first) and publishes `targets` articles for the views (their events count too).
  void StartPartner(int targets);
  // Creates and publishes an article through content replica 0; adds it to the expected
  // events and returns its id.
  std::string PublishTarget(const std::string& title);

  // Starts a load named `name` (its request ids' prefix) on `view_targets` (default: the
  // targets), runs it 2 s and until one more publish is acknowledged.
  void StartLoad(const std::string& name, std::vector<std::string> view_targets = {},
                 LoadLimits limits = {});
  // Stops the load, prints what it was told, adds that to acked_, and expects every
  // write answered.
  void StopLoad(const std::string& name);

  // Every acknowledged create is readable, in the state its last acknowledged call left.
  void ExpectNoAcknowledgedWriteLost();
  // Every acknowledged publish reaches the webhook and the stream under one event_id.
  void ExpectNoPublishedEventLost();
  // Each target's all-time total is the acknowledged counted views, less at most
  // `max_loss` (and never more), within `settle`.
  void ExpectArticleTotals(int64_t max_loss, absl::Duration settle);
  // The day and hour buckets and the site's counter of today, within `max_loss` of the
  // acknowledged views once flushed (waits five flush intervals).
  void ExpectTimeBucketsAndSiteCounters(int64_t max_loss);

  System system_;
  WebhookLog webhooks_;
  notify::testing::HttpReceiver receiver_{
      [this](const notify::testing::ReceivedRequest& request, int) {
        webhooks_.Add(request);
        return notify::testing::Reply();
      }};
  std::unique_ptr<content::v1::ContentService::Stub> content_;
  std::unique_ptr<analytics::v1::AnalyticsService::Stub> analytics_;
  std::unique_ptr<ResumingSubscriber> subscriber_;
  std::string subscription_id_;
  std::vector<std::string> view_targets_;
  std::unique_ptr<Load> load_;
  Acknowledged acked_;  // every load's, merged
  std::string day_at_start_;
};

}  // namespace bulletin::testing
