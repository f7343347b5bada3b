// Failover drills on a Redis Cluster (CTest label `redis-cluster`): a 3 + 3 node cluster,
// content on PostgreSQL and two replicas of every service, under a bounded load of
// publishes (a partner subscribed by webhook and by a Subscribe stream) and views with
// request ids (most of them of one busy article). Three drills, one after the other on one
// System: (1) SIGKILL of the master that owns {bulletin} (the event stream): its replica
// takes over; (2) SIGKILL of the master that owns the busy article's counters; (3) SIGKILL
// of one replica of each service. A killed Redis node is restarted (it rejoins as a
// replica) and a killed service replica restarted, as a supervisor would. After each:
// every publish on the webhook (repeats only under the same webhook-id) and on the stream,
// a resume from the token held at the kill replays the rest without a gap, every service
// recovered within 10 s (measured and printed), and the view totals within the loss the
// README states. The load and checks are drill_load.h's.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/redis/keys.h"
#include "tests/drill_load.h"

namespace bulletin::testing {
namespace {

namespace ev1 = ::bulletin::events::v1;
namespace nv1 = ::bulletin::notify::v1;

// The budget for every service to recover from a drill.
constexpr absl::Duration kRecoveryBudget = absl::Seconds(10);
// README.md (the durability paragraph): the acknowledged views one failover may lose at
// this load.
constexpr int64_t kStatedViewLossPerFailover = 50;
// The lease of a webhook attempt (DeliveryWorkerOptions::lease: 7 s, renewed while the
// attempt is in flight), and 2 s for the next claim and the POST: within the budget.
constexpr absl::Duration kLeaseBound = absl::Seconds(7 + 2);
static_assert(kLeaseBound < kRecoveryBudget);
// How long the load runs after the kill (it spans the recovery).
constexpr absl::Duration kLoadAfterKill = absl::Seconds(6);

// Polls the health of every replica of every service every 100 ms and keeps, per
// service, the last time one of its replicas did not answer SERVING.
class HealthMonitor {
 public:
  explicit HealthMonitor(const System& system) {
    for (Service service : kAllServices) {
      for (int r = 0; r < system.replicas(service); ++r) {
        addrs_.push_back({service, system.addr(service, r)});
      }
    }
    thread_ = std::thread([this] {
      while (!stop_.load()) {
        for (const auto& [service, addr] : addrs_) {
          if (IsServing(addr)) continue;
          absl::MutexLock lock(&mu_);
          last_down_[service] = absl::Now();
        }
        absl::SleepFor(absl::Milliseconds(100));
      }
    });
  }
  ~HealthMonitor() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // How long after `from` a replica of `service` was last seen not SERVING (zero: never).
  absl::Duration Outage(Service service, absl::Time from) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    auto it = last_down_.find(service);
    return it == last_down_.end() ? absl::ZeroDuration()
                                  : std::max(absl::ZeroDuration(), it->second - from);
  }

 private:
  std::vector<std::pair<Service, std::string>> addrs_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  absl::Mutex mu_;
  std::map<Service, absl::Time> last_down_ ABSL_GUARDED_BY(mu_);
};

// The longest time without an acknowledgement from the last one before `from` until `to`.
absl::Duration LongestStall(std::vector<absl::Time> acks, absl::Time from, absl::Time to) {
  std::sort(acks.begin(), acks.end());
  absl::Time previous = from;
  for (absl::Time at : acks) {
    if (at <= from) previous = at;
  }
  absl::Duration longest = absl::ZeroDuration();
  for (absl::Time at : acks) {
    if (at <= from || at > to) continue;
    longest = std::max(longest, at - previous);
    previous = at;
  }
  return std::max(longest, to - previous);
}

class ClusterDrillTest : public DrillTest {
 protected:
  void SetUp() override {
    SystemOptions options;
    options.redis_cluster = true;
    options.content_on_postgres = true;
    for (Service service : kAllServices) options.replicas[service] = 2;
    // Short webhook retries and claim times, so the drill settles in seconds.
    options.extra_flags[Service::kNotifications] = {
        "--allow-private-webhooks", "--retry-schedule=500ms,1s,1s,1s,1s,1s,1s,1s,1s,1s",
        "--webhook-connect-timeout=1s", "--webhook-timeout=2s", "--claim-idle=2s"};
    absl::Status s = system_.Start(options);
    ASSERT_TRUE(s.ok()) << s;
    StartPartner(2);
    if (HasFatalFailure()) return;
    // The busy article: one whose counters are not on {bulletin}'s master, so the two
    // Redis drills kill different masters.
    absl::StatusOr<int> site_master = system_.MasterOf(keys::kEventStream);
    ASSERT_TRUE(site_master.ok()) << site_master.status();
    for (int i = 0; busy_.empty() && i < 20; ++i) {
      const std::string id = PublishTarget(absl::StrCat("Busy article ", i));
      absl::StatusOr<int> master = system_.MasterOf(keys::ArticlePrefix(id));
      ASSERT_TRUE(master.ok()) << master.status();
      if (*master != *site_master) busy_ = id;
    }
    ASSERT_FALSE(busy_.empty());
    // Three views in five go to the busy article.
    weighted_ = {busy_, busy_, busy_, view_targets_[0], view_targets_[1]};
  }

