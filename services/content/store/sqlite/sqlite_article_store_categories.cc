// SqliteArticleStore: the category tree.
#include <set>

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"
#include "services/content/store/sqlite/sqlite_article_store.h"
#include "services/content/store/sqlite/sqlite_internal.h"

namespace bulletin::content {

// ---- categories -------------------------------------------------------------------------

absl::StatusOr<Category> SqliteArticleStore::LoadCategory(const std::string& sql,
                                                          const std::string& key) {
  Category c;
  {
    ASSIGN_OR_RETURN(Statement q, db_->Prepare(sql));
    q.BindText(1, key);
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) return absl::NotFoundError(absl::StrCat("category \"", Excerpt(key), "\" not found"));
    c.id = q.Text(0);
    c.slug = q.Text(1);
    c.parent_id = q.Text(2);
    c.default_locale = q.Text(3);
    c.sort_order = static_cast<int32_t>(q.Int(4));
    c.create_time = FromMicros(q.Int(5));
    c.update_time = FromMicros(q.Int(6));
    c.etag = q.Text(7);
  }
  ASSIGN_OR_RETURN(Statement t,
                   db_->Prepare("SELECT locale, name, description FROM category_translations "
                                "WHERE category_id = ?"));
  t.BindText(1, c.id);
  for (;;) {
    ASSIGN_OR_RETURN(bool row, t.Step());
    if (!row) break;
    c.translations[t.Text(0)] = CategoryTranslation{t.Text(1), t.Text(2)};
  }
  return c;
}

absl::StatusOr<std::vector<Category>> SqliteArticleStore::LoadAncestors(const std::string& id) {
  ASSIGN_OR_RETURN(Category self, LoadCategory(absl::StrCat(kCategoryColumns, "WHERE id = ?"), id));
  std::vector<Category> path;
  std::set<std::string> seen = {self.id};
  std::string parent = self.parent_id;
  while (!parent.empty()) {
    if (!seen.insert(parent).second || seen.size() > 64) {
      return absl::InternalError(absl::StrCat("category tree has a cycle at ", parent));
    }
    ASSIGN_OR_RETURN(Category c,
                     LoadCategory(absl::StrCat(kCategoryColumns, "WHERE id = ?"), parent));
    parent = c.parent_id;
    path.insert(path.begin(), std::move(c));
  }
  return path;
}

