// ViewStore on Redis: per-article counters, HyperLogLogs and expiring time buckets, the
// site-wide counters and the sorted sets of the top lists (key names in view_keys.h). A
// batch is counted by one Lua script in one round trip (count window and request dedupe
// are SET NX markers in it); the site-wide side goes through SiteUpdates, up to
// `site_flush_interval` behind. Thread-safe: the RedisClient pools connections; the salt
// and unique-visitor caches have their own lock.
#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/redis/redis_client.h"
#include "services/analytics/core/view_store.h"
#include "services/analytics/store/redis/site_updates.h"

namespace bulletin::analytics {

struct RedisViewStoreOptions {
  // A visitor's views of one article within this window count once; zero disables it.
  absl::Duration count_window = absl::Minutes(30);
  // How often the aggregated site-wide updates (top lists, site counters) are sent;
  // zero: after every batch.
  absl::Duration site_flush_interval = absl::Seconds(1);
  // Where updates not sent at shutdown (Redis down) are written; empty: they are lost.
  std::string spill_file = "";
};

class RedisViewStore : public ViewStore {
 public:
  // `redis` must outlive the store. The destructor sends the pending site-wide updates.
  RedisViewStore(RedisClient& redis, RedisViewStoreOptions options);

  // Sends the site-wide updates aggregated so far now (tests, before reading top lists
  // or site counters). UNAVAILABLE when Redis did not take them; they are kept.
  absl::Status FlushSiteUpdates();
  // Loads the updates a previous process spilled (see SiteUpdates::Restore).
  absl::Status RestoreSpilledUpdates() { return site_.Restore(); }

  absl::StatusOr<std::string> DailySalt(absl::Time day) override;
  absl::StatusOr<std::vector<RecordResult>> Record(const std::vector<ResolvedView>& views,
                                                   absl::Time now) override;
  absl::StatusOr<StatsResult> Stats(const std::vector<std::string>& article_ids, int window_days,
                                    absl::Time now) override;
  absl::StatusOr<std::vector<Totals>> Import(const std::vector<ImportedCounts>& items) override;
  absl::StatusOr<std::vector<TopEntry>> Top(const TopQuery& query, absl::Time now) override;
  absl::StatusOr<std::vector<SeriesPoint>> Series(const std::string& article_id,
                                                  Granularity granularity, absl::Time start,
                                                  int points) override;
  absl::StatusOr<bool> ApplyArticle(const ArticleMeta& meta) override;

  // How often, at most, an article's unique visitors are counted (PFCOUNT) for the
  // totals RecordView answers; in between they are the last count plus the visitors
  // that changed the HyperLogLog since (this process's; others' show at the next count).
  // The imported baseline is read with the count (ImportViews clears this process's).
  static constexpr absl::Duration kUniquesRefresh = absl::Seconds(1);
  static constexpr size_t kMaxUniquesCached = 100000;
  struct UniquesCache {
    int64_t uniques = 0;
    int64_t imported_views = 0, imported_uniques = 0;  // the legacy baseline
    absl::Time counted_at = absl::InfinitePast();
  };

  // The views of a batch for one article: one group of the counting script.
  struct Group {
    std::string article_id;
    std::vector<size_t> views;  // indexes into the batch, in order
    bool count_uniques = true;  // PFCOUNT the visitors (else: start from `cached`)
    UniquesCache cached = {};
  };
  static std::vector<Group> GroupsOf(const std::vector<ResolvedView>& views);
  // The EVALSHA (or EVAL) command that counts `groups` of `views`; public for the
  // benchmark, which runs the same script under redis-benchmark.
  RedisArgv RecordCommand(const std::vector<ResolvedView>& views, const std::vector<Group>& groups,
                          bool by_sha) const;
  // The counting script's text (for SCRIPT LOAD).
  static const char* RecordScript();
  // Views per script call at most (a batch above this is several calls in one pipeline).
  static constexpr size_t kMaxViewsPerCall = 1000;

 private:
  // Adds what a batch's views give the time buckets, site counters and top lists to
  // `out`.
  static void AddDeferred(const std::vector<ResolvedView>& views, const std::vector<Group>& groups,
                          const std::vector<RecordResult>& results, absl::Time now,
                          ViewAggregate& out);

  RedisClient& redis_;
  const RedisViewStoreOptions options_;
  const std::string script_sha_;
  absl::Mutex mu_;
  std::map<std::string, std::string> salts_ ABSL_GUARDED_BY(mu_);               // salt key -> salt
  std::unordered_map<std::string, UniquesCache> uniques_ ABSL_GUARDED_BY(mu_);  // by article
  SiteUpdates site_;  // last: its destructor flushes while the rest is still alive
};

}  // namespace bulletin::analytics
