// ContentCore: article lists (filters, keyset pages behind signed tokens) and revisions.
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"
#include "services/content/core/content_core.h"
#include "services/content/core/content_core_internal.h"
#include "services/content/core/content_validation.h"
#include "services/content/core/unicode_text.h"

namespace bulletin::content {
namespace {

constexpr char kArticlePagePurpose[] = "page:articles";
constexpr char kRevisionPagePurpose[] = "page:revisions";

absl::Time SortTime(const Article& a) { return a.publish_time ? *a.publish_time : a.create_time; }

}  // namespace

absl::StatusOr<std::vector<std::string>> ContentCore::CategoryScope(const std::string& field,
                                                                    const std::string& category_id,
                                                                    bool include_subcategories) {
  if (category_id.empty()) return std::vector<std::string>();
  RETURN_IF_ERROR(CheckId(category_id, field));
  absl::StatusOr<std::vector<std::string>> subtree = store_.CategorySubtree(category_id);
  if (absl::IsNotFound(subtree.status())) {
    return absl::NotFoundError(
        absl::StrCat(field, ": no category with id \"", Excerpt(category_id), "\""));
  }
  RETURN_IF_ERROR(subtree);
  if (!include_subcategories) subtree->resize(1);  // the first entry is the category itself
  return subtree;
}

absl::StatusOr<ArticlePage> ContentCore::ListArticles(const Caller& caller, ListArticlesQuery q) {
  const ArticleState state = q.state.value_or(ArticleState::kPublished);
  if (state != ArticleState::kPublished || q.show_deleted) RETURN_IF_ERROR(RequireEditor(caller));
  ASSIGN_OR_RETURN(const int size, internal::PageSize(q.page_size, 20, 100));
  RETURN_IF_ERROR(CheckOptionalLocale(&q.locale, "locale"));
  if (!IsValidUtf8(q.tag)) return absl::InvalidArgumentError("tag: not valid UTF-8");
  std::string tag(absl::StripAsciiWhitespace(ToNfc(q.tag)));
  absl::AsciiStrToLower(&tag);
  RETURN_IF_ERROR(CheckText(tag, "tag", TextRule{false, kMaxTagLength, false}));
  if (q.require_translation && q.locale.empty()) {
    return absl::InvalidArgumentError("require_translation: needs a locale");
  }

  ArticleFilter filter;
  filter.tag = tag;
  filter.require_locale = q.require_translation ? q.locale : "";
  filter.state = state;
  filter.featured_only = q.featured_only;
  filter.featured_first = q.featured_first;
  filter.show_deleted = q.show_deleted;
  const std::string fingerprint = Fingerprint(
      {q.category_id, q.include_subcategories ? "1" : "0", tag, q.locale, filter.require_locale,
       absl::StrCat(static_cast<int>(state)), q.featured_first ? "1" : "0",
       q.featured_only ? "1" : "0", q.show_deleted ? "1" : "0"});
  std::optional<ArticleCursor> after;
  if (!q.page_token.empty()) {
    auto fields = signer_.Verify(kArticlePagePurpose, q.page_token);
    int64_t micros = 0;
    if (!fields || fields->size() != 4 || !absl::SimpleAtoi((*fields)[2], &micros)) {
      return internal::BadPageToken("malformed or altered");
    }
    if ((*fields)[0] != fingerprint) {
      return internal::BadPageToken("made for a request with other filters");
    }
    after = ArticleCursor{(*fields)[1] == "1", absl::FromUnixMicros(micros), (*fields)[3]};
  }
  ASSIGN_OR_RETURN(filter.category_ids,
                   CategoryScope("category_id", q.category_id, q.include_subcategories));

  // One more than the page tells whether there is a next page.
  ASSIGN_OR_RETURN(std::vector<Article> rows, store_.ListArticles(filter, after, size + 1));
  ArticlePage page;
  ASSIGN_OR_RETURN(page.total_size, store_.CountArticles(filter));
  const bool more = static_cast<int>(rows.size()) > size;
  if (more) rows.resize(size);
  if (more) {
    const Article& last = rows.back();
    page.next_page_token = signer_.Sign(
        kArticlePagePurpose, {fingerprint, last.featured ? "1" : "0",
                              absl::StrCat(absl::ToUnixMicros(SortTime(last))), last.id});
  }
  for (Article& a : rows) {
    page.articles.push_back(
        internal::MakeRead(std::move(a), q.locale, q.basic_view, options_.site_base_url));
  }
  return page;
}

absl::StatusOr<RevisionPage> ContentCore::ListArticleRevisions(const Caller& caller,
                                                               RevisionsQuery q) {
  RETURN_IF_ERROR(RequireEditor(caller));
  RETURN_IF_ERROR(CheckId(q.article_id, "article_id"));
  ASSIGN_OR_RETURN(const int size, internal::PageSize(q.page_size, 20, 100));
  int64_t before = 0;
  if (!q.page_token.empty()) {
    auto fields = signer_.Verify(kRevisionPagePurpose, q.page_token);
    if (!fields || fields->size() != 2 || !absl::SimpleAtoi((*fields)[1], &before)) {
      return internal::BadPageToken("malformed or altered");
    }
    if ((*fields)[0] != q.article_id) return internal::BadPageToken("made for another article");
  }
  ASSIGN_OR_RETURN(std::vector<ArticleRevision> rows,
                   store_.ListRevisions(q.article_id, before, size + 1));
  RevisionPage page;
  if (static_cast<int>(rows.size()) > size) {
    rows.resize(size);
    page.next_page_token =
        signer_.Sign(kRevisionPagePurpose, {q.article_id, absl::StrCat(rows.back().revision)});
  }
  for (ArticleRevision& r : rows) {
    if (q.basic_view) {
      for (auto& [locale, tr] : r.article.translations) tr.body.clear();
    }
  }
  page.revisions = std::move(rows);
  return page;
}

}  // namespace bulletin::content
