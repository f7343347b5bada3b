#include "common/base/token_bucket.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace bulletin {

TokenBucketSet::TokenBucketSet(double rate_per_second, double burst, size_t max_keys)
    : rate_(rate_per_second > 0 ? rate_per_second : 0),
      burst_(std::max(burst, 1.0)),
      max_keys_(std::max<size_t>(max_keys, 1)) {}

size_t TokenBucketSet::size() const {
  absl::MutexLock lock(&mu_);
  return buckets_.size();
}

double TokenBucketSet::Level(const Bucket& bucket, absl::Time now) const {
  if (now <= bucket.updated) return bucket.tokens;
  return std::min(burst_, bucket.tokens + absl::ToDoubleSeconds(now - bucket.updated) * rate_);
}

absl::Duration TokenBucketSet::TryTake(absl::string_view key, absl::Time now) {
  if (unlimited()) return absl::ZeroDuration();
  absl::MutexLock lock(&mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) Evict(now);
    buckets_.emplace(std::string(key), Bucket{burst_ - 1, now});
    return absl::ZeroDuration();
  }
  Bucket& bucket = it->second;
  const double level = Level(bucket, now);
  bucket.updated = std::max(bucket.updated, now);
  if (level >= 1) {
    bucket.tokens = level - 1;
    return absl::ZeroDuration();
  }
  bucket.tokens = level;
  // Round up to the microsecond so that waiting exactly this long always finds a token.
  return absl::Ceil(absl::Seconds((1 - level) / rate_), absl::Microseconds(1));
}

void TokenBucketSet::Evict(absl::Time now) {
  // A full bucket is indistinguishable from a missing one: dropping it costs nothing.
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    auto next = std::next(it);
    if (Level(it->second, now) >= burst_) buckets_.erase(it);
    it = next;
  }
  if (buckets_.size() < max_keys_) return;
  // Every bucket is in use (many callers at once): drop the fullest sixteenth, so that the
  // next new keys find room without another pass and the callers reset lose the least.
  std::vector<std::pair<double, std::string>> by_level;
  by_level.reserve(buckets_.size());
  for (const auto& [key, bucket] : buckets_) by_level.emplace_back(Level(bucket, now), key);
  const size_t drop = std::max<size_t>(1, by_level.size() / 16);
  std::nth_element(by_level.begin(), by_level.begin() + (drop - 1), by_level.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t i = 0; i < drop; ++i) buckets_.erase(by_level[i].second);
}

}  // namespace bulletin
