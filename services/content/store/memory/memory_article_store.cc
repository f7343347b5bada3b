// MemoryArticleStore: articles (create, read, update), request ids, revisions, lists and
// the scheduler's queries.
#include "services/content/store/memory/memory_article_store.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"
#include "services/content/store/memory/memory_internal.h"

namespace bulletin::content {

namespace memory_internal {

Article Stored(Article a) {
  if (a.publish_time) a.publish_time = Micros(*a.publish_time);
  if (a.delete_time) a.delete_time = Micros(*a.delete_time);
  a.create_time = Micros(a.create_time);
  a.update_time = Micros(a.update_time);
  for (auto& [locale, tr] : a.translations) tr.update_time = Micros(tr.update_time);
  return a;
}

Category Stored(Category c) {
  c.create_time = Micros(c.create_time);
  c.update_time = Micros(c.update_time);
  return c;
}

}  // namespace memory_internal

namespace {

using memory_internal::ArticleNotFound;
using memory_internal::Micros;
using memory_internal::Stored;

absl::Time SortTime(const Article& a) { return a.publish_time ? *a.publish_time : a.create_time; }

bool Matches(const ArticleFilter& f, const Article& a) {
  if (a.state != f.state || (!f.show_deleted && a.delete_time) ||
      (f.featured_only && !a.featured)) {
    return false;
  }
  if (!f.category_ids.empty() && std::find(f.category_ids.begin(), f.category_ids.end(),
                                           a.category_id) == f.category_ids.end()) {
    return false;
  }
  if (!f.tag.empty() && std::find(a.tags.begin(), a.tags.end(), f.tag) == a.tags.end()) {
    return false;
  }
  return f.require_locale.empty() || a.translations.count(f.require_locale) > 0;
}

// The list order as a comparable key: larger comes first.
std::tuple<bool, absl::Time, std::string> ListKey(const ArticleFilter& f, bool featured,
                                                  absl::Time sort_time, const std::string& id) {
  return {f.featured_first && featured, sort_time, id};
}

}  // namespace

absl::StatusOr<Article> MemoryArticleStore::FindArticle(const std::string& id) const {
  auto it = articles_.find(id);
  if (it == articles_.end()) return ArticleNotFound(id);
  return it->second;
}

std::string MemoryArticleStore::FindRequest(const std::string& kind, const std::string& request_id,
                                            absl::Time now) const {
  auto it = requests_.find({kind, request_id});
  if (it == requests_.end() || it->second.create_time < Micros(now - kRequestIdWindow)) return "";
  return it->second.resource_id;
}

std::string MemoryArticleStore::SlugOwner(const std::string& slug) const {
  auto it = slugs_.find(slug);
  return it == slugs_.end() ? "" : it->second;
}

absl::Status MemoryArticleStore::CheckArticle(const Article& a) const {
  std::vector<std::pair<std::string, std::string>> slugs = {{a.slug, "article.slug"}};
  for (const auto& [locale, tr] : a.translations) {
    if (!tr.slug.empty()) {
      slugs.emplace_back(tr.slug, absl::StrCat("article.translations[", locale, "].slug"));
    }
  }
  for (const auto& [slug, field] : slugs) {
    const std::string owner = SlugOwner(slug);
    if (!owner.empty() && owner != a.id) {
      return absl::AlreadyExistsError(
          absl::StrCat(field, ": \"", Excerpt(slug), "\" is already used by another article"));
    }
  }
  if (!a.category_id.empty() && !categories_.count(a.category_id)) {
    return absl::FailedPreconditionError(
        absl::StrCat("article.category_id: no category with id \"", Excerpt(a.category_id), "\""));
  }
  return absl::OkStatus();
}

void MemoryArticleStore::CommitArticle(const Article& article, const std::string& author,
                                       const std::vector<std::string>& changed_fields,
                                       absl::Time now) {
  const Article a = Stored(article);
  // Former slugs stay the article's (slug history): CheckArticle let only free slugs and
  // the article's own through, so emplace never moves a slug.
  slugs_.emplace(a.slug, a.id);
  for (const auto& [locale, tr] : a.translations) {
    if (!tr.slug.empty()) slugs_.emplace(tr.slug, a.id);
  }
  articles_[a.id] = a;
  ArticleRevision revision;
  revision.revision = a.revision;
  revision.article = a;
  revision.create_time = Micros(now);
  revision.author = author;
  revision.changed_fields = changed_fields;
  revisions_[a.id].push_back(std::move(revision));
  IndexArticle(a);
}

absl::StatusOr<Article> MemoryArticleStore::CreateArticle(const Article& article,
                                                          const NewArticleOptions& options) {
  absl::MutexLock lock(&mu_);
  if (!options.request_id.empty()) {
    const std::string found = FindRequest("article", options.request_id, options.now);
    if (!found.empty()) return FindArticle(found);
  }
  Article a = article;
  if (options.derived_slug) {
    for (int n = 1;; ++n) {
      if (n > 1000) return absl::InternalError("no free slug after 1000 suffixes");
      std::string candidate = n == 1 ? article.slug : SuffixedSlug(article.slug, n);
      if (SlugOwner(candidate).empty()) {
        a.slug = std::move(candidate);
        break;
      }
    }
  }
  if (articles_.count(a.id)) {
    return absl::AlreadyExistsError(absl::StrCat("article \"", a.id, "\" exists"));
  }
  RETURN_IF_ERROR(CheckArticle(a));
  CommitArticle(a, options.author, {}, options.now);
  if (!options.request_id.empty()) {
    requests_[{"article", options.request_id}] = {a.id, Micros(options.now)};
  }
  return FindArticle(a.id);
}

absl::StatusOr<Article> MemoryArticleStore::GetArticle(const std::string& id) {
  absl::MutexLock lock(&mu_);
  return FindArticle(id);
}

absl::StatusOr<Article> MemoryArticleStore::GetArticleBySlug(const std::string& slug) {
  absl::MutexLock lock(&mu_);
  const std::string id = SlugOwner(slug);
  if (id.empty()) return ArticleNotFound(slug);
  return FindArticle(id);
}

absl::StatusOr<Article> MemoryArticleStore::UpdateArticle(const std::string& id,
                                                          const ArticleMutation& mutate) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Article a, FindArticle(id));
  const int64_t revision = a.revision;
  const AncestorLookup ancestors_of =
      [this](const std::string& category_id)
          ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return AncestorIds(category_id); };
  ASSIGN_OR_RETURN(const ArticleChange change, mutate(a, ancestors_of));
  if (a.revision == revision) return absl::InternalError("a mutation must bump the revision");
  a.id = id;
  RETURN_IF_ERROR(CheckArticle(a));
  if (change.event) RETURN_IF_ERROR(CheckEvent(*change.event));
  CommitArticle(a, change.author, change.changed_fields, a.update_time);
  if (change.event) InsertEvent(*change.event);
  return FindArticle(id);
}

