#include "services/analytics/store/memory/faulty_view_store.h"

namespace bulletin::analytics {

void FaultyViewStore::SetDown(bool down) {
  absl::MutexLock lock(&mu_);
  down_ = down;
}

void FaultyViewStore::FailNext(StoreCall call, int n) {
  absl::MutexLock lock(&mu_);
  fail_[call] += n;
}

void FaultyViewStore::LoseNextAnswers(StoreCall call, int n) {
  absl::MutexLock lock(&mu_);
  lose_[call] += n;
}

int64_t FaultyViewStore::failures() const {
  absl::MutexLock lock(&mu_);
  return failures_;
}

FaultyViewStore::Fault FaultyViewStore::Next(StoreCall call) {
  absl::MutexLock lock(&mu_);
  Fault fault = Fault::kNone;
  if (down_) {
    fault = Fault::kFail;
  } else if (int& n = fail_[call]; n > 0) {
    --n;
    fault = Fault::kFail;
  } else if (int& m = lose_[call]; m > 0) {
    --m;
    fault = Fault::kLoseAnswer;
  }
  if (fault != Fault::kNone) ++failures_;
  return fault;
}

template <typename T, typename Run>
absl::StatusOr<T> FaultyViewStore::Call(StoreCall call, Run run) {
  const Fault fault = Next(call);
  if (fault == Fault::kFail) return absl::UnavailableError("injected: the store is unreachable");
  absl::StatusOr<T> result = run();
  if (fault == Fault::kLoseAnswer) {
    return absl::UnavailableError("injected: the store ran the call, the answer was lost");
  }
  return result;
}

absl::StatusOr<std::string> FaultyViewStore::DailySalt(absl::Time day) {
  return Call<std::string>(StoreCall::kDailySalt, [&] { return base_.DailySalt(day); });
}

absl::StatusOr<std::vector<RecordResult>> FaultyViewStore::Record(
    const std::vector<ResolvedView>& views, absl::Time now) {
  return Call<std::vector<RecordResult>>(StoreCall::kRecord,
                                         [&] { return base_.Record(views, now); });
}

absl::StatusOr<StatsResult> FaultyViewStore::Stats(const std::vector<std::string>& article_ids,
                                                   int window_days, absl::Time now) {
  return Call<StatsResult>(StoreCall::kStats,
                           [&] { return base_.Stats(article_ids, window_days, now); });
}

absl::StatusOr<std::vector<Totals>> FaultyViewStore::Import(
    const std::vector<ImportedCounts>& items) {
  return Call<std::vector<Totals>>(StoreCall::kImport, [&] { return base_.Import(items); });
}

absl::StatusOr<std::vector<TopEntry>> FaultyViewStore::Top(const TopQuery& query, absl::Time now) {
  return Call<std::vector<TopEntry>>(StoreCall::kTop, [&] { return base_.Top(query, now); });
}

absl::StatusOr<std::vector<SeriesPoint>> FaultyViewStore::Series(const std::string& article_id,
                                                                 Granularity granularity,
                                                                 absl::Time start, int points) {
  return Call<std::vector<SeriesPoint>>(
      StoreCall::kSeries, [&] { return base_.Series(article_id, granularity, start, points); });
}

absl::StatusOr<bool> FaultyViewStore::ApplyArticle(const ArticleMeta& meta) {
  return Call<bool>(StoreCall::kApplyArticle, [&] { return base_.ApplyArticle(meta); });
}

}  // namespace bulletin::analytics
