// MemoryArticleStore: the search index and its queries. Documents are the translations
// of published, not deleted articles, tokenised by the core's TokenizeForSearch; a query
// ranks them with FTS5's BM25 (k1 = 1.2, b = 0.75, IDF floored at 1e-6, column weights
// title 5, summary 2, body 1), so the order matches the SQLite store's.
#include <algorithm>
#include <cmath>
#include <map>

#include "services/content/core/html_sanitizer.h"
#include "services/content/core/search_query.h"
#include "services/content/store/memory/memory_article_store.h"

namespace bulletin::content {
namespace {

constexpr double kK1 = 1.2;
constexpr double kB = 0.75;
constexpr double kColumnWeights[3] = {5.0, 2.0, 1.0};

// Occurrences of `phrase` in `column`.
int Occurrences(const std::vector<SearchToken>& column, const QueryPhrase& phrase) {
  int n = 0;
  for (size_t i = 0; i < column.size(); ++i) n += PhraseAt(column, i, phrase) ? 1 : 0;
  return n;
}

}  // namespace

void MemoryArticleStore::IndexArticle(const Article& a) {
  docs_.erase(a.id);
  if (a.state != ArticleState::kPublished || a.delete_time) return;
  std::vector<SearchDoc>& docs = docs_[a.id];
  for (const auto& [locale, tr] : a.translations) {
    SearchDoc& doc = docs.emplace_back();
    doc.docid = next_docid_++;
    doc.article_id = a.id;
    doc.locale = locale;
    doc.columns[0] = TokenizeForSearch(tr.title);
    doc.columns[1] = TokenizeForSearch(tr.summary);
    doc.columns[2] = TokenizeForSearch(HtmlToText(tr.body));
  }
}

std::vector<MemoryArticleStore::RankedDoc> MemoryArticleStore::RankDocs(
    const TextQuery& query, const std::function<bool(const SearchDoc&)>& keep, int limit,
    bool newest_only) const {
  const size_t phrases = query.phrases.size();
  // Every indexed document, with its weighted frequency of each phrase.
  struct Scan {
    const SearchDoc* doc;
    std::vector<double> frequency;
    bool matches;
    double tokens;
  };
  std::vector<Scan> scans;
  std::vector<int64_t> hits(phrases, 0);  // documents holding each phrase
  double total_tokens = 0;
  for (const auto& [article_id, docs] : docs_) {
    for (const SearchDoc& doc : docs) {
      Scan scan{&doc, std::vector<double>(phrases, 0.0), query.match_all, 0};
      for (const std::vector<SearchToken>& column : doc.columns) scan.tokens += column.size();
      total_tokens += scan.tokens;
      bool any = false;
      for (size_t p = 0; p < phrases; ++p) {
        int found = 0;
        for (int c = 0; c < 3; ++c) {
          const int n = Occurrences(doc.columns[c], query.phrases[p]);
          found += n;
          scan.frequency[p] += kColumnWeights[c] * n;
        }
        hits[p] += found > 0 ? 1 : 0;
        any = any || found > 0;
        if (query.match_all && found == 0) scan.matches = false;
      }
      if (!query.match_all) scan.matches = any;
      scans.push_back(std::move(scan));
    }
  }
  if (phrases == 0 || scans.empty()) return {};
  const double rows = static_cast<double>(scans.size());
  const double average = total_tokens / rows;
  std::vector<double> idf(phrases);
  for (size_t p = 0; p < phrases; ++p) {
    idf[p] = std::log((rows - hits[p] + 0.5) / (hits[p] + 0.5));
    if (idf[p] <= 0.0) idf[p] = 1e-6;
  }
  std::vector<RankedDoc> ranked;
  for (const Scan& scan : scans) {
    if (!scan.matches || !keep(*scan.doc)) continue;
    double score = 0;
    for (size_t p = 0; p < phrases; ++p) {
      const double f = scan.frequency[p];
      score += idf[p] * (f * (kK1 + 1.0)) / (f + kK1 * (1 - kB + kB * scan.tokens / average));
    }
    ranked.push_back({scan.doc, -score});
  }
  if (newest_only && static_cast<int>(ranked.size()) > limit) {
    std::sort(ranked.begin(), ranked.end(),
              [](const RankedDoc& x, const RankedDoc& y) { return x.doc->docid > y.doc->docid; });
    ranked.resize(std::max(limit, 0));
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const RankedDoc& x, const RankedDoc& y) {
    if (x.rank != y.rank) return x.rank < y.rank;
    return x.doc->article_id < y.doc->article_id;
  });
  if (static_cast<int>(ranked.size()) > limit) ranked.resize(std::max(limit, 0));
  return ranked;
}

