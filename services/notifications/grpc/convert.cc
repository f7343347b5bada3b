#include "services/notifications/grpc/convert.h"

#include "services/notifications/core/streams/resume_token.h"

namespace bulletin::notify {
namespace {

void SetTime(absl::Time t, google::protobuf::Timestamp* ts) {
  int64_t us = absl::ToUnixMicros(t);
  ts->set_seconds(us / 1000000);
  ts->set_nanos(static_cast<int32_t>(us % 1000000) * 1000);
}

}  // namespace

Subscription FromProto(const v1::Subscription& proto) {
  Subscription s;
  s.owner = proto.owner();
  s.display_name = proto.display_name();
  for (int t : proto.filter().event_types())
    s.filter.event_types.push_back(static_cast<EventType>(t));
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
  proto->set_state(static_cast<v1::SubscriptionState>(sub.state));
  proto->set_state_reason(sub.state_reason);
  SetTime(sub.create_time, proto->mutable_create_time());
  SetTime(sub.update_time, proto->mutable_update_time());
  proto->set_etag(sub.etag);
  if (sub.previous_secret_expire_time > absl::Now()) {
    SetTime(sub.previous_secret_expire_time, proto->mutable_previous_secret_expire_time());
  }
}

void ToProto(const Delivery& d, v1::Delivery* proto) {
  proto->set_id(d.id);
  proto->set_subscription_id(d.subscription_id);
  proto->set_event_id(d.event_id);
  proto->set_event_type(d.event_type);
  proto->set_article_id(d.article_id);
  proto->set_state(static_cast<v1::DeliveryState>(d.state));
  proto->set_webhook_url(d.webhook_url);
  for (const DeliveryAttempt& a : d.attempts) {
    v1::DeliveryAttempt* p = proto->add_attempts();
    SetTime(a.time, p->mutable_attempt_time());
    p->set_http_status(a.http_status);
    int64_t us = absl::ToInt64Microseconds(a.latency);
    p->mutable_latency()->set_seconds(us / 1000000);
    p->mutable_latency()->set_nanos(static_cast<int32_t>(us % 1000000) * 1000);
    p->set_error(a.error);
  }
  if (d.state == DeliveryState::kPending && d.next_attempt_time != absl::InfinitePast()) {
    SetTime(d.next_attempt_time, proto->mutable_next_attempt_time());
  }
  SetTime(d.create_time, proto->mutable_create_time());
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
  SetTime(msg.send_time, h->mutable_send_time());
  h->set_final(msg.final);
}

}  // namespace bulletin::notify
