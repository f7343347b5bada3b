// The gRPC adapter of bulletin.notify.v1.NotificationService: request in, core call,
// response out. Unary calls run on a worker pool with the resolved caller (RunUnaryAs; a
// stale etag goes out as the `bulletin-current-etag` trailer); Subscribe is a write
// reactor that forwards StreamSession messages.
#pragma once

#include "bulletin/notify/v1/notify.grpc.pb.h"
#include "common/base/auth.h"
#include "common/base/worker_pool.h"
#include "services/notifications/core/deliveries/delivery_core.h"
#include "services/notifications/core/streams/stream_manager.h"
#include "services/notifications/core/subscriptions/subscription_core.h"

namespace bulletin::notify {

class NotificationService final : public v1::NotificationService::CallbackService {
 public:
  // Everything must outlive the server.
  NotificationService(SubscriptionCore& core, DeliveryCore& deliveries, StreamManager& streams,
                      const TokenStore& tokens, WorkerPool& pool)
      : core_(core), deliveries_(deliveries), streams_(streams), tokens_(tokens), pool_(pool) {}

  grpc::ServerUnaryReactor* CreateSubscription(grpc::CallbackServerContext* context,
                                               const v1::CreateSubscriptionRequest* request,
                                               v1::CreateSubscriptionResponse* response) override;
  grpc::ServerUnaryReactor* GetSubscription(grpc::CallbackServerContext* context,
                                            const v1::GetSubscriptionRequest* request,
                                            v1::Subscription* response) override;
  grpc::ServerUnaryReactor* ListSubscriptions(grpc::CallbackServerContext* context,
                                              const v1::ListSubscriptionsRequest* request,
                                              v1::ListSubscriptionsResponse* response) override;
  grpc::ServerUnaryReactor* DeleteSubscription(grpc::CallbackServerContext* context,
                                               const v1::DeleteSubscriptionRequest* request,
                                               google::protobuf::Empty* response) override;
  grpc::ServerWriteReactor<v1::SubscribeResponse>* Subscribe(
      grpc::CallbackServerContext* context, const v1::SubscribeRequest* request) override;

  grpc::ServerUnaryReactor* UpdateSubscription(grpc::CallbackServerContext* context,
                                               const v1::UpdateSubscriptionRequest* request,
                                               v1::Subscription* response) override;
  grpc::ServerUnaryReactor* RotateSecret(grpc::CallbackServerContext* context,
                                         const v1::RotateSecretRequest* request,
                                         v1::RotateSecretResponse* response) override;
  grpc::ServerUnaryReactor* PauseSubscription(grpc::CallbackServerContext* context,
                                              const v1::PauseSubscriptionRequest* request,
                                              v1::Subscription* response) override;
  grpc::ServerUnaryReactor* ResumeSubscription(grpc::CallbackServerContext* context,
                                               const v1::ResumeSubscriptionRequest* request,
                                               v1::Subscription* response) override;
  grpc::ServerUnaryReactor* ListDeliveries(grpc::CallbackServerContext* context,
                                           const v1::ListDeliveriesRequest* request,
                                           v1::ListDeliveriesResponse* response) override;
  grpc::ServerUnaryReactor* RedeliverEvent(grpc::CallbackServerContext* context,
                                           const v1::RedeliverEventRequest* request,
                                           v1::Delivery* response) override;
  grpc::ServerUnaryReactor* SendTestEvent(grpc::CallbackServerContext* context,
                                          const v1::SendTestEventRequest* request,
                                          v1::Delivery* response) override;

 private:
  SubscriptionCore& core_;
  DeliveryCore& deliveries_;
  StreamManager& streams_;
  const TokenStore& tokens_;
  WorkerPool& pool_;
};

}  // namespace bulletin::notify
