#include "services/analytics/store/redis/redis_util.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/base/log.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"
#include "services/analytics/core/counts.h"

namespace bulletin::analytics {

absl::StatusOr<int64_t> IntOf(const RedisReply& r) {
  switch (r.type) {
    case RedisReply::Type::kNil:
      return 0;
    case RedisReply::Type::kInteger:
      return r.integer;
    case RedisReply::Type::kString: {
      int64_t v = 0;
      if (!absl::SimpleAtoi(r.str, &v)) {
        return UnexpectedReply("number", r);
      }
      return v;
    }
    case RedisReply::Type::kError:
      return r.ToStatus();
    default:
      return UnexpectedReply("number", r);
  }
}

absl::StatusOr<int64_t> SumOf(const RedisReply& r) {
  if (r.is_error()) return r.ToStatus();
  int64_t sum = 0;
  for (const RedisReply& e : r.elements) {
    ASSIGN_OR_RETURN(const int64_t v, IntOf(e));
    sum = SaturatingAdd(sum, v);
  }
  return sum;
}

absl::StatusOr<double> DoubleOf(const RedisReply& r) {
  switch (r.type) {
    case RedisReply::Type::kNil:
      return 0.0;
    case RedisReply::Type::kInteger:
      return static_cast<double>(r.integer);
    case RedisReply::Type::kString: {
      double v = 0;
      if (!absl::SimpleAtod(r.str, &v)) {
        return UnexpectedReply("number", r);
      }
      return v;
    }
    case RedisReply::Type::kError:
      return r.ToStatus();
    default:
      return UnexpectedReply("number", r);
  }
}

std::string Seconds(absl::Duration d) { return absl::StrCat(absl::ToInt64Seconds(d)); }

bool IsNoScript(const RedisReply& r) { return r.is_error() && r.str.rfind("NOSCRIPT", 0) == 0; }

absl::Status UnexpectedReply(absl::string_view what, const RedisReply& r) {
  Logger()->error("redis: unexpected {} reply: {}", std::string(what),
                  Excerpt(DebugString(r), 200));
  return absl::InternalError(absl::StrCat("redis: unexpected ", what, " reply"));
}

}  // namespace bulletin::analytics
