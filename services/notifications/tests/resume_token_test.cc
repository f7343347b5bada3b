// Resume tokens and stream ids, and the retention rule behind OUT_OF_RANGE.
#include "services/notifications/core/streams/resume_token.h"

#include <gtest/gtest.h>

#include "common/testing/status_matchers.h"
#include "services/notifications/core/streams/event_log.h"

namespace bulletin::notify {
namespace {

using ::bulletin::testing::StatusIs;

TEST(NotifyResumeTokenTest, TokensRoundTripAndOrder) {
  StreamId id{1700000000123, 7};
  std::string token = EncodeResumeToken(id);
  EXPECT_EQ(token, "v1.1700000000123-7");
  ASSERT_OK_AND_ASSIGN(StreamId back, DecodeResumeToken(token, "resume_token"));
  EXPECT_EQ(back, id);
  EXPECT_LT((StreamId{5, 9}), (StreamId{6, 0}));
  EXPECT_LT((StreamId{5, 1}), (StreamId{5, 2}));
}

TEST(NotifyResumeTokenTest, MalformedTokensNameTheField) {
  for (const char* bad : {"", "garbage", "v1.", "v1.12", "v1.a-b", "v1.1-2-3", "v2.1-2", "v1.-1-2",
                          "v1.99999999999999999999999-0"}) {
    absl::StatusOr<StreamId> r = DecodeResumeToken(bad, "resume_token");
    EXPECT_THAT(r, StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
    EXPECT_EQ(r.status().message().find("resume_token: "), 0u) << r.status();
  }
  EXPECT_THAT(DecodeResumeToken("v1.1-" + std::string(300, '1'), "resume_token"),
              StatusIs(absl::StatusCode::kInvalidArgument, "resume_token: "));
}

// #13: tokens naming a time after the year 9999, ahead of the clock or after the stream's
// newest entry were accepted (and the stream then skipped every event up to them).
TEST(NotifyResumeTokenTest, TokensFromTheFutureAreRefused) {
  EXPECT_OK(DecodeResumeToken("v1.253402300799999-0", "resume_token"));
  for (const char* bad : {"v1.253402300800000-0", "v1.18446744073709551615-0"}) {
    EXPECT_THAT(DecodeResumeToken(bad, "resume_token"),
                StatusIs(absl::StatusCode::kInvalidArgument, "resume_token: "))
        << bad;
  }
  const absl::Time now = absl::FromUnixMillis(1700000000000);
  const StreamId last{1700000000000, 4};
  EXPECT_OK(CheckNotAhead(last, last, now, "resume_token"));
  EXPECT_OK(CheckNotAhead(StreamId{1699999999999, 9}, last, now, "resume_token"));
  EXPECT_THAT(CheckNotAhead(StreamId{1700000000000, 5}, last, now, "resume_token"),
              StatusIs(absl::StatusCode::kInvalidArgument, "resume_token: after the newest"));
  EXPECT_THAT(CheckNotAhead(StreamId{1700000000000 + 3600000, 0}, StreamId{UINT64_MAX, 0}, now,
                            "resume_token"),
              StatusIs(absl::StatusCode::kInvalidArgument, "resume_token: its time is ahead"));
}

TEST(NotifyResumeTokenTest, TrimmedPastWhenEntriesAfterThePositionAreGone) {
  StreamBounds b;
  EXPECT_FALSE(TrimmedPast(b, StreamId{}, false));  // no stream: nothing lost
  b.exists = true;
  b.length = 3;
  b.entries_added = 6;
  b.first_entry = StreamId{100, 0};
  b.max_deleted = StreamId{0, 0};
  EXPECT_FALSE(TrimmedPast(b, StreamId{100, 0}, true));
  EXPECT_FALSE(TrimmedPast(b, StreamId{150, 0}, false));  // newer than the first kept
  std::optional<StreamId> oldest = TrimmedPast(b, StreamId{80, 0}, false);
  ASSERT_TRUE(oldest);
  EXPECT_EQ(*oldest, (StreamId{99, UINT64_MAX}));
  EXPECT_FALSE(TrimmedPast(b, StreamId{80, 0}, true));  // the position itself is kept
  b.entries_added = 3;                                  // nothing was ever removed
  EXPECT_FALSE(TrimmedPast(b, StreamId{0, 0}, false));
  b.max_deleted = StreamId{120, 0};  // an XDEL after the position
  EXPECT_TRUE(TrimmedPast(b, StreamId{110, 0}, true));
}

}  // namespace
}  // namespace bulletin::notify
