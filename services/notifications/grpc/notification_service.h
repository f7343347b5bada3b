// The gRPC adapter of bulletin.notify.v1.NotificationService: request in, core call,
// response out. A DecodedService: requests are decoded by the base (a malformed one is
// INVALID_ARGUMENT naming the field); unary calls run on a worker pool with the resolved
// caller (a stale etag goes out as the `bulletin-current-etag` trailer); Subscribe is a
// write reactor that forwards StreamSession messages.
#pragma once

#include "bulletin/notify/v1/notify.grpc.pb.h"
#include "common/base/auth.h"
#include "common/base/worker_pool.h"
#include "common/grpc/decoded_service.h"
#include "services/notifications/core/deliveries/delivery_core.h"
#include "services/notifications/core/streams/stream_manager.h"
#include "services/notifications/core/subscriptions/subscription_core.h"
#include "services/notifications/grpc/encoded_events.h"

namespace bulletin::notify {

class NotificationService final : public DecodedService {
 public:
  // Everything must outlive the server.
  NotificationService(SubscriptionCore& core, DeliveryCore& deliveries, StreamManager& streams,
                      const TokenStore& tokens, WorkerPool& pool);

  absl::Status CreateSubscription(const Caller& caller,
                                  const v1::CreateSubscriptionRequest* request,
                                  v1::CreateSubscriptionResponse* response);
  absl::Status GetSubscription(const Caller& caller, const v1::GetSubscriptionRequest* request,
                               v1::Subscription* response);
  absl::Status ListSubscriptions(const Caller& caller, const v1::ListSubscriptionsRequest* request,
                                 v1::ListSubscriptionsResponse* response);
  absl::Status DeleteSubscription(const Caller& caller,
                                  const v1::DeleteSubscriptionRequest* request,
                                  google::protobuf::Empty* response);
  grpc::ServerWriteReactor<grpc::ByteBuffer>* Subscribe(grpc::CallbackServerContext* context,
                                                        const Caller& caller,
                                                        const v1::SubscribeRequest& request);

  absl::Status UpdateSubscription(const Caller& caller,
                                  const v1::UpdateSubscriptionRequest* request,
                                  v1::Subscription* response);
  absl::Status RotateSecret(const Caller& caller, const v1::RotateSecretRequest* request,
                            v1::RotateSecretResponse* response);
  absl::Status PauseSubscription(const Caller& caller, const v1::PauseSubscriptionRequest* request,
                                 v1::Subscription* response);
  absl::Status ResumeSubscription(const Caller& caller,
                                  const v1::ResumeSubscriptionRequest* request,
                                  v1::Subscription* response);
  absl::Status ListDeliveries(const Caller& caller, const v1::ListDeliveriesRequest* request,
                              v1::ListDeliveriesResponse* response);
  absl::Status RedeliverEvent(const Caller& caller, const v1::RedeliverEventRequest* request,
                              v1::Delivery* response);
  absl::Status SendTestEvent(const Caller& caller, const v1::SendTestEventRequest* request,
                             v1::Delivery* response);

 private:
  SubscriptionCore& core_;
  DeliveryCore& deliveries_;
  StreamManager& streams_;
  EncodedEvents encoded_;  // the Subscribe streams' encoded events
};

}  // namespace bulletin::notify
