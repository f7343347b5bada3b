// The seam between the notifications rules and their storage: subscriptions, their
// secrets and their stream cursors, in domain verbs.
//
// Implementations are thread-safe. Every method returns UNAVAILABLE when the backing
// store cannot be reached (the caller may retry), never INTERNAL for an outage.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/base/stream_id.h"
#include "services/notifications/core/subscriptions/subscription.h"

namespace bulletin::notify {

struct CreatedSubscription {
  Subscription subscription;
  std::string signing_secret;
  bool replayed = false;  // true when request_id matched an earlier create
};

struct SubscriptionPage {
  std::vector<Subscription> subscriptions;
  std::string next;  // where the next page starts (opaque); empty on the last page
};

class SubscriptionStore {
 public:
  virtual ~SubscriptionStore() = default;

  // Stores `sub` (id, owner and times already set) with its secret, atomically: its
  // stream cursor becomes the event stream's last generated entry id now ("0-0" when
  // the stream does not exist), so it receives only later events. With a non-empty
  // `request_id`, a second call within 24 h for the same owner returns the first result
  // (replayed = true) and stores nothing. RESOURCE_EXHAUSTED when the owner already
  // has `max_per_owner` subscriptions.
  virtual absl::StatusOr<CreatedSubscription> Create(const Subscription& sub,
                                                     const std::string& secret,
                                                     const std::string& request_id,
                                                     int max_per_owner) = 0;

  // NOT_FOUND when there is no such subscription.
  virtual absl::StatusOr<Subscription> Get(const std::string& id) = 0;

  // Newest first: subscriptions of `owner` (empty: of everyone), starting at `after` (a
  // SubscriptionPage::next; empty: from the newest), at most `limit`. INVALID_ARGUMENT
  // (naming page_token) for a malformed `after`.
  virtual absl::StatusOr<SubscriptionPage> List(const std::string& owner, const std::string& after,
                                                int limit) = 0;

  // Deletes it. NOT_FOUND when absent; ABORTED (StaleEtag of common/base/etag.h: the
  // current etag as payload) when `etag` is non-empty and not current.
  virtual absl::Status Delete(const std::string& id, const std::string& etag) = 0;

  // Replaces the stored fields of `sub` (found by sub.id; everything but id, owner,
  // create time, secrets and cursors) if its etag is still `expected_etag`. With a
  // non-empty `new_secret`, also makes it the current secret and keeps the old one as the
  // previous secret (until sub.previous_secret_expire_time). NOT_FOUND when absent;
  // ABORTED (StaleEtag: the current etag as payload) when the etag moved on.
  virtual absl::Status Replace(const Subscription& sub, const std::string& expected_etag,
                               const std::string& new_secret = "") = 0;

  // The secrets that sign its webhooks. NOT_FOUND when absent.
  virtual absl::StatusOr<SigningSecrets> GetSecrets(const std::string& id) = 0;

  // Endpoint health bookkeeping (does not change the etag): a failed attempt returns when
  // the endpoint started failing (kept from the first failure until a success); NOT_FOUND
  // when the subscription is gone.
  virtual absl::StatusOr<absl::Time> RecordEndpointFailure(const std::string& id,
                                                           absl::Time now) = 0;
  virtual absl::Status RecordEndpointSuccess(const std::string& id) = 0;

  // The position after which a token-less Subscribe starts. NOT_FOUND when absent.
  virtual absl::StatusOr<StreamId> GetCursor(const std::string& id) = 0;

  // Moves the cursor forward to `pos` (never back; a deleted subscription stays deleted).
  virtual absl::Status AdvanceCursor(const std::string& id, const StreamId& pos) = 0;

  // AdvanceCursor for each (id, pos), one status per cursor, in order. A store may send
  // them in one round trip (the stream ticker writes the cursors of every open stream at
  // once: with hundreds of streams, one round trip each was thousands per second).
  // A number that moves whenever Create, Replace or Delete changes a subscription (in
  // every process sharing the store), so a reader of List may keep what it read while it
  // stays the same (the webhook scheduler, which lists on every event batch). nullopt:
  // this store keeps no such number; list every time.
  virtual absl::StatusOr<std::optional<uint64_t>> ChangeCount() { return std::nullopt; }

  virtual std::vector<absl::Status> AdvanceCursors(
      const std::vector<std::pair<std::string, StreamId>>& cursors) {
    std::vector<absl::Status> out;
    out.reserve(cursors.size());
    for (const auto& [id, pos] : cursors) out.push_back(AdvanceCursor(id, pos));
    return out;
  }
};

}  // namespace bulletin::notify
