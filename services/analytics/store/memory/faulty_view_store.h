// FaultyViewStore: wraps a ViewStore and fails chosen calls with UNAVAILABLE on demand, for
// the error paths (leveldb's ErrorEnv): the store down for a while, the next few calls of
// one kind failing, or calls that run in the store but whose answer is lost (the store
// died before replying). Everything else is passed to the wrapped store. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/analytics/core/view_store.h"

namespace bulletin::analytics {

enum class StoreCall { kDailySalt, kRecord, kStats, kImport, kTop, kSeries, kApplyArticle };

class FaultyViewStore : public ViewStore {
 public:
  // `base` must outlive the wrapper.
  explicit FaultyViewStore(ViewStore& base) : base_(base) {}

  // While down, every call fails without reaching the wrapped store.
  void SetDown(bool down) ABSL_LOCKS_EXCLUDED(mu_);
  // The next `n` calls of `call` fail without reaching the wrapped store.
  void FailNext(StoreCall call, int n = 1) ABSL_LOCKS_EXCLUDED(mu_);
  // The next `n` calls of `call` run in the wrapped store, then answer UNAVAILABLE.
  void LoseNextAnswers(StoreCall call, int n = 1) ABSL_LOCKS_EXCLUDED(mu_);
  // How many calls failed so far.
  int64_t failures() const ABSL_LOCKS_EXCLUDED(mu_);

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

 private:
  enum class Fault { kNone, kFail, kLoseAnswer };
  // The fault of this call of `call` (and counts it).
  Fault Next(StoreCall call) ABSL_LOCKS_EXCLUDED(mu_);
  // Runs `run` (the wrapped call) under the fault of this call.
  template <typename T, typename Run>
  absl::StatusOr<T> Call(StoreCall call, Run run);

  ViewStore& base_;
  mutable absl::Mutex mu_;
  bool down_ ABSL_GUARDED_BY(mu_) = false;
  std::map<StoreCall, int> fail_ ABSL_GUARDED_BY(mu_);
  std::map<StoreCall, int> lose_ ABSL_GUARDED_BY(mu_);
  int64_t failures_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace bulletin::analytics
