// The domain of the notifications service: a partner's subscription and its filter.
//
// Plain values, copied freely. Event types are bulletin.events.v1.ArticleEventType, the
// enum of the event messages the core reads; the other enums are the core's own (the
// gRPC adapter and the stores map them).
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "bulletin/events/v1/events.pb.h"
#include "common/base/stream_id.h"

namespace bulletin::notify {

using EventType = ::bulletin::events::v1::ArticleEventType;

// Bounds from bulletin.notify.v1 (notify.proto).
inline constexpr int kMaxDisplayName = 100;  // characters
inline constexpr int kMaxEventTypes = 4;
inline constexpr int kMaxCategoryIds = 50;
inline constexpr int kMaxLocales = 20;
inline constexpr int kMaxWebhookUrl = 2048;
inline constexpr int kMaxOwner = 128;
inline constexpr int kMaxPauseReason = 200;            // characters
inline constexpr int kMaxSubscriptionsPerOwner = 100;  // default of the quota

enum class SubscriptionState { kActive, kPaused, kDisabled };

struct SubscriptionFilter {
  std::vector<EventType> event_types;  // empty: all
  std::vector<std::string> category_ids;
  bool include_subcategories = false;
  std::vector<std::string> locales;
};

struct Subscription {
  std::string id;
  std::string owner;  // "partner:<name>" for partners, anything an admin chose otherwise
  std::string display_name;
  SubscriptionFilter filter;
  std::string webhook_url;
  SubscriptionState state = SubscriptionState::kActive;
  std::string state_reason;
  absl::Time create_time;
  absl::Time update_time;
  std::string etag;
  // After RotateSecret: until when the previous secret still signs; InfinitePast: none.
  absl::Time previous_secret_expire_time = absl::InfinitePast();
  // Output only: the event stream's last entry when it was created; webhooks receive
  // only later events.
  StreamId start;
};

// The signing secrets of a subscription ("whsec_..."). `previous` is empty, or valid
// until `previous_expire_time`.
struct SigningSecrets {
  std::string current;
  std::string previous;
  absl::Time previous_expire_time = absl::InfinitePast();
};

// The owner string of a partner principal: "partner:<name>".
inline std::string PartnerOwner(const std::string& partner) { return "partner:" + partner; }

}  // namespace bulletin::notify
