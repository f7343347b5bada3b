// ViewStore on Redis: per-article counters, HyperLogLogs and expiring time buckets, the
// site-wide counters and the sorted sets of the top lists (key names in view_keys.h). A
// batch is counted by one Lua script in one round trip (count window and request dedupe
// are compact per-article tables of hashed ids in it: record_script.cc), which also journals the
// batch's deferred side; SiteUpdates folds that side into the buckets and top lists up to
// `site_flush_interval` later, from memory or, if this process dies first, from the journal
// (view_journal.h). Thread-safe: the RedisClient pools connections; the salt and unique-visitor
// caches have their own lock.
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
#include "services/analytics/store/redis/view_journal.h"

namespace bulletin::analytics {

struct RedisViewStoreOptions {
  // A visitor's views of one article within this window count once; zero disables it.
  absl::Duration count_window = absl::Minutes(30);
  // How often the aggregated site-wide updates (top lists, site counters) are sent;
  // zero: after every batch.
  absl::Duration site_flush_interval = absl::Seconds(1);
  // Where an earlier version wrote the updates it could not send at shutdown; read once by
  // RestoreSpilledUpdates (this version leaves them in the journal instead).
  std::string spill_file = "";
};

class RedisViewStore : public ViewStore {
 public:
  // `redis` must outlive the store. The destructor sends the pending site-wide updates.
  RedisViewStore(RedisClient& redis, RedisViewStoreOptions options);

  // Folds the site-wide updates aggregated so far, then every journalled batch whatever
  // its age (tests, before reading top lists or site counters). UNAVAILABLE when Redis
  // did not take them; they stay in the journal.
  absl::Status FlushSiteUpdates();
  // Whether the counting script also reads the dedupe markers of the layout before the
  // dedupe tables (a key per view): for kRequestIdRetention after the first process of
  // this layout started on a Redis that holds an older version's data. Asks Redis once.
  absl::StatusOr<bool> ReadOldMarkers();
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
  // The EVALSHA (or EVAL) command that counts `groups` of `views` and journals them under
  // a new batch id; public for the benchmark, which runs the same script under
  // redis-benchmark.
  RedisArgv RecordCommand(const std::vector<ResolvedView>& views, const std::vector<Group>& groups,
                          bool by_sha) const;
  // The counting script's text (for SCRIPT LOAD).
  static const char* RecordScript();
  // Views per script call at most (a batch above this is several calls in one pipeline).
  static constexpr size_t kMaxViewsPerCall = 1000;

 private:
  // The journal entry of one script call (id empty when no view can have a deferred side).
  JournalBatch JournalOf(const std::vector<ResolvedView>& views, const std::vector<Group>& groups,
                         absl::Time now) const;
  absl::StatusOr<std::vector<Totals>> ImportOnCluster(const std::vector<ImportedCounts>& items);
  // The Redis Cluster slot of a call's groups (all in one); -1 on one node.
  int SlotOf(const std::vector<Group>& groups) const;
  RedisArgv RecordCommand(const std::vector<ResolvedView>& views, const std::vector<Group>& groups,
                          const JournalBatch& journal, bool old_markers, bool by_sha) const;

  RedisClient& redis_;
  const RedisViewStoreOptions options_;
  const std::string script_sha_;
  absl::Mutex mu_;
  std::map<std::string, std::string> salts_ ABSL_GUARDED_BY(mu_);               // salt key -> salt
  std::unordered_map<std::string, UniquesCache> uniques_ ABSL_GUARDED_BY(mu_);  // by article
  bool old_markers_checked_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time old_markers_until_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  SiteUpdates site_;  // last: its destructor flushes while the rest is still alive
};

}  // namespace bulletin::analytics
