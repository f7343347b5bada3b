#include "services/notifications/grpc/notification_service.h"

#include "absl/strings/str_cat.h"
#include "common/grpc/call.h"
#include "services/notifications/grpc/convert.h"

namespace bulletin::notify {
namespace {

// Sends the current etag of an ABORTED write as trailing metadata, as the contract says.
absl::Status WithEtagTrailer(grpc::CallbackServerContext* context, absl::Status status) {
  if (absl::optional<absl::Cord> etag = status.GetPayload(kEtagPayload)) {
    context->AddTrailingMetadata(kEtagPayload, std::string(*etag));
  }
  return status;
}

// One Subscribe call: opens the session off the callback thread, then writes what the
// session hands it. Deletes itself in OnDone.
class SubscribeReactor final : public grpc::ServerWriteReactor<v1::SubscribeResponse>,
                               public StreamWriter {
 public:
  SubscribeReactor(grpc::CallbackServerContext* context, const v1::SubscribeRequest& request,
                   StreamManager* streams, const TokenStore& tokens, WorkerPool* pool) {
    absl::StatusOr<Caller> caller = CallerOf(*context, tokens);
    if (!caller.ok()) {
      Finish(ToGrpcStatus(caller.status()));
      return;
    }
    bool queued = pool->TrySubmit([this, streams, caller = *caller,
                                   id = request.subscription_id(),
                                   token = request.resume_token()] {
      absl::StatusOr<std::shared_ptr<StreamSession>> session =
          streams->Open(caller, id, token, this);
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
      session_->Start();
      if (cancelled) session_->Cancel();
    });
    if (!queued) {
      Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          "server busy: too many requests in flight, retry later"));
    }
  }

  void WriteMessage(const OutMessage& msg) override {
    ToProto(msg, &response_);
    StartWrite(&response_);
  }
  void EndStream(const absl::Status& status) override { Finish(ToGrpcStatus(status)); }

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
  std::shared_ptr<StreamSession> Session() {
    absl::MutexLock lock(&mu_);
    return session_;
  }

  absl::Mutex mu_;
  std::shared_ptr<StreamSession> session_ ABSL_GUARDED_BY(mu_);
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  v1::SubscribeResponse response_;  // the one write in flight
};

}  // namespace

