// Fuzz target analytics_view: the view rules of analytics (services/analytics/core
// view_validation.h, view_filter.h) on a view as any caller may send it, and the
// operator's --exclude-addresses list. Besides not crashing: a canonical address is a
// fixed point and is excluded exactly when the address it came from is; an accepted view
// has a normalised locale; errors are INVALID_ARGUMENT with short messages. Input: a byte
// (view time offset), chunks (article id, visitor id, client ip, user agent, locale,
// referrer, request id), then the excluded list.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/base/text_rules.h"
#include "fuzz/fuzz_support.h"
#include "services/analytics/core/view_filter.h"
#include "services/analytics/core/view_validation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bulletin;             // NOLINT
  using namespace bulletin::analytics;  // NOLINT
  using namespace bulletin::fuzz;       // NOLINT
  Quiet();
  const absl::Time now = absl::FromUnixSeconds(1709294400);
  FuzzInput in(data, size);
  const uint8_t offset = in.Byte();
  View view;
  view.article_id = std::string(in.Chunk());
  view.visitor_id = std::string(in.Chunk());
  view.client_ip = std::string(in.Chunk());
  view.user_agent = std::string(in.Chunk());
  view.locale = std::string(in.Chunk());
  view.referrer = std::string(in.Chunk());
  view.request_id = std::string(in.Chunk());
  if (offset & 1) view.view_time = now + absl::Minutes((offset >> 1) - 64) * 30;
  const std::string excluded(in.Rest());

  const std::string canonical = CanonicalIp(view.client_ip);
  if (!canonical.empty()) {
    FUZZ_CHECK(CanonicalIp(canonical) == canonical, "CanonicalIp is not a fixed point");
  }
  absl::StatusOr<ViewFilter> filter = ViewFilter::Create({"fuzzbot"}, excluded);
  if (!filter.ok()) {
    FUZZ_CHECK(filter.status().code() == absl::StatusCode::kInvalidArgument, "filter status");
    FUZZ_CHECK(filter.status().message().size() <= 300, "a long filter message");
    filter = ViewFilter();
  }
  if (!canonical.empty()) {
    FUZZ_CHECK(filter->IsExcluded(view.client_ip) == filter->IsExcluded(canonical),
               "an address and its canonical form are excluded differently");
  }
  (void)filter->Classify(view);

  View checked = view;
  const absl::Status st = ValidateView(checked, now, "views[7].");
  CheckAnswer(st, "ValidateView");
  if (!st.ok()) {
    FUZZ_CHECK(st.code() == absl::StatusCode::kInvalidArgument, "ValidateView status");
    return 0;
  }
  if (!checked.locale.empty()) {
    FUZZ_CHECK(NormalizeLocale(checked.locale) == checked.locale, "locale not normalised");
  }
  return 0;
}
