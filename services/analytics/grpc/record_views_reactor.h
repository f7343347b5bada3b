// The server side of one RecordViews client stream. Items arrive as bytes and are decoded
// here (common/grpc/decode.h), so an item that does not parse is reported like one that
// does not validate. Items are read into chunks; a full chunk (or the rest at half-close)
// goes to the core, and the next read starts when the chunk's results are in, so a stream
// never holds more than one chunk. The first bad item ends the call with INVALID_ARGUMENT
// naming its index and saying how many items before it were counted, after those items
// are recorded. Deletes itself in OnDone.
#pragma once

#include <vector>

#include "bulletin/analytics/v1/analytics.grpc.pb.h"
#include "common/base/auth.h"
#include "services/analytics/core/analytics_core.h"

namespace bulletin::analytics {

class RecordViewsReactor : public grpc::ServerReadReactor<grpc::ByteBuffer> {
 public:
  // `response` is encoded when the stream completes without a bad item.
  RecordViewsReactor(grpc::CallbackServerContext* context, AnalyticsCore& core,
                     const Caller& caller, grpc::ByteBuffer* response);

  void OnReadDone(bool ok) override;
  void OnDone() override { delete this; }

 private:
  void RecordChunk(bool last);
  void Complete();

  grpc::CallbackServerContext* const context_;
  AnalyticsCore& core_;
  grpc::ByteBuffer* const response_;
  Caller caller_;
  grpc::ByteBuffer item_;
  std::vector<View> chunk_;
  size_t first_index_ = 0;
  int64_t received_ = 0;
  absl::Status invalid_;  // an item that did not convert: the call's answer once recorded
  BatchResult total_;
};

}  // namespace bulletin::analytics
