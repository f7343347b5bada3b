// The count window and request-id dedupe of RedisViewStore against a real redis-server
// (label redis) and again a real Redis Cluster (redis-cluster): the dedupe tables of
// record_script.cc across a period boundary, within a batch and across calls; a request
// remembered from the previous period; the markers of the layout before them (an
// upgrade's first day); and what a counted view leaves in Redis (bytes per view, buckets in
// the listpack encoding; one node only, where INFO and SCAN see every key).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/redis/redis_client.h"
#include "common/testing/redis_cluster.h"
#include "common/testing/status_matchers.h"
#include "services/analytics/store/redis/dedup_hash.h"
#include "services/analytics/store/redis/redis_view_store.h"
#include "services/analytics/store/redis/view_keys.h"

namespace bulletin::analytics {
namespace {

constexpr int64_t kDayMs = 24 * 3600 * 1000;

class DedupRedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(server_, testing::TestRedis::Start());
    redis_ = std::make_unique<RedisClient>(server_->options());
    Use(absl::Minutes(30));
  }

  void Use(absl::Duration window) {
    store_ =
        std::make_unique<RedisViewStore>(*redis_, RedisViewStoreOptions{window, absl::Hours(1)});
  }

  std::vector<RecordResult> Record(const std::vector<ResolvedView>& views) {
    absl::StatusOr<std::vector<RecordResult>> r = store_->Record(views, absl::Now());
    EXPECT_OK(r);
    if (!r.ok() || r->size() != views.size()) return std::vector<RecordResult>(views.size());
    return *std::move(r);
  }
  RecordResult One(const std::string& article, const std::string& visitor,
                   const std::string& request = "") {
    return Record({V(article, visitor, request)})[0];
  }
  static ResolvedView V(const std::string& article, const std::string& visitor,
                        const std::string& request = "") {
    return {article, visitor, request, absl::Now(), NotCounted::kNone};
  }

  RedisReply Command(const RedisArgv& argv) {
    absl::StatusOr<RedisReply> r = redis_->Command(argv);
    EXPECT_OK(r);
    return r.ok() ? *std::move(r) : RedisReply{};
  }
  // Redis' clock (the script dedupes at it), ms.
  int64_t RedisNowMs() {
    RedisReply t = Command({"TIME"});
    int64_t s = 0, us = 0;
    if (t.elements.size() == 2) {
      EXPECT_TRUE(absl::SimpleAtoi(t.elements[0].str, &s));
      EXPECT_TRUE(absl::SimpleAtoi(t.elements[1].str, &us));
    }
    return s * 1000 + us / 1000;
  }
  int64_t UsedMemory() {
    RedisReply info = Command({"INFO", "memory"});
    for (absl::string_view line : absl::StrSplit(info.str, "\r\n")) {
      int64_t v = 0;
      if (absl::ConsumePrefix(&line, "used_memory:") && absl::SimpleAtoi(line, &v)) return v;
    }
    ADD_FAILURE() << "no used_memory in INFO";
    return 0;
  }

  std::unique_ptr<testing::TestRedis> server_;
  std::unique_ptr<RedisClient> redis_;
  std::unique_ptr<RedisViewStore> store_;
};

TEST_F(DedupRedisTest, ARepeatWithinTheWindowIsNotCountedAcrossAPeriodBoundaryAndCountsAfterIt) {
  // The tables are per period of the window's length: a view counted near the end of a
  // period is found from the next one while it is within the window.
  constexpr int64_t kWindowMs = 2000;
  Use(absl::Milliseconds(kWindowMs));
  bool crossed = false;
  for (int attempt = 0; attempt < 5 && !crossed; ++attempt) {
    const std::string visitor = absl::StrCat("v:alice", attempt);
    // Late in a period: count the view there.
    while (RedisNowMs() % kWindowMs < kWindowMs - 400) absl::SleepFor(absl::Milliseconds(10));
    const int64_t before = RedisNowMs();
    ASSERT_TRUE(One("a", visitor).counted);
    const int64_t counted_by = RedisNowMs();
    EXPECT_EQ(One("a", visitor).reason, NotCounted::kRepeat) << "same period";
    // Early in the next one.
    while (RedisNowMs() % kWindowMs > kWindowMs / 2) absl::SleepFor(absl::Milliseconds(10));
    const RecordResult repeat = One("a", visitor);
    const int64_t after = RedisNowMs();
    if (after - before >= kWindowMs || after / kWindowMs != before / kWindowMs + 1) continue;
    crossed = true;
    EXPECT_EQ(repeat.reason, NotCounted::kRepeat) << "within the window, in the next period";
    // Once the window has passed, the view counts again (found in the previous period,
    // too old), and a repeat of that is not counted (the current one).
    while (RedisNowMs() < counted_by + kWindowMs) absl::SleepFor(absl::Milliseconds(10));
    EXPECT_TRUE(One("a", visitor).counted) << "the window passed";
    EXPECT_EQ(One("a", visitor).reason, NotCounted::kRepeat);
  }
  EXPECT_TRUE(crossed) << "the machine was too slow to place views around a period boundary";
}

