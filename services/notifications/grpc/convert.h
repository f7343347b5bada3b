// Conversions between bulletin.notify.v1 messages and the service's domain values,
// enums included (the core has its own; the numbers of the contract live only here).
// Pure functions; the only place that knows both shapes.
#pragma once

#include <optional>

#include "absl/status/statusor.h"
#include "bulletin/notify/v1/notify.pb.h"
#include "services/notifications/core/deliveries/delivery.h"
#include "services/notifications/core/streams/stream_session.h"
#include "services/notifications/core/subscriptions/subscription.h"

namespace bulletin::notify {

// The caller-settable fields of a proto Subscription (id, state and times are ignored).
Subscription FromProto(const v1::Subscription& proto);

void ToProto(const Subscription& sub, v1::Subscription* proto);

void ToProto(const OutMessage& msg, v1::SubscribeResponse* proto);

void ToProto(const Delivery& delivery, v1::Delivery* proto);

// A ListDeliveries state filter: nullopt for UNSPECIFIED (all states); InvalidArgument
// naming `field` for a number the contract does not define.
absl::StatusOr<std::optional<DeliveryState>> DeliveryStateFilter(v1::DeliveryState state,
                                                                 absl::string_view field);

}  // namespace bulletin::notify