absl::StatusOr<std::vector<Article>> MemoryArticleStore::ListArticles(
    const ArticleFilter& filter, const std::optional<ArticleCursor>& after, int limit) {
  absl::MutexLock lock(&mu_);
  std::vector<const Article*> rows;
  for (const auto& [id, a] : articles_) {
    if (!Matches(filter, a)) continue;
    if (after && ListKey(filter, a.featured, SortTime(a), a.id) >=
                     ListKey(filter, after->featured, after->sort_time, after->id)) {
      continue;
    }
    rows.push_back(&a);
  }
  std::sort(rows.begin(), rows.end(), [&](const Article* x, const Article* y) {
    return ListKey(filter, x->featured, SortTime(*x), x->id) >
           ListKey(filter, y->featured, SortTime(*y), y->id);
  });
  std::vector<Article> page;
  for (const Article* a : rows) {
    if (static_cast<int>(page.size()) >= limit) break;
    page.push_back(*a);
  }
  return page;
}

absl::StatusOr<int64_t> MemoryArticleStore::CountArticles(const ArticleFilter& filter) {
  absl::MutexLock lock(&mu_);
  int64_t n = 0;
  for (const auto& [id, a] : articles_) n += Matches(filter, a) ? 1 : 0;
  return n;
}

absl::StatusOr<std::vector<ArticleRevision>> MemoryArticleStore::ListRevisions(
    const std::string& id, int64_t before_revision, int limit) {
  absl::MutexLock lock(&mu_);
  if (!articles_.count(id)) return ArticleNotFound(id);
  std::vector<ArticleRevision> out;
  const std::vector<ArticleRevision>& all = revisions_[id];
  for (auto it = all.rbegin(); it != all.rend() && static_cast<int>(out.size()) < limit; ++it) {
    if (before_revision > 0 && it->revision >= before_revision) continue;
    out.push_back(*it);
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> MemoryArticleStore::DueScheduledArticles(absl::Time now,
                                                                                  int limit) {
  absl::MutexLock lock(&mu_);
  std::vector<const Article*> due;
  for (const auto& [id, a] : articles_) {
    if (a.state == ArticleState::kScheduled && !a.delete_time && a.publish_time &&
        *a.publish_time <= now) {
      due.push_back(&a);
    }
  }
  std::sort(due.begin(), due.end(), [](const Article* x, const Article* y) {
    return std::tie(*x->publish_time, x->id) < std::tie(*y->publish_time, y->id);
  });
  std::vector<std::string> ids;
  for (const Article* a : due) {
    if (static_cast<int>(ids.size()) >= limit) break;
    ids.push_back(a->id);
  }
  return ids;
}

absl::StatusOr<std::optional<absl::Time>> MemoryArticleStore::NextScheduledTime() {
  absl::MutexLock lock(&mu_);
  std::optional<absl::Time> next;
  for (const auto& [id, a] : articles_) {
    if (a.state != ArticleState::kScheduled || a.delete_time || !a.publish_time) continue;
    if (!next || *a.publish_time < *next) next = a.publish_time;
  }
  return next;
}

}  // namespace bulletin::content
