#include "services/notifications/grpc/notification_service.h"

#include <optional>
#include <string>
#include <vector>

#include "common/base/status_macros.h"
#include "common/grpc/decode.h"
#include "common/grpc/status.h"
#include "common/proto/time.h"
#include "services/notifications/grpc/convert.h"

namespace bulletin::notify {
namespace {

// One Subscribe call: opens the session off the callback thread, then writes what the
// session hands it. Deletes itself in OnDone.
class SubscribeReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer>,
                               public StreamWriter {
 public:
  SubscribeReactor(grpc::CallbackServerContext* context, const Caller& caller,
                   const v1::SubscribeRequest& request, StreamManager& streams, WorkerPool& pool,
                   EncodedEvents& encoded)
      : context_(context), encoded_(encoded) {
    bool queued = pool.TrySubmit(
        [this, &streams, caller, id = request.subscription_id(), token = request.resume_token()] {
          absl::StatusOr<std::shared_ptr<StreamSession>> session =
              streams.Open(caller, id, token, *this);
          if (!session.ok()) {
            Finish(ToGrpcStatus(session.status()));
            return;
          }
          bool cancelled;
          {
            absl::MutexLock lock(&mu_);
            session_ = *session;
            cancelled = cancelled_;
          }
          (*session)->Start();
          if (cancelled) (*session)->Cancel();
        });
    if (!queued) {
      Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          "server busy: too many requests in flight, retry later"));
    }
  }

  void WriteMessage(const OutMessage& msg) override {
    if (msg.event) {
      grpc::Slice slice = encoded_.Get(msg);  // encoded once for every stream
      buffer_ = grpc::ByteBuffer(&slice, 1);
    } else {
      v1::SubscribeResponse response;
      ToProto(msg, &response);
      EncodeMessage(response, &buffer_);
    }
    StartWrite(&buffer_);
  }
  void EndStream(const absl::Status& status) override { Finish(ToGrpcStatus(status, context_)); }

  void OnWriteDone(bool ok) override { Session()->OnWriteDone(ok); }
  void OnCancel() override {
    std::shared_ptr<StreamSession> session;
    {
      absl::MutexLock lock(&mu_);
      cancelled_ = true;
      session = session_;
    }
    if (session) session->Cancel();
  }
  void OnDone() override { delete this; }

 private:
  std::shared_ptr<StreamSession> Session() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return session_;
  }

  absl::Mutex mu_;
  std::shared_ptr<StreamSession> session_ ABSL_GUARDED_BY(mu_);
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  grpc::CallbackServerContext* const context_;
  EncodedEvents& encoded_;
  grpc::ByteBuffer buffer_;  // the one write in flight
};

}  // namespace

NotificationService::NotificationService(SubscriptionCore& core, DeliveryCore& deliveries,
                                         StreamManager& streams, const TokenStore& tokens,
                                         WorkerPool& pool)
    : DecodedService(v1::NotificationService::service_full_name(), tokens, pool),
      core_(core),
      deliveries_(deliveries),
      streams_(streams) {
  Unary("CreateSubscription", &NotificationService::CreateSubscription);
  Unary("GetSubscription", &NotificationService::GetSubscription);
  Unary("ListSubscriptions", &NotificationService::ListSubscriptions);
  Unary("DeleteSubscription", &NotificationService::DeleteSubscription);
  Unary("UpdateSubscription", &NotificationService::UpdateSubscription);
  Unary("RotateSecret", &NotificationService::RotateSecret);
  Unary("PauseSubscription", &NotificationService::PauseSubscription);
  Unary("ResumeSubscription", &NotificationService::ResumeSubscription);
  Unary("ListDeliveries", &NotificationService::ListDeliveries);
  Unary("RedeliverEvent", &NotificationService::RedeliverEvent);
  Unary("SendTestEvent", &NotificationService::SendTestEvent);
  ServerStream<NotificationService, v1::SubscribeRequest, v1::SubscribeResponse>(
      "Subscribe", &NotificationService::Subscribe);
}

absl::Status NotificationService::CreateSubscription(const Caller& caller,
                                                     const v1::CreateSubscriptionRequest* request,
                                                     v1::CreateSubscriptionResponse* response) {
  std::optional<Subscription> sub;
  if (request->has_subscription()) sub = FromProto(request->subscription());
  ASSIGN_OR_RETURN(CreatedSubscription created,
                   core_.Create(caller, std::move(sub), request->request_id()));
  ToProto(created.subscription, response->mutable_subscription());
  response->set_signing_secret(created.signing_secret);
  return absl::OkStatus();
}

absl::Status NotificationService::GetSubscription(const Caller& caller,
                                                  const v1::GetSubscriptionRequest* request,
                                                  v1::Subscription* response) {
  ASSIGN_OR_RETURN(Subscription sub, core_.Get(caller, request->id()));
  ToProto(sub, response);
  return absl::OkStatus();
}

