// Token buckets keyed by caller, for rate limits: each key refills at `rate_per_second` up
// to `burst` tokens, and a call takes one. The set is bounded: when it holds `max_keys`
// buckets and a new key arrives, full buckets (which behave exactly like a fresh one) are
// dropped first, then the fullest ones, so memory stays bounded and an evicted caller gains
// at most the few tokens its bucket was missing. Thread-safe (one absl::Mutex); time is
// passed in, so tests drive it with a fake clock.
#pragma once

#include <cstddef>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace bulletin {

class TokenBucketSet {
 public:
  // `rate_per_second` <= 0 means unlimited (TryTake always succeeds and keeps no state).
  // `burst` is the bucket size, at least 1 (smaller values count as 1); a new key starts
  // full. `max_keys` (at least 1) bounds the number of buckets kept.
  TokenBucketSet(double rate_per_second, double burst, size_t max_keys = 100000);

  TokenBucketSet(const TokenBucketSet&) = delete;
  TokenBucketSet& operator=(const TokenBucketSet&) = delete;

  // ZeroDuration when a token was taken for `key`; otherwise the wait until one is
  // available (nothing is taken). A clock going backwards refills nothing.
  absl::Duration TryTake(absl::string_view key, absl::Time now = absl::Now());

  bool unlimited() const { return rate_ <= 0; }
  double rate_per_second() const { return rate_; }
  double burst() const { return burst_; }
  // Buckets currently kept (for tests and metrics).
  size_t size() const;

 private:
  struct Bucket {
    double tokens;
    absl::Time updated;
  };

  // Tokens in `bucket` at `now`, capped at burst_.
  double Level(const Bucket& bucket, absl::Time now) const;
  // Makes room for one more key: drops full buckets, then the fullest. Holds mu_.
  void Evict(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const double rate_;
  const double burst_;
  const size_t max_keys_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace bulletin
