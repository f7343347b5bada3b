#include "common/base/etag.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "common/base/text_rules.h"

namespace bulletin {

absl::Status StaleEtag(absl::string_view field, absl::string_view given,
                       absl::string_view current) {
  absl::Status aborted = absl::AbortedError(absl::StrCat(
      field, ": \"", Excerpt(given), "\" is stale; the current etag is \"", current, "\""));
  aborted.SetPayload(kCurrentEtagKey, absl::Cord(current));
  return aborted;
}

std::optional<std::string> CurrentEtagOf(const absl::Status& status) {
  absl::optional<absl::Cord> etag = status.GetPayload(kCurrentEtagKey);
  if (!etag) return std::nullopt;
  return std::string(*etag);
}

}  // namespace bulletin
