// The behavioural suite every ViewStore passes (tests/view_store_suite.cc), value-
// parameterised by backend: memory_view_store_test.cc instantiates it with MemoryViewStore
// (label unit), redis_view_store_test.cc with RedisViewStore on a real redis-server
// (label redis). A backend makes a fresh, empty store per test.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/analytics/core/view_store.h"

namespace bulletin::analytics {

// A store under test.
class ViewStoreHarness {
 public:
  virtual ~ViewStoreHarness() = default;
  virtual ViewStore& store() = 0;
  // Makes the deferred side (time buckets, top lists, site counters) visible to reads.
  virtual absl::Status Flush() = 0;
};

struct ViewStoreBackend {
  std::string name;
  // A fresh, empty store whose count window is `count_window`.
  std::function<absl::StatusOr<std::unique_ptr<ViewStoreHarness>>(absl::Duration count_window)>
      make;
};

class ViewStoreSuite : public ::testing::TestWithParam<ViewStoreBackend> {
 protected:
  void SetUp() override;  // a store with a 30-minute count window; now_ is noon UTC today
  // Replaces the store with a fresh one with `count_window`.
  void Use(absl::Duration count_window);
  ViewStore& store() { return harness_->store(); }

  // A resolved view of `visitor` (already "v:..." or "h:...") at `time` (default now_).
  ResolvedView V(const std::string& article, const std::string& visitor,
                 std::optional<absl::Time> time = std::nullopt, const std::string& request = "",
                 NotCounted filtered = NotCounted::kNone) const;
  // Records `views` at now_; fails the test on an error.
  std::vector<RecordResult> Record(const std::vector<ResolvedView>& views);
  // `n` distinct visitors ("v:<prefix>0".."v:<prefix>n-1") view `article` at `time`.
  void RecordMany(const std::string& article, int n, const std::string& prefix,
                  std::optional<absl::Time> time = std::nullopt);
  // Stats of one article over `window_days`, after a flush.
  ArticleStats StatsOf(const std::string& id, int window_days = 30);
  // "id:views" of a top list at now_, best first, after a flush.
  std::vector<std::string> TopOf(TopKind kind, Window window, const std::string& category = "",
                                 const std::string& locale = "", int limit = 10);
  // Publishes (or takes down) an article with `categories` and translations in `locales`
  // (the first is the default), titled "Title <id> (<locale>)", slug "<locale>-<id>".
  bool Apply(const std::string& id, int64_t revision, bool published,
             std::vector<std::string> categories = {}, std::vector<std::string> locales = {"en"});
  void Flush();

  std::unique_ptr<ViewStoreHarness> harness_;
  absl::Time now_;
};

// gtest prints a backend by its name (test names, failure messages).
inline void PrintTo(const ViewStoreBackend& backend, std::ostream* os) { *os << backend.name; }

inline std::string BackendName(const ::testing::TestParamInfo<ViewStoreBackend>& info) {
  return info.param.name;
}

}  // namespace bulletin::analytics
