// The inputs and results of ContentCore's methods beyond the domain values: queries,
// commands and pages, mirroring the content.v1 request/response messages in plain C++.
// Plain structs without behaviour.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/content/core/content_types.h"

namespace bulletin::content {

struct CategoryRead {
  Category category;
  std::vector<Category> ancestors;  // root first, excluding `category`
};

struct ArticleQuery {
  std::string id;  // exactly one of id and slug
  std::string slug;
  std::string locale;  // optional: read in this locale, with fallback
  std::string preview_token;
  bool basic_view = false;  // leave bodies out
  bool show_deleted = false;
};

struct ArticleRead {
  Article article;                            // with `locale`: only the returned translation
  std::string returned_locale;                // empty without `locale`
  std::vector<LocaleLink> published_locales;  // empty unless PUBLISHED
};

struct PublishCommand {
  std::string id;
  std::string etag;                        // optional; stale -> ABORTED
  std::optional<absl::Time> publish_time;  // future: schedule; past/unset: publish now
};

// DeleteArticle, UnpublishArticle, ArchiveArticle.
struct StateCommand {
  std::string id;
  std::string etag;  // optional; stale -> ABORTED
};

struct UpdateCommand {
  Article article;                 // id required; etag optional; values of the mask's fields
  std::vector<std::string> paths;  // update_mask paths (content.proto UpdateArticleRequest)
};

struct ListArticlesQuery {
  int page_size = 0;  // 0: 20; clamped to 100
  std::string page_token;
  std::string category_id;
  bool include_subcategories = false;
  std::string tag;
  std::string locale;
  bool require_translation = false;
  std::optional<ArticleState> state;  // nullopt: PUBLISHED
  bool basic_view = true;
  bool featured_first = false;
  bool featured_only = false;
  bool show_deleted = false;
};

struct ArticlePage {
  std::vector<ArticleRead> articles;
  std::string next_page_token;
  int64_t total_size = 0;
};

struct RevisionsQuery {
  std::string article_id;
  int page_size = 0;  // 0: 20; clamped to 100
  std::string page_token;
  bool basic_view = true;
};

struct RevisionPage {
  std::vector<ArticleRevision> revisions;
  std::string next_page_token;
};

struct SearchQuery {
  std::string query;
  std::string locale;
  std::string category_id;
  bool include_subcategories = false;
  int page_size = 0;  // 0: 10; clamped to 50
  std::string page_token;
};

// A highlighted excerpt; ranges are [start, end) in code points of `text`.
struct Snippet {
  std::string field;  // "title", "summary" or "body"
  std::string text;
  std::vector<std::pair<int, int>> highlights;
  std::string html;  // escaped, matches in <mark>
};

struct SearchResult {
  ArticleRead read;  // BASIC, the matched translation only
  double score = 0;  // higher is better
  std::vector<Snippet> snippets;
};

struct SearchPage {
  std::vector<SearchResult> results;
  std::string next_page_token;
  int64_t total_size = 0;
};

struct RelatedQuery {
  std::string article_id;
  std::string locale;
  int page_size = 0;  // 0: 5; clamped to 20
};

struct PreviewGrant {
  std::string token;
  std::string article_id;
  absl::Time expire_time;
};

struct CategoryListQuery {
  int page_size = 0;  // 0: 100; clamped to 500
  std::string page_token;
  std::string parent_id;  // empty: the whole tree, depth-first
};

struct CategoryPage {
  std::vector<Category> categories;
  std::string next_page_token;
};

struct CategoryUpdate {
  Category category;  // id required; etag optional
  std::vector<std::string> paths;
};

}  // namespace bulletin::content
