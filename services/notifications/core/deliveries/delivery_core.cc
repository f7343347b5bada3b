#include "services/notifications/core/deliveries/delivery_core.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/base/ids.h"
#include "common/base/retry_delay.h"
#include "common/base/status_macros.h"
#include "common/base/text_rules.h"
#include "services/notifications/core/subscriptions/validation.h"

namespace bulletin::notify {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 200;
constexpr absl::string_view kListName = "deliveries";
constexpr size_t kMaxEventId = 128;

absl::Time Now() { return absl::FromUnixMicros(absl::ToUnixMicros(absl::Now())); }

absl::Status CheckEventId(const std::string& id) {
  if (id.empty()) return absl::InvalidArgumentError("event_id: required");
  if (id.size() > kMaxEventId)
    return absl::InvalidArgumentError("event_id: longer than 128 characters");
  for (char c : id) {
    // Printable ASCII: every event id Bulletin issues is (UUIDs, "test_<uuid>").
    if (static_cast<unsigned char>(c) <= ' ' || static_cast<unsigned char>(c) >= 0x7F) {
      return absl::InvalidArgumentError("event_id: must be printable ASCII without spaces");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ListDeliveriesResult> DeliveryCore::List(const Caller& caller,
                                                        const std::string& subscription_id,
                                                        int page_size,
                                                        const std::string& page_token,
                                                        std::optional<DeliveryState> state,
                                                        const std::string& event_id) {
  ASSIGN_OR_RETURN(Subscription sub,
                   subscriptions_.Get(caller, subscription_id, "subscription_id"));
  if (page_size < 0) return absl::InvalidArgumentError("page_size: must not be negative");
  if (page_size == 0) page_size = kDefaultPageSize;
  page_size = std::min(page_size, kMaxPageSize);
  ListDeliveriesResult result;
  if (!event_id.empty()) {
    RETURN_IF_ERROR(CheckEventId(event_id));
    absl::StatusOr<Delivery> d = store_.Get({sub.id, event_id});
    if (absl::IsNotFound(d.status())) return result;
    RETURN_IF_ERROR(d);
    if (!state || d->state == *state) result.deliveries.push_back(std::move(*d));
    return result;
  }
  // A token is bound to the subscription and the state filter it was made for.
  const std::string scope = absl::StrCat(sub.id, "/", state ? static_cast<int>(*state) + 1 : 0);
  const PageTokenSigner& tokens = subscriptions_.page_tokens();
  std::string after;
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(after, tokens.Read(kListName, scope, page_token));
  }
  ASSIGN_OR_RETURN(DeliveryPage page, store_.List(sub.id, after, page_size, state));
  result.deliveries = std::move(page.deliveries);
  if (!page.next.empty()) result.next_page_token = tokens.Make(kListName, scope, page.next);
  return result;
}

absl::Status DeliveryCore::TakeSendToken(const Caller& caller, absl::string_view method) {
  RETURN_IF_ERROR(RequireRole(caller, {Role::kPartner, Role::kAdmin}));
  const absl::Duration wait = sends_.TryTake(QuotaKey(*caller));
  if (wait <= absl::ZeroDuration()) return absl::OkStatus();
  return ResourceExhausted(
      absl::StrFormat("%s: at most %g SendTestEvent/RedeliverEvent calls per second (%g at once) "
                      "per partner; retry in %dms",
                      method, sends_.rate_per_second(), sends_.burst(), RetryDelayMillis(wait)),
      wait);
}

absl::StatusOr<Delivery> DeliveryCore::Redeliver(const Caller& caller,
                                                 const std::string& subscription_id,
                                                 const std::string& event_id) {
  RETURN_IF_ERROR(TakeSendToken(caller, "RedeliverEvent"));
  ASSIGN_OR_RETURN(Subscription sub,
                   subscriptions_.Get(caller, subscription_id, "subscription_id"));
  RETURN_IF_ERROR(CheckEventId(event_id));
  if (sub.webhook_url.empty()) {
    return absl::FailedPreconditionError("the subscription has no webhook_url");
  }
  if (sub.state != SubscriptionState::kActive) {
    return absl::FailedPreconditionError(
        absl::StrCat("subscription \"", Excerpt(sub.id), "\" is ",
                     sub.state == SubscriptionState::kPaused ? "PAUSED" : "DISABLED",
                     ": resume it with ResumeSubscription first"));
  }
  DeliveryKey key{sub.id, event_id};
  ASSIGN_OR_RETURN(Delivery current, store_.Get(key));
  if (current.test) {
    return absl::FailedPreconditionError("a test event is not redelivered: use SendTestEvent");
  }
  ASSIGN_OR_RETURN(Delivery d, store_.Redeliver(key, Now()));
  worker_.Nudge();
  return d;
}

absl::StatusOr<Delivery> DeliveryCore::SendTest(const Caller& caller,
                                                const std::string& subscription_id) {
  RETURN_IF_ERROR(TakeSendToken(caller, "SendTestEvent"));
  ASSIGN_OR_RETURN(Subscription sub,
                   subscriptions_.Get(caller, subscription_id, "subscription_id"));
  if (sub.webhook_url.empty()) {
    return absl::FailedPreconditionError("the subscription has no webhook_url");
  }
  DeliveryKey key{sub.id, "test_" + NewId()};
  ASSIGN_OR_RETURN(std::string token, store_.CreateTest(key, sub.webhook_url, Now()));
  RETURN_IF_ERROR(worker_.SendTest(sub, key, token));
  return store_.Get(key);
}

}  // namespace bulletin::notify