TEST_F(DedupRedisTest, ARequestIdCountsOnceWithinABatchAndAcrossCalls) {
  std::vector<RecordResult> r =
      Record({V("a", "v:alice", "req-1"), V("a", "v:bob", "req-1"), V("a", "v:carol", "req-2"),
              V("a", "v:alice", "req-3"), V("a", "v:dave", "req-3"), V("b", "v:erin", "req-1")});
  EXPECT_TRUE(r[0].counted);
  EXPECT_EQ(r[1].reason, NotCounted::kDuplicateRequest) << "the same batch";
  EXPECT_TRUE(r[1].counted_before);
  EXPECT_TRUE(r[2].counted);
  EXPECT_EQ(r[3].reason, NotCounted::kRepeat);
  EXPECT_EQ(r[4].reason, NotCounted::kDuplicateRequest) << "its first view was a repeat";
  EXPECT_FALSE(r[4].counted_before);
  EXPECT_TRUE(r[5].counted) << "request ids are per article";
  EXPECT_EQ(r[5].totals.views, 1);
  for (const char* req : {"req-1", "req-2"}) {
    RecordResult again = One("a", "v:frank", req);
    EXPECT_EQ(again.reason, NotCounted::kDuplicateRequest) << req << ": another call";
    EXPECT_TRUE(again.counted_before);
    EXPECT_EQ(again.totals.views, 2);
  }
  // Many request ids in one article: the table splits its buckets; every one is still found.
  std::vector<ResolvedView> many;
  for (int i = 0; i < 900; ++i)
    many.push_back(V("big", absl::StrCat("v:", i), absl::StrCat("r", i)));
  for (const RecordResult& x : Record(many)) EXPECT_TRUE(x.counted);
  for (ResolvedView& v : many) v.visitor += "-retry";
  int duplicates = 0;
  for (const RecordResult& x : Record(many)) {
    duplicates += x.reason == NotCounted::kDuplicateRequest && x.counted_before;
  }
  EXPECT_EQ(duplicates, 900);
}

TEST_F(DedupRedisTest, ARequestFromThePreviousPeriodIsADuplicateWithinTheRetentionOnly) {
  // The request tables are per period of the retention (24 h): a request id recorded in
  // the previous one is a duplicate until 24 h after it. Planted as the script writes it.
  ASSERT_TRUE(One("a", "v:first", "req-0").counted);  // creates the current period's table
  const int64_t now = RedisNowMs();
  const int64_t day = now / kDayMs, start = (day - 1) * kDayMs;
  const int64_t recent = std::min(now - 23 * 3600 * 1000, day * kDayMs - 1);
  const int64_t old = std::max(now - 25 * 3600 * 1000, start);
  ArticleKeys keys("a");
  const std::string bucket =
      absl::StrCat(keys.Views().substr(0, keys.Views().size() - 5), "r", day - 1, ":0");
  Command({"HSET", keys.DedupState(), absl::StrCat("r", day - 1), "0 0"});
  Command({"HSET", bucket, DedupHashString("req-recent"), absl::StrCat((recent - start) * 2 + 1),
           DedupHashString("req-old"), absl::StrCat((old - start) * 2 + 1)});
  RecordResult retry = One("a", "v:x", "req-recent");
  EXPECT_EQ(retry.reason, NotCounted::kDuplicateRequest) << "recorded under 24 h ago";
  EXPECT_TRUE(retry.counted_before);
  EXPECT_TRUE(One("a", "v:y", "req-old").counted) << "recorded over 24 h ago";
  EXPECT_EQ(One("a", "v:z", "req-old").reason, NotCounted::kDuplicateRequest)
      << "and recorded again now";
}

