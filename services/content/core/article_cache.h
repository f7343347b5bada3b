// An in-process cache of published articles by id and by slug, so that a public GetArticle
// costs a hash lookup instead of a database query. Writers erase the article after their
// transaction commits; a reader that loaded an article before such an erase cannot put
// its stale copy back (the generation check). Entries expire after `ttl`, which bounds
// how stale a change made by another process can be when its event was missed (replicas
// erase on each event: events/cache_invalidation.h). LRU-bounded.
// Thread-safe.
#pragma once

#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/content/core/content_types.h"

namespace bulletin::content {

class ArticleCache {
 public:
  ArticleCache(size_t max_entries, absl::Duration ttl) : max_entries_(max_entries), ttl_(ttl) {}

  std::optional<Article> Get(const std::string& id, absl::Time now) ABSL_LOCKS_EXCLUDED(mu_);
  std::optional<Article> GetBySlug(const std::string& slug, absl::Time now)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Read before loading from the store; pass to Put.
  uint64_t Generation() ABSL_LOCKS_EXCLUDED(mu_);
  // Caches `article` unless an Erase happened since `generation` was read.
  void Put(const Article& article, uint64_t generation, absl::Time now) ABSL_LOCKS_EXCLUDED(mu_);
  void Erase(const std::string& id) ABSL_LOCKS_EXCLUDED(mu_);
  // Drops every entry (changes may have been missed).
  void Clear() ABSL_LOCKS_EXCLUDED(mu_);
  size_t size() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Entry {
    Article article;
    absl::Time expire;
    std::list<std::string>::iterator lru;
  };
  std::optional<Article> Lookup(const std::string& id, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void EraseLocked(const std::string& id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t max_entries_;
  const absl::Duration ttl_;
  absl::Mutex mu_;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  std::unordered_map<std::string, Entry> by_id_ ABSL_GUARDED_BY(mu_);
  std::unordered_map<std::string, std::string> id_by_slug_ ABSL_GUARDED_BY(mu_);
  std::list<std::string> lru_ ABSL_GUARDED_BY(mu_);  // most recently used first
};

}  // namespace bulletin::content
