// SqliteArticleStore::RelatedCandidates: the candidates of an article's related articles
// (holders of its tags, members of its category, documents matching the rarest words of
// its title) with what the core scores them by. Each part is bounded whatever the size of
// the archive (see the constants below). Runs under the store's mutex like every query;
// the search index itself (article_search, search_docs) is kept by
// sqlite_article_store_search.cc.
#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "services/content/store/sqlite/sqlite_article_store.h"
#include "services/content/store/sqlite/sqlite_fts.h"
#include "services/content/store/sqlite/sqlite_internal.h"

namespace bulletin::content {
namespace {

// bm25 column weights, as Search's: a match in the title counts most, then the summary,
// then the body.
constexpr char kRank[] = "bm25(article_search, 5.0, 2.0, 1.0)";

// Related articles' text query keeps at most kRareTerms words, each in fewer than
// kCommonDocs search documents (a translation each): ranking is then bounded by
// kRareTerms * kCommonDocs matches whatever the size of the archive.
constexpr int64_t kCommonDocs = 500;
constexpr size_t kRareTerms = 4;

// `s` as a JSON string literal.
std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static const char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[(c >> 4) & 0xF];
      out += kHex[c & 0xF];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

absl::StatusOr<std::vector<RelatedCandidate>> SqliteArticleStore::RelatedCandidates(
    const Article& article, const TextQuery& text, int limit) {
  absl::MutexLock lock(&mu_);
  std::map<std::string, RelatedCandidate> found;
  std::map<std::string, int64_t> timed;  // sort time of the candidates found by tag or category
  auto entry = [&](const std::string& id) -> RelatedCandidate& {
    RelatedCandidate& c = found[id];
    c.article_id = id;
    return c;
  };
  // The `limit` newest published, not deleted holders of each tag and members of the
  // category: index range reads (schema migration 5), whatever their number.
  for (const std::string& tag : article.tags) {
    ASSIGN_OR_RETURN(Statement q,
                     db_->Prepare("SELECT article_id, listed_time FROM listed_tags WHERE "
                                  "tag = ? ORDER BY listed_time DESC, article_id "
                                  "DESC LIMIT ?"));
    q.BindText(1, tag).BindInt(2, limit);
    for (;;) {
      ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      ++entry(q.Text(0)).shared_tags;
      timed[q.Text(0)] = q.Int(1);
    }
  }
  if (!article.category_id.empty()) {
    ASSIGN_OR_RETURN(
        Statement q,
        db_->Prepare(absl::StrCat(
            "SELECT a.id, COALESCE(a.publish_time, a.create_time) FROM articles a INDEXED BY "
            "articles_in_category_listed WHERE a.category_id = ? AND a.state = ",
            Stored(ArticleState::kPublished),
            " AND a.delete_time IS NULL ORDER BY COALESCE(a.publish_time, a.create_time) DESC, "
            "a.id DESC LIMIT ?")));
    q.BindText(1, article.category_id).BindInt(2, limit);
    for (;;) {
      ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      entry(q.Text(0)).same_category = true;
      timed[q.Text(0)] = q.Int(1);
    }
  }
  if (!text.phrases.empty()) {
    // Only the rarest words: a word in most documents would make FTS5 rank nearly the whole
    // index (bm25 of every match). Each word's document count is probed up to kCommonDocs.
    std::vector<std::pair<int64_t, size_t>> rare;  // (documents, phrase index)
    for (size_t i = 0; i < text.phrases.size(); ++i) {
      ASSIGN_OR_RETURN(Statement probe,
                       db_->Prepare("SELECT COUNT(*) FROM (SELECT rowid FROM article_search "
                                    "WHERE article_search MATCH ? LIMIT ?)"));
      TextQuery one;
      one.phrases.push_back(text.phrases[i]);
      probe.BindText(1, FtsExpression(one)).BindInt(2, kCommonDocs);
      ASSIGN_OR_RETURN(bool row, probe.Step());
      const int64_t docs = row ? probe.Int(0) : 0;
      // In one document only (the article's own): nothing to find.
      if (docs > 1 && docs < kCommonDocs) {
        rare.emplace_back(docs, i);
      }
    }
    std::sort(rare.begin(), rare.end());
    TextQuery bounded;
    bounded.match_all = false;
    for (size_t k = 0; k < rare.size() && k < kRareTerms; ++k) {
      bounded.phrases.push_back(text.phrases[rare[k].second]);
    }
    if (!bounded.phrases.empty()) {
      ASSIGN_OR_RETURN(
          Statement q,
          db_->Prepare(absl::StrCat(
              "SELECT d.article_id, ", kRank,
              " AS rank FROM article_search JOIN "
              "search_docs d ON d.docid = article_search.rowid WHERE article_search MATCH ? "
              "ORDER BY rank LIMIT ?")));
      q.BindText(1, FtsExpression(bounded)).BindInt(2, limit);
      for (;;) {
        ASSIGN_OR_RETURN(bool row, q.Step());
        if (!row) break;
        RelatedCandidate& c = entry(q.Text(0));
        if (c.text_rank == 0) c.text_rank = q.Double(1);  // best first: keep the best translation
      }
    }
  }
  found.erase(article.id);
  std::vector<RelatedCandidate> out;
  // Publish times of the candidates found by text only, in one query (and whether they are
  // still live); those of tag and category holders came with them.
  std::string ids = "[";
  for (auto& [id, c] : found) {
    auto t = timed.find(id);
    if (t != timed.end()) {
      c.sort_time = FromMicros(t->second);
      out.push_back(std::move(c));
      continue;
    }
    if (ids.size() > 1) ids += ",";
    ids += JsonString(id);
  }
  ids += "]";
  ASSIGN_OR_RETURN(Statement q,
                   db_->Prepare(absl::StrCat(
                       "SELECT a.id, COALESCE(a.publish_time, a.create_time) FROM json_each(?) j "
                       // CROSS JOIN: each id by the key, not a scan of the published ones.
                       "CROSS JOIN articles a ON a.id = j.value WHERE a.state = ",
                       Stored(ArticleState::kPublished), " AND a.delete_time IS NULL")));
  q.BindText(1, ids);
  for (;;) {
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    auto it = found.find(q.Text(0));
    if (it == found.end()) continue;
    it->second.sort_time = FromMicros(q.Int(1));
    out.push_back(std::move(it->second));
  }
  return out;
}

}  // namespace bulletin::content
