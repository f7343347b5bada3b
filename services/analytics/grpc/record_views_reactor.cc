#include "services/analytics/grpc/record_views_reactor.h"

#include "absl/strings/str_cat.h"
#include "common/grpc/call.h"
#include "common/grpc/status.h"
#include "services/analytics/grpc/convert.h"

namespace bulletin::analytics {
namespace {

// Items per chunk handed to the batcher.
constexpr size_t kStreamChunk = 512;

}  // namespace

RecordViewsReactor::RecordViewsReactor(grpc::CallbackServerContext* context, AnalyticsCore& core,
                                       const TokenStore& tokens, v1::RecordViewsResponse* response)
    : context_(context), core_(core), response_(response) {
  absl::StatusOr<Caller> caller = CallerOf(*context, tokens);
  absl::Status allowed = caller.ok() ? core_.AuthorizeRecord(*caller) : caller.status();
  if (!allowed.ok()) {
    Finish(ToGrpcStatus(allowed));
    return;
  }
  caller_ = *caller;
  chunk_.reserve(kStreamChunk);
  StartRead(&item_);
}

void RecordViewsReactor::OnReadDone(bool ok) {
  if (!ok) {
    if (context_->IsCancelled()) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled by the client"));
    } else {
      RecordChunk(/*last=*/true);
    }
    return;
  }
  if (received_ >= kMaxStreamItems) {
    Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("views: more than ", kMaxStreamItems, " items")));
    return;
  }
  absl::StatusOr<View> view = ToView(item_, absl::StrCat("views[", received_, "]."));
  ++received_;
  if (!view.ok()) {
    invalid_ = view.status();
    RecordChunk(/*last=*/true);
    return;
  }
  chunk_.push_back(*std::move(view));
  if (chunk_.size() >= kStreamChunk) {
    RecordChunk(/*last=*/false);
  } else {
    StartRead(&item_);
  }
}

void RecordViewsReactor::RecordChunk(bool last) {
  if (chunk_.empty()) {
    Complete();
    return;
  }
  core_.RecordViews(caller_, chunk_, first_index_, [this, last](absl::StatusOr<BatchResult> r) {
    if (!r.ok()) {
      Finish(ToGrpcStatus(r.status()));
      return;
    }
    total_.counted += r->counted;
    total_.queued += r->queued;
    for (const auto& [reason, n] : r->not_counted) total_.not_counted[reason] += n;
    first_index_ += chunk_.size();
    chunk_.clear();
    if (last) {
      Complete();
    } else {
      StartRead(&item_);
    }
  });
}

void RecordViewsReactor::Complete() {
  response_->set_received(received_);
  response_->set_counted(total_.counted);
  response_->set_queued(total_.queued);
  AddTallies(total_.not_counted, response_->mutable_not_counted());
  Finish(ToGrpcStatus(invalid_));
}

}  // namespace bulletin::analytics
