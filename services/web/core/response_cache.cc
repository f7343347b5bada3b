#include "services/web/core/response_cache.h"

namespace bulletin::web {

// Fixed overhead per entry: the nodes, the index slots and the header strings.
constexpr size_t kEntryOverhead = 512;

size_t CachedResponse::Bytes() const {
  size_t n = kEntryOverhead + body.size() + gzip_body.size() + etag.size() + content_type.size() +
             cache_control.size() + location.size();
  for (const std::string& k : keys) n += k.size() + 64;
  return n;
}

ResponseCache::ResponseCache(size_t max_bytes) : max_bytes_(max_bytes) {}

std::shared_ptr<const CachedResponse> ResponseCache::Get(const std::string& key) {
  absl::MutexLock lock(&mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->value;
}

uint64_t ResponseCache::generation() const {
  absl::MutexLock lock(&mu_);
  return generation_;
}

void ResponseCache::EraseLocked(List::iterator it) {
  for (const std::string& k : it->value->keys) {
    auto s = by_surrogate_.find(k);
    if (s == by_surrogate_.end()) continue;
    s->second.erase(it->key);
    if (s->second.empty()) by_surrogate_.erase(s);
  }
  bytes_ -= it->bytes;
  index_.erase(it->key);
  lru_.erase(it);
}

bool ResponseCache::Put(const std::string& key, std::shared_ptr<const CachedResponse> value,
                        uint64_t generation) {
  const size_t bytes = value->Bytes() + key.size();
  if (bytes > max_bytes_ / 8) return false;
  absl::MutexLock lock(&mu_);
  if (generation != generation_) return false;
  if (auto it = index_.find(key); it != index_.end()) EraseLocked(it->second);
  lru_.push_front(Node{key, std::move(value), bytes});
  index_[key] = lru_.begin();
  for (const std::string& k : lru_.front().value->keys) by_surrogate_[k].insert(key);
  bytes_ += bytes;
  while (bytes_ > max_bytes_ && !lru_.empty()) EraseLocked(std::prev(lru_.end()));
  return true;
}

size_t ResponseCache::Invalidate(const std::vector<std::string>& keys) {
  absl::MutexLock lock(&mu_);
  ++generation_;
  size_t dropped = 0;
  for (const std::string& k : keys) {
    auto s = by_surrogate_.find(k);
    if (s == by_surrogate_.end()) continue;
    std::vector<std::string> victims(s->second.begin(), s->second.end());
    for (const std::string& v : victims) {
      auto it = index_.find(v);
      if (it == index_.end()) continue;
      EraseLocked(it->second);
      ++dropped;
    }
  }
  return dropped;
}

size_t ResponseCache::Clear() {
  absl::MutexLock lock(&mu_);
  ++generation_;
  const size_t dropped = index_.size();
  lru_.clear();
  index_.clear();
  by_surrogate_.clear();
  bytes_ = 0;
  return dropped;
}

size_t ResponseCache::bytes() const {
  absl::MutexLock lock(&mu_);
  return bytes_;
}

size_t ResponseCache::entries() const {
  absl::MutexLock lock(&mu_);
  return index_.size();
}

}  // namespace bulletin::web