absl::Status NotificationService::ListSubscriptions(const Caller& caller,
                                                    const v1::ListSubscriptionsRequest* request,
                                                    v1::ListSubscriptionsResponse* response) {
  ASSIGN_OR_RETURN(
      ListSubscriptionsResult page,
      core_.List(caller, request->page_size(), request->page_token(), request->owner()));
  for (const Subscription& s : page.subscriptions) ToProto(s, response->add_subscriptions());
  response->set_next_page_token(page.next_page_token);
  return absl::OkStatus();
}

absl::Status NotificationService::DeleteSubscription(const Caller& caller,
                                                     const v1::DeleteSubscriptionRequest* request,
                                                     google::protobuf::Empty*) {
  return core_.Delete(caller, request->id(), request->etag());
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* NotificationService::Subscribe(
    grpc::CallbackServerContext* context, const Caller& caller,
    const v1::SubscribeRequest& request) {
  return new SubscribeReactor(context, caller, request, streams_, pool(), encoded_);
}

absl::Status NotificationService::UpdateSubscription(const Caller& caller,
                                                     const v1::UpdateSubscriptionRequest* request,
                                                     v1::Subscription* response) {
  Subscription patch = FromProto(request->subscription());
  patch.id = request->subscription().id();
  patch.etag = request->subscription().etag();
  std::vector<std::string> paths(request->update_mask().paths().begin(),
                                 request->update_mask().paths().end());
  ASSIGN_OR_RETURN(Subscription sub, core_.Update(caller, patch, paths));
  ToProto(sub, response);
  return absl::OkStatus();
}

absl::Status NotificationService::RotateSecret(const Caller& caller,
                                               const v1::RotateSecretRequest* request,
                                               v1::RotateSecretResponse* response) {
  std::optional<absl::Duration> ttl;
  if (request->has_previous_secret_ttl()) {
    // Only the shape is checked here; the core decides which ttl is allowed.
    ASSIGN_OR_RETURN(ttl, FromProtoDuration(request->previous_secret_ttl(), "previous_secret_ttl",
                                            -absl::InfiniteDuration(), absl::InfiniteDuration()));
  }
  ASSIGN_OR_RETURN(CreatedSubscription rotated,
                   core_.RotateSecret(caller, request->id(), request->etag(), ttl));
  ToProto(rotated.subscription, response->mutable_subscription());
  response->set_signing_secret(rotated.signing_secret);
  return absl::OkStatus();
}

absl::Status NotificationService::PauseSubscription(const Caller& caller,
                                                    const v1::PauseSubscriptionRequest* request,
                                                    v1::Subscription* response) {
  ASSIGN_OR_RETURN(Subscription sub,
                   core_.Pause(caller, request->id(), request->etag(), request->reason()));
  ToProto(sub, response);
  return absl::OkStatus();
}

absl::Status NotificationService::ResumeSubscription(const Caller& caller,
                                                     const v1::ResumeSubscriptionRequest* request,
                                                     v1::Subscription* response) {
  ASSIGN_OR_RETURN(Subscription sub, core_.Resume(caller, request->id(), request->etag()));
  ToProto(sub, response);
  return absl::OkStatus();
}

absl::Status NotificationService::ListDeliveries(const Caller& caller,
                                                 const v1::ListDeliveriesRequest* request,
                                                 v1::ListDeliveriesResponse* response) {
  ASSIGN_OR_RETURN(std::optional<DeliveryState> state,
                   DeliveryStateFilter(request->state(), "state"));
  ASSIGN_OR_RETURN(ListDeliveriesResult page,
                   deliveries_.List(caller, request->subscription_id(), request->page_size(),
                                    request->page_token(), state, request->event_id()));
  for (const Delivery& d : page.deliveries) ToProto(d, response->add_deliveries());
  response->set_next_page_token(page.next_page_token);
  return absl::OkStatus();
}

absl::Status NotificationService::RedeliverEvent(const Caller& caller,
                                                 const v1::RedeliverEventRequest* request,
                                                 v1::Delivery* response) {
  ASSIGN_OR_RETURN(Delivery d,
                   deliveries_.Redeliver(caller, request->subscription_id(), request->event_id()));
  ToProto(d, response);
  return absl::OkStatus();
}

absl::Status NotificationService::SendTestEvent(const Caller& caller,
                                                const v1::SendTestEventRequest* request,
                                                v1::Delivery* response) {
  ASSIGN_OR_RETURN(Delivery d, deliveries_.SendTest(caller, request->subscription_id()));
  ToProto(d, response);
  return absl::OkStatus();
}

}  // namespace bulletin::notify
