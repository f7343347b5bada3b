// Kill drills (CTest label `fault`): the three real binaries and a real redis-server on
// loopback, a bounded load of publishes (editor) and views (frontend), and a partner
// subscribed by a webhook (a local HTTP receiver) and by a Subscribe stream that resumes
// with its last resume token whenever it breaks (the load and checks: drill_load.h). Each drill
// SIGKILLs one process by PID (content, analytics, notifications or redis-server) under that load
// and restarts it on the same port and data, as a supervisor would, then asserts: every service
// SERVING within 5 s of the restart, no acknowledged write lost, every acknowledged publish on both
// the webhook and the stream (repeats only as the same event_id), and view totals exact.
// Redis runs with appendfsync always here, so Redis itself loses no acknowledged write
// and any loss found is Bulletin's.
#include <gtest/gtest.h>

#include <functional>
#include <iostream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/drill_load.h"

namespace bulletin::testing {
namespace {

// The budget the issue sets for a restarted service (or every service after a Redis
// restart) to answer SERVING.
constexpr absl::Duration kServingBudget = absl::Seconds(5);

class FaultDrillTest : public DrillTest {
 protected:
  void SetUp() override {
    SystemOptions options;
    options.redis_fsync_always = true;
    // Stable consumer names, so a restarted process takes up its own pending entries;
    // short webhook retries and claim times, so the drill settles in seconds.
    options.extra_flags[Service::kAnalytics] = {"--consumer-name=drill-analytics"};
    options.extra_flags[Service::kNotifications] = {
        "--allow-private-webhooks",
        "--replica-id=drill-notifications",
        "--retry-schedule=500ms,1s,1s,1s,1s,1s,1s,1s,1s,1s",
        "--webhook-connect-timeout=1s",
        "--webhook-timeout=2s",
        "--claim-idle=2s"};
    absl::Status s = system_.Start(options);
    ASSERT_TRUE(s.ok()) << s;
    StartPartner(3);
  }

  // Runs the load for 2 s, then lets `kill` strike right after a publish is acknowledged
  // (its event is then on its way through the outbox, the stream and the webhook sender),
  // keeps the process down 300 ms (a supervisor's restart delay), runs `restart`, and
  // asserts that `waited_for` (the restarted service, or all after a Redis restart)
  // answer SERVING within 5 s; runs the load 3 s more, stops it, and asserts that every
  // service still answers SERVING and every write of the load was answered.
  void Drill(const std::string& name, const std::function<void()>& kill,
             const std::function<absl::Status()>& restart, std::vector<Service> waited_for) {
    StartLoad(name);
    kill();
    absl::SleepFor(absl::Milliseconds(300));
    absl::Status s = restart();
    ASSERT_TRUE(s.ok()) << s;
    for (Service service : waited_for) {
      absl::StatusOr<absl::Duration> took = system_.WaitServing(service, kServingBudget);
      ASSERT_TRUE(took.ok()) << took.status();
      std::cout << "[drill " << name << "] " << BinaryName(service) << " SERVING "
                << absl::FormatDuration(*took) << " after the restart" << std::endl;
      RecordProperty(absl::StrCat(BinaryName(service), "_serving_ms"),
                     static_cast<int>(absl::ToInt64Milliseconds(*took)));
    }
    absl::SleepFor(absl::Seconds(3));
    load_->Stop();
    for (Service service : kAllServices) {
      EXPECT_TRUE(IsServing(system_.addr(service)))
          << BinaryName(service) << " not SERVING after the " << name << " drill";
    }
    StopLoad(name);
  }

  // Redis runs with appendfsync always: nothing acknowledged may be lost. All-time totals
  // are written before RecordView answers OK (exact at once); the buckets and the site's
  // counter trail them by the flush interval.
  void ExpectNothingLost() {
    if (HasFatalFailure()) return;
    ExpectNoAcknowledgedWriteLost();
    ExpectNoPublishedEventLost();
    ExpectArticleTotals(0, absl::ZeroDuration());
    ExpectTimeBucketsAndSiteCounters(0);
  }
};

TEST_F(FaultDrillTest, SigkillContent) {
  Drill(
      "content", [&] { system_.Kill(Service::kContent); },
      [&] { return system_.Restart(Service::kContent); }, {Service::kContent});
  ExpectNothingLost();
}

TEST_F(FaultDrillTest, SigkillAnalytics) {
  Drill(
      "analytics", [&] { system_.Kill(Service::kAnalytics); },
      [&] { return system_.Restart(Service::kAnalytics); }, {Service::kAnalytics});
  ExpectNothingLost();
}

TEST_F(FaultDrillTest, SigkillNotifications) {
  Drill(
      "notifications", [&] { system_.Kill(Service::kNotifications); },
      [&] { return system_.Restart(Service::kNotifications); }, {Service::kNotifications});
  ExpectNothingLost();
}

TEST_F(FaultDrillTest, SigkillRedis) {
  Drill(
      "redis", [&] { system_.KillRedis(); }, [&] { return system_.RestartRedis(); },
      {Service::kContent, Service::kAnalytics, Service::kNotifications});
  ExpectNothingLost();
}

}  // namespace
}  // namespace bulletin::testing