  // Runs the load 2 s, then `strike` (which kills and brings back what it killed, and
  // returns how long what it waited for took), runs the load until kLoadAfterKill after
  // the kill, and checks.
  void Drill(const std::string& name, const std::function<absl::Status()>& strike,
             bool notifications_killed = false) {
    LoadLimits limits;
    limits.max_articles = 80;
    limits.max_views = 4000;
    StartLoad(name, weighted_, limits);
    const auto [received_before, token] = subscriber_->Position();
    HealthMonitor health(system_);
    const absl::Time killed = absl::Now();
    absl::Status s = strike();
    ASSERT_TRUE(s.ok()) << s;
    absl::SleepFor(std::max(absl::Seconds(2), killed + kLoadAfterKill - absl::Now()));
    load_->Stop();
    const absl::Time stopped = absl::Now();
    health.Stop();
    for (Service service : kAllServices) {
      for (int r = 0; r < system_.replicas(service); ++r) {
        EXPECT_TRUE(IsServing(system_.addr(service, r)))
            << BinaryName(service) << " replica " << r << " not SERVING after the " << name
            << " drill";
      }
    }
    StopLoad(name);
    ExpectNoAcknowledgedWriteLost();
    ExpectNoPublishedEventLost();
    ExpectResumeReplaysTheRest(name, received_before, token);

    // Recovery: content's and analytics' longest time without an acknowledged write of
    // the load, notifications' longest delay of a publish to both webhook and stream, and
    // for each the time until every replica answered SERVING again.
    const absl::Duration event_delay = LongestEventDelay(killed, stopped);
    // Publishes of the second before the kill: their deliveries were under way.
    const absl::Duration in_flight_delay = LongestEventDelay(killed - absl::Seconds(1), killed);
    const std::map<Service, absl::Duration> load_recovery = {
        {Service::kContent, LongestStall(acked_.PublishAcks(), killed, stopped)},
        {Service::kAnalytics, LongestStall(acked_.view_acks, killed, stopped)},
        {Service::kNotifications,
         notifications_killed ? event_delay : std::max(event_delay, in_flight_delay)}};
    for (Service service : kAllServices) {
      const absl::Duration serving = health.Outage(service, killed);
      const absl::Duration recovered = std::max(serving, load_recovery.at(service));
      std::cout << "[drill " << name << "] " << BinaryName(service) << " recovered in "
                << absl::FormatDuration(recovered) << " (every replica SERVING after "
                << absl::FormatDuration(serving) << "; "
                << (service == Service::kNotifications ? "longest publish-to-partner delay "
                                                       : "longest time without an ack ")
                << absl::FormatDuration(load_recovery.at(service)) << ")" << std::endl;
      RecordProperty(absl::StrCat(name, "_", BinaryName(service), "_recovery_ms"),
                     static_cast<int>(absl::ToInt64Milliseconds(recovered)));
      EXPECT_LT(recovered, kRecoveryBudget)
          << BinaryName(service) << " after the " << name << " drill";
    }
    if (notifications_killed) {
      // A webhook attempt in flight on the killed replica is made again once its lease
      // runs out (7 s: the killed sender no longer renews it).
      std::cout << "[drill " << name << "] publishes of the second before the kill on both "
                << "webhook and stream within " << absl::FormatDuration(in_flight_delay)
                << " (an attempt the killed replica had leased waits out its lease, at most "
                << absl::FormatDuration(kLeaseBound) << ")" << std::endl;
      EXPECT_LT(in_flight_delay, kLeaseBound);
    }
    ExpectArticleTotals(kStatedViewLossPerFailover * redis_failovers_, absl::Seconds(5));
    ExpectTimeBucketsAndSiteCounters(kStatedViewLossPerFailover * redis_failovers_);
  }

  // Kills the Redis master that owns `key`, waits for its replica to take over, and
  // restarts the killed node (it rejoins as a replica).
  absl::Status KillMasterOf(const std::string& name, const std::string& key) {
    ++redis_failovers_;
    absl::StatusOr<int> master = system_.MasterOf(key);
    if (!master.ok()) return master.status();
    const pid_t pid = system_.cluster().pid(*master);
    const absl::Time killed = absl::Now();
    if (absl::StatusOr<int> k = system_.KillMasterOf(key); !k.ok() || *k != *master) {
      return absl::InternalError("the master moved before the kill");
    }
    absl::StatusOr<int> promoted = system_.WaitFailover(key, *master, absl::Seconds(15));
    if (!promoted.ok()) return promoted.status();
    std::cout << "[drill " << name << "] SIGKILL redis node " << *master << " (pid " << pid
              << ", master of " << key << "); node " << *promoted << " master after "
              << absl::FormatDuration(absl::Now() - killed) << std::endl;
    return system_.RestartRedisNode(*master);
  }

