// The gRPC adapter of bulletin.notify.v1.NotificationService: request in, core call,
// response out. Unary calls run on a worker pool (RunUnary); Subscribe is a write
// reactor that forwards StreamSession messages. Methods of issue #5 (webhooks,
// deliveries, secret rotation, pause/resume, update) answer UNIMPLEMENTED.
#pragma once

#include "bulletin/notify/v1/notify.grpc.pb.h"
#include "common/base/auth.h"
#include "common/base/worker_pool.h"
#include "services/notifications/stream_manager.h"
#include "services/notifications/subscription_core.h"

namespace bulletin::notify {

class NotificationService final : public v1::NotificationService::CallbackService {
 public:
  // Everything is borrowed and must outlive the server.
  NotificationService(SubscriptionCore* core, StreamManager* streams, const TokenStore* tokens,
                      WorkerPool* pool)
      : core_(core), streams_(streams), tokens_(tokens), pool_(pool) {}

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
                                               const v1::UpdateSubscriptionRequest*,
                                               v1::Subscription*) override;
  grpc::ServerUnaryReactor* RotateSecret(grpc::CallbackServerContext* context,
                                         const v1::RotateSecretRequest*,
                                         v1::RotateSecretResponse*) override;
  grpc::ServerUnaryReactor* PauseSubscription(grpc::CallbackServerContext* context,
                                              const v1::PauseSubscriptionRequest*,
                                              v1::Subscription*) override;
  grpc::ServerUnaryReactor* ResumeSubscription(grpc::CallbackServerContext* context,
                                               const v1::ResumeSubscriptionRequest*,
                                               v1::Subscription*) override;
  grpc::ServerUnaryReactor* ListDeliveries(grpc::CallbackServerContext* context,
                                           const v1::ListDeliveriesRequest*,
                                           v1::ListDeliveriesResponse*) override;
  grpc::ServerUnaryReactor* RedeliverEvent(grpc::CallbackServerContext* context,
                                           const v1::RedeliverEventRequest*,
                                           v1::Delivery*) override;
  grpc::ServerUnaryReactor* SendTestEvent(grpc::CallbackServerContext* context,
                                          const v1::SendTestEventRequest*, v1::Delivery*) override;

 private:
  SubscriptionCore* core_;
  StreamManager* streams_;
  const TokenStore* tokens_;
  WorkerPool* pool_;
};

}  // namespace bulletin::notify
