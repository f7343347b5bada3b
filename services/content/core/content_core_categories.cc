// ContentCore: the category tree (create, read with ancestors, list depth-first, update
// with update_mask including moving a subtree, delete).
#include <algorithm>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/base/ids.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"
#include "services/content/core/content_core.h"
#include "services/content/core/content_core_internal.h"
#include "services/content/core/content_validation.h"
#include "services/content/core/update_mask.h"

namespace bulletin::content {
namespace {

constexpr char kCategoryPagePurpose[] = "page:categories";

bool SiblingOrder(const Category& a, const Category& b) {
  return std::tie(a.sort_order, a.slug) < std::tie(b.sort_order, b.slug);
}

// Applies one update_mask path of UpdateCategoryRequest from `in` to `out`.
absl::Status ApplyCategoryPath(const std::string& path, const Category& in, Category& out) {
  std::optional<std::vector<std::string>> seg = SplitMaskPath(path);
  auto unknown = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("update_mask: unknown path \"", Excerpt(path), "\""));
  };
  if (!seg) return unknown();
  const std::string& head = (*seg)[0];
  if (seg->size() == 1) {
    if (head == "*") {
      const std::string id = out.id, etag = out.etag;
      const absl::Time create = out.create_time;
      out = in;
      out.id = id;
      out.etag = etag;
      out.create_time = create;
    } else if (head == "slug") {
      out.slug = in.slug;
    } else if (head == "parent_id") {
      out.parent_id = in.parent_id;
    } else if (head == "default_locale") {
      out.default_locale = in.default_locale;
    } else if (head == "sort_order") {
      out.sort_order = in.sort_order;
    } else if (head == "translations") {
      out.translations = in.translations;
    } else {
      return unknown();
    }
    return absl::OkStatus();
  }
  if (head != "translations" || seg->size() > 3) return unknown();
  std::optional<std::string> locale = NormalizeLocale((*seg)[1]);
  if (!locale) return unknown();
  // The request's map may spell the locale differently ("zh-cn").
  const CategoryTranslation* given = nullptr;
  for (const auto& [key, tr] : in.translations) {
    if (NormalizeLocale(key) == locale) given = &tr;
  }
  if (seg->size() == 2) {
    if (given == nullptr) {
      out.translations.erase(*locale);
    } else {
      out.translations[*locale] = *given;
    }
    return absl::OkStatus();
  }
  const std::string& field = (*seg)[2];
  if (field != "name" && field != "description") return unknown();
  CategoryTranslation value = given ? *given : CategoryTranslation{};
  CategoryTranslation& target = out.translations[*locale];
  (field == "name" ? target.name : target.description) =
      field == "name" ? value.name : value.description;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Category> ContentCore::CreateCategory(const Caller& caller, Category input,
                                                     const std::string& request_id) {
  RETURN_IF_ERROR(RequireEditor(caller));
  RETURN_IF_ERROR(CheckRequestId(request_id));
  RETURN_IF_ERROR(ValidateCategory(input));
  if (!input.parent_id.empty()) {
    absl::StatusOr<std::vector<Category>> path = store_.GetCategoryAncestors(input.parent_id);
    if (absl::IsNotFound(path.status())) {
      return absl::FailedPreconditionError(absl::StrCat(
          "category.parent_id: no category with id \"", Excerpt(input.parent_id), "\""));
    }
    RETURN_IF_ERROR(path);
    // The parent's ancestors, the parent, and the new category.
    if (path->size() + 2 > 8) {
      return absl::InvalidArgumentError("category.parent_id: the tree would be deeper than 8");
    }
  }
  const absl::Time now = options_.clock();
  input.id = NewId();
  input.create_time = input.update_time = now;
  input.etag = internal::NewEtag();
  absl::StatusOr<Category> created = store_.CreateCategory(input, request_id, now);
  ++category_generation_;
  return created;
}

absl::StatusOr<CategoryRead> ContentCore::GetCategory(const std::string& id,
                                                      const std::string& slug) {
  if (id.empty() && slug.empty()) {
    return absl::InvalidArgumentError("id: one of id or slug is required");
  }
  if (!id.empty() && !slug.empty()) {
    return absl::InvalidArgumentError("id: give only one of id or slug");
  }
  if (!id.empty()) {
    RETURN_IF_ERROR(CheckId(id, "id"));
  } else if (!IsValidSlug(slug)) {
    return absl::InvalidArgumentError(
        absl::StrCat("slug: \"", Excerpt(slug), "\" is not a valid slug"));
  }
  ASSIGN_OR_RETURN(Category c,
                   id.empty() ? store_.GetCategoryBySlug(slug) : store_.GetCategory(id));
  ASSIGN_OR_RETURN(std::vector<Category> path, store_.GetCategoryAncestors(c.id));
  return CategoryRead{std::move(c), std::move(path)};
}

absl::StatusOr<CategoryPage> ContentCore::ListCategories(const CategoryListQuery& q) {
  ASSIGN_OR_RETURN(const int size, internal::PageSize(q.page_size, 100, 500));
  if (!q.parent_id.empty()) {
    RETURN_IF_ERROR(CheckId(q.parent_id, "parent_id"));
    RETURN_IF_ERROR(store_.GetCategory(q.parent_id));
  }
  const std::string fingerprint = Fingerprint({q.parent_id});
  size_t offset = 0;
  if (!q.page_token.empty()) {
    auto fields = signer_.Verify(kCategoryPagePurpose, q.page_token);
    if (!fields || fields->size() != 2 || !absl::SimpleAtoi((*fields)[1], &offset)) {
      return internal::BadPageToken("malformed or altered");
    }
    if ((*fields)[0] != fingerprint) {
      return internal::BadPageToken("made for a different parent_id");
    }
  }
  ASSIGN_OR_RETURN(std::vector<Category> all, store_.ListCategories());
  std::map<std::string, std::vector<Category>> children;  // by parent id ("" = roots)
  for (Category& c : all) children[c.parent_id].push_back(std::move(c));
  for (auto& [parent, list] : children) std::sort(list.begin(), list.end(), SiblingOrder);
  std::vector<Category> ordered;
  if (!q.parent_id.empty()) {
    ordered = children[q.parent_id];
  } else {
    std::function<void(const std::string&)> visit = [&](const std::string& parent) {
      for (const Category& c : children[parent]) {
        ordered.push_back(c);
        visit(c.id);
      }
    };
    visit("");
  }
  CategoryPage page;
  for (size_t i = offset; i < ordered.size() && page.categories.size() < static_cast<size_t>(size);
       ++i) {
    page.categories.push_back(ordered[i]);
  }
  const size_t next = offset + page.categories.size();
  if (next < ordered.size()) {
    page.next_page_token = signer_.Sign(kCategoryPagePurpose, {fingerprint, absl::StrCat(next)});
  }
  return page;
}

absl::StatusOr<Category> ContentCore::UpdateCategory(const Caller& caller, CategoryUpdate u) {
  RETURN_IF_ERROR(RequireEditor(caller));
  RETURN_IF_ERROR(CheckId(u.category.id, "category.id"));
  if (u.paths.empty()) return absl::InvalidArgumentError("update_mask: at least one path required");
  const absl::Time now = options_.clock();
  bool moved_any = false;
  absl::StatusOr<Category> result = store_.UpdateCategory(
      u.category.id,
      [&](Category& c) -> absl::Status {
        if (!u.category.etag.empty() && u.category.etag != c.etag) {
          return StaleEtag("category.etag", u.category.etag, c.etag);
        }
        for (const std::string& path : u.paths) {
          RETURN_IF_ERROR(ApplyCategoryPath(path, u.category, c));
        }
        RETURN_IF_ERROR(ValidateCategory(c));
        if (c.parent_id == c.id) {
          return absl::InvalidArgumentError(
              "category.parent_id: a category cannot be its own parent");
        }
        c.update_time = now;
        c.etag = internal::NewEtag();
        return absl::OkStatus();
      },
      [&](const Article& a, const std::vector<std::string>& ancestors) {
        moved_any = true;
        cache_.Erase(a.id);
        return EventFor(a, events::v1::ARTICLE_EVENT_TYPE_UPDATED, ancestors);
      });
  ++category_generation_;
  if (result.ok() && moved_any && options_.on_event_committed) options_.on_event_committed();
  return result;
}

absl::Status ContentCore::DeleteCategory(const Caller& caller, const std::string& id,
                                         const std::string& etag) {
  RETURN_IF_ERROR(RequireRole(caller, {Role::kAdmin}));
  RETURN_IF_ERROR(CheckId(id, "id"));
  absl::Status deleted = store_.DeleteCategory(id, [&](const Category& c) -> absl::Status {
    if (!etag.empty() && etag != c.etag) return StaleEtag("etag", etag, c.etag);
    return absl::OkStatus();
  });
  ++category_generation_;
  return deleted;
}

}  // namespace bulletin::content
