// ViewStore on Redis: counters, HyperLogLogs and expiring time buckets per article,
// site-wide counters and the sorted sets of the top lists.
//
// Each view is counted by one Lua script (EVALSHA) whose keys all carry the article's
// hash tag, so a view is one atomic step and a batch is one pipelined round trip. The
// count window and request_id dedupe are SET NX markers with expiry inside the same
// script. The site-wide keys (under "{bulletin}", another Redis Cluster slot) cannot be
// touched by that script, and what they get depends on which views the script counted,
// so Record hands them to SiteUpdates, which aggregates them in process and sends them
// every `site_flush_interval`: top lists and site counters are up to that interval stale,
// the per-article totals are current. Key names come from view_keys.h. Thread-safe: the
// RedisClient pools connections; the caches have their own lock.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "common/redis/redis_client.h"
#include "services/analytics/site_updates.h"
#include "services/analytics/view_store.h"

namespace bulletin::analytics {

struct RedisViewStoreOptions {
  // A visitor's views of one article within this window count once; zero disables it.
  absl::Duration count_window = absl::Minutes(30);
  // How often the aggregated site-wide updates (top lists, site counters) are sent;
  // zero: after every batch.
  absl::Duration site_flush_interval = absl::Seconds(1);
};

class RedisViewStore : public ViewStore {
 public:
  // `redis` must outlive the store. The destructor sends the pending site-wide updates.
  RedisViewStore(RedisClient& redis, RedisViewStoreOptions options);

  // Sends the site-wide updates aggregated so far now (tests, before reading top lists
  // or site counters). UNAVAILABLE when Redis did not take them; they are kept.
  absl::Status FlushSiteUpdates();

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

  // The EVALSHA (or EVAL) command that counts one view; public for the benchmark, which
  // runs the same script under redis-benchmark.
  RedisArgv RecordCommand(const ResolvedView& view, absl::Time now, bool by_sha) const;
  // The counting script's text (for SCRIPT LOAD).
  static const char* RecordScript();

 private:
  // The site-wide updates of a batch's views.
  static SiteDelta SiteDeltaOf(const std::vector<ResolvedView>& views,
                               const std::vector<RecordResult>& results, absl::Time now);

  RedisClient& redis_;
  const RedisViewStoreOptions options_;
  const std::string script_sha_;
  std::mutex mu_;
  std::map<std::string, std::string> salts_ ABSL_GUARDED_BY(mu_);  // salt key -> salt
  SiteUpdates site_;  // last: its destructor flushes while the rest is still alive
};

}  // namespace bulletin::analytics
