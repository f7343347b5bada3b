#include "common/base/stream_id.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace bulletin {
namespace {

bool ParseDecimal(absl::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return absl::SimpleAtoi(s, out);
}

}  // namespace

std::string StreamId::ToString() const { return absl::StrCat(ms, "-", seq); }

std::optional<StreamId> StreamId::Parse(absl::string_view s) {
  size_t dash = s.find('-');
  if (dash == absl::string_view::npos) return std::nullopt;
  StreamId id;
  if (!ParseDecimal(s.substr(0, dash), &id.ms) || !ParseDecimal(s.substr(dash + 1), &id.seq)) {
    return std::nullopt;
  }
  return id;
}

}  // namespace bulletin
