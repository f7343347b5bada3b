#include "services/web/core/url.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"

namespace bulletin::web {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

absl::StatusOr<std::string> PercentDecode(absl::string_view in, absl::string_view field,
                                          bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      const bool complete = i + 2 < in.size();
      const int hi = complete ? HexValue(in[i + 1]) : -1;
      const int lo = complete ? HexValue(in[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return absl::InvalidArgumentError(absl::StrCat(field, ": bad percent-encoding"));
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  if (!IsValidUtf8(out))
    return absl::InvalidArgumentError(absl::StrCat(field, ": not valid UTF-8"));
  for (unsigned char c : out) {
    if (c < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": control character"));
    }
  }
  return out;
}

std::string PercentEncode(absl::string_view in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : in) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

absl::StatusOr<ParsedTarget> ParseTarget(absl::string_view target) {
  if (target.empty() || target[0] != '/') {
    return absl::InvalidArgumentError("path: must start with '/'");
  }
  ParsedTarget parsed;
  absl::string_view path = target;
  absl::string_view query;
  if (size_t q = target.find('?'); q != absl::string_view::npos) {
    path = target.substr(0, q);
    query = target.substr(q + 1);
  }
  if (size_t hash = query.find('#'); hash != absl::string_view::npos) query = query.substr(0, hash);
  ASSIGN_OR_RETURN(parsed.path, PercentDecode(path, "path", /*plus_is_space=*/false));
  parsed.trailing_slash = path.back() == '/';
  for (absl::string_view segment : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    ASSIGN_OR_RETURN(std::string decoded, PercentDecode(segment, "path", false));
    parsed.segments.push_back(std::move(decoded));
  }
  if (query.empty()) return parsed;
  size_t count = 0;
  for (absl::string_view pair : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    if (++count > kMaxQueryParams) {
      return absl::InvalidArgumentError(
          absl::StrCat("query: more than ", kMaxQueryParams, " parameters"));
    }
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(pair, absl::MaxSplits('=', 1));
    ASSIGN_OR_RETURN(std::string name, PercentDecode(kv.first, "query", true));
    ASSIGN_OR_RETURN(
        std::string value,
        PercentDecode(kv.second, absl::StrCat("query parameter ", Excerpt(name)), true));
    parsed.query.emplace(std::move(name), std::move(value));
  }
  return parsed;
}

}  // namespace bulletin::web
