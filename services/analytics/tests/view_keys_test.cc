// The key family's Redis Cluster helpers, without a server (label unit): every slot has a
// tag that hashes to it, batch ids carry their slot, and an article's keys share its slot.
#include "services/analytics/store/redis/view_keys.h"

#include <gtest/gtest.h>

#include "common/redis/keys.h"
#include "common/redis/redis_slot.h"

namespace bulletin::analytics {
namespace {

TEST(ViewKeysTest, EverySlotHasATagThatHashesToIt) {
  for (int slot = 0; slot < kClusterSlots; ++slot) {
    ASSERT_EQ(KeySlot(SlotTag(slot)), slot);
    ASSERT_EQ(KeySlot(site::Journal(slot)), slot);
    ASSERT_EQ(KeySlot(site::JournalTimes(slot)), slot);
    ASSERT_LE(SlotTag(slot).size(), 8u);
  }
  EXPECT_EQ(site::Journal(-1), site::Journal());
  EXPECT_EQ(site::JournalTimes(-1), site::JournalTimes());
}

TEST(ViewKeysTest, BatchIdsNameTheirSlot) {
  EXPECT_EQ(SlotOfBatch(BatchId(-1)), -1);
  for (int slot : {0, 1, 9297, 16383}) EXPECT_EQ(SlotOfBatch(BatchId(slot)), slot);
  for (const char* bad : {"", "x.y", "16384.a", "-1.a", "12"}) EXPECT_EQ(SlotOfBatch(bad), -1);
}

TEST(ViewKeysTest, AnArticlesKeysShareItsSlotAndSiteKeysShareBulletins) {
  const absl::Time t = absl::FromUnixSeconds(1700000000);
  ArticleKeys k("0190a1b2-c3d4");
  const int slot = KeySlot(keys::ArticlePrefix("0190a1b2-c3d4"));
  for (const std::string& key :
       {k.Views(), k.Visitors(), k.Imported(), k.NotCounted(), k.DayViews(t), k.DayVisitors(t),
        k.HourViews(t), k.MinuteVisitors(t), k.Seen("v:1"), k.Request("r1")}) {
    EXPECT_EQ(KeySlot(key), slot) << key;
  }
  const int bulletin = KeySlot(keys::kEventStream);
  for (const std::string& key :
       {SaltKey(t), site::DayViews(t), site::TopAll(), site::Meta("a"), site::Published(),
        site::Folded(), site::FoldedTimes(), site::Trend(TrendScale::k1h, t), site::Journal()}) {
    EXPECT_EQ(KeySlot(key), bulletin) << key;
  }
}

}  // namespace
}  // namespace bulletin::analytics
