#include "services/content/store/postgres/postgres_article_store.h"

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"
#include "services/content/store/postgres/pg_internal.h"
#include "services/content/store/postgres/pg_schema.h"

namespace bulletin::content {

using pg_internal::FindRequest;
using pg_internal::InsertOutbox;
using pg_internal::LoadAncestors;
using pg_internal::LoadArticle;
using pg_internal::LoadArticleParts;
using pg_internal::LockCategoryTree;
using pg_internal::ReadArticleRow;
using pg_internal::RebuildSearchIndexIfStale;
using pg_internal::SaveRequest;
using pg_internal::SlugOwner;
using pg_internal::WriteArticle;
using pg_internal::WriteRevision;

absl::StatusOr<std::unique_ptr<PostgresArticleStore>> PostgresArticleStore::Open(
    const PostgresStoreOptions& options) {
  PgPoolOptions pool_options;
  pool_options.uri = options.uri;
  pool_options.size = options.pool_size;
  ASSIGN_OR_RETURN(std::unique_ptr<PgPool> pool, PgPool::Open(pool_options));
  {
    ASSIGN_OR_RETURN(PgPool::Lease db, pool->Acquire());
    RETURN_IF_ERROR(PgMigrate(*db, PgSchemaMigrations()));
    RETURN_IF_ERROR(RebuildSearchIndexIfStale(*db));
  }
  return std::unique_ptr<PostgresArticleStore>(
      new PostgresArticleStore(std::move(pool), options.uri));
}

absl::StatusOr<Article> PostgresArticleStore::CreateArticle(const Article& article,
                                                            const NewArticleOptions& options) {
  std::string id;
  RETURN_IF_ERROR(pool_->Transaction([&](PgConnection& db) -> absl::Status {
    id = article.id;
    if (!options.request_id.empty()) {
      // Creates with the same request_id (a client retrying through another replica) take
      // turns, so the second finds the first's article instead of clashing with it.
      RETURN_IF_ERROR(db.Exec("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                              PgParams().Text("article request " + options.request_id))
                          .status());
      ASSIGN_OR_RETURN(std::string found,
                       FindRequest(db, "article", options.request_id, options.now));
      if (!found.empty()) {
        id = found;
        return absl::OkStatus();
      }
    }
    Article a = article;
    if (options.derived_slug) {
      for (int n = 1;; ++n) {
        if (n > 1000) return absl::InternalError("no free slug after 1000 suffixes");
        std::string candidate = n == 1 ? article.slug : SuffixedSlug(article.slug, n);
        ASSIGN_OR_RETURN(std::string owner, SlugOwner(db, candidate));
        if (owner.empty()) {
          a.slug = candidate;
          break;
        }
      }
    }
    absl::Status written = WriteArticle(db, a, /*insert=*/true);
    if (options.derived_slug && absl::IsAlreadyExists(written) &&
        !written.GetPayload(kPgRetryPayload).has_value()) {
      // Another replica committed the derived slug after this one found it free (a unique
      // violation is retried anyway): run again to take the next suffix.
      ASSIGN_OR_RETURN(std::string owner, SlugOwner(db, a.slug));
      if (!owner.empty()) return PgRetryable(written);
    }
    RETURN_IF_ERROR(written);
    RETURN_IF_ERROR(WriteRevision(db, a.id, options.author, {}, options.now));
    if (!options.request_id.empty()) {
      RETURN_IF_ERROR(SaveRequest(db, "article", options.request_id, a.id, options.now));
    }
    return absl::OkStatus();
  }));
  return GetArticle(id);
}

absl::StatusOr<Article> PostgresArticleStore::GetArticle(const std::string& id) {
  Article a;
  RETURN_IF_ERROR(pool_->Read([&](PgConnection& db) -> absl::Status {
    ASSIGN_OR_RETURN(a, LoadArticle(db, id, /*for_update=*/false));
    return absl::OkStatus();
  }));
  return a;
}

absl::StatusOr<std::vector<Article>> PostgresArticleStore::GetArticles(
    const std::vector<std::string>& ids) {
  std::vector<Article> out;
  if (ids.empty()) return out;
  RETURN_IF_ERROR(pool_->Read([&](PgConnection& db) -> absl::Status {
    ASSIGN_OR_RETURN(PgResult r, db.Exec(absl::StrCat(pg_internal::kArticleColumns,
                                                      "WHERE id = ANY($1::text[])"),
                                         PgParams().TextArray(ids)));
    out.assign(static_cast<size_t>(r.rows()), Article());
    std::vector<Article*> parts;
    for (int i = 0; i < r.rows(); ++i) {
      ReadArticleRow(r, i, out[static_cast<size_t>(i)]);
      parts.push_back(&out[static_cast<size_t>(i)]);
    }
    return LoadArticleParts(db, parts);
  }));
  return out;
}

absl::StatusOr<Article> PostgresArticleStore::GetArticleBySlug(const std::string& slug) {
  Article a;
  RETURN_IF_ERROR(pool_->Read([&](PgConnection& db) -> absl::Status {
    ASSIGN_OR_RETURN(std::string id, SlugOwner(db, slug));
    if (id.empty()) {
      return absl::NotFoundError(absl::StrCat("article \"", Excerpt(slug), "\" not found"));
    }
    ASSIGN_OR_RETURN(a, LoadArticle(db, id, /*for_update=*/false));
    return absl::OkStatus();
  }));
  return a;
}

absl::StatusOr<Article> PostgresArticleStore::UpdateArticle(const std::string& id,
                                                            const ArticleMutation& mutate) {
  Article result;
  RETURN_IF_ERROR(pool_->Transaction([&](PgConnection& db) -> absl::Status {
    // The row lock makes a second writer (another replica included) wait and then see
    // this one's etag, so exactly one of two racing updates wins.
    ASSIGN_OR_RETURN(Article a, LoadArticle(db, id, /*for_update=*/true));
    const int64_t revision = a.revision;
    bool tree_locked = false;
    AncestorLookup ancestors_of =
        [&db,
         &tree_locked](const std::string& category_id) -> absl::StatusOr<std::vector<std::string>> {
      // Shared: a category move (exclusive) either announced this article already or
      // waits until this transaction's event carries the new ancestry.
      if (!tree_locked) {
        RETURN_IF_ERROR(LockCategoryTree(db, /*exclusive=*/false));
        tree_locked = true;
      }
      ASSIGN_OR_RETURN(std::vector<Category> path, LoadAncestors(db, category_id));
      std::vector<std::string> ids;
      for (const Category& c : path) ids.push_back(c.id);
      return ids;
    };
    ASSIGN_OR_RETURN(ArticleChange change, mutate(a, ancestors_of));
    if (a.revision == revision) return absl::InternalError("a mutation must bump the revision");
    RETURN_IF_ERROR(WriteArticle(db, a, /*insert=*/false));
    RETURN_IF_ERROR(WriteRevision(db, a.id, change.author, change.changed_fields, a.update_time));
    if (change.event.has_value()) RETURN_IF_ERROR(InsertOutbox(db, *change.event));
    result = a;
    return absl::OkStatus();
  }));
  return result;
}

}  // namespace bulletin::content
