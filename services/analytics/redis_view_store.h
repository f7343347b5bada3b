// ViewStore on Redis: counters, HyperLogLogs and expiring time buckets per article.
//
// Each view is counted by one Lua script (EVALSHA) whose keys all carry the article's
// hash tag, so a view is one atomic step and a batch is one pipelined round trip. The
// count window and request_id dedupe are SET NX markers with expiry inside the same
// script. Key names come from view_keys.h. Thread-safe: the RedisClient pools
// connections; the salt cache has its own lock.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "common/redis/redis_client.h"
#include "services/analytics/view_store.h"

namespace bulletin::analytics {

struct RedisViewStoreOptions {
  // A visitor's views of one article within this window count once; zero disables it.
  absl::Duration count_window = absl::Minutes(30);
};

class RedisViewStore : public ViewStore {
 public:
  // `redis` must outlive the store.
  RedisViewStore(RedisClient& redis, RedisViewStoreOptions options);

  absl::StatusOr<std::string> DailySalt(absl::Time day) override;
  absl::StatusOr<std::vector<RecordResult>> Record(const std::vector<ResolvedView>& views,
                                                   absl::Time now) override;
  absl::StatusOr<StatsResult> Stats(const std::vector<std::string>& article_ids, int window_days,
                                    absl::Time now) override;
  absl::StatusOr<std::vector<Totals>> Import(const std::vector<ImportedCounts>& items) override;

 private:
  RedisArgv RecordCommand(const ResolvedView& view, absl::Time now, bool by_sha) const;

  RedisClient& redis_;
  const RedisViewStoreOptions options_;
  const std::string script_sha_;
  std::mutex mu_;
  std::map<std::string, std::string> salts_ ABSL_GUARDED_BY(mu_);  // salt key -> salt
};

}  // namespace bulletin::analytics
