#include "services/notifications/grpc/encoded_events.h"

#include <string>

#include "bulletin/notify/v1/notify.pb.h"
#include "services/notifications/grpc/convert.h"

namespace bulletin::notify {

grpc::Slice EncodedEvents::Get(const OutMessage& msg) {
  {
    absl::MutexLock lock(&mu_);
    auto it = slices_.find(msg.pos);
    if (it != slices_.end()) return it->second;
  }
  v1::SubscribeResponse response;
  ToProto(msg, &response);
  grpc::Slice slice(response.SerializeAsString());
  absl::MutexLock lock(&mu_);
  if (slices_.emplace(msg.pos, slice).second) {
    order_.push_back(msg.pos);
    if (order_.size() > capacity_) {
      slices_.erase(order_.front());
      order_.pop_front();
    }
  }
  return slice;
}

}  // namespace bulletin::notify
