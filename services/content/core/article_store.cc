#include "services/content/core/article_store.h"

#include "absl/strings/str_cat.h"
#include "common/base/text_rules.h"

namespace bulletin::content {

std::string SuffixedSlug(const std::string& base, int n) {
  const std::string suffix = absl::StrCat("-", n);
  std::string head = base.substr(0, kMaxSlugLength - suffix.size());
  while (!head.empty() && head.back() == '-') head.pop_back();
  return head + suffix;
}

}  // namespace bulletin::content
