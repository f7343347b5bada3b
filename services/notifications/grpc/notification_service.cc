#include "services/notifications/grpc/notification_service.h"

#include <optional>
#include <string>
#include <vector>

#include "common/base/status_macros.h"
#include "common/grpc/call.h"
#include "common/proto/time.h"
#include "services/notifications/grpc/convert.h"

namespace bulletin::notify {
namespace {

// One Subscribe call: opens the session off the callback thread, then writes what the
// session hands it. Deletes itself in OnDone.
class SubscribeReactor final : public grpc::ServerWriteReactor<v1::SubscribeResponse>,
                               public StreamWriter {
 public:
  SubscribeReactor(grpc::CallbackServerContext* context, const v1::SubscribeRequest& request,
                   StreamManager& streams, const TokenStore& tokens, WorkerPool& pool) {
    absl::StatusOr<Caller> caller = CallerOf(*context, tokens);
    if (!caller.ok()) {
      Finish(ToGrpcStatus(caller.status()));
      return;
    }
    bool queued = pool.TrySubmit([this, &streams, caller = *caller, id = request.subscription_id(),
                                  token = request.resume_token()] {
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
  std::shared_ptr<StreamSession> Session() ABSL_LOCKS_EXCLUDED(mu_) {
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
  return RunUnaryAs(context, pool_, tokens_, [this, request, response](const Caller& caller) {
    std::optional<Subscription> sub;
    if (request->has_subscription()) sub = FromProto(request->subscription());
    ASSIGN_OR_RETURN(CreatedSubscription created,
                     core_.Create(caller, std::move(sub), request->request_id()));
    ToProto(created.subscription, response->mutable_subscription());
    response->set_signing_secret(created.signing_secret);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NotificationService::GetSubscription(
    grpc::CallbackServerContext* context, const v1::GetSubscriptionRequest* request,
    v1::Subscription* response) {
  return RunUnaryAs(context, pool_, tokens_, [this, request, response](const Caller& caller) {
    ASSIGN_OR_RETURN(Subscription sub, core_.Get(caller, request->id()));
    ToProto(sub, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NotificationService::ListSubscriptions(
    grpc::CallbackServerContext* context, const v1::ListSubscriptionsRequest* request,
    v1::ListSubscriptionsResponse* response) {
  return RunUnaryAs(context, pool_, tokens_, [this, request, response](const Caller& caller) {
    ASSIGN_OR_RETURN(
        ListSubscriptionsResult page,
        core_.List(caller, request->page_size(), request->page_token(), request->owner()));
    for (const Subscription& s : page.subscriptions) ToProto(s, response->add_subscriptions());
    response->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NotificationService::DeleteSubscription(
    grpc::CallbackServerContext* context, const v1::DeleteSubscriptionRequest* request,
    google::protobuf::Empty*) {
  return RunUnaryAs(context, pool_, tokens_, [this, request](const Caller& caller) {
    return core_.Delete(caller, request->id(), request->etag());
  });
}

grpc::ServerWriteReactor<v1::SubscribeResponse>* NotificationService::Subscribe(
    grpc::CallbackServerContext* context, const v1::SubscribeRequest* request) {
  return new SubscribeReactor(context, *request, streams_, tokens_, pool_);
}

grpc::ServerUnaryReactor* NotificationService::UpdateSubscription(
    grpc::CallbackServerContext* context, const v1::UpdateSubscriptionRequest* request,
    v1::Subscription* response) {
  return RunUnaryAs(context, pool_, tokens_, [this, request, response](const Caller& caller) {
    Subscription patch = FromProto(request->subscription());
    patch.id = request->subscription().id();
    patch.etag = request->subscription().etag();
    std::vector<std::string> paths(request->update_mask().paths().begin(),
                                   request->update_mask().paths().end());
    ASSIGN_OR_RETURN(Subscription sub, core_.Update(caller, patch, paths));
    ToProto(sub, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NotificationService::RotateSecret(grpc::CallbackServerContext* context,
                                                            const v1::RotateSecretRequest* request,
                                                            v1::RotateSecretResponse* response) {
  return RunUnaryAs(context, pool_, tokens_, [this, request, response](const Caller& caller) {
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
  });
}

grpc::ServerUnaryReactor* NotificationService::PauseSubscription(
    grpc::CallbackServerContext* context, const v1::PauseSubscriptionRequest* request,
    v1::Subscription* response) {
  return RunUnaryAs(context, pool_, tokens_, [this, request, response](const Caller& caller) {
    ASSIGN_OR_RETURN(Subscription sub,
                     core_.Pause(caller, request->id(), request->etag(), request->reason()));
    ToProto(sub, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NotificationService::ResumeSubscription(
    grpc::CallbackServerContext* context, const v1::ResumeSubscriptionRequest* request,
    v1::Subscription* response) {
  return RunUnaryAs(context, pool_, tokens_, [this, request, response](const Caller& caller) {
    ASSIGN_OR_RETURN(Subscription sub, core_.Resume(caller, request->id(), request->etag()));
    ToProto(sub, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NotificationService::ListDeliveries(
    grpc::CallbackServerContext* context, const v1::ListDeliveriesRequest* request,
    v1::ListDeliveriesResponse* response) {
  return RunUnaryAs(context, pool_, tokens_, [this, request, response](const Caller& caller) {
    ASSIGN_OR_RETURN(std::optional<DeliveryState> state,
                     DeliveryStateFilter(request->state(), "state"));
    ASSIGN_OR_RETURN(ListDeliveriesResult page,
                     deliveries_.List(caller, request->subscription_id(), request->page_size(),
                                      request->page_token(), state, request->event_id()));
    for (const Delivery& d : page.deliveries) ToProto(d, response->add_deliveries());
    response->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NotificationService::RedeliverEvent(
    grpc::CallbackServerContext* context, const v1::RedeliverEventRequest* request,
    v1::Delivery* response) {
  return RunUnaryAs(context, pool_, tokens_, [this, request, response](const Caller& caller) {
    ASSIGN_OR_RETURN(
        Delivery d, deliveries_.Redeliver(caller, request->subscription_id(), request->event_id()));
    ToProto(d, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* NotificationService::SendTestEvent(
    grpc::CallbackServerContext* context, const v1::SendTestEventRequest* request,
    v1::Delivery* response) {
  return RunUnaryAs(context, pool_, tokens_, [this, request, response](const Caller& caller) {
    ASSIGN_OR_RETURN(Delivery d, deliveries_.SendTest(caller, request->subscription_id()));
    ToProto(d, response);
    return absl::OkStatus();
  });
}

}  // namespace bulletin::notify
