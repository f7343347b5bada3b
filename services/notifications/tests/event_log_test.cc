// The behavioural suite of EventLog (how Subscribe reads the article stream), run against
// the in-memory fake (label unit) and the Redis stream (label redis) by instantiating it
// with a backend (memory_backend.cc, redis_backend.cc).
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "common/testing/status_matchers.h"
#include "services/notifications/tests/store_backend.h"

namespace bulletin::notify::testing {
namespace {

using ::bulletin::testing::StatusIs;

events::v1::ArticleEvent Event(const std::string& id) {
  events::v1::ArticleEvent e;
  e.set_event_id(id);
  e.set_type(events::v1::ARTICLE_EVENT_TYPE_PUBLISHED);
  e.mutable_article()->set_id("article-" + id);
  return e;
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(EventLogTest);

TEST_P(EventLogTest, AStreamThatDoesNotExistReadsEmpty) {
  ASSERT_OK_AND_ASSIGN(StreamBounds bounds, log().Bounds());
  EXPECT_FALSE(bounds.exists);
  EXPECT_EQ(bounds.length, 0u);
  ASSERT_OK_AND_ASSIGN(std::vector<StreamEntry> entries, log().ReadAfter(StreamId{}, 10));
  EXPECT_TRUE(entries.empty());
  ASSERT_OK_AND_ASSIGN(entries, log().WaitAfter(StreamId{}, 10, absl::Milliseconds(50)));
  EXPECT_TRUE(entries.empty());
  ASSERT_OK_AND_ASSIGN(bool contains, log().Contains(StreamId{1, 0}));
  EXPECT_FALSE(contains);
}

TEST_P(EventLogTest, ReadsStrictlyAfterAPositionOldestFirst) {
  std::vector<StreamId> ids;
  for (const char* id : {"a", "b", "c"}) ids.push_back(backend_->Append(Event(id)));
  EXPECT_LT(ids[0], ids[1]);
  EXPECT_LT(ids[1], ids[2]);
  ASSERT_OK_AND_ASSIGN(std::vector<StreamEntry> all, log().ReadAfter(StreamId{}, 10));
  ASSERT_EQ(all.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(all[i].id, ids[i]);
    ASSERT_NE(all[i].event, nullptr);
  }
  EXPECT_EQ(all[1].event->event_id(), "b");
  EXPECT_EQ(all[1].event->article().id(), "article-b");
  ASSERT_OK_AND_ASSIGN(std::vector<StreamEntry> one, log().ReadAfter(ids[0], 1));
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].id, ids[1]);
  ASSERT_OK_AND_ASSIGN(std::vector<StreamEntry> none, log().ReadAfter(ids[2], 10));
  EXPECT_TRUE(none.empty());
  ASSERT_OK_AND_ASSIGN(bool contains, log().Contains(ids[1]));
  EXPECT_TRUE(contains);
  ASSERT_OK_AND_ASSIGN(contains, log().Contains(StreamId{ids[1].ms, ids[1].seq + 100}));
  EXPECT_FALSE(contains);
}

TEST_P(EventLogTest, WaitAfterReturnsAnEntryAddedWhileWaiting) {
  StreamId first = backend_->Append(Event("a"));
  std::thread writer([this] {
    absl::SleepFor(absl::Milliseconds(100));
    backend_->Append(Event("late"));
  });
  const absl::Time start = absl::Now();
  ASSERT_OK_AND_ASSIGN(std::vector<StreamEntry> entries,
                       log().WaitAfter(first, 10, absl::Seconds(5)));
  writer.join();
  EXPECT_LT(absl::Now() - start, absl::Seconds(4));
  ASSERT_EQ(entries.size(), 1u);
  ASSERT_NE(entries[0].event, nullptr);
  EXPECT_EQ(entries[0].event->event_id(), "late");
}

TEST_P(EventLogTest, BoundsTellTrimmingFromDeletion) {
  std::vector<StreamId> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(backend_->Append(Event(std::to_string(i))));
  ASSERT_OK_AND_ASSIGN(StreamBounds b, log().Bounds());
  EXPECT_TRUE(b.exists);
  EXPECT_EQ(b.length, 5u);
  EXPECT_EQ(b.first_entry, ids[0]);
  EXPECT_EQ(b.last_generated, ids[4]);
  EXPECT_FALSE(TrimmedPast(b, ids[0], true));

  backend_->Trim(2);
  ASSERT_OK_AND_ASSIGN(b, log().Bounds());
  EXPECT_EQ(b.length, 2u);
  EXPECT_EQ(b.first_entry, ids[3]);
  EXPECT_EQ(b.last_generated, ids[4]);
  ASSERT_OK_AND_ASSIGN(bool kept, log().Contains(ids[0]));
  EXPECT_FALSE(kept);
  // Resuming after ids[0] would miss ids[1] and ids[2]: the oldest safe point is just
  // before the first kept entry.
  std::optional<StreamId> oldest = TrimmedPast(b, ids[0], kept);
  ASSERT_TRUE(oldest);
  EXPECT_LT(*oldest, ids[3]);
  EXPECT_GE(*oldest, ids[2]);
  EXPECT_FALSE(TrimmedPast(b, ids[3], true));

  backend_->Delete(ids[4]);
  ASSERT_OK_AND_ASSIGN(b, log().Bounds());
  EXPECT_EQ(b.length, 1u);
  EXPECT_EQ(b.last_generated, ids[4]);  // ids are never reused
  ASSERT_TRUE(b.max_deleted);
  EXPECT_EQ(*b.max_deleted, ids[4]);
  EXPECT_EQ(TrimmedPast(b, ids[3], true), ids[4]);  // a hole no resume can fill
}

TEST_P(EventLogTest, AnEntryWithoutADecodableEventKeepsItsId) {
  StreamId bad = backend_->AppendUndecodable();
  StreamId good = backend_->Append(Event("ok"));
  ASSERT_OK_AND_ASSIGN(std::vector<StreamEntry> entries, log().ReadAfter(StreamId{}, 10));
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].id, bad);
  EXPECT_EQ(entries[0].event, nullptr);
  EXPECT_EQ(entries[1].id, good);
  EXPECT_NE(entries[1].event, nullptr);
}

TEST_P(EventLogTest, UnreachableIsUnavailable) {
  backend_->Append(Event("a"));
  backend_->GoDown();
  EXPECT_THAT(log().Bounds(), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(log().ReadAfter(StreamId{}, 10), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(log().Contains(StreamId{1, 0}), StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace bulletin::notify::testing
