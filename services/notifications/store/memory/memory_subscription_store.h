// SubscriptionStore in memory: a working fake with the Redis store's behaviour (ordering,
// page tokens, request-id replay for 24 h, etag checks, cursors that only move forward),
// for unit tests; the same behavioural suite runs against both. A new subscription's cursor
// is the last entry of the EventLog given at construction ("0-0" without one). Nothing
// persists. Thread-safe (one mutex; the log is read under it, after it in lock order).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/notifications/core/streams/event_log.h"
#include "services/notifications/core/subscriptions/subscription_store.h"

namespace bulletin::notify {

class MemorySubscriptionStore : public SubscriptionStore {
 public:
  // New subscriptions start at "0-0", as if the event stream did not exist.
  MemorySubscriptionStore() = default;
  // New subscriptions start after the last entry of `log`, which must outlive the store.
  explicit MemorySubscriptionStore(EventLog& log) : log_(&log) {}

  absl::StatusOr<CreatedSubscription> Create(const Subscription& sub, const std::string& secret,
                                             const std::string& request_id,
                                             int max_per_owner) override ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<Subscription> Get(const std::string& id) override ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<SubscriptionPage> List(const std::string& owner, const std::string& after,
                                        int limit) override ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status Delete(const std::string& id, const std::string& etag) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status Replace(const Subscription& sub, const std::string& expected_etag,
                       const std::string& new_secret) override ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<SigningSecrets> GetSecrets(const std::string& id) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<absl::Time> RecordEndpointFailure(const std::string& id, absl::Time now) override
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status RecordEndpointSuccess(const std::string& id) override ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<StreamId> GetCursor(const std::string& id) override ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<std::optional<uint64_t>> ChangeCount() override ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status AdvanceCursor(const std::string& id, const StreamId& pos) override
      ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Stored {
    Subscription sub;  // as written by Create/Replace
    std::string secret;
    std::string previous_secret;
    StreamId cursor;
    std::optional<absl::Time> failing_since;
  };
  struct Request {
    std::string id;
    absl::Time expires;
  };

  // The subscription as Get returns it.
  static Subscription Read(const Stored& s);

  EventLog* const log_ = nullptr;  // optional; not owned
  absl::Mutex mu_;
  std::map<std::string, Stored> subs_ ABSL_GUARDED_BY(mu_);  // by id
  // Index members ("<16-digit create us>:<id>", newest last) per owner and of everyone.
  std::map<std::string, std::set<std::string>> by_owner_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> all_ ABSL_GUARDED_BY(mu_);
  uint64_t changes_ ABSL_GUARDED_BY(mu_) = 0;                     // Create, Replace and Delete
  std::map<std::string, Request> requests_ ABSL_GUARDED_BY(mu_);  // "<owner>:<request id>"
};

}  // namespace bulletin::notify
