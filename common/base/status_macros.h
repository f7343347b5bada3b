// RETURN_IF_ERROR and ASSIGN_OR_RETURN: the one way a function that returns absl::Status or
// absl::StatusOr<T> passes an error on. Both evaluate their expression exactly once and
// return its status unchanged (code, message and payloads, e.g. the current etag).
#pragma once

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace bulletin::status_internal {

inline const absl::Status& GetStatus(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

}  // namespace bulletin::status_internal

#define BULLETIN_STATUS_CONCAT_INNER(a, b) a##b
#define BULLETIN_STATUS_CONCAT(a, b) BULLETIN_STATUS_CONCAT_INNER(a, b)

// Returns the status of `expr` (an absl::Status or absl::StatusOr<T>) when it is not OK.
#define RETURN_IF_ERROR(expr)                                          \
  do {                                                                 \
    if (auto&& bulletin_status_ = (expr); !bulletin_status_.ok()) {    \
      return ::bulletin::status_internal::GetStatus(bulletin_status_); \
    }                                                                  \
  } while (false)

// `ASSIGN_OR_RETURN(T x, StatusOrExpr());` or `ASSIGN_OR_RETURN(x, StatusOrExpr());`:
// returns the status when not OK, else moves the value into the declaration or variable.
#define ASSIGN_OR_RETURN(lhs, expr) \
  BULLETIN_ASSIGN_OR_RETURN_IMPL(BULLETIN_STATUS_CONCAT(bulletin_status_or_, __LINE__), lhs, expr)

#define BULLETIN_ASSIGN_OR_RETURN_IMPL(status_or, lhs, expr) \
  auto status_or = (expr);                                   \
  if (!status_or.ok()) return std::move(status_or).status(); \
  lhs = std::move(status_or).value()
