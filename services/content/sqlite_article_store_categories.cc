// SqliteArticleStore: the category tree.
#include <set>

#include "absl/strings/str_cat.h"
#include "services/content/sqlite_article_store.h"
#include "services/content/sqlite_internal.h"

namespace bulletin::content {

// ---- categories -------------------------------------------------------------------------

absl::StatusOr<Category> SqliteArticleStore::LoadCategory(const std::string& sql,
                                                          const std::string& key) {
  Category c;
  {
    ASSIGN_OR_RETURN(q, db_->Prepare(sql));
    q.BindText(1, key);
    ASSIGN_OR_RETURN(row, q.Step());
    if (!row) return absl::NotFoundError(absl::StrCat("category \"", key, "\" not found"));
    c.id = q.Text(0);
    c.slug = q.Text(1);
    c.parent_id = q.Text(2);
    c.default_locale = q.Text(3);
    c.sort_order = static_cast<int32_t>(q.Int(4));
    c.create_time = FromMicros(q.Int(5));
    c.update_time = FromMicros(q.Int(6));
    c.etag = q.Text(7);
  }
  ASSIGN_OR_RETURN(t, db_->Prepare("SELECT locale, name, description FROM category_translations "
                                   "WHERE category_id = ?"));
  t.BindText(1, c.id);
  for (;;) {
    ASSIGN_OR_RETURN(row, t.Step());
    if (!row) break;
    c.translations[t.Text(0)] = CategoryTranslation{t.Text(1), t.Text(2)};
  }
  return c;
}

absl::StatusOr<std::vector<Category>> SqliteArticleStore::LoadAncestors(const std::string& id) {
  ASSIGN_OR_RETURN(self, LoadCategory(absl::StrCat(kCategoryColumns, "WHERE id = ?"), id));
  std::vector<Category> path;
  std::set<std::string> seen = {self.id};
  std::string parent = self.parent_id;
  while (!parent.empty()) {
    if (!seen.insert(parent).second || seen.size() > 64) {
      return absl::InternalError(absl::StrCat("category tree has a cycle at ", parent));
    }
    ASSIGN_OR_RETURN(c, LoadCategory(absl::StrCat(kCategoryColumns, "WHERE id = ?"), parent));
    parent = c.parent_id;
    path.insert(path.begin(), std::move(c));
  }
  return path;
}

absl::StatusOr<Category> SqliteArticleStore::CreateCategory(const Category& category,
                                                            const std::string& request_id,
                                                            absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string existing_id;
  absl::Status s = db_->Transaction([&]() -> absl::Status {
    if (!request_id.empty()) {
      ASSIGN_OR_RETURN(found, FindRequest("category", request_id, now));
      if (!found.empty()) {
        existing_id = found;
        return absl::OkStatus();
      }
    }
    {
      ASSIGN_OR_RETURN(q, db_->Prepare("SELECT 1 FROM categories WHERE slug = ?"));
      ASSIGN_OR_RETURN(taken, q.BindText(1, category.slug).Step());
      if (taken) {
        return absl::AlreadyExistsError(absl::StrCat("category.slug: \"", category.slug,
                                                     "\" is already used by another category"));
      }
    }
    if (!category.parent_id.empty()) {
      ASSIGN_OR_RETURN(q, db_->Prepare("SELECT 1 FROM categories WHERE id = ?"));
      ASSIGN_OR_RETURN(exists, q.BindText(1, category.parent_id).Step());
      if (!exists) {
        return absl::FailedPreconditionError(
            absl::StrCat("category.parent_id: no category with id \"", category.parent_id, "\""));
      }
    }
    ASSIGN_OR_RETURN(
        ins,
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
          t,
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
  std::lock_guard<std::mutex> lock(mu_);
  return LoadCategory(absl::StrCat(kCategoryColumns, "WHERE id = ?"), id);
}

absl::StatusOr<Category> SqliteArticleStore::GetCategoryBySlug(const std::string& slug) {
  std::lock_guard<std::mutex> lock(mu_);
  return LoadCategory(absl::StrCat(kCategoryColumns, "WHERE slug = ?"), slug);
}

absl::StatusOr<std::vector<Category>> SqliteArticleStore::GetCategoryAncestors(
    const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  return LoadAncestors(id);
}

}  // namespace bulletin::content
