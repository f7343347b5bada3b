// Fuzz target analytics_service: every method of analytics' gRPC adapter
// (services/analytics/grpc AnalyticsService), called as DecodedService calls it (request
// decoded by common/grpc/decode.h, then the handler; RecordView's asynchronous answer is
// waited for), over AnalyticsCore on a fresh MemoryViewStore per input with a fixed clock
// and a one-thread ViewBatcher that is stopped (joined) before the input ends.
// RecordViews, a reactor that needs a live call, is replayed as it reads: each item decoded
// with its "views[i]." prefix, the items before a bad one recorded. Besides not crashing:
// every answer passes CheckAnswer, every response parses back, totals never go negative.
// Input: up to 24 calls, each a method byte, a caller byte and a chunk (the request; for
// RecordViews, chunks of items).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "bulletin/analytics/v1/analytics.pb.h"
#include "fuzz/decode_request.h"
#include "fuzz/fuzz_support.h"
#include "services/analytics/core/analytics_core.h"
#include "services/analytics/grpc/analytics_service.h"
#include "services/analytics/grpc/convert.h"
#include "services/analytics/store/memory/memory_view_store.h"

namespace bulletin::fuzz {
namespace {

namespace v1 = analytics::v1;
using analytics::AnalyticsService;

const absl::Time kNow = absl::FromUnixSeconds(1709294400);  // 2024-03-01 12:00 UTC

// What UnaryDone finishes: here, the status is kept and the waiter woken.
class Waiter : public internal_decoded::AsyncCallBase {
 public:
  void Finish(const absl::Status& status) override {
    status_ = status;
    done_.Notify();
  }
  absl::Status Wait() {
    done_.WaitForNotification();
    return status_;
  }

 private:
  absl::Status status_;
  absl::Notification done_;
};

void CheckTotals(const v1::ArticleTotals& t, absl::string_view method) {
  FUZZ_CHECK(t.views() >= 0 && t.unique_visitors() >= 0,
             absl::StrCat(method, ": negative totals ", t.views(), "/", t.unique_visitors()));
}

class Session {
 public:
  Session()
      : store_(analytics::MemoryViewStoreOptions{absl::Minutes(30), [] { return kNow; }}),
        batcher_(store_, Batcher(), [] { return kNow; }),
        core_(store_, batcher_, filter_, [] { return kNow; }),
        service_(core_, auth_, NoPool()) {
    FUZZ_CHECK(batcher_.Start().ok(), "batcher start");
  }
  ~Session() { batcher_.Stop(); }

  void Call(uint8_t method, const Caller& caller, absl::string_view bytes);

 private:
  static analytics::BatcherOptions Batcher() {
    analytics::BatcherOptions options;
    options.workers = 1;
    return options;
  }
  static WorkerPool& NoPool() {
    static WorkerPool* pool = new WorkerPool(0, 0);
    return *pool;
  }

  template <typename Req, typename Resp>
  std::optional<Resp> Run(const char* name,
                          absl::Status (AnalyticsService::*handler)(const Caller&, const Req*,
                                                                    Resp*),
                          const Caller& caller, absl::string_view bytes) {
    Req request;
    if (!DecodeRequest(bytes, &request)) return std::nullopt;
    Resp response;
    const absl::Status status = (service_.*handler)(caller, &request, &response);
    CheckAnswer(status, name);
    if (!status.ok()) return std::nullopt;
    CheckResponse(response, name);
    return response;
  }

  void RecordView(const Caller& caller, absl::string_view bytes);
  void RecordViews(const Caller& caller, absl::string_view bytes);

  analytics::MemoryViewStore store_;
  analytics::ViewFilter filter_;
  analytics::ViewBatcher batcher_;
  analytics::AnalyticsCore core_;
  TokenStore auth_;  // unused: the caller is given
  AnalyticsService service_;
};

void Session::RecordView(const Caller& caller, absl::string_view bytes) {
  v1::RecordViewRequest request;
  if (!DecodeRequest(bytes, &request)) return;
  v1::RecordViewResponse response;
  Waiter waiter;
  service_.RecordView(caller, &request, &response, UnaryDone(&waiter));
  const absl::Status status = waiter.Wait();
  CheckAnswer(status, "RecordView");
  if (!status.ok()) return;
  CheckTotals(response.totals(), "RecordView");
  CheckResponse(response, "RecordView");
}

void Session::RecordViews(const Caller& caller, absl::string_view bytes) {
  const absl::Status allowed = core_.AuthorizeRecord(caller);  // before the first read
  CheckAnswer(allowed, "RecordViews");
  if (!allowed.ok()) return;
  FuzzInput items(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  std::vector<analytics::View> views;
  absl::Status invalid;
  for (size_t i = 0; !items.empty() && invalid.ok(); ++i) {
    v1::RecordViewRequest item;
    const std::string prefix = absl::StrCat("views[", i, "].");
    invalid = DecodeMessage(items.Chunk(), &item, prefix);
    if (!invalid.ok()) break;
    absl::StatusOr<analytics::View> view = analytics::ToView(item, prefix);
    if (view.ok()) {
      views.push_back(*std::move(view));
    } else {
      invalid = view.status();
    }
  }
  CheckAnswer(invalid, "RecordViews");
  if (views.empty()) return;
  absl::StatusOr<analytics::BatchResult> r = core_.RecordViews(caller, views, 0);
  CheckAnswer(r.status(), "RecordViews");
  if (r.ok()) {
    FUZZ_CHECK(r->counted >= 0 && r->counted <= static_cast<int64_t>(views.size()),
               "RecordViews counted more than it received");
  }
}

void Session::Call(uint8_t method, const Caller& caller, absl::string_view bytes) {
  switch (method % 6) {
    case 0:
      RecordView(caller, bytes);
      return;
    case 1:
      RecordViews(caller, bytes);
      return;
    case 2:
      Run("GetStats", &AnalyticsService::GetStats, caller, bytes);
      return;
    case 3:
      Run("GetTopArticles", &AnalyticsService::GetTopArticles, caller, bytes);
      return;
    case 4: {
      auto series = Run("GetTimeSeries", &AnalyticsService::GetTimeSeries, caller, bytes);
      if (series) {
        FUZZ_CHECK(series->points_size() <= analytics::kMaxDailyPoints,
                   absl::StrCat("a series of ", series->points_size(), " points"));
      }
      return;
    }
    default: {
      auto totals = Run("ImportViews", &AnalyticsService::ImportViews, caller, bytes);
      if (totals) {
        for (const v1::ArticleTotals& t : totals->totals()) CheckTotals(t, "ImportViews");
      }
      return;
    }
  }
}

}  // namespace
}  // namespace bulletin::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bulletin::fuzz;  // NOLINT
  Quiet();
  FuzzInput in(data, size);
  Session session;
  for (int calls = 0; calls < 24 && !in.empty(); ++calls) {
    const uint8_t method = in.Byte();
    const bulletin::Caller caller = CallerOf(in.Byte());
    session.Call(method, caller, in.Chunk());
  }
  return 0;
}
