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

absl::StatusOr<std::vector<Article>> ArticleStore::GetArticles(
    const std::vector<std::string>& ids) {
  std::vector<Article> out;
  for (const std::string& id : ids) {
    absl::StatusOr<Article> a = GetArticle(id);
    if (absl::IsNotFound(a.status())) continue;
    if (!a.ok()) return a.status();
    out.push_back(*std::move(a));
  }
  return out;
}

}  // namespace bulletin::content