grpc::ServerUnaryReactor* NotificationService::CreateSubscription(
    grpc::CallbackServerContext* context, const v1::CreateSubscriptionRequest* request,
    v1::CreateSubscriptionResponse* response) {
  return RunUnary(context, *pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, *tokens_);
    if (!caller.ok()) return caller.status();
    if (!request->has_subscription()) {
      // Still check who calls first: an anonymous write is UNAUTHENTICATED.
      if (absl::Status s = RequireRole(*caller, {Role::kPartner, Role::kAdmin}); !s.ok()) return s;
      return absl::InvalidArgumentError("subscription: required");
    }
    absl::StatusOr<CreatedSubscription> created =
        core_->Create(*caller, FromProto(request->subscription()), request->request_id());
    if (!created.ok()) return created.status();
    ToProto(created->subscription, response->mutable_subscription());
    response->set_signing_secret(created->signing_secret);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NotificationService::GetSubscription(
    grpc::CallbackServerContext* context, const v1::GetSubscriptionRequest* request,
    v1::Subscription* response) {
  return RunUnary(context, *pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, *tokens_);
    if (!caller.ok()) return caller.status();
    absl::StatusOr<Subscription> sub = core_->Get(*caller, request->id());
    if (!sub.ok()) return sub.status();
    ToProto(*sub, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NotificationService::ListSubscriptions(
    grpc::CallbackServerContext* context, const v1::ListSubscriptionsRequest* request,
    v1::ListSubscriptionsResponse* response) {
  return RunUnary(context, *pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, *tokens_);
    if (!caller.ok()) return caller.status();
    absl::StatusOr<ListSubscriptionsResult> page =
        core_->List(*caller, request->page_size(), request->page_token(), request->owner());
    if (!page.ok()) return page.status();
    for (const Subscription& s : page->subscriptions) ToProto(s, response->add_subscriptions());
    response->set_next_page_token(page->next_page_token);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NotificationService::DeleteSubscription(
    grpc::CallbackServerContext* context, const v1::DeleteSubscriptionRequest* request,
    google::protobuf::Empty*) {
  return RunUnary(context, *pool_, [this, context, request]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, *tokens_);
    if (!caller.ok()) return caller.status();
    return WithEtagTrailer(context, core_->Delete(*caller, request->id(), request->etag()));
  });
}

grpc::ServerWriteReactor<v1::SubscribeResponse>* NotificationService::Subscribe(
    grpc::CallbackServerContext* context, const v1::SubscribeRequest* request) {
  return new SubscribeReactor(context, *request, streams_, *tokens_, pool_);
}

grpc::ServerUnaryReactor* NotificationService::UpdateSubscription(
    grpc::CallbackServerContext* context, const v1::UpdateSubscriptionRequest* request,
    v1::Subscription* response) {
  return RunUnary(context, *pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, *tokens_);
    if (!caller.ok()) return caller.status();
    Subscription patch = FromProto(request->subscription());
    patch.id = request->subscription().id();
    patch.etag = request->subscription().etag();
    std::vector<std::string> paths(request->update_mask().paths().begin(),
                                   request->update_mask().paths().end());
    absl::StatusOr<Subscription> sub = core_->Update(*caller, patch, paths);
    if (!sub.ok()) return WithEtagTrailer(context, sub.status());
    ToProto(*sub, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NotificationService::RotateSecret(grpc::CallbackServerContext* context,
                                                            const v1::RotateSecretRequest* request,
                                                            v1::RotateSecretResponse* response) {
  return RunUnary(context, *pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, *tokens_);
    if (!caller.ok()) return caller.status();
    std::optional<absl::Duration> ttl;
    if (request->has_previous_secret_ttl()) {
      ttl = absl::Seconds(request->previous_secret_ttl().seconds()) +
            absl::Nanoseconds(request->previous_secret_ttl().nanos());
    }
    absl::StatusOr<CreatedSubscription> rotated =
        core_->RotateSecret(*caller, request->id(), request->etag(), ttl);
    if (!rotated.ok()) return WithEtagTrailer(context, rotated.status());
    ToProto(rotated->subscription, response->mutable_subscription());
    response->set_signing_secret(rotated->signing_secret);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NotificationService::PauseSubscription(
    grpc::CallbackServerContext* context, const v1::PauseSubscriptionRequest* request,
    v1::Subscription* response) {
  return RunUnary(context, *pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, *tokens_);
    if (!caller.ok()) return caller.status();
    absl::StatusOr<Subscription> sub =
        core_->Pause(*caller, request->id(), request->etag(), request->reason());
    if (!sub.ok()) return WithEtagTrailer(context, sub.status());
    ToProto(*sub, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NotificationService::ResumeSubscription(
    grpc::CallbackServerContext* context, const v1::ResumeSubscriptionRequest* request,
    v1::Subscription* response) {
  return RunUnary(context, *pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, *tokens_);
    if (!caller.ok()) return caller.status();
    absl::StatusOr<Subscription> sub = core_->Resume(*caller, request->id(), request->etag());
    if (!sub.ok()) return WithEtagTrailer(context, sub.status());
    ToProto(*sub, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NotificationService::ListDeliveries(
    grpc::CallbackServerContext* context, const v1::ListDeliveriesRequest* request,
    v1::ListDeliveriesResponse* response) {
  return RunUnary(context, *pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, *tokens_);
    if (!caller.ok()) return caller.status();
    std::optional<DeliveryState> state;
    if (request->state() != v1::DELIVERY_STATE_UNSPECIFIED) {
      if (!v1::DeliveryState_IsValid(request->state())) {
        return absl::InvalidArgumentError("state: unknown delivery state");
      }
      state = static_cast<DeliveryState>(request->state());
    }
    absl::StatusOr<ListDeliveriesResult> page =
        deliveries_->List(*caller, request->subscription_id(), request->page_size(),
                          request->page_token(), state, request->event_id());
    if (!page.ok()) return page.status();
    for (const Delivery& d : page->deliveries) ToProto(d, response->add_deliveries());
    response->set_next_page_token(page->next_page_token);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NotificationService::RedeliverEvent(
    grpc::CallbackServerContext* context, const v1::RedeliverEventRequest* request,
    v1::Delivery* response) {
  return RunUnary(context, *pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, *tokens_);
    if (!caller.ok()) return caller.status();
    absl::StatusOr<Delivery> d =
        deliveries_->Redeliver(*caller, request->subscription_id(), request->event_id());
    if (!d.ok()) return d.status();
    ToProto(*d, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NotificationService::SendTestEvent(
    grpc::CallbackServerContext* context, const v1::SendTestEventRequest* request,
    v1::Delivery* response) {
  return RunUnary(context, *pool_, [this, context, request, response]() -> absl::Status {
    absl::StatusOr<Caller> caller = CallerOf(*context, *tokens_);
    if (!caller.ok()) return caller.status();
    absl::StatusOr<Delivery> d = deliveries_->SendTest(*caller, request->subscription_id());
    if (!d.ok()) return d.status();
    ToProto(*d, response);
    return absl::OkStatus();
  });
}

}  // namespace bulletin::notify
