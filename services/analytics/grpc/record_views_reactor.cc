#include "services/analytics/grpc/record_views_reactor.h"

#include "absl/strings/str_cat.h"
#include "common/grpc/decode.h"
#include "common/grpc/status.h"
#include "services/analytics/grpc/convert.h"

namespace bulletin::analytics {
namespace {

// Items per chunk handed to the batcher.
constexpr size_t kStreamChunk = 512;

}  // namespace

RecordViewsReactor::RecordViewsReactor(grpc::CallbackServerContext* context, AnalyticsCore& core,
                                       const Caller& caller, grpc::ByteBuffer* response)
    : context_(context), core_(core), response_(response), caller_(caller) {
  if (absl::Status allowed = core_.AuthorizeRecord(caller_); !allowed.ok()) {
    Finish(ToGrpcStatus(allowed, context_));
    return;
  }
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
  const std::string prefix = absl::StrCat("views[", received_, "].");
  v1::RecordViewRequest request;
  absl::Status decoded = DecodeMessage(item_, &request, prefix);
  absl::StatusOr<View> view = decoded.ok() ? ToView(request, prefix) : decoded;
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
      Finish(ToGrpcStatus(r.status(), context_));
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
  if (!invalid_.ok()) {
    // The response is not sent with an error status: the message carries the tally.
    Finish(ToGrpcStatus(absl::InvalidArgumentError(absl::StrCat(
                            invalid_.message(), " (before it: ", received_ - 1,
                            received_ - 1 == 1 ? " item" : " items", " received, ", total_.counted,
                            " counted, ", total_.queued, " queued; nothing after it was read)")),
                        context_));
    return;
  }
  v1::RecordViewsResponse response;
  response.set_received(received_);
  response.set_counted(total_.counted);
  response.set_queued(total_.queued);
  AddTallies(total_.not_counted, response.mutable_not_counted());
  EncodeMessage(response, response_);
  Finish(grpc::Status::OK);
}

}  // namespace bulletin::analytics
