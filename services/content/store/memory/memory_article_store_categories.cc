// MemoryArticleStore: the category tree.
#include <deque>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"
#include "services/content/store/memory/memory_article_store.h"
#include "services/content/store/memory/memory_internal.h"

namespace bulletin::content {
namespace {

using memory_internal::CategoryNotFound;
using memory_internal::Micros;
using memory_internal::Stored;

constexpr size_t kMaxDepth = 8;
constexpr size_t kMaxWalk = 64;  // steps before a walk of the tree gives up (a cycle)

absl::Status NoParent(const std::string& parent_id) {
  return absl::FailedPreconditionError(
      absl::StrCat("category.parent_id: no category with id \"", Excerpt(parent_id), "\""));
}

absl::Status SlugTaken(const std::string& slug) {
  return absl::AlreadyExistsError(
      absl::StrCat("category.slug: \"", Excerpt(slug), "\" is already used by another category"));
}

}  // namespace

absl::StatusOr<Category> MemoryArticleStore::FindCategory(const std::string& id) const {
  auto it = categories_.find(id);
  if (it == categories_.end()) return CategoryNotFound(id);
  return it->second;
}

absl::StatusOr<std::vector<Category>> MemoryArticleStore::Ancestors(const std::string& id) const {
  ASSIGN_OR_RETURN(const Category self, FindCategory(id));
  std::vector<Category> path;
  std::set<std::string> seen = {self.id};
  std::string parent = self.parent_id;
  while (!parent.empty()) {
    if (!seen.insert(parent).second || seen.size() > kMaxWalk) {
      return absl::InternalError(absl::StrCat("category tree has a cycle at ", parent));
    }
    ASSIGN_OR_RETURN(Category c, FindCategory(parent));
    parent = c.parent_id;
    path.insert(path.begin(), std::move(c));
  }
  return path;
}

absl::StatusOr<std::vector<std::string>> MemoryArticleStore::AncestorIds(
    const std::string& id) const {
  ASSIGN_OR_RETURN(const std::vector<Category> path, Ancestors(id));
  std::vector<std::string> ids;
  for (const Category& c : path) ids.push_back(c.id);
  return ids;
}

absl::StatusOr<std::vector<std::string>> MemoryArticleStore::Subtree(const std::string& id) const {
  if (!categories_.count(id)) return CategoryNotFound(id);
  std::vector<std::string> ids = {id};
  std::set<std::string> seen = {id};
  for (size_t i = 0; i < ids.size(); ++i) {
    for (const auto& [child_id, c] : categories_) {
      if (c.parent_id == ids[i] && seen.insert(child_id).second) ids.push_back(child_id);
    }
  }
  return ids;
}

absl::StatusOr<Category> MemoryArticleStore::CreateCategory(const Category& category,
                                                            const std::string& request_id,
                                                            absl::Time now) {
  absl::MutexLock lock(&mu_);
  if (!request_id.empty()) {
    const std::string found = FindRequest("category", request_id, now);
    if (!found.empty()) return FindCategory(found);
  }
  for (const auto& [id, c] : categories_) {
    if (c.slug == category.slug) return SlugTaken(category.slug);
  }
  if (!category.parent_id.empty() && !categories_.count(category.parent_id)) {
    return NoParent(category.parent_id);
  }
  if (categories_.count(category.id)) {
    return absl::AlreadyExistsError(absl::StrCat("category \"", category.id, "\" exists"));
  }
  categories_[category.id] = Stored(category);
  if (!request_id.empty()) requests_[{"category", request_id}] = {category.id, Micros(now)};
  return FindCategory(category.id);
}

absl::StatusOr<Category> MemoryArticleStore::GetCategory(const std::string& id) {
  absl::MutexLock lock(&mu_);
  return FindCategory(id);
}

absl::StatusOr<Category> MemoryArticleStore::GetCategoryBySlug(const std::string& slug) {
  absl::MutexLock lock(&mu_);
  for (const auto& [id, c] : categories_) {
    if (c.slug == slug) return c;
  }
  return CategoryNotFound(slug);
}

absl::StatusOr<std::vector<Category>> MemoryArticleStore::GetCategoryAncestors(
    const std::string& id) {
  absl::MutexLock lock(&mu_);
  return Ancestors(id);
}

absl::StatusOr<std::vector<Category>> MemoryArticleStore::ListCategories() {
  absl::MutexLock lock(&mu_);
  std::vector<Category> all;
  for (const auto& [id, c] : categories_) all.push_back(c);
  return all;
}

absl::StatusOr<std::vector<std::string>> MemoryArticleStore::CategorySubtree(
    const std::string& id) {
  absl::MutexLock lock(&mu_);
  return Subtree(id);
}

absl::StatusOr<Category> MemoryArticleStore::UpdateCategory(const std::string& id,
                                                            const CategoryMutation& mutate,
                                                            const CategoryMoveEvent& moved) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Category c, FindCategory(id));
  const std::string old_parent = c.parent_id;
  RETURN_IF_ERROR(mutate(c));
  c.id = id;
  ASSIGN_OR_RETURN(const std::vector<std::string> subtree, Subtree(id));
  const bool parent_changed = c.parent_id != old_parent;
  if (parent_changed && !c.parent_id.empty()) {
    if (std::find(subtree.begin(), subtree.end(), c.parent_id) != subtree.end()) {
      return absl::InvalidArgumentError(
          "category.parent_id: the category cannot move below itself");
    }
    absl::StatusOr<std::vector<Category>> path = Ancestors(c.parent_id);
    if (absl::IsNotFound(path.status())) return NoParent(c.parent_id);
    RETURN_IF_ERROR(path);
    // Levels below `id` (1 = no children), counted over the subtree as it is.
    size_t height = 1;
    for (const std::string& below : subtree) {
      size_t level = 1;
      for (std::string at = below; at != id; at = categories_.at(at).parent_id) ++level;
      height = std::max(height, level);
    }
    if (path->size() + 1 + height > kMaxDepth) {
      return absl::InvalidArgumentError("category.parent_id: the tree would be deeper than 8");
    }
  }
  for (const auto& [other_id, other] : categories_) {
    if (other_id != id && other.slug == c.slug) return SlugTaken(c.slug);
  }
  // The ancestry of every published article in the subtree changed: announce it, with the
  // ancestors as they are after the move (computed on the tree with the change applied).
  const Category before = categories_.at(id);
  categories_[id] = Stored(c);
  auto announce =
      [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> absl::StatusOr<std::vector<OutboxEvent>> {
    std::vector<OutboxEvent> events;
    if (!parent_changed || !moved) return events;
    for (const std::string& category_id : subtree) {
      ASSIGN_OR_RETURN(const std::vector<std::string> ancestors, AncestorIds(category_id));
      for (const auto& [article_id, a] : articles_) {
        if (a.category_id != category_id || a.state != ArticleState::kPublished || a.delete_time) {
          continue;
        }
        events.push_back(moved(a, ancestors));
        RETURN_IF_ERROR(CheckEvent(events.back()));
      }
    }
    return events;
  };
  const absl::StatusOr<std::vector<OutboxEvent>> events = announce();
  if (!events.ok()) categories_[id] = before;  // nothing of the call stays
  RETURN_IF_ERROR(events);
  for (const OutboxEvent& e : *events) InsertEvent(e);
  return FindCategory(id);
}

absl::Status MemoryArticleStore::DeleteCategory(
    const std::string& id, const std::function<absl::Status(const Category&)>& check) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(const Category c, FindCategory(id));
  RETURN_IF_ERROR(check(c));
  int64_t articles = 0, children = 0;
  for (const auto& [article_id, a] : articles_) articles += a.category_id == id ? 1 : 0;
  for (const auto& [child_id, child] : categories_) children += child.parent_id == id ? 1 : 0;
  if (articles > 0 || children > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("category \"", Excerpt(c.slug), "\" still has ", articles,
                     " article(s) (soft-deleted included) and ", children, " child categor",
                     children == 1 ? "y" : "ies"));
  }
  categories_.erase(id);
  return absl::OkStatus();
}

}  // namespace bulletin::content