  // The longest time from an acknowledged publish (in [from, to)) to its event being on
  // both the webhook and the stream.
  absl::Duration LongestEventDelay(absl::Time from, absl::Time to) {
    auto first_arrivals = [](const std::vector<Received>& events) {
      std::map<std::string, absl::Time> first;
      for (const Received& r : events) {
        if (r.type != ev1::ARTICLE_EVENT_TYPE_PUBLISHED) continue;
        first.emplace(r.article_id, r.at);
      }
      return first;
    };
    const std::map<std::string, absl::Time> hooks = first_arrivals(webhooks_.events());
    const std::map<std::string, absl::Time> stream = first_arrivals(subscriber_->events());
    absl::Duration longest = absl::ZeroDuration();
    for (const auto& [id, acked] : acked_.published_at) {
      if (acked < from || acked >= to) continue;
      auto h = hooks.find(id);
      auto s = stream.find(id);
      if (h == hooks.end() || s == stream.end()) continue;  // reported as lost
      longest = std::max(longest, std::max(h->second, s->second) - acked);
    }
    return longest;
  }

  // A new Subscribe stream on the second notifications replica, resumed from the token
  // the partner held at the kill, replays every event the partner received after it.
  void ExpectResumeReplaysTheRest(const std::string& name, size_t received_before,
                                  const std::string& token) {
    ASSERT_FALSE(token.empty()) << "the partner had no resume token at the kill";
    const std::vector<Received> received = subscriber_->events();
    std::set<std::string> expected;
    for (size_t i = received_before; i < received.size(); ++i) {
      expected.insert(received[i].event_id);
    }
    std::set<std::string> replayed;
    std::unique_ptr<grpc::ClientContext> context = Context(kPartnerToken, absl::Seconds(15));
    nv1::SubscribeRequest request;
    request.set_subscription_id(subscription_id_);
    request.set_resume_token(token);
    auto reader = system_.Notify(1)->Subscribe(context.get(), request);
    nv1::SubscribeResponse message;
    while (reader->Read(&message)) {
      if (!message.has_event()) continue;
      replayed.insert(message.event().event().event_id());
      if (std::includes(replayed.begin(), replayed.end(), expected.begin(), expected.end())) {
        context->TryCancel();
      }
    }
    std::vector<std::string> gap;
    std::set_difference(expected.begin(), expected.end(), replayed.begin(), replayed.end(),
                        std::back_inserter(gap));
    std::cout << "[drill " << name << "] resume from the token held at the kill replayed "
              << replayed.size() << " events; " << expected.size() << " received after it; missing "
              << gap.size() << std::endl;
    EXPECT_FALSE(expected.empty()) << "no event after the kill";
    EXPECT_TRUE(gap.empty()) << "a resume from the token held at the kill misses "
                             << absl::StrJoin(gap, ", ");
  }

  std::string busy_;
  std::vector<std::string> weighted_;
  int redis_failovers_ = 0;
};

TEST_F(ClusterDrillTest, FailoversUnderLoad) {
  Drill("bulletin-master", [&] { return KillMasterOf("bulletin-master", keys::kEventStream); });
  if (HasFatalFailure()) return;
  Drill("article-master",
        [&] { return KillMasterOf("article-master", keys::ArticlePrefix(busy_)); });
  if (HasFatalFailure()) return;
  Drill(
      "service-replicas",
      [&]() -> absl::Status {
        for (Service service : kAllServices) {
          std::cout << "[drill service-replicas] SIGKILL " << BinaryName(service)
                    << " replica 0 (pid " << system_.pid(service, 0) << ")" << std::endl;
          system_.Kill(service, 0);
        }
        absl::SleepFor(absl::Milliseconds(300));  // a supervisor's restart delay
        for (Service service : kAllServices) {
          if (absl::Status s = system_.Restart(service, 0); !s.ok()) return s;
        }
        for (Service service : kAllServices) {
          absl::StatusOr<absl::Duration> took =
              system_.WaitServing(service, kRecoveryBudget, /*replica=*/0);
          if (!took.ok()) return took.status();
          std::cout << "[drill service-replicas] " << BinaryName(service) << " replica 0 SERVING "
                    << absl::FormatDuration(*took) << " after its restart" << std::endl;
        }
        return absl::OkStatus();
      },
      /*notifications_killed=*/true);
}

}  // namespace
}  // namespace bulletin::testing
