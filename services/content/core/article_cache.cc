#include "services/content/core/article_cache.h"

namespace bulletin::content {

std::optional<Article> ArticleCache::Lookup(const std::string& id, absl::Time now) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::nullopt;
  if (now >= it->second.expire) {
    EraseLocked(id);
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.article;
}

std::optional<Article> ArticleCache::Get(const std::string& id, absl::Time now) {
  absl::MutexLock lock(&mu_);
  return Lookup(id, now);
}

std::optional<Article> ArticleCache::GetBySlug(const std::string& slug, absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto it = id_by_slug_.find(slug);
  if (it == id_by_slug_.end()) return std::nullopt;
  return Lookup(it->second, now);
}

uint64_t ArticleCache::Generation() {
  absl::MutexLock lock(&mu_);
  return generation_;
}

void ArticleCache::Put(const Article& article, uint64_t generation, absl::Time now) {
  absl::MutexLock lock(&mu_);
  if (generation != generation_ || max_entries_ == 0) return;
  EraseLocked(article.id);
  while (by_id_.size() >= max_entries_) EraseLocked(lru_.back());
  lru_.push_front(article.id);
  by_id_[article.id] = Entry{article, now + ttl_, lru_.begin()};
  id_by_slug_[article.slug] = article.id;
  for (const auto& [locale, tr] : article.translations) {
    if (!tr.slug.empty()) id_by_slug_[tr.slug] = article.id;
  }
}

void ArticleCache::Erase(const std::string& id) {
  absl::MutexLock lock(&mu_);
  ++generation_;
  EraseLocked(id);
}

void ArticleCache::EraseLocked(const std::string& id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  const Article& a = it->second.article;
  auto drop_slug = [&](const std::string& slug) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto s = id_by_slug_.find(slug);
    if (s != id_by_slug_.end() && s->second == id) id_by_slug_.erase(s);
  };
  drop_slug(a.slug);
  for (const auto& [locale, tr] : a.translations) drop_slug(tr.slug);
  lru_.erase(it->second.lru);
  by_id_.erase(it);
}

void ArticleCache::Clear() {
  absl::MutexLock lock(&mu_);
  ++generation_;
  by_id_.clear();
  id_by_slug_.clear();
  lru_.clear();
}

size_t ArticleCache::size() {
  absl::MutexLock lock(&mu_);
  return by_id_.size();
}

}  // namespace bulletin::content
