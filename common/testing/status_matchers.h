// GoogleTest helpers for absl::Status and absl::StatusOr<T>: EXPECT_OK, ASSERT_OK,
// ASSERT_OK_AND_ASSIGN, and the StatusIs(code) matcher. A failure prints the status
// (code and message), so a test never needs a hand-written `<< s.message()`.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace bulletin::testing {

inline const absl::Status& StatusOf(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& StatusOf(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

// Matches an absl::Status or absl::StatusOr<T> whose code is `code`.
MATCHER_P(StatusIs, code, "status code is " + absl::StatusCodeToString(code)) {
  const absl::Status& status = ::bulletin::testing::StatusOf(arg);
  *result_listener << "which is " << status;
  return status.code() == code;
}

// Matches an absl::Status or absl::StatusOr<T> with `code` whose message contains `part`.
MATCHER_P2(StatusIs, code, part,
           "status code is " + absl::StatusCodeToString(code) + " and the message has \"" +
               std::string(part) + "\"") {
  const absl::Status& status = ::bulletin::testing::StatusOf(arg);
  *result_listener << "which is " << status;
  return status.code() == code && status.message().find(part) != absl::string_view::npos;
}

// Matches an OK absl::Status or absl::StatusOr<T>.
MATCHER(IsOk, "is OK") {
  const absl::Status& status = ::bulletin::testing::StatusOf(arg);
  *result_listener << "which is " << status;
  return status.ok();
}

}  // namespace bulletin::testing

#define EXPECT_OK(expr) EXPECT_THAT((expr), ::bulletin::testing::IsOk())
#define ASSERT_OK(expr) ASSERT_THAT((expr), ::bulletin::testing::IsOk())

#define BULLETIN_TESTING_CONCAT_INNER(a, b) a##b
#define BULLETIN_TESTING_CONCAT(a, b) BULLETIN_TESTING_CONCAT_INNER(a, b)

// `ASSERT_OK_AND_ASSIGN(auto x, StatusOrExpr());`: fails the test when not OK.
#define ASSERT_OK_AND_ASSIGN(lhs, expr)                                                           \
  BULLETIN_ASSERT_OK_AND_ASSIGN_IMPL(BULLETIN_TESTING_CONCAT(bulletin_status_or_, __LINE__), lhs, \
                                     expr)

#define BULLETIN_ASSERT_OK_AND_ASSIGN_IMPL(status_or, lhs, expr) \
  auto status_or = (expr);                                       \
  ASSERT_OK(status_or);                                          \
  lhs = std::move(status_or).value()
