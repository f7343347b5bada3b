// Fuzz target notify_service: every method of notifications' gRPC adapter
// (services/notifications/grpc NotificationService), called as DecodedService calls it
// (request decoded by common/grpc/decode.h, then the handler), over SubscriptionCore,
// DeliveryCore and StreamManager on fresh in-memory stores per input; Subscribe, a write
// reactor that needs a live call, is StreamManager::Open as the reactor calls it. The delivery
// worker is never started (SendTestEvent then answers UNAVAILABLE) and no stream is started, so
// nothing touches the network; the manager's pool thread is joined before the input ends. Besides
// not crashing: every answer passes CheckAnswer and every response parses back. Input: an options
// byte (bit 0: private webhooks allowed), then up to 24 calls, each a method byte, a caller byte
// and a chunk (the request; method 12 appends an ArticleEvent to the log and schedules it for every
// subscription); "@N"/"@" in id, etag and token fields name earlier answers.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bulletin/notify/v1/notify.pb.h"
#include "fuzz/decode_request.h"
#include "fuzz/fuzz_support.h"
#include "services/notifications/core/deliveries/delivery_core.h"
#include "services/notifications/core/streams/stream_manager.h"
#include "services/notifications/grpc/notification_service.h"
#include "services/notifications/store/memory/memory_delivery_store.h"
#include "services/notifications/store/memory/memory_event_log.h"
#include "services/notifications/store/memory/memory_subscription_store.h"

namespace bulletin::fuzz {
namespace {

namespace v1 = notify::v1;
using notify::Subscription;

class NoTransport : public notify::WebhookTransport {
 public:
  void Post(uint64_t, notify::HttpRequest) override {}
  std::vector<std::pair<uint64_t, notify::HttpResponse>> Poll(absl::Duration) override {
    return {};
  }
  void Wakeup() override {}
  absl::Duration max_attempt_time() const override { return absl::Seconds(1); }
};

class NoWriter : public notify::StreamWriter {
 public:
  void WriteMessage(const notify::OutMessage&) override {}
  void EndStream(const absl::Status&) override {}
};

notify::SubscriptionCoreOptions Options(bool allow_private) {
  notify::SubscriptionCoreOptions options;
  options.allow_private_webhooks = allow_private;
  return options;
}

notify::StreamOptions Streams() {
  notify::StreamOptions options;
  options.replay_threads = 1;
  return options;
}

class Session {
 public:
  explicit Session(bool allow_private) : core_(subscriptions_, Options(allow_private)) {}
  ~Session() { streams_.Stop(); }

  void Call(uint8_t method, const Caller& caller, absl::string_view bytes);

 private:
  static WorkerPool& NoPool() {
    static WorkerPool* pool = new WorkerPool(0, 0);
    return *pool;
  }

  // Decodes, lets `fix` resolve references, calls `handler`, checks the answer.
  template <typename Req, typename Resp, typename Fix>
  std::optional<Resp> Run(const char* name,
                          absl::Status (notify::NotificationService::*handler)(const Caller&,
                                                                               const Req*, Resp*),
                          const Caller& caller, absl::string_view bytes, Fix fix) {
    Req request;
    if (!DecodeRequest(bytes, &request)) return std::nullopt;
    fix(request);
    Resp response;
    const absl::Status status = (service_.*handler)(caller, &request, &response);
    CheckAnswer(status, name);
    if (!status.ok()) return std::nullopt;
    CheckResponse(response, name);
    return response;
  }
  void Remember(const v1::Subscription& sub) {
    ids_.push_back(sub.id());
    etags_.push_back(sub.etag());
  }
  void Remember(const std::optional<v1::Subscription>& sub) {
    if (sub) Remember(*sub);
  }
  void ScheduleEvent(absl::string_view bytes);

