// The seam between webhook delivery and its storage: durable scheduling, leases that
// keep two replicas from sending the same attempt at once, the attempt log, and holding
// deliveries while a subscription is paused.
//
// Implementations are thread-safe and atomic per call. Every method returns UNAVAILABLE
// when the store cannot be reached.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/notifications/core/deliveries/delivery.h"

namespace bulletin::notify {

// An event to schedule.
struct ScheduledEvent {
  std::string event_id;
  EventType type = events::v1::ARTICLE_EVENT_TYPE_UNSPECIFIED;
  std::string article_id;
  std::string payload;  // serialized ArticleEvent
};

// A delivery handed to one sender until `token` is used or the lease runs out.
struct LeasedDelivery {
  DeliveryKey key;
  std::string token;
};

// The result of an attempt: the delivery's new state, and when PENDING the next due time.
struct AttemptOutcome {
  DeliveryState state = DeliveryState::kPending;
  std::optional<absl::Time> next_attempt_time;  // only with kPending
  std::string webhook_url;
  int attempt_count = 0;
};

struct DeliveryPage {
  std::vector<Delivery> deliveries;
  std::string next;  // opaque; empty on the last page
};

class DeliveryStore {
 public:
  virtual ~DeliveryStore() = default;

  // Creates a PENDING delivery due `now` of `event` for each subscription that has none
  // for this event id yet (the others are left alone). Returns how many were created.
  virtual absl::StatusOr<int> Schedule(const ScheduledEvent& event,
                                       const std::vector<std::string>& subscription_ids,
                                       absl::Time now) = 0;

  // Leases up to `max` deliveries due at `now`: none of them is handed out again before
  // now + lease, unless an attempt is recorded with its token.
  virtual absl::StatusOr<std::vector<LeasedDelivery>> Claim(absl::Time now, absl::Duration lease,
                                                            int max) = 0;

  // NOT_FOUND when there is no such delivery.
  virtual absl::StatusOr<Delivery> Get(const DeliveryKey& key) = 0;

  // Appends `attempt` (keeping the newest kMaxAttemptsKept) and applies `outcome`, if the
  // lease `token` is still held; returns false (nothing changed) otherwise.
  virtual absl::StatusOr<bool> RecordAttempt(const DeliveryKey& key, const std::string& token,
                                             const DeliveryAttempt& attempt,
                                             const AttemptOutcome& outcome) = 0;

  // Keeps the lease `token` until `until` (a sender renews the leases of its attempts in
  // flight, so a short lease outlives a slow attempt yet a dead sender's runs out soon).
  // Returns false (nothing changed) when the token no longer holds the lease; a test
  // delivery (never due by itself) stays not due.
  virtual absl::StatusOr<bool> Extend(const DeliveryKey& key, const std::string& token,
                                      absl::Time until) = 0;

  // Parks a leased delivery while its subscription is PAUSED (no next attempt time); if
  // the subscription is no longer PAUSED it is due `now` instead.
  virtual absl::Status Hold(const DeliveryKey& key, const std::string& token, absl::Time now) = 0;
  // Gives a leased delivery back unsent, due at `until` (the endpoint's delivery rate said
  // wait): no attempt is recorded and its retry schedule is unchanged. Returns false
  // (nothing changed) when the lease `token` is no longer held.
  virtual absl::StatusOr<bool> Postpone(const DeliveryKey& key, const std::string& token,
                                        absl::Time until) = 0;

  // Makes every held delivery of a subscription due `now`.
  virtual absl::Status ReleaseHeld(const std::string& subscription_id, absl::Time now) = 0;

  // Forgets a delivery (its subscription was deleted).
  virtual absl::Status Remove(const DeliveryKey& key) = 0;

  // Returns the delivery to PENDING, due `now`, with a fresh retry schedule. NOT_FOUND
  // when absent.
  virtual absl::StatusOr<Delivery> Redeliver(const DeliveryKey& key, absl::Time now) = 0;

  // Stores a test delivery (never due by itself) and returns the lease token with which
  // its single attempt is recorded.
  virtual absl::StatusOr<std::string> CreateTest(const DeliveryKey& key,
                                                 const std::string& webhook_url,
                                                 absl::Time now) = 0;

  // A subscription's deliveries, newest first, from `after` (a DeliveryPage::next; empty:
  // the newest), at most `limit`, only in `state` when set. INVALID_ARGUMENT (naming
  // page_token) for a malformed `after`.
  virtual absl::StatusOr<DeliveryPage> List(const std::string& subscription_id,
                                            const std::string& after, int limit,
                                            std::optional<DeliveryState> state) = 0;
};

}  // namespace bulletin::notify
