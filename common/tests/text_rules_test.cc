// The shared free-text rule (CheckText) and UTF-8 validation of common/base/text_rules.
#include "common/base/text_rules.h"

#include <gtest/gtest.h>

#include "common/testing/status_matchers.h"

namespace bulletin {
namespace {

using ::bulletin::testing::StatusIs;

TextRule Rule(bool required, size_t max_code_points, bool allow_line_breaks = false) {
  TextRule rule;
  rule.required = required;
  rule.max_code_points = max_code_points;
  rule.allow_line_breaks = allow_line_breaks;
  return rule;
}

TEST(IsValidUtf8, AcceptsWellFormedAndRefusesBrokenSequences) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("Visitors 访问量 €"));
  EXPECT_FALSE(IsValidUtf8("\xC3\x28\xFF\xFE"));
  EXPECT_FALSE(IsValidUtf8("\xE6\x96"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
}

TEST(CheckText, RefusesControlCharactersNamingTheField) {
  const TextRule title{.required = true, .max_code_points = 10};
  EXPECT_OK(CheckText("新闻 News", "title", title));
  EXPECT_THAT(CheckText("a\x1b[31m", "title", title),
              StatusIs(absl::StatusCode::kInvalidArgument, "title: must not contain control"));
  EXPECT_THAT(CheckText("bell\a", "title", title),
              StatusIs(absl::StatusCode::kInvalidArgument, "title: must not contain control"));
  EXPECT_THAT(CheckText("del\x7f", "title", title),
              StatusIs(absl::StatusCode::kInvalidArgument, "control"));
  EXPECT_THAT(CheckText("c1\xC2\x85", "title", title),
              StatusIs(absl::StatusCode::kInvalidArgument, "control"));
  EXPECT_THAT(CheckText("two\nlines", "title", title),
              StatusIs(absl::StatusCode::kInvalidArgument, "control"));
  EXPECT_OK(CheckText("two\nlines\tok", "summary", Rule(false, 0, true)));
}

TEST(CheckText, RequiredMeansMoreThanWhitespace) {
  const TextRule rule{.required = true};
  EXPECT_THAT(CheckText("", "title", rule),
              StatusIs(absl::StatusCode::kInvalidArgument, "title: required"));
  EXPECT_THAT(CheckText("   ", "title", rule),
              StatusIs(absl::StatusCode::kInvalidArgument, "title: required"));
  EXPECT_OK(CheckText("", "caption", Rule(false, 0)));
}

TEST(CheckText, CountsCodePointsAndRefusesInvalidUtf8) {
  const TextRule rule{.max_code_points = 3};
  EXPECT_OK(CheckText("新闻网", "name", rule));
  EXPECT_THAT(CheckText("新闻网站", "name", rule),
              StatusIs(absl::StatusCode::kInvalidArgument, "name: longer than 3 characters"));
  EXPECT_THAT(CheckText("\xC3\x28", "name", rule),
              StatusIs(absl::StatusCode::kInvalidArgument, "name: not valid UTF-8"));
}

}  // namespace
}  // namespace bulletin
