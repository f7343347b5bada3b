#include "services/notifications/grpc/convert.h"

#include "absl/strings/str_cat.h"
#include "common/proto/time.h"
#include "services/notifications/core/streams/resume_token.h"

namespace bulletin::notify {
namespace {

v1::SubscriptionState ToProto(SubscriptionState state) {
  switch (state) {
    case SubscriptionState::kActive:
      return v1::SUBSCRIPTION_STATE_ACTIVE;
    case SubscriptionState::kPaused:
      return v1::SUBSCRIPTION_STATE_PAUSED;
    case SubscriptionState::kDisabled:
      return v1::SUBSCRIPTION_STATE_DISABLED;
  }
  return v1::SUBSCRIPTION_STATE_UNSPECIFIED;
}

v1::DeliveryState ToProto(DeliveryState state) {
  switch (state) {
    case DeliveryState::kPending:
      return v1::DELIVERY_STATE_PENDING;
    case DeliveryState::kSucceeded:
      return v1::DELIVERY_STATE_SUCCEEDED;
    case DeliveryState::kDeadLettered:
      return v1::DELIVERY_STATE_DEAD_LETTERED;
    case DeliveryState::kFailed:
      return v1::DELIVERY_STATE_FAILED;
  }
  return v1::DELIVERY_STATE_UNSPECIFIED;
}

}  // namespace

Subscription FromProto(const v1::Subscription& proto) {
  Subscription s;
  s.owner = proto.owner();
  s.display_name = proto.display_name();
  // Event types are the events contract's enum, which the core reads as is; unknown
  // numbers are refused by the core's validation, naming the entry.
  for (int t : proto.filter().event_types()) {
    s.filter.event_types.push_back(static_cast<EventType>(t));
  }
  s.filter.category_ids.assign(proto.filter().category_ids().begin(),
                               proto.filter().category_ids().end());
  s.filter.include_subcategories = proto.filter().include_subcategories();
  s.filter.locales.assign(proto.filter().locales().begin(), proto.filter().locales().end());
  s.webhook_url = proto.webhook_url();
  return s;
}

void ToProto(const Subscription& sub, v1::Subscription* proto) {
  proto->set_id(sub.id);
  proto->set_owner(sub.owner);
  proto->set_display_name(sub.display_name);
  v1::SubscriptionFilter* f = proto->mutable_filter();
  for (EventType t : sub.filter.event_types) f->add_event_types(t);
  for (const std::string& c : sub.filter.category_ids) f->add_category_ids(c);
  f->set_include_subcategories(sub.filter.include_subcategories);
  for (const std::string& l : sub.filter.locales) f->add_locales(l);
  proto->set_webhook_url(sub.webhook_url);
  proto->set_state(ToProto(sub.state));
  proto->set_state_reason(sub.state_reason);
  ToProtoTime(sub.create_time, proto->mutable_create_time());
  ToProtoTime(sub.update_time, proto->mutable_update_time());
  proto->set_etag(sub.etag);
  if (sub.previous_secret_expire_time > absl::Now()) {
    ToProtoTime(sub.previous_secret_expire_time, proto->mutable_previous_secret_expire_time());
  }
}

void ToProto(const Delivery& d, v1::Delivery* proto) {
  proto->set_id(d.id);
  proto->set_subscription_id(d.subscription_id);
  proto->set_event_id(d.event_id);
  proto->set_event_type(d.event_type);
  proto->set_article_id(d.article_id);
  proto->set_state(ToProto(d.state));
  proto->set_webhook_url(d.webhook_url);
  for (const DeliveryAttempt& a : d.attempts) {
    v1::DeliveryAttempt* p = proto->add_attempts();
    ToProtoTime(a.time, p->mutable_attempt_time());
    p->set_http_status(a.http_status);
    ToProtoDuration(a.latency, p->mutable_latency());
    p->set_error(a.error);
  }
  if (d.state == DeliveryState::kPending && d.next_attempt_time != absl::InfinitePast()) {
    ToProtoTime(d.next_attempt_time, proto->mutable_next_attempt_time());
  }
  ToProtoTime(d.create_time, proto->mutable_create_time());
  proto->set_test(d.test);
}

void ToProto(const OutMessage& msg, v1::SubscribeResponse* proto) {
  proto->Clear();
  if (msg.event) {
    v1::StreamEvent* e = proto->mutable_event();
    *e->mutable_event() = *msg.event;
    e->set_resume_token(EncodeResumeToken(msg.pos));
    return;
  }
  v1::Heartbeat* h = proto->mutable_heartbeat();
  h->set_resume_token(EncodeResumeToken(msg.pos));
  ToProtoTime(msg.send_time, h->mutable_send_time());
  h->set_final(msg.final);
}

absl::StatusOr<std::optional<DeliveryState>> DeliveryStateFilter(v1::DeliveryState state,
                                                                 absl::string_view field) {
  switch (state) {
    case v1::DELIVERY_STATE_UNSPECIFIED:
      return std::nullopt;
    case v1::DELIVERY_STATE_PENDING:
      return DeliveryState::kPending;
    case v1::DELIVERY_STATE_SUCCEEDED:
      return DeliveryState::kSucceeded;
    case v1::DELIVERY_STATE_DEAD_LETTERED:
      return DeliveryState::kDeadLettered;
    case v1::DELIVERY_STATE_FAILED:
      return DeliveryState::kFailed;
    default:
      return absl::InvalidArgumentError(absl::StrCat(field, ": unknown delivery state"));
  }
}

}  // namespace bulletin::notify
