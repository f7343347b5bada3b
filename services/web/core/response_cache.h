// ResponseCache: bulletin-web's in-process cache of rendered responses, bounded by bytes
// (--cache-bytes), least recently used out first. Every entry carries the surrogate keys
// of what it shows ("a:<article id>", "c:<category id>", "lists", ...); Invalidate(keys)
// drops every entry holding any of them, which is how an article event makes a publish or
// an edit visible within a second. A render that began before an invalidation cannot
// store its now stale result: Put takes the generation read before the upstream calls and
// refuses when an invalidation happened since. Thread-safe (one absl::Mutex).
#pragma once

#include <list>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace bulletin::web {

struct CachedResponse {
  int status = 200;
  std::string content_type;
  std::string body;
  std::string gzip_body;  // empty when not worth compressing
  std::string etag;       // quoted
  absl::Time last_modified = absl::UnixEpoch();
  std::string cache_control;
  std::string location;                             // redirects
  std::vector<std::string> keys;                    // surrogate keys
  absl::Time fresh_until = absl::InfiniteFuture();  // after: stale, re-rendered on use

  size_t Bytes() const;
};

class ResponseCache {
 public:
  explicit ResponseCache(size_t max_bytes);

  // The entry stored under `key`, or null; marks it recently used.
  std::shared_ptr<const CachedResponse> Get(const std::string& key) ABSL_LOCKS_EXCLUDED(mu_);

  // The current generation; pass it to Put.
  uint64_t generation() const ABSL_LOCKS_EXCLUDED(mu_);
  // Stores `value` under `key` (replacing), evicting the least recently used entries past
  // the bound. Returns false (nothing stored) when an invalidation happened after
  // `generation`, or the entry alone exceeds an eighth of the bound.
  bool Put(const std::string& key, std::shared_ptr<const CachedResponse> value, uint64_t generation)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Drops every entry carrying any of `keys`; returns how many.
  size_t Invalidate(const std::vector<std::string>& keys) ABSL_LOCKS_EXCLUDED(mu_);
  // Drops everything (events may have been missed); returns how many entries.
  size_t Clear() ABSL_LOCKS_EXCLUDED(mu_);

  size_t bytes() const ABSL_LOCKS_EXCLUDED(mu_);
  size_t entries() const ABSL_LOCKS_EXCLUDED(mu_);
  size_t max_bytes() const { return max_bytes_; }

 private:
  struct Node {
    std::string key;
    std::shared_ptr<const CachedResponse> value;
    size_t bytes;
  };
  using List = std::list<Node>;

  void EraseLocked(List::iterator it) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t max_bytes_;
  mutable absl::Mutex mu_;
  List lru_ ABSL_GUARDED_BY(mu_);  // front: most recently used
  absl::flat_hash_map<std::string, List::iterator> index_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, absl::flat_hash_set<std::string>> by_surrogate_
      ABSL_GUARDED_BY(mu_);
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace bulletin::web