absl::StatusOr<Category> SqliteArticleStore::CreateCategory(const Category& category,
                                                            const std::string& request_id,
                                                            absl::Time now) {
  absl::MutexLock lock(&mu_);
  std::string existing_id;
  absl::Status s = db_->Transaction([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> absl::Status {
    if (!request_id.empty()) {
      ASSIGN_OR_RETURN(std::string found, FindRequest("category", request_id, now));
      if (!found.empty()) {
        existing_id = found;
        return absl::OkStatus();
      }
    }
    {
      ASSIGN_OR_RETURN(Statement q, db_->Prepare("SELECT 1 FROM categories WHERE slug = ?"));
      ASSIGN_OR_RETURN(bool taken, q.BindText(1, category.slug).Step());
      if (taken) {
        return absl::AlreadyExistsError(absl::StrCat("category.slug: \"", category.slug,
                                                     "\" is already used by another category"));
      }
    }
    if (!category.parent_id.empty()) {
      ASSIGN_OR_RETURN(Statement q, db_->Prepare("SELECT 1 FROM categories WHERE id = ?"));
      ASSIGN_OR_RETURN(bool exists, q.BindText(1, category.parent_id).Step());
      if (!exists) {
        return absl::FailedPreconditionError(absl::StrCat(
            "category.parent_id: no category with id \"", Excerpt(category.parent_id), "\""));
      }
    }
    ASSIGN_OR_RETURN(
        Statement ins,
        db_->Prepare(
            "INSERT INTO categories (id, slug, parent_id, default_locale, sort_order, create_time, "
            "update_time, etag) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    ins.BindText(1, category.id).BindText(2, category.slug);
    category.parent_id.empty() ? ins.BindNull(3) : ins.BindText(3, category.parent_id);
    ins.BindText(4, category.default_locale).BindInt(5, category.sort_order);
    ins.BindInt(6, Micros(category.create_time)).BindInt(7, Micros(category.update_time));
    RETURN_IF_ERROR(ins.BindText(8, category.etag).Run());
    for (const auto& [locale, tr] : category.translations) {
      ASSIGN_OR_RETURN(
          Statement t,
          db_->Prepare("INSERT INTO category_translations (category_id, locale, name, description) "
                       "VALUES (?, ?, ?, ?)"));
      t.BindText(1, category.id).BindText(2, locale).BindText(3, tr.name);
      RETURN_IF_ERROR(t.BindText(4, tr.description).Run());
    }
    if (!request_id.empty()) RETURN_IF_ERROR(SaveRequest("category", request_id, category.id, now));
    return absl::OkStatus();
  });
  RETURN_IF_ERROR(s);
  return LoadCategory(absl::StrCat(kCategoryColumns, "WHERE id = ?"),
                      existing_id.empty() ? category.id : existing_id);
}

absl::StatusOr<Category> SqliteArticleStore::GetCategory(const std::string& id) {
  absl::MutexLock lock(&mu_);
  return LoadCategory(absl::StrCat(kCategoryColumns, "WHERE id = ?"), id);
}

absl::StatusOr<Category> SqliteArticleStore::GetCategoryBySlug(const std::string& slug) {
  absl::MutexLock lock(&mu_);
  return LoadCategory(absl::StrCat(kCategoryColumns, "WHERE slug = ?"), slug);
}

absl::StatusOr<std::vector<Category>> SqliteArticleStore::GetCategoryAncestors(
    const std::string& id) {
  absl::MutexLock lock(&mu_);
  return LoadAncestors(id);
}

absl::StatusOr<std::vector<Category>> SqliteArticleStore::ListCategories() {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> ids;
  {
    ASSIGN_OR_RETURN(Statement q, db_->Prepare("SELECT id FROM categories"));
    for (;;) {
      ASSIGN_OR_RETURN(bool row, q.Step());
      if (!row) break;
      ids.push_back(q.Text(0));
    }
  }
  std::vector<Category> all;
  for (const std::string& id : ids) {
    ASSIGN_OR_RETURN(Category c, LoadCategory(absl::StrCat(kCategoryColumns, "WHERE id = ?"), id));
    all.push_back(std::move(c));
  }
  return all;
}

absl::StatusOr<std::vector<std::string>> SqliteArticleStore::LoadSubtree(const std::string& id) {
  ASSIGN_OR_RETURN(Statement q,
                   db_->Prepare("WITH RECURSIVE sub(id, depth) AS (SELECT id, 0 FROM categories "
                                "WHERE id = ?1 UNION SELECT c.id, sub.depth + 1 FROM categories "
                                "c JOIN sub ON c.parent_id = sub.id WHERE sub.depth < 64) "
                                "SELECT id FROM sub ORDER BY depth"));
  q.BindText(1, id);
  std::vector<std::string> ids;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    ids.push_back(q.Text(0));
  }
  if (ids.empty()) {
    return absl::NotFoundError(absl::StrCat("category \"", Excerpt(id), "\" not found"));
  }
  return ids;
}

absl::StatusOr<std::vector<std::string>> SqliteArticleStore::CategorySubtree(
    const std::string& id) {
  absl::MutexLock lock(&mu_);
  return LoadSubtree(id);
}

absl::StatusOr<Category> SqliteArticleStore::UpdateCategory(const std::string& id,
                                                            const CategoryMutation& mutate,
                                                            const CategoryMoveEvent& moved) {
  absl::MutexLock lock(&mu_);
  absl::Status s = db_->Transaction([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> absl::Status {
    ASSIGN_OR_RETURN(Category c, LoadCategory(absl::StrCat(kCategoryColumns, "WHERE id = ?"), id));
    const std::string old_parent = c.parent_id;
    RETURN_IF_ERROR(mutate(c));
    ASSIGN_OR_RETURN(std::vector<std::string> subtree, LoadSubtree(id));
    if (c.parent_id != old_parent && !c.parent_id.empty()) {
      for (const std::string& below : subtree) {
        if (below == c.parent_id) {
          return absl::InvalidArgumentError(
              "category.parent_id: the category cannot move below itself");
        }
      }
      absl::StatusOr<std::vector<Category>> path = LoadAncestors(c.parent_id);
      if (absl::IsNotFound(path.status())) {
        return absl::FailedPreconditionError(
            absl::StrCat("category.parent_id: no category with id \"", Excerpt(c.parent_id), "\""));
      }
      RETURN_IF_ERROR(path.status());
      // Depth of the deepest node below `id`, counted from `id` (1 = no children).
      ASSIGN_OR_RETURN(Statement q,
                       db_->Prepare("WITH RECURSIVE sub(id, depth) AS (SELECT ?1, 1 UNION "
                                    "SELECT c.id, sub.depth + 1 FROM categories c JOIN sub ON "
                                    "c.parent_id = sub.id WHERE sub.depth < 64) "
                                    "SELECT MAX(depth) FROM sub"));
      ASSIGN_OR_RETURN(bool row, q.BindText(1, id).Step());
      const int64_t height = row ? q.Int(0) : 1;
      if (static_cast<int64_t>(path->size()) + 1 + height > 8) {
        return absl::InvalidArgumentError("category.parent_id: the tree would be deeper than 8");
      }
    }
    {
      ASSIGN_OR_RETURN(Statement q,
                       db_->Prepare("SELECT 1 FROM categories WHERE slug = ? AND id != ?"));
      ASSIGN_OR_RETURN(bool taken, q.BindText(1, c.slug).BindText(2, id).Step());
      if (taken) {
        return absl::AlreadyExistsError(absl::StrCat("category.slug: \"", Excerpt(c.slug),
                                                     "\" is already used by another category"));
      }
    }
    {
      ASSIGN_OR_RETURN(Statement q,
                       db_->Prepare("UPDATE categories SET slug = ?, parent_id = ?, "
                                    "default_locale = ?, sort_order = ?, update_time = ?, "
                                    "etag = ? WHERE id = ?"));
      q.BindText(1, c.slug);
      c.parent_id.empty() ? q.BindNull(2) : q.BindText(2, c.parent_id);
      q.BindText(3, c.default_locale).BindInt(4, c.sort_order).BindInt(5, Micros(c.update_time));
      RETURN_IF_ERROR(q.BindText(6, c.etag).BindText(7, id).Run());
    }
    {
      ASSIGN_OR_RETURN(Statement q,
                       db_->Prepare("DELETE FROM category_translations WHERE category_id = ?"));
      RETURN_IF_ERROR(q.BindText(1, id).Run());
    }
    for (const auto& [locale, tr] : c.translations) {
      ASSIGN_OR_RETURN(
          Statement t,
          db_->Prepare("INSERT INTO category_translations (category_id, locale, name, description) "
                       "VALUES (?, ?, ?, ?)"));
      t.BindText(1, id).BindText(2, locale).BindText(3, tr.name);
      RETURN_IF_ERROR(t.BindText(4, tr.description).Run());
    }
    if (c.parent_id == old_parent || !moved) return absl::OkStatus();
    // The ancestry of every article in the subtree changed: announce the published ones.
    for (const std::string& category_id : subtree) {
      std::vector<std::string> article_ids;
      {
        ASSIGN_OR_RETURN(Statement q,
                         db_->Prepare(absl::StrCat("SELECT id FROM articles WHERE category_id = ? "
                                                   "AND state = ",
                                                   Stored(ArticleState::kPublished),
                                                   " AND delete_time IS NULL")));
        q.BindText(1, category_id);
        for (;;) {
          ASSIGN_OR_RETURN(bool row, q.Step());
          if (!row) break;
          article_ids.push_back(q.Text(0));
        }
      }
      ASSIGN_OR_RETURN(std::vector<Category> path, LoadAncestors(category_id));
      std::vector<std::string> ancestor_ids;
      for (const Category& p : path) ancestor_ids.push_back(p.id);
      for (const std::string& article_id : article_ids) {
        ASSIGN_OR_RETURN(Article a, LoadArticle(article_id));
        RETURN_IF_ERROR(InsertOutbox(moved(a, ancestor_ids)));
      }
    }
    return absl::OkStatus();
  });
  RETURN_IF_ERROR(s);
  return LoadCategory(absl::StrCat(kCategoryColumns, "WHERE id = ?"), id);
}

absl::Status SqliteArticleStore::DeleteCategory(
    const std::string& id, const std::function<absl::Status(const Category&)>& check) {
  absl::MutexLock lock(&mu_);
  return db_->Transaction([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> absl::Status {
    ASSIGN_OR_RETURN(Category c, LoadCategory(absl::StrCat(kCategoryColumns, "WHERE id = ?"), id));
    RETURN_IF_ERROR(check(c));
    int64_t articles = 0, children = 0;
    {
      ASSIGN_OR_RETURN(Statement q,
                       db_->Prepare("SELECT COUNT(*) FROM articles WHERE category_id = ?"));
      ASSIGN_OR_RETURN(bool row, q.BindText(1, id).Step());
      articles = row ? q.Int(0) : 0;
    }
    {
      ASSIGN_OR_RETURN(Statement q,
                       db_->Prepare("SELECT COUNT(*) FROM categories WHERE parent_id = ?"));
      ASSIGN_OR_RETURN(bool row, q.BindText(1, id).Step());
      children = row ? q.Int(0) : 0;
    }
    if (articles > 0 || children > 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("category \"", Excerpt(c.slug), "\" still has ", articles,
                       " article(s) (soft-deleted included) and ", children, " child categor",
                       children == 1 ? "y" : "ies"));
    }
    ASSIGN_OR_RETURN(Statement q, db_->Prepare("DELETE FROM categories WHERE id = ?"));
    return q.BindText(1, id).Run();
  });
}

}  // namespace bulletin::content
