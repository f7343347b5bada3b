// Failover drills of RedisViewStore on a real 3 + 3 node Redis Cluster (label
// redis-cluster): under a steady load of counted views, SIGKILL the master that owns (1) the
// busy article's counters and journal, (2) the site-wide `{bulletin}` keys (top lists, fold
// markers). The store follows the promoted replica; what asynchronous replication had not
// shipped is lost, and the test prints how much (docs/operations.md states the figures).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/base/ids.h"
#include "common/redis/keys.h"
#include "common/redis/redis_client.h"
#include "common/redis/redis_slot.h"
#include "common/testing/redis_cluster.h"
#include "common/testing/status_matchers.h"
#include "services/analytics/store/redis/redis_view_store.h"
#include "services/analytics/store/redis/view_keys.h"

namespace bulletin::analytics {
namespace {

using ::bulletin::testing::RedisTestCluster;

struct DrillFigures {
  int64_t acked = 0;         // views the store answered as counted
  int64_t failed = 0;        // Record calls that failed (UNAVAILABLE: outcome unknown)
  int64_t acked_before = 0;  // counted views acknowledged before the kill
  absl::Duration failover;   // kill until the replica serves the slot
  absl::Duration longest_gap;
};

class ClusterFailoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(cluster_, RedisTestCluster::Start());
    redis_ = std::make_unique<RedisClient>(cluster_->options());
    // Flush the site-wide side every 100 ms, as a busy replica does.
    store_ = std::make_unique<RedisViewStore>(
        *redis_, RedisViewStoreOptions{absl::ZeroDuration(), absl::Milliseconds(100), ""});
  }

  // Records views of `article` (a new visitor each) until the master of `slot` was killed,
  // its replica promoted and a further second of views counted.
  DrillFigures Drill(const std::string& article, int slot) {
    DrillFigures f;
    std::atomic<bool> stop{false};
    std::atomic<int64_t> acked{0}, failed{0};
    absl::Mutex mu;
    absl::Duration longest_gap;
    std::thread load([&] {
      absl::Time last_ok = absl::Now();
      while (!stop.load()) {
        ResolvedView v{article, NewId(), NewId(), absl::Now()};
        absl::StatusOr<std::vector<RecordResult>> r = store_->Record({v}, absl::Now());
        if (r.ok() && r->front().counted) {
          ++acked;
          absl::MutexLock lock(&mu);
          longest_gap = std::max(longest_gap, absl::Now() - last_ok);
          last_ok = absl::Now();
        } else if (!r.ok()) {
          ++failed;
        }
      }
    });
    auto join = absl::MakeCleanup([&] {
      stop = true;
      load.join();
    });
    absl::SleepFor(absl::Seconds(1));
    absl::StatusOr<int> master = cluster_->MasterOfSlot(slot);
    EXPECT_OK(master);
    if (!master.ok()) return f;
    f.acked_before = acked.load();
    const absl::Time killed = absl::Now();
    cluster_->Kill(*master);
    absl::StatusOr<int> promoted = cluster_->WaitForNewMaster(slot, *master, absl::Seconds(20));
    EXPECT_OK(promoted);
    f.failover = absl::Now() - killed;
    const int64_t at_promotion = acked.load();
    EXPECT_TRUE(
        testing::WaitUntil([&] { return acked.load() > at_promotion + 200; }, absl::Seconds(10)));
    std::move(join).Invoke();
    f.acked = acked.load();
    f.failed = failed.load();
    absl::MutexLock lock(&mu);
    f.longest_gap = longest_gap;
    return f;
  }

  int64_t Int(const RedisArgv& argv) {
    absl::StatusOr<RedisReply> r = redis_->Command(argv);
    EXPECT_OK(r);
    int64_t n = 0;
    if (r.ok() && r->type == RedisReply::Type::kString) {
      EXPECT_TRUE(absl::SimpleAtoi(r->str, &n));
    }
    return n;
  }
  // The all-time top-list score of an article (ZSCORE is a double in a string).
  int64_t TopScore(const std::string& article) {
    absl::StatusOr<RedisReply> r = redis_->Command({"ZSCORE", site::TopAll(), article});
    EXPECT_OK(r);
    double d = 0;
    if (r.ok() && !r->is_nil()) {
      EXPECT_TRUE(absl::SimpleAtod(r->str, &d));
    }
    return static_cast<int64_t>(d);
  }

  std::unique_ptr<RedisTestCluster> cluster_;
  std::unique_ptr<RedisClient> redis_;
  std::unique_ptr<RedisViewStore> store_;
};

void Print(const char* what, const DrillFigures& f, int64_t stored, int64_t top) {
  std::printf(
      "analytics failover drill (%s): replica promoted after %s; longest time without a "
      "counted view %s; %lld views acknowledged as counted (%lld before the kill), %lld "
      "Record calls failed; views counter %lld (%lld acknowledged views lost); all-time top "
      "list %lld\n",
      what, absl::FormatDuration(f.failover).c_str(), absl::FormatDuration(f.longest_gap).c_str(),
      static_cast<long long>(f.acked), static_cast<long long>(f.acked_before),
      static_cast<long long>(f.failed), static_cast<long long>(stored),
      static_cast<long long>(f.acked - stored), static_cast<long long>(top));
}

TEST_F(ClusterFailoverTest, KillingTheArticlesMasterLosesOnlyUnreplicatedViews) {
  const std::string article = "busy";
  const DrillFigures f = Drill(article, KeySlot(keys::ArticlePrefix(article)));
  ASSERT_OK(store_->FlushSiteUpdates());
  const int64_t stored = Int({"GET", ArticleKeys(article).Views()});
  const int64_t top = TopScore(article);
  Print("article's master", f, stored, top);
  EXPECT_GT(f.acked, f.acked_before);
  EXPECT_LT(f.failover, absl::Seconds(10));
  // Nothing is counted that was not sent; what was lost is what the replica had not got.
  EXPECT_LE(stored, f.acked + f.failed);
  // The top list folds journalled batches: it never holds more than the counter.
  EXPECT_LE(top, stored + f.failed);
}