absl::StatusOr<std::vector<SearchHit>> MemoryArticleStore::Search(
    const TextQuery& query, const std::string& locale, const std::vector<std::string>& category_ids,
    int limit) {
  absl::MutexLock lock(&mu_);
  auto keep = [&](const SearchDoc& doc) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!locale.empty() && doc.locale != locale) return false;
    if (category_ids.empty()) return true;
    const std::string& category = articles_.at(doc.article_id).category_id;
    return std::find(category_ids.begin(), category_ids.end(), category) != category_ids.end();
  };
  std::vector<SearchHit> hits;
  for (const RankedDoc& r : RankDocs(query, keep, limit, /*newest_only=*/true)) {
    hits.push_back({r.doc->article_id, r.doc->locale, r.rank});
  }
  return hits;
}

std::vector<const Article*> MemoryArticleStore::NewestPublished(
    const std::function<bool(const Article&)>& keep, int limit) const {
  std::vector<const Article*> out;
  for (const auto& [id, a] : articles_) {
    if (a.state == ArticleState::kPublished && !a.delete_time && keep(a)) out.push_back(&a);
  }
  std::stable_sort(out.begin(), out.end(), [](const Article* x, const Article* y) {
    return x->publish_time > y->publish_time;
  });
  if (static_cast<int>(out.size()) > limit) out.resize(std::max(limit, 0));
  return out;
}

absl::StatusOr<std::vector<RelatedCandidate>> MemoryArticleStore::RelatedCandidates(
    const Article& article, const TextQuery& text, int limit) {
  absl::MutexLock lock(&mu_);
  std::map<std::string, RelatedCandidate> found;
  auto entry = [&](const std::string& id) -> RelatedCandidate& {
    RelatedCandidate& c = found[id];
    c.article_id = id;
    return c;
  };
  for (const std::string& tag : article.tags) {
    auto has_tag = [&](const Article& a) {
      return std::find(a.tags.begin(), a.tags.end(), tag) != a.tags.end();
    };
    for (const Article* a : NewestPublished(has_tag, limit)) ++entry(a->id).shared_tags;
  }
  if (!article.category_id.empty()) {
    auto same = [&](const Article& a) { return a.category_id == article.category_id; };
    for (const Article* a : NewestPublished(same, limit)) entry(a->id).same_category = true;
  }
  if (!text.phrases.empty()) {
    for (const RankedDoc& r : RankDocs(
             text, [](const SearchDoc&) { return true; }, limit, /*newest_only=*/false)) {
      RelatedCandidate& c = entry(r.doc->article_id);
      if (c.text_rank == 0) c.text_rank = r.rank;  // best first: keep the best translation
    }
  }
  found.erase(article.id);
  std::vector<RelatedCandidate> out;
  for (auto& [id, c] : found) {
    auto it = articles_.find(id);
    if (it == articles_.end() || it->second.state != ArticleState::kPublished ||
        it->second.delete_time) {
      continue;
    }
    const Article& a = it->second;
    c.sort_time = a.publish_time ? *a.publish_time : a.create_time;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace bulletin::content
