// PostgresArticleStore: the category tree. Changes to the tree take its advisory lock
// (exclusive), so two replicas cannot build a cycle or a tree deeper than 8 between them.
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"
#include "services/content/store/postgres/pg_internal.h"
#include "services/content/store/postgres/pg_schema.h"
#include "services/content/store/postgres/postgres_article_store.h"

namespace bulletin::content {
namespace pg_internal {
namespace {

void ReadCategoryRow(const PgResult& r, int row, Category& c) {
  c.id = r.Text(row, 0);
  c.slug = r.Text(row, 1);
  c.parent_id = r.Text(row, 2);
  c.default_locale = r.Text(row, 3);
  c.sort_order = static_cast<int32_t>(r.Int(row, 4));
  c.create_time = FromMicros(r.Int(row, 5));
  c.update_time = FromMicros(r.Int(row, 6));
  c.etag = r.Text(row, 7);
}

absl::Status WriteCategoryTranslations(PgConnection& db, const Category& c) {
  RETURN_IF_ERROR(
      db.Exec("DELETE FROM category_translations WHERE category_id = $1", PgParams().Text(c.id))
          .status());
  for (const auto& [locale, tr] : c.translations) {
    RETURN_IF_ERROR(db.Exec("INSERT INTO category_translations (category_id, locale, name, "
                            "description) VALUES ($1, $2, $3, $4)",
                            PgParams().Text(c.id).Text(locale).Text(tr.name).Text(tr.description))
                        .status());
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status LockCategoryTree(PgConnection& db, bool exclusive) {
  return db
      .Exec(absl::StrCat("SELECT ",
                         exclusive ? "pg_advisory_xact_lock(" : "pg_advisory_xact_lock_shared(",
                         kPgCategoryTreeLock, ")"))
      .status();
}

absl::StatusOr<Category> LoadCategory(PgConnection& db, const std::string& column,
                                      const std::string& key) {
  Category c;
  {
    ASSIGN_OR_RETURN(PgResult r, db.Exec(absl::StrCat(kCategoryColumns, "WHERE ", column, " = $1"),
                                         PgParams().Text(key)));
    if (r.rows() == 0) {
      return absl::NotFoundError(absl::StrCat("category \"", Excerpt(key), "\" not found"));
    }
    ReadCategoryRow(r, 0, c);
  }
  ASSIGN_OR_RETURN(PgResult t, db.Exec("SELECT locale, name, description FROM "
                                       "category_translations WHERE category_id = $1",
                                       PgParams().Text(c.id)));
  for (int i = 0; i < t.rows(); ++i) {
    c.translations[t.Text(i, 0)] = CategoryTranslation{t.Text(i, 1), t.Text(i, 2)};
  }
  return c;
}

absl::StatusOr<std::vector<Category>> LoadAncestors(PgConnection& db, const std::string& id) {
  ASSIGN_OR_RETURN(Category self, LoadCategory(db, "id", id));
  std::vector<Category> path;
  std::set<std::string> seen = {self.id};
  std::string parent = self.parent_id;
  while (!parent.empty()) {
    if (!seen.insert(parent).second || seen.size() > 64) {
      return absl::InternalError(absl::StrCat("category tree has a cycle at ", parent));
    }
    ASSIGN_OR_RETURN(Category c, LoadCategory(db, "id", parent));
    parent = c.parent_id;
    path.insert(path.begin(), std::move(c));
  }
  return path;
}

absl::StatusOr<std::vector<std::string>> LoadSubtree(PgConnection& db, const std::string& id) {
  ASSIGN_OR_RETURN(PgResult r,
                   db.Exec("WITH RECURSIVE sub(id, depth) AS (SELECT id, 0 FROM categories "
                           "WHERE id = $1 UNION SELECT c.id, sub.depth + 1 FROM categories c "
                           "JOIN sub ON c.parent_id = sub.id WHERE sub.depth < 64) "
                           "SELECT id FROM sub ORDER BY depth, id",
                           PgParams().Text(id)));
  std::vector<std::string> ids;
  for (int i = 0; i < r.rows(); ++i) ids.push_back(r.Text(i, 0));
  if (ids.empty()) {
    return absl::NotFoundError(absl::StrCat("category \"", Excerpt(id), "\" not found"));
  }
  return ids;
}

}  // namespace pg_internal

using pg_internal::LoadAncestors;
using pg_internal::LoadArticle;
using pg_internal::LoadCategory;
using pg_internal::LoadSubtree;
using pg_internal::LockCategoryTree;

absl::StatusOr<Category> PostgresArticleStore::CreateCategory(const Category& category,
                                                              const std::string& request_id,
                                                              absl::Time now) {
  std::string id;
  RETURN_IF_ERROR(pool_->Transaction([&](PgConnection& db) -> absl::Status {
    id = category.id;
    RETURN_IF_ERROR(LockCategoryTree(db, /*exclusive=*/true));
    if (!request_id.empty()) {
      ASSIGN_OR_RETURN(std::string found,
                       pg_internal::FindRequest(db, "category", request_id, now));
      if (!found.empty()) {
        id = found;
        return absl::OkStatus();
      }
    }
    {
      ASSIGN_OR_RETURN(PgResult r, db.Exec("SELECT 1 FROM categories WHERE slug = $1",
                                           PgParams().Text(category.slug)));
      if (r.rows() > 0) {
        return absl::AlreadyExistsError(absl::StrCat("category.slug: \"", Excerpt(category.slug),
                                                     "\" is already used by another category"));
      }
    }
    if (!category.parent_id.empty()) {
      ASSIGN_OR_RETURN(PgResult r, db.Exec("SELECT 1 FROM categories WHERE id = $1",
                                           PgParams().Text(category.parent_id)));
      if (r.rows() == 0) {
        return absl::FailedPreconditionError(absl::StrCat(
            "category.parent_id: no category with id \"", Excerpt(category.parent_id), "\""));
      }
    }
    PgParams p;
    p.Text(category.id).Text(category.slug).TextOrNull(category.parent_id);
    p.Text(category.default_locale).Int(category.sort_order);
    p.Int(pg_internal::Micros(category.create_time)).Int(pg_internal::Micros(category.update_time));
    p.Text(category.etag);
    RETURN_IF_ERROR(db.Exec("INSERT INTO categories (id, slug, parent_id, default_locale, "
                            "sort_order, create_time, update_time, etag) VALUES ($1, $2, $3, $4, "
                            "$5, $6, $7, $8)",
                            p)
                        .status());
    RETURN_IF_ERROR(pg_internal::WriteCategoryTranslations(db, category));
    if (!request_id.empty()) {
      RETURN_IF_ERROR(pg_internal::SaveRequest(db, "category", request_id, category.id, now));
    }
    return absl::OkStatus();
  }));
  return GetCategory(id);
}

absl::StatusOr<Category> PostgresArticleStore::GetCategory(const std::string& id) {
  Category c;
  RETURN_IF_ERROR(pool_->Read([&](PgConnection& db) -> absl::Status {
    ASSIGN_OR_RETURN(c, LoadCategory(db, "id", id));
    return absl::OkStatus();
  }));
  return c;
}

absl::StatusOr<Category> PostgresArticleStore::GetCategoryBySlug(const std::string& slug) {
  Category c;
  RETURN_IF_ERROR(pool_->Read([&](PgConnection& db) -> absl::Status {
    ASSIGN_OR_RETURN(c, LoadCategory(db, "slug", slug));
    return absl::OkStatus();
  }));
  return c;
}

absl::StatusOr<std::vector<Category>> PostgresArticleStore::GetCategoryAncestors(
    const std::string& id) {
  std::vector<Category> path;
  RETURN_IF_ERROR(pool_->Read([&](PgConnection& db) -> absl::Status {
    ASSIGN_OR_RETURN(path, LoadAncestors(db, id));
    return absl::OkStatus();
  }));
  return path;
}

absl::StatusOr<std::vector<Category>> PostgresArticleStore::ListCategories() {
  std::vector<Category> all;
  RETURN_IF_ERROR(pool_->Read([&](PgConnection& db) -> absl::Status {
    all.clear();
    std::map<std::string, size_t> index;
    {
      ASSIGN_OR_RETURN(PgResult r, db.Exec(pg_internal::kCategoryColumns));
      for (int i = 0; i < r.rows(); ++i) {
        pg_internal::ReadCategoryRow(r, i, all.emplace_back());
        index[all.back().id] = all.size() - 1;
      }
    }
    ASSIGN_OR_RETURN(PgResult t, db.Exec("SELECT category_id, locale, name, description FROM "
                                         "category_translations"));
    for (int i = 0; i < t.rows(); ++i) {
      auto it = index.find(t.Text(i, 0));
      if (it == index.end()) continue;
      all[it->second].translations[t.Text(i, 1)] = CategoryTranslation{t.Text(i, 2), t.Text(i, 3)};
    }
    return absl::OkStatus();
  }));
  return all;
}

absl::StatusOr<std::vector<std::string>> PostgresArticleStore::CategorySubtree(
    const std::string& id) {
  std::vector<std::string> ids;
  RETURN_IF_ERROR(pool_->Run([&](PgConnection& db) -> absl::Status {
    ASSIGN_OR_RETURN(ids, LoadSubtree(db, id));
    return absl::OkStatus();
  }));
  return ids;
}

absl::StatusOr<Category> PostgresArticleStore::UpdateCategory(const std::string& id,
                                                              const CategoryMutation& mutate,
                                                              const CategoryMoveEvent& moved) {
  RETURN_IF_ERROR(pool_->Transaction([&](PgConnection& db) -> absl::Status {
    RETURN_IF_ERROR(LockCategoryTree(db, /*exclusive=*/true));
    ASSIGN_OR_RETURN(Category c, LoadCategory(db, "id", id));
    const std::string old_parent = c.parent_id;
    RETURN_IF_ERROR(mutate(c));
    ASSIGN_OR_RETURN(std::vector<std::string> subtree, LoadSubtree(db, id));
    if (c.parent_id != old_parent && !c.parent_id.empty()) {
      for (const std::string& below : subtree) {
        if (below == c.parent_id) {
          return absl::InvalidArgumentError(
              "category.parent_id: the category cannot move below itself");
        }
      }
      absl::StatusOr<std::vector<Category>> path = LoadAncestors(db, c.parent_id);
      if (absl::IsNotFound(path.status())) {
        return absl::FailedPreconditionError(
            absl::StrCat("category.parent_id: no category with id \"", Excerpt(c.parent_id), "\""));
      }
      RETURN_IF_ERROR(path.status());
      // Depth of the deepest node below `id`, counted from `id` (1 = no children).
      ASSIGN_OR_RETURN(PgResult r,
                       db.Exec("WITH RECURSIVE sub(id, depth) AS (SELECT id, 1 FROM categories "
                               "WHERE id = $1 UNION SELECT c.id, sub.depth + 1 FROM categories c "
                               "JOIN sub ON c.parent_id = sub.id WHERE sub.depth < 64) "
                               "SELECT COALESCE(MAX(depth), 1) FROM sub",
                               PgParams().Text(id)));
      const int64_t height = r.rows() > 0 ? r.Int(0, 0) : 1;
      if (static_cast<int64_t>(path->size()) + 1 + height > 8) {
        return absl::InvalidArgumentError("category.parent_id: the tree would be deeper than 8");
      }
    }
    {
      ASSIGN_OR_RETURN(PgResult r, db.Exec("SELECT 1 FROM categories WHERE slug = $1 AND id <> $2",
                                           PgParams().Text(c.slug).Text(id)));
      if (r.rows() > 0) {
        return absl::AlreadyExistsError(absl::StrCat("category.slug: \"", Excerpt(c.slug),
                                                     "\" is already used by another category"));
      }
    }
    PgParams p;
    p.Text(c.slug).TextOrNull(c.parent_id).Text(c.default_locale).Int(c.sort_order);
    p.Int(pg_internal::Micros(c.update_time)).Text(c.etag).Text(id);
    RETURN_IF_ERROR(db.Exec("UPDATE categories SET slug = $1, parent_id = $2, default_locale = $3, "
                            "sort_order = $4, update_time = $5, etag = $6 WHERE id = $7",
                            p)
                        .status());
    c.id = id;
    RETURN_IF_ERROR(pg_internal::WriteCategoryTranslations(db, c));
    if (c.parent_id == old_parent || !moved) return absl::OkStatus();
    // The ancestry of every article in the subtree changed: announce the published ones.
    for (const std::string& category_id : subtree) {
      std::vector<std::string> article_ids;
      {
        ASSIGN_OR_RETURN(PgResult r,
                         db.Exec(absl::StrCat("SELECT id FROM articles WHERE category_id = $1 "
                                              "AND state = ",
                                              pg_internal::Stored(ArticleState::kPublished),
                                              " AND delete_time IS NULL ORDER BY id"),
                                 PgParams().Text(category_id)));
        for (int i = 0; i < r.rows(); ++i) article_ids.push_back(r.Text(i, 0));
      }
      ASSIGN_OR_RETURN(std::vector<Category> path, LoadAncestors(db, category_id));
      std::vector<std::string> ancestor_ids;
      for (const Category& a : path) ancestor_ids.push_back(a.id);
      for (const std::string& article_id : article_ids) {
        ASSIGN_OR_RETURN(Article a, LoadArticle(db, article_id, /*for_update=*/false));
        RETURN_IF_ERROR(pg_internal::InsertOutbox(db, moved(a, ancestor_ids)));
      }
    }
    return absl::OkStatus();
  }));
  return GetCategory(id);
}

absl::Status PostgresArticleStore::DeleteCategory(
    const std::string& id, const std::function<absl::Status(const Category&)>& check) {
  return pool_->Transaction([&](PgConnection& db) -> absl::Status {
    RETURN_IF_ERROR(LockCategoryTree(db, /*exclusive=*/true));
    ASSIGN_OR_RETURN(Category c, LoadCategory(db, "id", id));
    RETURN_IF_ERROR(check(c));
    ASSIGN_OR_RETURN(PgResult r,
                     db.Exec("SELECT (SELECT COUNT(*) FROM articles WHERE category_id = $1), "
                             "(SELECT COUNT(*) FROM categories WHERE parent_id = $1)",
                             PgParams().Text(id)));
    const int64_t articles = r.Int(0, 0), children = r.Int(0, 1);
    if (articles > 0 || children > 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("category \"", Excerpt(c.slug), "\" still has ", articles,
                       " article(s) (soft-deleted included) and ", children, " child categor",
                       children == 1 ? "y" : "ies"));
    }
    // An article that a concurrent transaction is adding to this category fails the
    // foreign key here; the transaction runs again and counts it.
    return db.Exec("DELETE FROM categories WHERE id = $1", PgParams().Text(id)).status();
  });
}

}  // namespace bulletin::content
