#include "services/analytics/redis_util.h"

#include <openssl/sha.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

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
        return absl::InternalError(absl::StrCat("redis: not a number: \"", r.str, "\""));
      }
      return v;
    }
    case RedisReply::Type::kError:
      return r.ToStatus();
    default:
      return absl::InternalError("redis: unexpected reply " + DebugString(r));
  }
}

absl::StatusOr<int64_t> SumOf(const RedisReply& r) {
  if (r.is_error()) return r.ToStatus();
  int64_t sum = 0;
  for (const RedisReply& e : r.elements) {
    absl::StatusOr<int64_t> v = IntOf(e);
    if (!v.ok()) return v.status();
    sum += *v;
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
        return absl::InternalError(absl::StrCat("redis: not a number: \"", r.str, "\""));
      }
      return v;
    }
    case RedisReply::Type::kError:
      return r.ToStatus();
    default:
      return absl::InternalError("redis: unexpected reply " + DebugString(r));
  }
}

std::string Sha1Hex(const std::string& s) {
  unsigned char d[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : d) {
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

std::string Seconds(absl::Duration d) { return absl::StrCat(absl::ToInt64Seconds(d)); }

bool IsNoScript(const RedisReply& r) { return r.is_error() && r.str.rfind("NOSCRIPT", 0) == 0; }

}  // namespace bulletin::analytics
