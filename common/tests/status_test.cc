// The shared status helpers: the macros pass errors on unchanged, the etag payload survives
// them, the proto time conversion checks ranges, and the one locale rule normalises.
#include <gtest/gtest.h>

#include "common/base/etag.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"
#include "common/proto/time.h"
#include "common/testing/status_matchers.h"

namespace bulletin {
namespace {

using ::bulletin::testing::StatusIs;

absl::StatusOr<int> Half(int n) {
  if (n % 2 != 0) return absl::InvalidArgumentError("n: odd");
  return n / 2;
}

absl::StatusOr<int> Quarter(int n) {
  ASSIGN_OR_RETURN(int half, Half(n));
  ASSIGN_OR_RETURN(half, Half(half));
  return half;
}

absl::Status Stale() {
  RETURN_IF_ERROR(StaleEtag("etag", "old", "new"));
  return absl::OkStatus();
}

TEST(StatusMacrosTest, PassErrorsOnUnchanged) {
  ASSERT_OK_AND_ASSIGN(int q, Quarter(8));
  EXPECT_EQ(q, 2);
  EXPECT_THAT(Quarter(6), StatusIs(absl::StatusCode::kInvalidArgument, "n: odd"));
  absl::Status s = Stale();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kAborted, "the current etag is \"new\""));
  EXPECT_EQ(CurrentEtagOf(s), "new");
  EXPECT_EQ(CurrentEtagOf(absl::AbortedError("x")), std::nullopt);
}

TEST(ProtoTimeTest, RoundTripsAndChecksRanges) {
  const absl::Time t = absl::FromUnixSeconds(1517788800) - absl::Nanoseconds(5);
  google::protobuf::Timestamp ts = ToProtoTime(t);
  EXPECT_EQ(ts.seconds(), 1517788799);
  EXPECT_EQ(ts.nanos(), 999999995);
  ASSERT_OK_AND_ASSIGN(absl::Time back, FromProtoTime(ts, "publish_time"));
  EXPECT_EQ(back, t);
  ts.set_nanos(-1);
  EXPECT_THAT(FromProtoTime(ts, "publish_time"),
              StatusIs(absl::StatusCode::kInvalidArgument, "publish_time: not a valid"));
  ts.set_nanos(0);
  ts.set_seconds(int64_t{1} << 62);
  EXPECT_THAT(FromProtoTime(ts, "end_time"), StatusIs(absl::StatusCode::kInvalidArgument));

  google::protobuf::Duration d;
  ToProtoDuration(absl::Milliseconds(1500), &d);
  EXPECT_EQ(d.seconds(), 1);
  EXPECT_EQ(d.nanos(), 500000000);
  EXPECT_OK(FromProtoDuration(d, "ttl", absl::ZeroDuration(), absl::Hours(24)));
  EXPECT_THAT(FromProtoDuration(d, "ttl", absl::ZeroDuration(), absl::Seconds(1)),
              StatusIs(absl::StatusCode::kInvalidArgument, "ttl: must be between"));
  d.set_nanos(-1);
  EXPECT_THAT(FromProtoDuration(d, "ttl", absl::ZeroDuration(), absl::Hours(24)),
              StatusIs(absl::StatusCode::kInvalidArgument, "ttl: not a valid duration"));
}

TEST(TextRulesTest, OneLocaleRuleForEveryService) {
  std::string locale = "zh_cn";
  ASSERT_OK(CheckLocale(&locale, "locale"));
  EXPECT_EQ(locale, "zh-CN");
  locale = "";
  EXPECT_THAT(CheckLocale(&locale, "locale"),
              StatusIs(absl::StatusCode::kInvalidArgument, "locale: required"));
  locale = std::string(70000, 'q');
  absl::Status s = CheckLocale(&locale, "filter.locales[0]");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, "filter.locales[0]: "));
  EXPECT_LT(s.message().size(), 200u);
  EXPECT_OK(CheckId("a-b_C9", "id"));
  EXPECT_THAT(CheckId("a b", "id"), StatusIs(absl::StatusCode::kInvalidArgument, "id: may"));
  EXPECT_EQ(Excerpt("简体中文", 4), "简...");
}

}  // namespace
}  // namespace bulletin