TEST_F(DedupRedisTest, AnOlderVersionsMarkersStillDedupeDuringAnUpgrade) {
  // Redis holds an older version's data (its all-time top list) and markers.
  ArticleKeys keys("a");
  Command({"ZADD", site::TopAll(), "1", "a"});
  Command({"SET", keys.Seen("v:alice"), "1", "PX", "60000"});
  Command({"SET", keys.Request("req-1"), "1", "EX", "3600"});
  Command({"SET", keys.Request("req-2"), "0", "EX", "3600"});
  EXPECT_EQ(One("a", "v:alice").reason, NotCounted::kRepeat) << "counted by the old version";
  RecordResult retry = One("a", "v:bob", "req-1");
  EXPECT_EQ(retry.reason, NotCounted::kDuplicateRequest);
  EXPECT_TRUE(retry.counted_before);
  RecordResult repeat_retry = One("a", "v:carol", "req-2");
  EXPECT_EQ(repeat_retry.reason, NotCounted::kDuplicateRequest);
  EXPECT_FALSE(repeat_retry.counted_before);
  EXPECT_TRUE(One("a", "v:dave", "req-3").counted);
  // A replica started later reads the same decision from Redis.
  RedisViewStore other(*redis_, {absl::Minutes(30), absl::Hours(1)});
  ASSERT_OK_AND_ASSIGN(bool reads_old, other.ReadOldMarkers());
  EXPECT_TRUE(reads_old);
}

TEST_F(DedupRedisTest, OnARedisWithoutAnOlderVersionsDataOldMarkersAreNotRead) {
  ArticleKeys keys("a");
  Command({"SET", keys.Seen("v:alice"), "1", "PX", "60000"});
  EXPECT_TRUE(One("a", "v:alice").counted) << "no older version counted here";
  Command({"ZADD", site::TopAll(), "1", "a"});  // after the decision: it stands
  RedisViewStore other(*redis_, {absl::Minutes(30), absl::Hours(1)});
  ASSERT_OK_AND_ASSIGN(bool reads_old, other.ReadOldMarkers());
  EXPECT_FALSE(reads_old);
}

TEST_F(DedupRedisTest, ACountedViewLeavesAtMost100BytesAndBucketsStayCompact) {
  if (server_->is_cluster()) GTEST_SKIP() << "INFO and SCAN see one node of a cluster";
  // 20,000 new visitors with request ids over 20 articles, as the bench does over 100.
  ASSERT_TRUE(One("warm", "v:w", "r").counted);  // script loaded, salt and layout marker set
  ASSERT_OK(store_->FlushSiteUpdates());
  const int64_t before = UsedMemory();
  constexpr int kViews = 20000;
  for (int b = 0; b < kViews / 500; ++b) {
    std::vector<ResolvedView> batch;
    for (int i = b * 500; i < (b + 1) * 500; ++i) {
      batch.push_back(V(absl::StrCat("article-", i % 20), absl::StrCat("v:visitor-", i),
                        absl::StrCat("req-", i)));
    }
    for (const RecordResult& r : Record(batch)) ASSERT_TRUE(r.counted);
  }
  ASSERT_OK(store_->FlushSiteUpdates());
  const double per_view = static_cast<double>(UsedMemory() - before) / kViews;
  std::printf("bytes per counted view: %.1f\n", per_view);
  EXPECT_LE(per_view, 100.0);
  // Each article's tables hold 1000 hashes: every bucket stayed a listpack.
  int buckets = 0, not_compact = 0, not_expiring = 0;
  std::string cursor = "0";
  do {
    RedisReply scan =
        Command({"SCAN", cursor, "MATCH", "{a:article-*}:[rw][0-9]*", "COUNT", "1000"});
    ASSERT_EQ(scan.elements.size(), 2u);
    cursor = scan.elements[0].str;
    for (const RedisReply& key : scan.elements[1].elements) {
      ++buckets;
      not_compact += Command({"OBJECT", "ENCODING", key.str}).str != "listpack";
      not_expiring += Command({"PTTL", key.str}).integer <= 0;
    }
  } while (cursor != "0");
  EXPECT_EQ(not_compact, 0) << "of " << buckets << " buckets";
  EXPECT_EQ(not_expiring, 0) << "of " << buckets << " buckets";
  EXPECT_GE(buckets, 20 * 2 * 8) << "1000 hashes a table: at least 8 buckets each";
}

}  // namespace
}  // namespace bulletin::analytics