  notify::MemoryEventLog log_;
  notify::MemorySubscriptionStore subscriptions_{log_};
  notify::MemoryDeliveryStore deliveries_{subscriptions_};
  notify::SubscriptionCore core_;
  NoTransport transport_;
  notify::DeliveryWorker worker_{deliveries_, subscriptions_, core_, transport_, {}};
  notify::DeliveryCore delivery_core_{core_, deliveries_, worker_};
  notify::StreamManager streams_{core_, subscriptions_, log_, Streams()};
  TokenStore auth_;  // unused: the caller is given
  notify::NotificationService service_{core_, delivery_core_, streams_, auth_, NoPool()};
  NoWriter writer_;
  std::vector<std::string> ids_, etags_, tokens_, event_ids_;
};

void Session::ScheduleEvent(absl::string_view bytes) {
  events::v1::ArticleEvent event;
  if (!ParseRequest(bytes, &event)) return;
  const StreamId pos = log_.Append(event);
  tokens_.push_back(notify::EncodeResumeToken(pos));
  event_ids_.push_back(event.event_id());
  notify::ScheduledEvent scheduled{event.event_id(), event.type(), event.article().id(),
                                   event.SerializeAsString()};
  (void)deliveries_.Schedule(scheduled, ids_, absl::Now());
}

void Session::Call(uint8_t method, const Caller& caller, absl::string_view bytes) {
  using NS = notify::NotificationService;
  switch (method % 13) {
    case 0: {
      auto created = Run("CreateSubscription", &NS::CreateSubscription, caller, bytes,
                         [](v1::CreateSubscriptionRequest&) {});
      if (created) Remember(created->subscription());
      return;
    }
    case 1:
      Remember(Run("GetSubscription", &NS::GetSubscription, caller, bytes,
                   [this](v1::GetSubscriptionRequest& r) { Resolve(ids_, r.mutable_id()); }));
      return;
    case 2: {
      auto page = Run(
          "ListSubscriptions", &NS::ListSubscriptions, caller, bytes,
          [this](v1::ListSubscriptionsRequest& r) { Resolve(tokens_, r.mutable_page_token()); });
      if (page && !page->next_page_token().empty()) tokens_.push_back(page->next_page_token());
      return;
    }
    case 3:
      Run("DeleteSubscription", &NS::DeleteSubscription, caller, bytes,
          [this](v1::DeleteSubscriptionRequest& r) {
            Resolve(ids_, r.mutable_id());
            Resolve(etags_, r.mutable_etag());
          });
      return;
    case 4:
      Remember(Run("UpdateSubscription", &NS::UpdateSubscription, caller, bytes,
                   [this](v1::UpdateSubscriptionRequest& r) {
                     Resolve(ids_, r.mutable_subscription()->mutable_id());
                     Resolve(etags_, r.mutable_subscription()->mutable_etag());
                   }));
      return;
    case 5: {
      auto rotated =
          Run("RotateSecret", &NS::RotateSecret, caller, bytes, [this](v1::RotateSecretRequest& r) {
            Resolve(ids_, r.mutable_id());
            Resolve(etags_, r.mutable_etag());
          });
      if (rotated) Remember(rotated->subscription());
      return;
    }
    case 6:
      Remember(Run("PauseSubscription", &NS::PauseSubscription, caller, bytes,
                   [this](v1::PauseSubscriptionRequest& r) {
                     Resolve(ids_, r.mutable_id());
                     Resolve(etags_, r.mutable_etag());
                   }));
      return;
    case 7:
      Remember(Run("ResumeSubscription", &NS::ResumeSubscription, caller, bytes,
                   [this](v1::ResumeSubscriptionRequest& r) {
                     Resolve(ids_, r.mutable_id());
                     Resolve(etags_, r.mutable_etag());
                   }));
      return;
    case 8: {
      auto page = Run("ListDeliveries", &NS::ListDeliveries, caller, bytes,
                      [this](v1::ListDeliveriesRequest& r) {
                        Resolve(ids_, r.mutable_subscription_id());
                        Resolve(tokens_, r.mutable_page_token());
                        Resolve(event_ids_, r.mutable_event_id());
                      });
      if (page && !page->next_page_token().empty()) tokens_.push_back(page->next_page_token());
      return;
    }
    case 9:
      Run("RedeliverEvent", &NS::RedeliverEvent, caller, bytes,
          [this](v1::RedeliverEventRequest& r) {
            Resolve(ids_, r.mutable_subscription_id());
            Resolve(event_ids_, r.mutable_event_id());
          });
      return;
    case 10:
      Run("SendTestEvent", &NS::SendTestEvent, caller, bytes,
          [this](v1::SendTestEventRequest& r) { Resolve(ids_, r.mutable_subscription_id()); });
      return;
    case 11: {
      v1::SubscribeRequest r;
      if (!DecodeRequest(bytes, &r)) return;
      Resolve(ids_, r.mutable_subscription_id());
      Resolve(tokens_, r.mutable_resume_token());
      auto session = streams_.Open(caller, r.subscription_id(), r.resume_token(), writer_);
      CheckAnswer(session.status(), "Subscribe");
      return;
    }
    default:
      ScheduleEvent(bytes);
      return;
  }
}

}  // namespace
}  // namespace bulletin::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bulletin::fuzz;  // NOLINT
  Quiet();
  FuzzInput in(data, size);
  Session session((in.Byte() & 1) != 0);
  for (int calls = 0; calls < 24 && !in.empty(); ++calls) {
    const uint8_t method = in.Byte();
    const bulletin::Caller caller = CallerOf(in.Byte());
    session.Call(method, caller, in.Chunk());
  }
  return 0;
}