TEST_F(ClusterFailoverTest, KillingTheSiteMasterKeepsCountingAndFoldsAfterwards) {
  const std::string article = "busy";
  const DrillFigures f = Drill(article, KeySlot(site::TopAll()));
  ASSERT_OK(store_->FlushSiteUpdates());
  const int64_t stored = Int({"GET", ArticleKeys(article).Views()});
  const int64_t top = TopScore(article);
  Print("{bulletin} master", f, stored, top);
  EXPECT_LT(f.failover, absl::Seconds(10));
  // The counters were not on the killed master: every acknowledged view is there.
  EXPECT_GE(stored, f.acked);
  EXPECT_LE(stored, f.acked + f.failed);
  // The top list lost at most the folds the replica had not got.
  EXPECT_LE(top, stored);
  EXPECT_GT(top, f.acked_before / 2);
}

// The two-step fold is applied once: another store folds this one's batches from the
// journal first (this one's own fold is then stale and skipped); and when the second step
// fails (the article's master is killed between the steps), the batch is folded again from
// the journal with its site-wide side skipped, as marked.
class ClusterFoldTest : public ClusterFailoverTest {
 protected:
  std::unique_ptr<RedisViewStore> Store() {
    // Folds only when asked: the batches stay in memory and in the journal.
    return std::make_unique<RedisViewStore>(
        *redis_, RedisViewStoreOptions{absl::ZeroDuration(), absl::Hours(1), ""});
  }
  void RecordViews(RedisViewStore& store, const std::vector<std::string>& articles, int each) {
    for (int i = 0; i < each; ++i) {
      std::vector<ResolvedView> views;
      for (const std::string& a : articles) views.push_back({a, NewId(), "", absl::Now()});
      ASSERT_OK(store.Record(views, absl::Now()));
    }
  }
  int64_t DayViews(const std::string& article) {
    return Int({"GET", ArticleKeys(article).DayViews(absl::Now())});
  }
};

TEST_F(ClusterFoldTest, AnotherStoresFoldFromTheJournalIsAppliedOnce) {
  const std::vector<std::string> articles = {"a1", "a2", "a3", "a4", "a5", "a6"};
  std::unique_ptr<RedisViewStore> a = Store(), b = Store();
  RecordViews(*a, articles, 10);     // 10 batches, each split over the articles' slots
  ASSERT_OK(b->FlushSiteUpdates());  // b folds a's entries from the journals
  for (const std::string& article : articles) {
    EXPECT_EQ(TopScore(article), 10) << article;
    EXPECT_EQ(DayViews(article), 10) << article;
  }
  ASSERT_OK(a->FlushSiteUpdates());  // a's own fold: stale, nothing applied twice
  for (const std::string& article : articles) {
    EXPECT_EQ(TopScore(article), 10) << article;
    EXPECT_EQ(DayViews(article), 10) << article;
  }
}

TEST_F(ClusterFoldTest, AFoldCutBetweenItsStepsIsFinishedOnce) {
  // An article whose master is not {bulletin}'s.
  ASSERT_OK_AND_ASSIGN(const int site_master, cluster_->MasterOfSlot(KeySlot(site::TopAll())));
  std::string article;
  int article_master = -1;
  for (int i = 0; article.empty(); ++i) {
    const std::string id = absl::StrCat("cut", i);
    ASSERT_OK_AND_ASSIGN(const int m, cluster_->MasterOfSlot(KeySlot(keys::ArticlePrefix(id))));
    if (m != site_master) {
      article = id;
      article_master = m;
    }
  }
  // A client that gives up on a dead master at once (not after the failover).
  RedisOptions impatient = cluster_->options();
  impatient.cluster_retry = absl::Milliseconds(100);
  RedisClient impatient_redis(impatient);
  auto a = std::make_unique<RedisViewStore>(
      impatient_redis, RedisViewStoreOptions{absl::ZeroDuration(), absl::Hours(1), ""});
  RecordViews(*a, {article}, 20);
  // Let the replica have the journal entries, then kill the article's master: the fold's
  // first step (site-wide, on {bulletin}) runs, its second step cannot.
  // WAIT answers with the replicas that acknowledged, 0 when its timeout passed first (a
  // loaded machine): the kill must not come before the replica has the views.
  RedisClient direct(cluster_->NodeOptions(article_master));
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        absl::StatusOr<RedisReply> acked = direct.Command({"WAIT", "1", "1000"});
        return acked.ok() && acked->type == RedisReply::Type::kInteger && acked->integer >= 1;
      },
      absl::Seconds(20)));
  cluster_->Kill(article_master);
  EXPECT_FALSE(a->FlushSiteUpdates().ok());
  EXPECT_EQ(TopScore(article), 20);  // the site-wide side is in, and marked
  ASSERT_OK(cluster_
                ->WaitForNewMaster(KeySlot(keys::ArticlePrefix(article)), article_master,
                                   absl::Seconds(20))
                .status());
  // Folded again from the journal: the buckets once, the site-wide side not again.
  ASSERT_TRUE(testing::WaitUntil([&] { return a->FlushSiteUpdates().ok(); }, absl::Seconds(10)));
  EXPECT_EQ(DayViews(article), 20);
  EXPECT_EQ(TopScore(article), 20);
  EXPECT_EQ(Int({"GET", ArticleKeys(article).Views()}), 20);
}

}  // namespace
}  // namespace bulletin::analytics
