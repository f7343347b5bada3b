#include "common/base/token_bucket.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/base/retry_delay.h"

namespace bulletin {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

TEST(TokenBucketSetTest, BurstThenRefillAtRate) {
  TokenBucketSet set(/*rate_per_second=*/2, /*burst=*/3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(set.TryTake("a", kT0), absl::ZeroDuration()) << i;
  // Empty: one token comes after 1/rate = 500 ms.
  EXPECT_EQ(set.TryTake("a", kT0), absl::Milliseconds(500));
  EXPECT_EQ(set.TryTake("a", kT0 + absl::Milliseconds(200)), absl::Milliseconds(300));
  EXPECT_EQ(set.TryTake("a", kT0 + absl::Milliseconds(500)), absl::ZeroDuration());
  EXPECT_EQ(set.TryTake("a", kT0 + absl::Milliseconds(500)), absl::Milliseconds(500));
  // A long idle time refills up to the burst, no more.
  const absl::Time later = kT0 + absl::Hours(1);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(set.TryTake("a", later), absl::ZeroDuration()) << i;
  EXPECT_GT(set.TryTake("a", later), absl::ZeroDuration());
}

TEST(TokenBucketSetTest, RefusalTakesNothing) {
  TokenBucketSet set(1, 1);
  EXPECT_EQ(set.TryTake("a", kT0), absl::ZeroDuration());
  // Refused calls in a loop do not push the next token further away.
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(set.TryTake("a", kT0 + absl::Milliseconds(100)), absl::Milliseconds(900));
  }
  EXPECT_EQ(set.TryTake("a", kT0 + absl::Seconds(1)), absl::ZeroDuration());
}

TEST(TokenBucketSetTest, KeysAreIndependent) {
  TokenBucketSet set(1, 1);
  EXPECT_EQ(set.TryTake("a", kT0), absl::ZeroDuration());
  EXPECT_GT(set.TryTake("a", kT0), absl::ZeroDuration());
  EXPECT_EQ(set.TryTake("b", kT0), absl::ZeroDuration());
  EXPECT_EQ(set.size(), 2u);
}

TEST(TokenBucketSetTest, ZeroRateIsUnlimitedAndKeepsNothing) {
  TokenBucketSet set(0, 1);
  EXPECT_TRUE(set.unlimited());
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(set.TryTake("a", kT0), absl::ZeroDuration());
  EXPECT_EQ(set.size(), 0u);
}

TEST(TokenBucketSetTest, BurstBelowOneCountsAsOne) {
  TokenBucketSet set(10, 0.2);
  EXPECT_EQ(set.burst(), 1);
  EXPECT_EQ(set.TryTake("a", kT0), absl::ZeroDuration());
  EXPECT_EQ(set.TryTake("a", kT0), absl::Milliseconds(100));
}

TEST(TokenBucketSetTest, ClockGoingBackwardsRefillsNothing) {
  TokenBucketSet set(1, 1);
  EXPECT_EQ(set.TryTake("a", kT0), absl::ZeroDuration());
  EXPECT_GT(set.TryTake("a", kT0 - absl::Hours(1)), absl::ZeroDuration());
  // Time is measured from the latest instant seen, not from the earlier one.
  EXPECT_EQ(set.TryTake("a", kT0 + absl::Seconds(1)), absl::ZeroDuration());
}

TEST(TokenBucketSetTest, FractionalWaitRoundsUp) {
  TokenBucketSet set(3, 1);
  EXPECT_EQ(set.TryTake("a", kT0), absl::ZeroDuration());
  const absl::Duration wait = set.TryTake("a", kT0);
  EXPECT_GE(wait, absl::Seconds(1) / 3);
  EXPECT_LT(wait, absl::Seconds(1) / 3 + absl::Microseconds(2));
  EXPECT_EQ(set.TryTake("a", kT0 + wait), absl::ZeroDuration());
}

TEST(TokenBucketSetTest, BoundedByMaxKeysDroppingFullBucketsFirst) {
  TokenBucketSet set(1, 2, /*max_keys=*/4);
  // "busy" is drained; the others took one token of two, and refill within a second.
  EXPECT_EQ(set.TryTake("busy", kT0), absl::ZeroDuration());
  EXPECT_EQ(set.TryTake("busy", kT0), absl::ZeroDuration());
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(set.TryTake(absl::StrCat("idle", i), kT0), absl::ZeroDuration());
  EXPECT_EQ(set.size(), 4u);
  // At kT0 + 1.5 s the idle buckets are full again; "busy" holds 1.5 of 2: it is kept.
  const absl::Time t1 = kT0 + absl::Milliseconds(1500);
  EXPECT_EQ(set.TryTake("new", t1), absl::ZeroDuration());
  EXPECT_EQ(set.size(), 2u);
  EXPECT_EQ(set.TryTake("busy", t1), absl::ZeroDuration());
  EXPECT_EQ(set.TryTake("busy", t1), absl::Milliseconds(500));
}

TEST(TokenBucketSetTest, WhenNoBucketIsFullTheFullestGo) {
  TokenBucketSet set(1, 10, /*max_keys=*/4);
  // "drained" spends all ten tokens; the others one each.
  for (int i = 0; i < 10; ++i) ASSERT_EQ(set.TryTake("drained", kT0), absl::ZeroDuration());
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(set.TryTake(absl::StrCat("k", i), kT0), absl::ZeroDuration());
  ASSERT_EQ(set.size(), 4u);
  // None is full; a new key still finds room, and the drained caller keeps its state.
  EXPECT_EQ(set.TryTake("new", kT0), absl::ZeroDuration());
  EXPECT_LE(set.size(), 4u);
  EXPECT_EQ(set.TryTake("drained", kT0), absl::Seconds(1));
}

TEST(TokenBucketSetTest, ManyKeysStayBounded) {
  TokenBucketSet set(1, 5, /*max_keys=*/1000);
  for (int i = 0; i < 20000; ++i) {
    ASSERT_EQ(set.TryTake(absl::StrCat("ip", i), kT0), absl::ZeroDuration()) << i;
    ASSERT_LE(set.size(), 1000u);
  }
}

TEST(TokenBucketSetTest, ConcurrentTakersNeverExceedTheBurst) {
  TokenBucketSet set(0.001, 100);  // practically no refill during the test
  absl::Mutex mu;
  int granted = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (set.TryTake("shared", kT0) == absl::ZeroDuration()) {
          absl::MutexLock lock(&mu);
          ++granted;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(granted, 100);
}

TEST(RetryDelayTest, CarriesTheDelayRoundedUpToMilliseconds) {
  absl::Status s = ResourceExhausted("slow down", absl::Microseconds(1500));
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(s.message(), "slow down");
  ASSERT_TRUE(RetryDelayOf(s).has_value());
  EXPECT_EQ(*RetryDelayOf(s), absl::Milliseconds(2));
  EXPECT_EQ(RetryDelayMillis(absl::Seconds(3)), 3000);
  EXPECT_EQ(RetryDelayMillis(-absl::Seconds(3)), 0);
  EXPECT_EQ(*RetryDelayOf(ResourceExhausted("x", -absl::Seconds(1))), absl::ZeroDuration());
}

TEST(RetryDelayTest, AbsentOrMalformedPayloadIsNone) {
  EXPECT_FALSE(RetryDelayOf(absl::ResourceExhaustedError("no delay")).has_value());
  EXPECT_FALSE(RetryDelayOf(absl::OkStatus()).has_value());
  absl::Status bad = absl::ResourceExhaustedError("x");
  bad.SetPayload(kRetryDelayPayload, absl::Cord("soon"));
  EXPECT_FALSE(RetryDelayOf(bad).has_value());
}

}  // namespace
}  // namespace bulletin
