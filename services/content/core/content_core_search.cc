// ContentCore: full-text search with snippets, and related articles.
#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"
#include "services/content/core/content_core.h"
#include "services/content/core/content_core_internal.h"
#include "services/content/core/content_validation.h"
#include "services/content/core/html_sanitizer.h"
#include "services/content/core/search_query.h"
#include "services/content/core/unicode_text.h"

namespace bulletin::content {
namespace {

constexpr char kSearchPagePurpose[] = "page:search";
// Translations ranked per query: the most recently indexed matches (ArticleStore::Search);
// total_size counts the articles among them.
constexpr int kMaxSearchRows = 1000;
constexpr size_t kSnippetChars = 200;
// Related articles: the words of the title in the text query (the store keeps the rarest),
// the bonus of having the requested locale, and how many candidates beyond the page may
// be loaded to apply it.
constexpr size_t kRelatedTextTerms = 32;
constexpr double kLocaleBonus = 0.5;
constexpr size_t kRelatedExtraLoads = 20;
// A query: 1..200 characters, no control characters (line breaks and tabs are spaces).
constexpr TextRule kQueryRule = {/*required=*/true, /*max_code_points=*/200,
                                 /*allow_line_breaks=*/true};

}  // namespace

absl::StatusOr<SearchPage> ContentCore::SearchArticles(SearchQuery q) {
  if (!IsValidUtf8(q.query)) return absl::InvalidArgumentError("query: not valid UTF-8");
  const std::string text(absl::StripAsciiWhitespace(ToNfc(q.query)));
  RETURN_IF_ERROR(CheckText(text, "query", kQueryRule));
  RETURN_IF_ERROR(CheckOptionalLocale(&q.locale, "locale"));
  ASSIGN_OR_RETURN(const int size, internal::PageSize(q.page_size, 10, 50));
  const std::vector<QueryPhrase> phrases = ParseSearchQuery(text);
  if (phrases.empty()) return absl::InvalidArgumentError("query: has no searchable words");
  const std::string fingerprint =
      Fingerprint({text, q.locale, q.category_id, q.include_subcategories ? "1" : "0"});
  size_t offset = 0;
  if (!q.page_token.empty()) {
    auto fields = signer_.Verify(kSearchPagePurpose, q.page_token);
    if (!fields || fields->size() != 2 || !absl::SimpleAtoi((*fields)[1], &offset)) {
      return internal::BadPageToken("malformed or altered");
    }
    if ((*fields)[0] != fingerprint) return internal::BadPageToken("made for another search");
  }
  ASSIGN_OR_RETURN(std::vector<std::string> categories,
                   CategoryScope("category_id", q.category_id, q.include_subcategories));

  ASSIGN_OR_RETURN(
      std::vector<SearchHit> hits,
      store_.Search(TextQuery{phrases, /*match_all=*/true}, q.locale, categories, kMaxSearchRows));
  // Each article once, under its best-ranked translation (hits come best first).
  std::vector<SearchHit> best;
  std::set<std::string> seen;
  for (SearchHit& h : hits) {
    if (seen.insert(h.article_id).second) best.push_back(std::move(h));
  }
  SearchPage page;
  page.total_size = static_cast<int64_t>(best.size());
  // The page's articles read together (on PostgreSQL ten loads were ~6 ms of a search); one
  // deleted since the query is skipped, and the next hit loaded on its own.
  std::vector<std::string> page_ids;
  for (size_t i = offset; i < best.size() && page_ids.size() < static_cast<size_t>(size); ++i) {
    page_ids.push_back(best[i].article_id);
  }
  ASSIGN_OR_RETURN(auto loaded, LoadMany(page_ids));
  for (size_t i = offset; i < best.size() && page.results.size() < static_cast<size_t>(size); ++i) {
    auto it = loaded.find(best[i].article_id);
    absl::StatusOr<Article> a =
        it != loaded.end() ? std::move(it->second) : Load(best[i].article_id, "");
    if (absl::IsNotFound(a.status())) continue;  // deleted since the query
    RETURN_IF_ERROR(a);
    if (!a->translations.count(best[i].locale)) continue;
    SearchResult r;
    r.score = -best[i].rank;
    const Translation& tr = a->translations.at(best[i].locale);
    bool title_hit = false, summary_hit = false, body_hit = false;
    Snippet title = MakeSnippet("title", tr.title, phrases, kSnippetChars, &title_hit);
    Snippet summary = MakeSnippet("summary", tr.summary, phrases, kSnippetChars, &summary_hit);
    Snippet body = MakeSnippet("body", HtmlToText(tr.body), phrases, kSnippetChars, &body_hit);
    if (title_hit) r.snippets.push_back(std::move(title));
    if (summary_hit && (!body_hit || summary.highlights.size() >= body.highlights.size())) {
      r.snippets.push_back(std::move(summary));
    } else if (body_hit) {
      r.snippets.push_back(std::move(body));
    } else if (!title_hit && !tr.summary.empty()) {
      r.snippets.push_back(std::move(summary));
    }
    r.read = internal::MakeRead(*std::move(a), best[i].locale, /*basic_view=*/true,
                                options_.site_base_url);
    page.results.push_back(std::move(r));
  }
  const size_t next = offset + static_cast<size_t>(size);
  if (next < best.size()) {
    page.next_page_token = signer_.Sign(kSearchPagePurpose, {fingerprint, absl::StrCat(next)});
  }
  return page;
}

absl::StatusOr<std::vector<ArticleRead>> ContentCore::ListRelatedArticles(const Caller& caller,
                                                                          RelatedQuery q) {
  RETURN_IF_ERROR(CheckId(q.article_id, "article_id"));
  RETURN_IF_ERROR(CheckOptionalLocale(&q.locale, "locale"));
  ASSIGN_OR_RETURN(const int size, internal::PageSize(q.page_size, 5, 20));
  absl::StatusOr<Article> self = Load(q.article_id, "");
  const bool visible = self.ok() && !self->delete_time &&
                       (self->state == ArticleState::kPublished || internal::IsEditor(caller));
  if (absl::IsNotFound(self.status()) || (self.ok() && !visible)) {
    return absl::NotFoundError(absl::StrCat("article \"", Excerpt(q.article_id), "\" not found"));
  }
  RETURN_IF_ERROR(self);
  const std::string locale =
      internal::PickLocale(*self, q.locale.empty() ? self->default_locale : q.locale);
  const Translation& tr = self->translations.at(locale);
  // Words of the title only: shared tags are counted by the store's tag queries.
  const TextQuery text = AnyTermOf(tr.title, kRelatedTextTerms);
  ASSIGN_OR_RETURN(std::vector<RelatedCandidate> candidates,
                   store_.RelatedCandidates(*self, text, 50));

  // Scored from what the store returned; only the few that can make the page are loaded.
  // Text similarity in [0, 1]: bm25 relative to the best text match among the candidates.
  double best_rank = 0;
  for (const RelatedCandidate& c : candidates) best_rank = std::min(best_rank, c.text_rank);
  struct Scored {
    double score;
    absl::Time time;
    const std::string* id;
  };
  std::vector<Scored> scored;
  scored.reserve(candidates.size());
  for (const RelatedCandidate& c : candidates) {
    const double score = 3.0 * c.shared_tags + (c.same_category ? 2.0 : 0.0) +
                         (best_rank < 0 ? 4.0 * c.text_rank / best_rank : 0.0);
    scored.push_back({score, c.sort_time, &c.article_id});
  }
  auto better = [](const Scored& x, const Scored& y) {
    if (x.score != y.score) return x.score > y.score;
    if (x.time != y.time) return x.time > y.time;  // recency breaks ties
    return *x.id > *y.id;
  };
  std::sort(scored.begin(), scored.end(), better);
  // The requested locale adds kLocaleBonus: once a candidate with the bonus would still
  // rank below the page's last loaded article (score, then recency and id, as the page
  // is ordered), neither it nor any later one can reach the page, so loading stops there
  // (or at the cap). When the page's articles all have the locale, that is the first
  // candidate past the page.
  const bool bonus = !q.locale.empty();
  // The page's first candidates read together (one round trip); any further one on its own.
  std::vector<std::string> first_ids;
  for (size_t i = 0; i < scored.size() && i < static_cast<size_t>(size); ++i) {
    first_ids.push_back(*scored[i].id);
  }
  ASSIGN_OR_RETURN(auto first, LoadMany(first_ids));
  std::vector<Scored> loaded;
  std::vector<Article> articles;
  for (const Scored& s : scored) {
    if (loaded.size() >= static_cast<size_t>(size) + (bonus ? kRelatedExtraLoads : 0)) break;
    if (loaded.size() >= static_cast<size_t>(size)) {
      std::vector<Scored> finals = loaded;
      std::nth_element(finals.begin(), finals.begin() + (size - 1), finals.end(), better);
      Scored lifted = s;
      lifted.score += kLocaleBonus;
      if (!better(lifted, finals[static_cast<size_t>(size) - 1])) break;
    }
    auto it = first.find(*s.id);
    absl::StatusOr<Article> a = it != first.end() ? std::move(it->second) : Load(*s.id, "");
    if (absl::IsNotFound(a.status())) continue;  // deleted since the query
    RETURN_IF_ERROR(a);
    Scored with = s;
    if (bonus && a->translations.count(q.locale)) with.score += kLocaleBonus;
    loaded.push_back(with);
    articles.push_back(*std::move(a));
    if (!bonus && loaded.size() >= static_cast<size_t>(size)) break;
  }
  std::vector<size_t> order(loaded.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return better(loaded[x], loaded[y]); });
  std::vector<ArticleRead> out;
  // In the requested locale, else the one the given article was read in; with fallback.
  const std::string read_locale = q.locale.empty() ? locale : q.locale;
  for (size_t i : order) {
    if (static_cast<int>(out.size()) >= size) break;
    out.push_back(internal::MakeRead(std::move(articles[i]), read_locale, /*basic_view=*/true,
                                     options_.site_base_url));
  }
  return out;
}

}  // namespace bulletin::content
